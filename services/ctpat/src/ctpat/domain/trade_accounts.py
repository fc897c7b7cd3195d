"""Trade Accounts as ctpat knows them: the read model trade-accounts' events keep (TA-16, CT-04, CT-05).

ctpat never asks trade-accounts anything while answering a request: it keeps
each account's users and addresses as the events described them, and a
Security Model may use only what is there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AccountMember:
    member_id: uuid.UUID
    user_id: uuid.UUID | None  # None while invited
    email: str
    first_name: str
    last_name: str
    title: str
    phone: str
    type: str  # company_administrator | user
    status: str  # active | invited

    @property
    def is_active(self) -> bool:
        return self.status == "active" and self.user_id is not None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class AccountAddress:
    address_id: uuid.UUID
    type: str
    street_line_1: str
    street_line_2: str | None
    city: str
    country: str
    state: str | None
    postal_code: str | None

    @property
    def one_line(self) -> str:
        parts = [self.street_line_1, self.street_line_2, self.city, self.state, self.postal_code, self.country]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class KnownTradeAccount:
    trade_account_id: uuid.UUID
    company_name: str
    members: dict[uuid.UUID, AccountMember] = field(default_factory=dict)
    addresses: dict[uuid.UUID, AccountAddress] = field(default_factory=dict)

    def active_member(self, user_id: uuid.UUID) -> AccountMember | None:
        """The caller's active membership (CT-01: any user of the account may start an application)."""
        return next((m for m in self.members.values() if m.user_id == user_id and m.is_active), None)
