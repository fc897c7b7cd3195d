"""The User aggregate with a fake hasher: password history (ID-05), email change (ID-09)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from identity.domain.password_policy import PasswordPolicy
from identity.domain.user import User, ensure_password_not_reused
from servicekit.errors import ValidationFailed

T0 = datetime(2026, 11, 28, tzinfo=UTC)
POLICY = PasswordPolicy()


class PlainHasher:
    """A fake for the pure rules: 'hashes' by prefixing."""

    dummy_hash = "h:\x00"

    async def hash(self, secret: str) -> str:
        return "h:" + secret

    async def verify(self, hashed: str, secret: str) -> bool:
        return hashed == "h:" + secret


def user_with_password(password: str) -> User:
    return User.register(email="A@Example.com", password_hash="h:" + password, security_answers=[], now=T0)


@pytest.mark.req("ID-05")
async def test_none_of_the_last_eight_passwords_may_come_back_but_the_ninth_may():
    hasher = PlainHasher()
    user = user_with_password("Pw#0aaaa")
    for n in range(1, 9):
        user.set_password(await hasher.hash(f"Pw#{n}aaaa"), POLICY, T0)
    # current is Pw#8; the last 8 are Pw#8 .. Pw#1
    for n in range(1, 9):
        with pytest.raises(ValidationFailed):
            await ensure_password_not_reused(user, POLICY, hasher, f"Pw#{n}aaaa", field_name="new_password")
    await ensure_password_not_reused(user, POLICY, hasher, "Pw#0aaaa", field_name="new_password")


@pytest.mark.req("ID-09")
def test_changing_the_email_records_user_email_changed_with_both_addresses():
    user = user_with_password("Pw#0aaaa")
    user.pull_events()
    user.change_email("New@Example.com", T0)
    [event] = user.pull_events()
    assert event.event_type == "UserEmailChanged.v1"
    assert (event.old_email, event.new_email) == ("a@example.com", "new@example.com")
    assert event.version == user.version == 2


def test_the_same_email_is_not_a_change():
    user = user_with_password("Pw#0aaaa")
    with pytest.raises(ValidationFailed):
        user.change_email("a@EXAMPLE.com", T0)
