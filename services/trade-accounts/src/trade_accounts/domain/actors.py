"""Who acts on Trade Accounts, as this service knows them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servicekit.auth import StaffRole

if TYPE_CHECKING:
    from trade_accounts.domain.trade_account import PersonDetails

OVERSIGHT_ROLES = frozenset({StaffRole.SCSS, StaffRole.MANAGEMENT})


@dataclass(frozen=True)
class Actor:
    """The signed-in caller: a user id and CBP staff roles (from the verified token)."""

    user_id: uuid.UUID
    roles: frozenset[str] = frozenset()

    def has_role(self, role: StaffRole) -> bool:
        return role in self.roles

    @property
    def is_cbp_oversight(self) -> bool:
        # SCSS and Management oversee the program; they read Trade Accounts.
        return bool(self.roles & OVERSIGHT_ROLES)


@dataclass(frozen=True)
class KnownUser:
    """A portal user as identity's events told us: the read model behind TA-01 and TA-05."""

    user_id: uuid.UUID
    email: str
    details: PersonDetails | None

    @property
    def profile_complete(self) -> bool:
        return self.details is not None
