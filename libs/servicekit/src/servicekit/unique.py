"""A unique-constraint violation is a 409 naming the field, in every service, never a 500.

Two requests racing to take one value (two registrations of one email, two
email changes to one address) both pass the "is it free?" check; the
database's unique index lets one through and refuses the other. That refusal
is the client's conflict, not the server's fault.

The field is the constraint's entry in the caller's `fields` map when given,
else the column PostgreSQL names in its detail (`Key (lower(email))=(...)`
names `email`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError

from servicekit.errors import Conflict, FieldError

UNIQUE_VIOLATION = "23505"
_KEY_COLUMNS = re.compile(r"Key \((.*?)\)=")
_INNERMOST = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:::[a-z ]+)?\)*$")


def unique_violation(error: BaseException) -> tuple[str | None, str | None] | None:
    """(constraint, column) when `error` is a unique violation, else None."""
    if not isinstance(error, IntegrityError):
        return None
    orig = getattr(error, "orig", None)
    cause = getattr(orig, "__cause__", None) or orig
    if getattr(cause, "sqlstate", None) != UNIQUE_VIOLATION and getattr(orig, "pgcode", None) != UNIQUE_VIOLATION:
        return None
    constraint = getattr(cause, "constraint_name", None)
    detail = getattr(cause, "detail", None) or str(orig)
    column = None
    match = _KEY_COLUMNS.search(detail or "")
    if match:
        last = match.group(1).split(",")[-1].strip()
        inner = _INNERMOST.search(last)
        column = inner.group(1) if inner else last
    return constraint, column


def conflict_for(error: BaseException, fields: Mapping[str, str] | None = None) -> Conflict | None:
    """The 409 a unique violation means, or None for any other error."""
    found = unique_violation(error)
    if found is None:
        return None
    constraint, column = found
    field = (fields or {}).get(constraint or "", column or "request")
    return Conflict(f"{field}: this value is already taken", [FieldError(field, "is already taken")])
