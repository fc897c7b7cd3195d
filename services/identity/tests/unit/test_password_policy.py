"""The DHS password rules as a policy object (ID-04), expiry (ID-06)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.password_policy import SPECIAL_CHARACTER_PATTERN, SPECIAL_CHARACTERS, PasswordPolicy

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


@pytest.mark.req("ID-04")
@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Passwörd12Ab", "special character"),  # a non-ASCII letter is not special
        ("Harbor Crane42", "special character"),  # nor is a space
        ("Harbor€Crane42", "special character"),  # nor a currency sign outside ASCII
        ("Harbor#Crane²", "digit"),  # "²" is not a digit
        ("Harbor#Crane٤٢", "digit"),  # nor are Arabic-Indic digits
        ("Harbor#Crane４２", "digit"),  # nor full-width ones
        ("ÉCLAIR#ÉTOILE42é", "lower-case"),  # "é" is not a-z
        ("éclair#étoile42É", "upper-case"),  # "É" is not A-Z
    ],
)
def test_only_the_dhs_characters_count_towards_a_class(password, missing):
    found = messages(password)
    assert len(found) == 1 and missing in found[0], found


@pytest.mark.req("ID-04")
@pytest.mark.parametrize("special", sorted(SPECIAL_CHARACTERS))
def test_every_character_of_the_defined_special_set_counts(special):
    assert POLICY.violations(f"Harbor{special}Crane42") == []


def test_the_special_set_is_the_ascii_punctuation_and_its_pattern_says_the_same():
    printable = [chr(c) for c in range(0x20, 0x7F)]
    assert SPECIAL_CHARACTERS == {c for c in printable if not c.isalnum() and c != " "}
    pattern = re.compile(SPECIAL_CHARACTER_PATTERN)
    assert {c for c in map(chr, range(0x110000)) if pattern.fullmatch(c)} == SPECIAL_CHARACTERS


def test_other_characters_are_allowed_though_they_count_for_nothing():
    assert POLICY.violations("Zürich Hafen #42 Ünter") == []
