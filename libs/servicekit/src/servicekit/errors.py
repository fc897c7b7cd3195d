"""Errors every service raises, rendered as RFC 9457 `application/problem+json`.

The domain raises these (they import nothing from a web framework); the HTTP
edge turns them into problem documents. A problem names each bad field in
`errors: [{field, message}]` so a client can put the message by the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class PortalError(Exception):
    """Base of every expected failure; `status` is the HTTP status it maps to."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []


class ValidationFailed(PortalError):
    status = 422
    slug = "validation-failed"
    title = "The request has invalid fields"

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        return cls.of([FieldError(field, message)])

    @classmethod
    def of(cls, errors: list[FieldError], detail: str | None = None) -> ValidationFailed:
        """Every bad field at once; the detail names them all unless one is given."""
        return cls(detail or "; ".join(f"{e.field}: {e.message}" for e in errors), list(errors))


class FieldErrors:
    """Collects what is wrong with each field, then refuses once with all of them (a 422 naming each).

        errors = FieldErrors()
        if not street:
            errors.add("street_line_1", "is required")
        errors.extend(policy.violations(password))
        errors.raise_if_any()
    """

    def __init__(self, errors: Iterable[FieldError] = ()) -> None:
        self._errors = list(errors)

    def add(self, field: str, message: str) -> None:
        self._errors.append(FieldError(field, message))

    def extend(self, errors: Iterable[FieldError]) -> None:
        self._errors.extend(errors)

    def raise_if_any(self, detail: str | None = None) -> None:
        if self._errors:
            raise ValidationFailed.of(self._errors, detail)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __iter__(self) -> Iterator[FieldError]:
        return iter(self._errors)


class Unauthenticated(PortalError):
    status = 401
    slug = "unauthenticated"
    title = "Sign-in required"


class Forbidden(PortalError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(PortalError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(PortalError):
    status = 409
    slug = "conflict"
    title = "Conflict with the current state"


class TooManyRequests(PortalError):
    status = 429
    slug = "too-many-requests"
    title = "Too many attempts"

    def __init__(self, detail: str | None = None, retry_after_seconds: int = 1) -> None:
        super().__init__(detail)
        self.retry_after_seconds = max(1, retry_after_seconds)


class Locked(TooManyRequests):
    status = 423
    slug = "locked"
    title = "Temporarily locked"
