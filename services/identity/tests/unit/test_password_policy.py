"""The DHS password rules as a policy object (ID-04), expiry (ID-06)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.password_policy import PasswordPolicy

POLICY = PasswordPolicy()


def messages(password: str, email: str = "") -> list[str]:
    return [e.message for e in POLICY.violations(password, email=email)]


@pytest.mark.req("ID-04")
@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Sh0rt!x", "at least 8 characters"),
        ("lowercase#only9", "upper-case"),
        ("UPPERCASE#ONLY9", "lower-case"),
        ("NoDigits#Here", "digit"),
        ("NoSpecial9Here", "special character"),
    ],
)
def test_each_dhs_rule_is_enforced_on_its_own(password, missing):
    found = messages(password)
    assert len(found) == 1 and missing in found[0]


@pytest.mark.req("ID-04")
def test_a_password_meeting_every_rule_is_accepted():
    assert POLICY.violations("Harbor#Crane42") == []


@pytest.mark.req("ID-04")
def test_long_passphrases_are_accepted_whole_never_truncated():
    passphrase = "Correct horse battery staple, 1 time at the Port of Long Beach!" * 2
    assert len(passphrase) >= 64
    assert POLICY.violations(passphrase) == []
    # (that the whole of it is hashed, not the first 64 characters, is proved at the API:
    # test_passwords.py::test_a_64_character_password_works_whole)


@pytest.mark.parametrize("common", ["P@ssw0rd", "Password123!", "Welcome1!", "Qwerty123!", "Customs2024!"])
def test_common_passwords_are_refused_even_when_they_meet_the_rules(common):
    assert any("too common" in m for m in messages(common))


def test_the_email_name_is_not_a_password():
    assert any("too common" in m for m in messages("Gonzalez1!", email="gonzalez@example.com"))


def test_the_policy_is_configurable_in_one_place():
    lenient = PasswordPolicy(min_length=12, require_special=False)
    assert [e.message for e in lenient.violations("Harbor9Crane")] == []
    assert "at least 12" in lenient.violations("Harbor9Cra")[0].message


@pytest.mark.req("ID-06")
def test_a_password_expires_ninety_days_after_it_was_set():
    set_at = datetime(2026, 1, 1, tzinfo=UTC)
    assert not POLICY.is_expired(set_at, set_at + timedelta(days=89, hours=23))
    assert POLICY.is_expired(set_at, set_at + timedelta(days=90))
