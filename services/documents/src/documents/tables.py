"""documents' tables (SQLAlchemy Core). Only this service's migrations change them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB, UUID

from servicekit.consumer import inbox_tables
from servicekit.outbox import outbox_table

metadata = MetaData()

# --- read models: who may use which library (DOC-01..DOC-03), fed by trade-accounts' and ctpat's events -------

# Trade Account users: an active membership makes a Trade Public reader (DOC-01); a contact is a membership.
members = Table(
    "members",
    metadata,
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("trade_account_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("user_id", UUID(as_uuid=True), index=True),
    Column("status", String(20), nullable=False),
)

companies = Table(
    "companies",
    metadata,
    Column("trade_account_id", UUID(as_uuid=True), primary_key=True),
    Column("company_name", String(200), nullable=False),
)

# Security Models: their account, business types and SCSS (DOC-03).
security_models = Table(
    "security_models",
    metadata,
    Column("model_id", UUID(as_uuid=True), primary_key=True),
    Column("trade_account_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("business_types", JSONB, nullable=False, server_default="[]"),
    Column("scss_user_id", UUID(as_uuid=True), index=True),
)

# A model's contacts (memberships), replaced whole by each ContactsChanged (DOC-02, DOC-03).
model_contacts = Table(
    "model_contacts",
    metadata,
    Column("model_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", UUID(as_uuid=True), primary_key=True, index=True),
)

# --- documents --------------------------------------------------------------------------------------------------

documents = Table(
    "documents",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("library", String(20), nullable=False),
    Column("security_model_id", UUID(as_uuid=True)),
    Column("document_type", String(40), nullable=False),
    Column("uploaded_for", JSONB),
    # the current version's, kept here so a library lists and sorts from one table
    Column("title", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("file_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True)),
    Column("removed_by", UUID(as_uuid=True)),
    Column("version", Integer, nullable=False),
)
# A library's page: its listed documents, newest change first.
Index("documents_library_listed", documents.c.library, documents.c.security_model_id, documents.c.updated_at.desc(),
      postgresql_where=documents.c.removed_at.is_(None))

# DOC-07: every version, the current one last; an archive row is never changed.
document_versions = Table(
    "document_versions",
    metadata,
    Column("document_id", UUID(as_uuid=True), ForeignKey("documents.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("object_key", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("file_name", String(255)),
    Column("change", String(10), nullable=False),
    Column("created_by", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Uploads that go straight to object storage (a presigned form): what was promised, until the service checks
# what landed. Nothing here is listed; the worker removes what was never completed.
pending_uploads = Table(
    "pending_uploads",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("object_key", String(200), nullable=False, unique=True),
    Column("document_id", UUID(as_uuid=True)),  # a new file for this document; None: a new document
    Column("library", String(20), nullable=False),
    Column("security_model_id", UUID(as_uuid=True)),
    Column("document_type", String(40), nullable=False),
    Column("uploaded_for", JSONB),
    Column("title", String(200), nullable=False),
    Column("file_name", String(255)),
    Column("declared_content_type", String(100)),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_by", UUID(as_uuid=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

# DOC-08: a user's own tags. The key leads with (user, library, tag), so a library filtered by tags is one range
# of document ids per tag, merged in order, never the user's every row nor the library's every document. The
# library key is the model's id for a Partner Library, a fixed id for each public one (repository.library_key).
document_tags = Table(
    "document_tags",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("library_key", UUID(as_uuid=True), primary_key=True),
    Column("tag", String(40), primary_key=True),
    Column("document_id", UUID(as_uuid=True), ForeignKey("documents.id"), primary_key=True),
)
Index("document_tags_by_document", document_tags.c.document_id, document_tags.c.user_id)

outbox = outbox_table(metadata)
inbox, inbox_aggregate_version = inbox_tables(metadata)
