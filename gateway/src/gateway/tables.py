"""The gateway's one table: browser sessions shared by every gateway process."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

browser_sessions = Table(
    "browser_sessions",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("session", JSONB, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("browser_sessions_expires_at", browser_sessions.c.expires_at)
