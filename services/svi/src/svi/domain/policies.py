"""Who acts for a Security Model in SVI: its contacts; its assigned SCSS reads its lists (and nobody else sees
anything of it: a stranger is told it does not exist)."""

from __future__ import annotations

import uuid

from servicekit.errors import Forbidden, NotFound

NOT_FOUND = "No such Security Model in SVI."


def ensure_can_read(contact_user_ids: frozenset[uuid.UUID], scss_user_id: uuid.UUID | None,
                    user_id: uuid.UUID) -> None:
    if user_id not in contact_user_ids and user_id != scss_user_id:
        raise NotFound(NOT_FOUND)


def ensure_contact(contact_user_ids: frozenset[uuid.UUID], scss_user_id: uuid.UUID | None,
                   user_id: uuid.UUID) -> None:
    ensure_can_read(contact_user_ids, scss_user_id, user_id)
    if user_id not in contact_user_ids:
        raise Forbidden("Only the Security Model's contacts request, accept, decline or revoke monitoring.")
