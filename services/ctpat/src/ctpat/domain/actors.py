"""Who acts on Security Models, as this service knows them: a user id and CBP staff roles (from the token)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from servicekit.auth import StaffRole


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID
    roles: frozenset[str] = frozenset()

    @property
    def is_scss(self) -> bool:
        return StaffRole.SCSS in self.roles

    @property
    def is_management(self) -> bool:
        return StaffRole.MANAGEMENT in self.roles
