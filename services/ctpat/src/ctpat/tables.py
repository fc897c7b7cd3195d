"""ctpat's tables (SQLAlchemy Core). Only this service's migrations change them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from servicekit.consumer import inbox_tables
from servicekit.outbox import outbox_table

metadata = MetaData()

# The Security Model's root row. Its small parts (business types, identifiers, company profile
# addresses and contacts) are JSON on the row, so a model loads in one round trip.
security_models = Table(
    "security_models",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("trade_account_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("catalogue_version", Integer, nullable=False),
    Column("status", String(40), nullable=False),
    Column("scss_user_id", UUID(as_uuid=True), index=True),
    Column("business_types", JSONB, nullable=False),
    Column("identifiers", JSONB, nullable=False),
    Column("addresses", JSONB, nullable=False),
    Column("contacts", JSONB, nullable=False),
    Column("anniversary_date", Date),  # of certification (CT-13)
    Column("profile_submitted", Boolean, nullable=False, server_default="false"),
    Column("earmarked_for_withdrawal", Boolean, nullable=False, server_default="false"),  # CT-17
    # CT-13: the scheduler finds the models whose next annual review window opens today or earlier.
    Column("next_review_opens", Date, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", UUID(as_uuid=True), nullable=False),
    Column("version", Integer, nullable=False),
)

# CT-14: the lifecycle's history, appended to and never changed. The migration adds a trigger
# that refuses UPDATE and DELETE, so not even a bug in this service can rewrite a date.
status_history = Table(
    "status_history",
    metadata,
    Column("security_model_id", UUID(as_uuid=True), ForeignKey("security_models.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("status", String(40), nullable=False),
    Column("previous_status", String(40)),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by_user_id", UUID(as_uuid=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("anniversary_date", Date),
)

# CT-08: the Security Profile as the partner is answering it, one row per criterion.
criterion_responses = Table(
    "criterion_responses",
    metadata,
    Column("security_model_id", UUID(as_uuid=True), ForeignKey("security_models.id"), primary_key=True),
    Column("criterion_id", String(10), primary_key=True),
    Column("text", Text),
    Column("not_applicable", Boolean, nullable=False),
    Column("reason", Text),
    Column("revision", Integer, nullable=False),
    Column("updated_by", UUID(as_uuid=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# CT-12: each approval keeps a new version of each changed response; every earlier one stays readable.
approved_responses = Table(
    "approved_responses",
    metadata,
    Column("security_model_id", UUID(as_uuid=True), ForeignKey("security_models.id"), primary_key=True),
    Column("criterion_id", String(10), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("text", Text),
    Column("not_applicable", Boolean, nullable=False),
    Column("reason", Text),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Column("approved_by", UUID(as_uuid=True), nullable=False),
)

# Evidence: documents uploaded for a criterion, as the documents service's DocumentUploaded told us.
# A split or extract copies the evidence of the criteria the new model keeps: one document, two models.
evidence_documents = Table(
    "evidence_documents",
    metadata,
    Column("document_id", UUID(as_uuid=True), primary_key=True),
    Column("security_model_id", UUID(as_uuid=True), primary_key=True, index=True),
    Column("criterion_id", String(10), nullable=False),
    Column("title", String(300), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

# CT-06, CT-11: agreements signed electronically: who, when, which version (kept, never rewritten).
agreements = Table(
    "agreements",
    metadata,
    Column("security_model_id", UUID(as_uuid=True), ForeignKey("security_models.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("agreement", String(30), nullable=False),
    Column("agreement_version", String(20), nullable=False),
    Column("signed_by", UUID(as_uuid=True), nullable=False),
    Column("signer_name", String(200), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Column("revoked_by", UUID(as_uuid=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# CT-13: one annual review per model and year; the key is what makes a window open exactly once.
annual_reviews = Table(
    "annual_reviews",
    metadata,
    Column("security_model_id", UUID(as_uuid=True), ForeignKey("security_models.id"), primary_key=True),
    Column("review_year", Integer, primary_key=True),
    Column("opens_on", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("state", String(12), nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
    Column("submitted_by", UUID(as_uuid=True)),
    Column("approved_at", DateTime(timezone=True)),
    Column("approved_by", UUID(as_uuid=True)),
)

# CT-13: the Officer's affirmation of each statement of the profile for one year's review.
review_affirmations = Table(
    "review_affirmations",
    metadata,
    Column("security_model_id", UUID(as_uuid=True), primary_key=True),
    Column("review_year", Integer, primary_key=True),
    Column("criterion_id", String(10), primary_key=True),
    Column("affirmed_by", UUID(as_uuid=True), nullable=False),
    Column("affirmed_at", DateTime(timezone=True), nullable=False),
)

# CT-15: validations recorded by the SCSS, and the partner's response item by item (items as JSON).
validations = Table(
    "validations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("security_model_id", UUID(as_uuid=True), ForeignKey("security_models.id"), nullable=False,
           index=True),
    Column("validation_date", Date, nullable=False),
    Column("result", String(20), nullable=False),
    Column("report", Text, nullable=False),
    Column("items", JSONB, nullable=False),
    Column("recorded_by", UUID(as_uuid=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("response_state", String(20), nullable=False),
    Column("submitted_by", UUID(as_uuid=True)),
    Column("submitted_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
)

# Documents uploaded for a Validation Response item, as DocumentUploaded told us (DOC-04).
validation_evidence = Table(
    "validation_evidence",
    metadata,
    Column("document_id", UUID(as_uuid=True), primary_key=True),
    Column("validation_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("title", String(300), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

# CT-16..CT-19: expand, extract, split and merge requests, decided by Management.
model_operations = Table(
    "model_operations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("security_model_id", UUID(as_uuid=True), ForeignKey("security_models.id"), nullable=False, index=True),
    Column("trade_account_id", UUID(as_uuid=True), nullable=False),
    Column("requested_by", UUID(as_uuid=True), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("business_types", JSONB, nullable=False),
    Column("eligibility_answers", JSONB, nullable=False),
    Column("identifiers", JSONB, nullable=False),
    Column("other_model_id", UUID(as_uuid=True)),
    Column("status", String(10), nullable=False, index=True),
    Column("decided_by", UUID(as_uuid=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_reason", Text),
    Column("resulting_model_id", UUID(as_uuid=True)),
    Column("version", Integer, nullable=False),
)
# One pending structural request per model: two never race.
Index("one_pending_operation", model_operations.c.security_model_id, unique=True,
      postgresql_where=model_operations.c.status == "pending")

# CT-03: one C-TPAT account number per business type of a model, never reused.
account_numbers = Sequence("account_numbers", metadata=metadata, start=100001)

# Trade Accounts as trade-accounts' events describe them (TA-16: only what exists there is used).
known_trade_accounts = Table(
    "known_trade_accounts",
    metadata,
    Column("trade_account_id", UUID(as_uuid=True), primary_key=True),
    Column("company_name", String(200), nullable=False),
)

account_members = Table(
    "account_members",
    metadata,
    Column("trade_account_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), index=True),
    Column("email", String(254), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("title", String(100), nullable=False),
    Column("phone", String(40), nullable=False),
    Column("type", String(30), nullable=False),
    Column("status", String(20), nullable=False),
)

account_addresses = Table(
    "account_addresses",
    metadata,
    Column("trade_account_id", UUID(as_uuid=True), primary_key=True),
    Column("address_id", UUID(as_uuid=True), primary_key=True),
    Column("type", String(50), nullable=False),
    Column("street_line_1", String(200), nullable=False),
    Column("street_line_2", String(200)),
    Column("city", String(100), nullable=False),
    Column("country", String(2), nullable=False),
    Column("state", String(10)),
    Column("postal_code", String(20)),
)

# CBP staff as identity's events describe them: Management assigns only a known SCSS (CT-12).
known_staff = Table(
    "known_staff",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("roles", ARRAY(String(20)), nullable=False),
)

outbox = outbox_table(metadata)
inbox, inbox_aggregate_version = inbox_tables(metadata)
