"""svi's tables (SQLAlchemy Core). Only this service's migrations change them."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB, UUID

from servicekit.consumer import inbox_tables
from servicekit.mail import mail_outbox_table
from servicekit.outbox import outbox_table

metadata = MetaData()

# Security Models as ctpat's events describe them: status, SVI agreement, contacts, SCSS (SV-01).
participants = Table(
    "participants",
    metadata,
    Column("model_id", UUID(as_uuid=True), primary_key=True),
    Column("trade_account_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("status", String(40)),
    # Certified or above, as ctpat's StatusChanged says: ctpat owns that rule (CT-14); svi only follows it.
    Column("certified", Boolean, nullable=False, server_default="false"),
    Column("svi_signed", Boolean, nullable=False, server_default="false"),
    Column("business_types", JSONB, nullable=False, server_default="[]"),
    Column("contacts", JSONB, nullable=False, server_default="[]"),  # member ids
    Column("primary_poc", UUID(as_uuid=True)),  # the contact's member id
    Column("scss_user_id", UUID(as_uuid=True)),
)

# Company names, from trade-accounts' events (SV-04 searches them, prefix and typo-tolerant: pg_trgm).
companies = Table(
    "companies",
    metadata,
    Column("trade_account_id", UUID(as_uuid=True), primary_key=True),
    Column("company_name", String(200), nullable=False),
)
# (the migrations create them: a GIN trigram index serving LIKE 'prefix%', a GiST one ordering by distance)

# Trade Account users, from trade-accounts' events: which user a contact's membership is.
members = Table(
    "members",
    metadata,
    Column("trade_account_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), index=True),
    Column("status", String(20), nullable=False),
    Column("email", String(254)),  # shown as the point of contact when a partner shares more
    Column("name", String(200)),
)

# Beyond the manual, as CBP's later SVI added: a monitoring partner's auto-accept, and a monitored
# partner's "share more" (tier and point of contact, while accepted).
svi_settings = Table(
    "svi_settings",
    metadata,
    Column("model_id", UUID(as_uuid=True), primary_key=True),
    Column("auto_accept", Boolean, nullable=False, server_default="false"),
    Column("share_more", Boolean, nullable=False, server_default="false"),
)

# Certification notices e-mailed to companies outside C-TPAT, sent by the worker (servicekit.mail).
mail_outbox = mail_outbox_table(metadata)

# SV-03..SV-10: monitoring requests with their history; one listed request per pair (a block included).
monitoring_requests = Table(
    "monitoring_requests",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("monitored_model_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("monitoring_model_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("state", String(10), nullable=False),
    Column("history", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
)
Index("one_listed_request_per_pair", monitoring_requests.c.monitored_model_id,
      monitoring_requests.c.monitoring_model_id, unique=True,
      postgresql_where=monitoring_requests.c.state != "ended")

outbox = outbox_table(metadata)
inbox, inbox_aggregate_version = inbox_tables(metadata)
