"""messaging's tables (SQLAlchemy Core). Only this service's migrations change them."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID

from servicekit.consumer import inbox_tables
from servicekit.mail import mail_outbox_table
from servicekit.outbox import outbox_table

metadata = MetaData()

# --- read models: who takes part (MSG-01), fed by trade-accounts' and ctpat's events ---------------------------

members = Table(
    "members",
    metadata,
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("trade_account_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("user_id", UUID(as_uuid=True), index=True),
    Column("status", String(20), nullable=False),
    Column("email", String(254)),  # where a contact's notice of a new message goes
    Column("type", String(30)),  # company_administrator asks CBP for a company name change
)

# CBP staff, from identity's events: where an SCSS's notice of a new message goes.
staff = Table(
    "staff",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("email", String(254), nullable=False),
)

# Each user's choice about e-mailed notices of new messages (none stored: they are sent).
notification_settings = Table(
    "notification_settings",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("email_notices", Boolean, nullable=False),
)

companies = Table(
    "companies",
    metadata,
    Column("trade_account_id", UUID(as_uuid=True), primary_key=True),
    Column("company_name", String(200), nullable=False),
)

security_models = Table(
    "security_models",
    metadata,
    Column("model_id", UUID(as_uuid=True), primary_key=True),
    Column("trade_account_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("business_types", JSONB, nullable=False, server_default="[]"),
    Column("scss_user_id", UUID(as_uuid=True), index=True),
    # How many threads the model has: an inbox's total is a sum over the user's few models, never a count of
    # every thread (a count scanned the whole table: 6.5 ms at 50,000 threads, most of the inbox's time).
    Column("thread_count", Integer, nullable=False, server_default="0"),
)

model_contacts = Table(
    "model_contacts",
    metadata,
    Column("model_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", UUID(as_uuid=True), primary_key=True, index=True),
)

# The Partner Library's documents, as documents' events describe them: what a message may attach (MSG-04).
partner_documents = Table(
    "partner_documents",
    metadata,
    Column("document_id", UUID(as_uuid=True), primary_key=True),
    Column("model_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("removed", Integer, nullable=False, server_default="0"),
)

# --- threads ------------------------------------------------------------------------------------------------------

threads = Table(
    "threads",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("security_model_id", UUID(as_uuid=True)),  # None: a Trade Account's request to CBP (name_change)
    Column("trade_account_id", UUID(as_uuid=True)),  # the account a name_change thread is for
    # The model's SCSS, kept here so an SCSS's inbox is one index range (moved with each ScssAssigned).
    Column("scss_user_id", UUID(as_uuid=True)),
    Column("subject", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(10), nullable=False, server_default="open"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_posted_at", DateTime(timezone=True), nullable=False),
    Column("message_count", Integer, nullable=False),
    Column("version", Integer, nullable=False),
)
# MSG-02: newest first, per model and per SCSS.
Index("threads_of_model", threads.c.security_model_id, threads.c.last_posted_at.desc(), threads.c.id.desc())
Index("threads_of_scss", threads.c.scss_user_id, threads.c.last_posted_at.desc(), threads.c.id.desc())
# A Trade Account's requests to CBP; at most one open at a time.
Index("name_changes_of_account", threads.c.trade_account_id, postgresql_where=threads.c.kind == "name_change")
Index("one_open_name_change", threads.c.trade_account_id, unique=True,
      postgresql_where=(threads.c.kind == "name_change") & (threads.c.status == "open"))

messages = Table(
    "messages",
    metadata,
    Column("thread_id", UUID(as_uuid=True), ForeignKey("threads.id"), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("author", String(10), nullable=False),
    Column("author_user_id", UUID(as_uuid=True)),
    Column("body", Text, nullable=False),
    Column("document_id", UUID(as_uuid=True)),
    Column("document_title", String(200)),
    Column("posted_at", DateTime(timezone=True), nullable=False),
)

# MSG-02: how far each user has read each thread (a thread with more messages than that is unread for them).
thread_reads = Table(
    "thread_reads",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("thread_id", UUID(as_uuid=True), ForeignKey("threads.id"), primary_key=True),
    Column("read_count", Integer, nullable=False),
)

# Notices of new messages (no body: a link to the portal), sent by the worker (servicekit.mail).
mail_outbox = mail_outbox_table(metadata)

outbox = outbox_table(metadata)
inbox, inbox_aggregate_version = inbox_tables(metadata)
