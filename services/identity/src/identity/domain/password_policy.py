"""The DHS password rules (ID-04, ID-05, ID-06) in one configurable policy object.

Length is counted in characters and never truncated: a 64-character (or
longer) passphrase is accepted whole and hashed whole. The upper bound only
keeps a hashing request from being a denial of service.

The character classes are the DHS ones, all ASCII: upper-case A-Z, lower-case
a-z, digits 0-9, and the special characters of `SPECIAL_CHARACTERS` (the 32
printable ASCII punctuation marks; the manual's examples "!, @, #, $, %, ^"
are among them). Any other character (a space, "é", "Ä", "²", "٣", "€", an
emoji) may appear in a password but counts towards no class: "Pässwörd12" has
no special character and "Harbor#Crane²" has no digit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from servicekit.errors import FieldError

UPPER_CASE_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
LOWER_CASE_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
DIGITS = frozenset("0123456789")
SPECIAL_CHARACTERS = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
SPECIAL_CHARACTERS_SHOWN = " ".join(sorted(SPECIAL_CHARACTERS))
# The same set as a regular-expression class (the four ASCII punctuation runs),
# for schemas that state the rule (JSON Schema patterns; ECMA and Python agree).
SPECIAL_CHARACTER_PATTERN = r"[!-/:-@\[-`{-~]"
# "P4ssw0rd!" should not escape the common-password list by substitution.
_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("identity.domain").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _common_base(password: str) -> str:
    """The word under the decoration: 'P@ssw0rd123!' -> 'password'."""
    core = password.lower().rstrip("0123456789!@#$%^&*?.,-_+=~ ")
    return core.translate(_LEET)


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 8
    max_length: int = 1024
    require_upper: bool = True
    require_lower: bool = True
    require_digit: bool = True
    require_special: bool = True
    history_depth: int = 8
    max_age: timedelta = timedelta(days=90)
    reject_common: bool = True
    extra_common: frozenset[str] = field(default_factory=frozenset)

    def violations(self, password: str, *, field_name: str = "password", email: str = "") -> list[FieldError]:
        problems: list[str] = []
        if len(password) < self.min_length:
            problems.append(f"must be at least {self.min_length} characters long")
        if len(password) > self.max_length:
            problems.append(f"must be at most {self.max_length} characters long")
        characters = set(password)
        if self.require_upper and not characters & UPPER_CASE_LETTERS:
            problems.append("must contain an upper-case letter (A-Z)")
        if self.require_lower and not characters & LOWER_CASE_LETTERS:
            problems.append("must contain a lower-case letter (a-z)")
        if self.require_digit and not characters & DIGITS:
            problems.append("must contain a digit (0-9)")
        if self.require_special and not characters & SPECIAL_CHARACTERS:
            problems.append(f"must contain a special character, one of {SPECIAL_CHARACTERS_SHOWN}")
        if self.reject_common and self.is_common(password, email=email):
            problems.append("is too common; choose one that is not on lists of leaked passwords")
        return [FieldError(field_name, p) for p in problems]

    def is_common(self, password: str, *, email: str = "") -> bool:
        listed = common_passwords() | self.extra_common
        lowered = password.lower()
        if lowered in listed or _common_base(password) in listed:
            return True
        local_part = email.split("@", 1)[0].lower()
        return bool(local_part) and len(local_part) >= 4 and _common_base(password) == local_part

    def expires_at(self, set_at: datetime) -> datetime:
        return set_at + self.max_age

    def is_expired(self, set_at: datetime, now: datetime) -> bool:
        return now >= self.expires_at(set_at)
