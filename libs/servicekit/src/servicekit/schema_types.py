"""The vocabulary every service's API schemas are written in.

A request body derives from `Strict` (an unknown field is an error) and types
its text with `text(...)`: bounded, never a NUL character or an unpaired
surrogate (PostgreSQL cannot store the first, UTF-8 cannot encode the second),
and refused with a 422 naming the field otherwise. What a type refuses, its
JSON Schema says (`maxLength`, `minLength`, `pattern`), so the OpenAPI
document and the service agree: the check is the schema's own pattern, run
with Python's `re` exactly as a schema-driven client or fuzzer reads it.
Accepted text is then stripped of surrounding whitespace.

A response body derives from `DomainView` and is read from a domain object's
attributes (`Body.model_validate(domain_object)`); enums serialise as their
values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
)
from pydantic_core import PydanticCustomError, core_schema

# Anything but NUL. A surrogate code point (which only ever arrives unpaired: a
# JSON "\ud83d\ude00" pair decodes to one character) is refused too, but is not
# in the pattern: a JSON Schema string is Unicode text, which has none, and
# validators built on Rust or ICU regexes cannot even name one.
_ALLOWED = r"[^\u0000]"
_VISIBLE = r"[^\s\u0000]"
_SURROGATE = re.compile("[\ud800-\udfff]")


class Strict(BaseModel):
    """A request body: a field the API does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class DomainView(BaseModel):
    """A response body read from a domain object's attributes: `Body.model_validate(obj)`."""

    model_config = ConfigDict(from_attributes=True)


@dataclass(frozen=True)
class TextRules:
    """Bounds and refusals of one text field; see `text`."""

    max_length: int
    min_length: int = 1
    blank: bool = False
    pattern: str | None = None
    message: str = "has an invalid format"
    strip: bool = True

    @property
    def schema_pattern(self) -> str:
        if self.pattern is not None:
            return self.pattern
        if self.blank:
            return f"^{_ALLOWED}*$"
        if self.strip and self.min_length > 1:
            # from the first visible character to the last, at least min_length
            return rf"^\s*{_VISIBLE}{_ALLOWED}{{{self.min_length - 2},}}{_VISIBLE}\s*$"
        return f"^{_ALLOWED}*{_VISIBLE}{_ALLOWED}*$"

    def check(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value  # the inner schema names the wrong type
        if "\x00" in value:
            raise PydanticCustomError("text_nul", "must not contain a NUL character")
        if _SURROGATE.search(value):
            raise PydanticCustomError("text_surrogate", "must not contain an unpaired surrogate")
        if len(value) > self.max_length:
            raise PydanticCustomError(
                "string_too_long", "must have at most {max_length} characters", {"max_length": self.max_length}
            )
        if not self.blank and not value.strip():
            raise PydanticCustomError("text_blank", "must not be blank")
        if len(value.strip() if self.strip else value) < self.min_length:
            raise PydanticCustomError(
                "string_too_short", "must have at least {min_length} characters", {"min_length": self.min_length}
            )
        if not re.search(self.schema_pattern, value):
            raise PydanticCustomError("text_pattern", self.message)
        return value.strip() if self.strip else value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        json_schema = handler(schema)
        json_schema["maxLength"] = self.max_length
        if self.min_length and not self.blank:
            json_schema["minLength"] = self.min_length
        if json_schema.get("format") != "email":
            json_schema["pattern"] = self.schema_pattern
        return json_schema


def text(
    max_length: int,
    *,
    min_length: int = 1,
    blank: bool = False,
    pattern: str | None = None,
    message: str = "has an invalid format",
    strip: bool = True,
) -> Any:
    """A `str` of at most `max_length` characters, not blank unless `blank`, matching `pattern` if given
    (a pattern must itself exclude NUL, surrogates and, unless `blank`, all-whitespace values)."""
    return Annotated[str, TextRules(max_length, 0 if blank else min_length, blank, pattern, message, strip)]


def _date_text_only(value: Any) -> Any:
    # JSON has no date type: only the RFC 3339 full-date string is a date. The lax
    # parser would also take 0 or "0" as 1970-01-01.
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise PydanticCustomError("date_type", "must be a date written YYYY-MM-DD")


def _json_integer(value: Any) -> Any:
    # JSON Schema's integer: 3 and 3.0 are the same number; "3" and true are not numbers.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise PydanticCustomError("int_from_float", "Input should be a valid integer, got a number with a fraction")
        return int(value)
    return value


class _StrictDate:
    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(_date_text_only, handler(source))


# ---- the shared types ---------------------------------------------------------

StrictDate = Annotated[date, _StrictDate]
"""A calendar date, and only as `YYYY-MM-DD`."""

def integer(*, ge: int | None = None, le: int | None = None) -> Any:
    """An integer as JSON Schema reads one: `5` or `5.0`, never `"5"`, `5.5` or `true`; within [ge, le]."""
    # The bounds sit before the validator so they land on the integer (and in the schema as minimum/maximum).
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_json_integer)]


Count = integer(ge=0)
"""A whole number of things."""

# Names RFC 6761 reserves, which email-validator refuses as domains (x@y.test, x@localhost).
_SPECIAL_USE_DOMAIN = r"(^|[.@])(arpa|invalid|local|localhost|onion|test)\.?$"

NewEmail = Annotated[
    EmailStr, TextRules(254),
    Field(json_schema_extra={
        "not": {"pattern": _SPECIAL_USE_DOMAIN},
        "description": "An address that can receive mail (not at a special-use name such as .test)",
    }),
]
"""An address someone will receive mail at, at most RFC 5321's 254 characters."""

EmailLookup = text(254)
"""An email only looked up (sign-in, forgotten password): any text a stored email could be."""

PersonName = text(100)
JobTitle = text(100)

Salutation = Literal["Mr.", "Ms.", "Mrs.", "Miss", "Dr.", "Mx."]

PHONE_PATTERN = r"^(?=[^0-9]*[0-9])\+?[0-9 ()./-]{7,30}$"
Phone = text(
    30, pattern=PHONE_PATTERN,
    message="must be 7 to 30 digits, spaces and ( ) . / -, optionally after a leading +",
)
"""A telephone number as people write it: +1 (202) 555-0100."""
