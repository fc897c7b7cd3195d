"""Identity's tables (SQLAlchemy Core). Only identity's migrations change them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from servicekit.mail import mail_outbox_table
from servicekit.outbox import outbox_table

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("roles", ARRAY(String(20)), nullable=False, server_default="{}"),
    Column("salutation", String(20)),
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("title", String(100)),
    Column("phone", String(40)),
    Column("password_hash", Text, nullable=False),
    Column("password_set_at", DateTime(timezone=True), nullable=False),
    Column("password_history", JSONB, nullable=False, server_default="[]"),
    Column("security_answers", JSONB, nullable=False, server_default="[]"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)
# ID-01: the email is the user name, unique whatever its case.
Index("users_email_key", func.lower(users.c.email), unique=True)

# Failed credential checks (ID-12), one row per counter key (see domain.credential_throttle).
signin_counters = Table(
    "signin_counters",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_started_at", DateTime(timezone=True)),
    Column("last_failure_at", DateTime(timezone=True)),
    Column("locked_until", DateTime(timezone=True)),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("client_address", String(64)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", String(100)),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

password_resets = Table(
    "password_resets",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("answers_verified_at", DateTime(timezone=True)),
    Column("failed_answer_attempts", Integer, nullable=False, server_default="0"),
    Column("used_at", DateTime(timezone=True)),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("private_pem", Text, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("retired_at", DateTime(timezone=True)),
)

mail_outbox = mail_outbox_table(metadata)

# The C-TPAT Helpdesk's actions on users: who, to whom, how and why (domain.helpdesk).
helpdesk_actions = Table(
    "helpdesk_actions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("action", String(40), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("user_email", String(254), nullable=False),
    Column("actor_id", UUID(as_uuid=True), nullable=False),
    Column("actor_email", String(254), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
)
Index("helpdesk_actions_by_user", helpdesk_actions.c.user_id, helpdesk_actions.c.occurred_at)
Index("helpdesk_actions_by_time", helpdesk_actions.c.occurred_at)

outbox = outbox_table(metadata)
