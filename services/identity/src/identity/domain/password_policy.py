"""The DHS password rules (ID-04, ID-05, ID-06) in one configurable policy object.

Length is counted in characters and never truncated: a 64-character (or
longer) passphrase is accepted whole and hashed whole. The upper bound only
keeps a hashing request from being a denial of service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from servicekit.errors import FieldError

SPECIAL_CHARACTER = re.compile(r"[^A-Za-z0-9\s]")
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
        if self.require_upper and not any(c.isupper() for c in password):
            problems.append("must contain an upper-case letter")
        if self.require_lower and not any(c.islower() for c in password):
            problems.append("must contain a lower-case letter")
        if self.require_digit and not any(c.isdigit() for c in password):
            problems.append("must contain a digit")
        if self.require_special and not SPECIAL_CHARACTER.search(password):
            problems.append("must contain a special character such as ! @ # $ % ^")
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
