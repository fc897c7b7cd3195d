"""One vocabulary: staff roles and field errors are defined once, here."""

from __future__ import annotations

import typing
import uuid

import pytest

from portal_events.identity import UserRegistered
from servicekit.auth import STAFF_ROLES, Principal, StaffRole
from servicekit.errors import FieldError, FieldErrors, ValidationFailed


def test_staff_roles_are_the_ones_the_public_event_contract_names():
    # portal-events is the published contract and cannot import servicekit; it must agree with it.
    (role_literal,) = typing.get_args(UserRegistered.model_fields["staff_roles"].annotation)
    assert set(typing.get_args(role_literal)) == {r.value for r in StaffRole} == STAFF_ROLES


def test_a_role_read_from_a_token_is_the_enum_member():
    principal = Principal(user_id=uuid.uuid4(), email="s@cbp.example", roles=frozenset({"management"}))
    assert principal.has_role(StaffRole.MANAGEMENT) and principal.is_staff
    assert not principal.has_role(StaffRole.SCSS)


def test_field_errors_refuse_once_with_every_field():
    errors = FieldErrors([FieldError("password", "is too short")])
    errors.add("city", "is required")
    errors.extend([FieldError("country", "must be an ISO 3166 two-letter country code")])
    with pytest.raises(ValidationFailed) as refused:
        errors.raise_if_any()
    assert [e.field for e in refused.value.errors] == ["password", "city", "country"]
    assert refused.value.detail == (
        "password: is too short; city: is required; country: must be an ISO 3166 two-letter country code")


def test_no_field_errors_raise_nothing():
    errors = FieldErrors()
    assert not errors
    errors.raise_if_any("never raised")
