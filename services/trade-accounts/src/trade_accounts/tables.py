"""Trade-accounts' tables (SQLAlchemy Core). Only this service's migrations change them."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from servicekit.consumer import inbox_tables
from servicekit.mail import mail_outbox_table
from servicekit.outbox import outbox_table

metadata = MetaData()

trade_accounts = Table(
    "trade_accounts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("company_name", String(200), nullable=False),
    Column("doing_business_as", String(200)),
    Column("number_of_employees", Integer),
    Column("business_start_date", Date),
    Column("brief_history", Text),
    Column("parent_id", UUID(as_uuid=True), ForeignKey("trade_accounts.id"), index=True),
    Column("merged_into", UUID(as_uuid=True), ForeignKey("trade_accounts.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", UUID(as_uuid=True), nullable=False),
    Column("version", Integer, nullable=False),
)

# An address's or user's id names it within its Trade Account: a split copies what a moving
# Security Model uses under the same ids (TA-13, TA-16), so the key is (account, id).
addresses = Table(
    "addresses",
    metadata,
    Column("trade_account_id", UUID(as_uuid=True), ForeignKey("trade_accounts.id"), primary_key=True, index=True),
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("type", String(50), nullable=False),
    Column("street_line_1", String(200), nullable=False),
    Column("street_line_2", String(200)),
    Column("city", String(100), nullable=False),
    Column("country", String(2), nullable=False),
    Column("state", String(10)),
    Column("postal_code", String(20), nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("trade_account_id", UUID(as_uuid=True), ForeignKey("trade_accounts.id"), primary_key=True, index=True),
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("user_id", UUID(as_uuid=True), index=True),
    Column("email", String(254), nullable=False),
    Column("salutation", String(20), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("title", String(100), nullable=False),
    Column("phone", String(40), nullable=False),
    Column("type", String(30), nullable=False),
    Column("status", String(20), nullable=False),
)
# Invitations are found by email when that person registers (TA-05).
Index("memberships_email", func.lower(memberships.c.email))

# Identity's users as its events describe them (UserRegistered, UserProfileUpdated, UserEmailChanged).
known_users = Table(
    "known_users",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("salutation", String(20)),
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("title", String(100)),
    Column("phone", String(40)),
)
# Not unique here: events of two users arrive on different partitions, so one may
# briefly hold an address the other has just given up; identity keeps it unique.
Index("known_users_email", func.lower(known_users.c.email))

# ctpat's Security Models as its events describe them: which account holds each, and its SCSS.
security_models = Table(
    "security_models",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("trade_account_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("scss_user_id", UUID(as_uuid=True)),
    # Its C-TPAT status (StatusChanged); a withdrawn or removed model no longer counts for TA-11.
    Column("status", String(40)),
)

# Which of an account's addresses and users each Security Model uses (ctpat's ContactsChanged and
# CompanyProfileAddressesChanged): those stay in the Organization Profile while used (TA-16).
security_model_usage = Table(
    "security_model_usage",
    metadata,
    Column("security_model_id", UUID(as_uuid=True), primary_key=True),
    Column("entry_kind", String(10), primary_key=True),  # "address" | "member"
    Column("entry_id", UUID(as_uuid=True), primary_key=True),
    Column("trade_account_id", UUID(as_uuid=True), nullable=False, index=True),
)

# Link, delink, split and merge requests (TA-08..TA-15), with their approvals and history.
account_requests = Table(
    "account_requests",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("status", String(12), nullable=False, index=True),
    Column("requested_by", UUID(as_uuid=True), nullable=False, index=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("requesting_account_id", UUID(as_uuid=True), nullable=False),
    Column("parent_id", UUID(as_uuid=True), index=True),
    Column("subsidiary_id", UUID(as_uuid=True), index=True),
    Column("reason", Text, nullable=False),
    Column("new_company_name", String(200)),
    Column("moving_security_model_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    Column("approvals", JSONB, nullable=False),
    Column("history", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
)

# Invitations to people added by email (TA-05), sent by the worker (servicekit.mail).
mail_outbox = mail_outbox_table(metadata)

outbox = outbox_table(metadata)
inbox, inbox_aggregate_version = inbox_tables(metadata)
