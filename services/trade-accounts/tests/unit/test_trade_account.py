"""The Trade Account aggregate's rules, with plain values (TA-01..TA-05)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from servicekit.auth import StaffRole
from servicekit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from trade_accounts.domain.actors import Actor, KnownUser
from trade_accounts.domain.addresses import Address
from trade_accounts.domain.trade_account import (
    CompanyInformation,
    MemberStatus,
    MemberType,
    PersonDetails,
    TradeAccount,
    UsedEntries,
)

NOW = datetime(2026, 11, 28, tzinfo=UTC)
DETAILS = PersonDetails("Ms.", "Ana", "Lopez", "Compliance Officer", "+1 202 555 0100")
NEW_DETAILS = PersonDetails("Dr.", "Ana", "Lopez-Ruiz", "Chief Compliance Officer", "+1 202 555 0111")


def known(email: str = "ana@acme.example", complete: bool = True) -> KnownUser:
    return KnownUser(uuid.uuid4(), email, DETAILS if complete else None)


def new_account(creator: KnownUser | None = None) -> tuple[TradeAccount, Actor]:
    creator = creator or known()
    account = TradeAccount.create(creator, CompanyInformation("Acme Imports LLC"), NOW)
    return account, Actor(creator.user_id)


@pytest.mark.req("TA-01")
def test_the_creator_becomes_the_first_company_administrator():
    creator = known()
    account, _ = new_account(creator)
    [member] = account.members
    assert member.user_id == creator.user_id and member.type is MemberType.COMPANY_ADMINISTRATOR
    assert [e.event_type for e in account.pull_events()] == ["TradeAccountCreated.v1", "TradeAccountUserAdded.v1"]


@pytest.mark.req("TA-01")
@pytest.mark.req("ID-02")
def test_a_user_without_a_completed_profile_cannot_create_one():
    with pytest.raises(Forbidden):
        TradeAccount.create(known(complete=False), CompanyInformation("Acme"), NOW)


@pytest.mark.req("TA-02")
def test_users_edit_company_information_but_not_the_company_name():
    account, admin = new_account()
    account.update_company_information(admin, CompanyInformation("Acme Imports LLC", "Acme", 120), NOW)
    assert account.company.number_of_employees == 120
    with pytest.raises(Forbidden) as refused:
        account.update_company_information(admin, CompanyInformation("Renamed Inc", "Acme", 120), NOW)
    assert refused.value.errors[0].field == "company_name"
    assert account.company.company_name == "Acme Imports LLC"


@pytest.mark.req("TA-02")
def test_management_renames_when_no_scss_is_assigned_and_only_the_assigned_scss_otherwise():
    account, _ = new_account()
    management = Actor(uuid.uuid4(), frozenset({StaffRole.MANAGEMENT}))
    account.update_company_information(management, CompanyInformation("Acme Global LLC"), NOW)
    assert account.company.company_name == "Acme Global LLC"
    scss = Actor(uuid.uuid4(), frozenset({"scss"}))
    other_scss = Actor(uuid.uuid4(), frozenset({"scss"}))
    account.assigned_scss_ids = frozenset({scss.user_id})
    with pytest.raises(Forbidden):
        account.update_company_information(management, CompanyInformation("Not Management's call"), NOW)
    with pytest.raises(Forbidden):
        account.update_company_information(other_scss, CompanyInformation("Not this SCSS either"), NOW)
    account.update_company_information(scss, CompanyInformation("Acme Worldwide LLC"), NOW)
    assert account.company.company_name == "Acme Worldwide LLC"


@pytest.mark.req("TA-04")
def test_a_user_is_added_with_a_matching_confirm_email():
    account, admin = new_account()
    with pytest.raises(ValidationFailed) as refused:
        account.add_member(admin, email="bo@acme.example", confirm_email="bo@acme.exampel", details=DETAILS,
                           type=MemberType.USER, existing_user=None, now=NOW)
    assert refused.value.errors[0].field == "confirm_email"
    account.add_member(admin, email="Bo@Acme.example", confirm_email="bo@acme.example ", details=DETAILS,
                       type=MemberType.USER, existing_user=None, now=NOW)
    assert [m.email for m in account.members][-1] == "bo@acme.example"


@pytest.mark.req("TA-04")
def test_the_last_company_administrator_can_be_neither_removed_nor_demoted():
    account, admin = new_account()
    [only_admin] = account.members
    with pytest.raises(Conflict):
        account.remove_member(admin, only_admin.id, NOW)
    with pytest.raises(Conflict):
        account.change_member(admin, only_admin.id, details=DETAILS, type=MemberType.USER, now=NOW)
    second = known("cy@acme.example")
    added = account.add_member(admin, email=second.email, confirm_email=second.email, details=DETAILS,
                               type=MemberType.COMPANY_ADMINISTRATOR, existing_user=second, now=NOW)
    account.change_member(admin, only_admin.id, details=DETAILS, type=MemberType.USER, now=NOW)
    with pytest.raises(Conflict):
        account.remove_member(Actor(second.user_id), added.id, NOW)


@pytest.mark.req("TA-04")
def test_an_invited_administrator_does_not_count_as_the_one_that_remains():
    account, admin = new_account()
    [only_admin] = account.members
    account.add_member(admin, email="new@acme.example", confirm_email="new@acme.example", details=DETAILS,
                       type=MemberType.COMPANY_ADMINISTRATOR, existing_user=None, now=NOW)
    with pytest.raises(Conflict):
        account.change_member(admin, only_admin.id, details=DETAILS, type=MemberType.USER, now=NOW)


@pytest.mark.req("TA-04")
def test_only_a_company_administrator_manages_users():
    account, admin = new_account()
    plain = known("plain@acme.example")
    account.add_member(admin, email=plain.email, confirm_email=plain.email, details=DETAILS,
                       type=MemberType.USER, existing_user=plain, now=NOW)
    with pytest.raises(Forbidden):
        account.add_member(Actor(plain.user_id), email="x@acme.example", confirm_email="x@acme.example",
                           details=DETAILS, type=MemberType.USER, existing_user=None, now=NOW)


@pytest.mark.req("TA-05")
@pytest.mark.req("ID-02")
def test_an_invitation_becomes_active_only_once_the_person_registered_and_completed_the_profile():
    account, admin = new_account()
    invited = account.add_member(admin, email="later@acme.example", confirm_email="later@acme.example",
                                 details=DETAILS, type=MemberType.USER, existing_user=None, now=NOW)
    assert invited.status is MemberStatus.INVITED and invited.user_id is None
    registered = known("later@acme.example", complete=False)
    account.follow_user(registered, NOW)
    assert not account.can_read(Actor(registered.user_id))
    assert account.members[-1].user_id == registered.user_id  # theirs now, still pending
    completed = KnownUser(registered.user_id, registered.email, NEW_DETAILS)
    assert account.follow_user(completed, NOW)
    assert account.can_read(Actor(registered.user_id))
    member = account.member_for(registered.user_id)
    assert (member.status, member.details) == (MemberStatus.ACTIVE, NEW_DETAILS)


@pytest.mark.req("ID-02")
@pytest.mark.req("TA-05")
def test_a_registered_person_without_a_profile_is_only_invited_even_as_company_administrator():
    account, admin = new_account()
    [creator] = account.members
    no_profile = known("new@acme.example", complete=False)
    added = account.add_member(admin, email=no_profile.email, confirm_email=no_profile.email, details=DETAILS,
                               type=MemberType.COMPANY_ADMINISTRATOR, existing_user=no_profile, now=NOW)
    assert added.status is MemberStatus.INVITED and not added.is_active_admin
    assert account.member_for(no_profile.user_id) is None
    with pytest.raises(Conflict):  # the invited administrator is not one that remains
        account.change_member(admin, creator.id, details=DETAILS, type=MemberType.USER, now=NOW)


@pytest.mark.req("ID-02")
def test_a_profile_change_reaches_the_membership_and_leaves_other_people_alone():
    account, admin = new_account()
    colleague = known("bo@acme.example")
    account.add_member(admin, email=colleague.email, confirm_email=colleague.email, details=DETAILS,
                       type=MemberType.USER, existing_user=colleague, now=NOW)
    account.pull_events()
    assert account.follow_user(KnownUser(colleague.user_id, colleague.email, NEW_DETAILS), NOW)
    assert [m.details for m in account.members] == [DETAILS, NEW_DETAILS]
    assert [e.event_type for e in account.pull_events()] == ["TradeAccountUserChanged.v1"]
    assert not account.follow_user(KnownUser(colleague.user_id, colleague.email, NEW_DETAILS), NOW)


def test_a_stranger_sees_nothing_not_even_that_the_account_exists():
    account, _ = new_account()
    with pytest.raises(NotFound):
        account.ensure_can_read(Actor(uuid.uuid4()))


@pytest.mark.req("TA-03")
@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({}, {"type", "street_line_1", "city", "country", "postal_code"}),
        ({"type": "headquarters", "street_line_1": "1 Main St", "city": "Austin", "country": "US", "postal_code": "78701"}, {"state"}),
        ({"type": "warehouse", "street_line_1": "1 Main St", "city": "Austin", "country": "US", "state": "TX", "postal_code": "78701"}, {"type"}),
        ({"type": "other", "street_line_1": "1 Main St", "city": "Austin", "country": "XX", "postal_code": "78701"}, {"country"}),
        ({"type": "other", "street_line_1": "1 Main St", "city": "Austin", "country": "US", "state": "ZZ", "postal_code": "787"}, {"state", "postal_code"}),
        ({"type": "other", "street_line_1": "1 Rue", "city": "Laval", "country": "CA", "postal_code": "H7N 1A1"}, {"state"}),
        ({"type": "other", "street_line_1": "Av 1", "city": "Monterrey", "country": "MX", "postal_code": "64000"}, {"state"}),
    ],
)
def test_addresses_are_refused_field_by_field(fields, bad):
    with pytest.raises(ValidationFailed) as refused:
        Address.from_fields(fields)
    assert {e.field for e in refused.value.errors} == bad


@pytest.mark.req("TA-03")
def test_valid_addresses_with_and_without_states():
    us = Address.from_fields({"type": "headquarters", "street_line_1": "1300 Pennsylvania Ave NW", "city": "Washington",
                              "country": "us", "state": "dc", "postal_code": "20229"})
    assert (us.country, us.state) == ("US", "DC")
    ca = Address.from_fields({"type": "cargo_handling_facility", "street_line_1": "1 Port Rd", "city": "Vancouver",
                              "country": "CA", "state": "BC", "postal_code": "v6c 3t4"})
    assert ca.postal_code == "V6C 3T4"
    nl = Address.from_fields({"type": "international_corporate_headquarters", "street_line_1": "Wilhelminakade 1",
                              "city": "Rotterdam", "country": "NL", "postal_code": "3072 AP"})
    assert nl.state is None


@pytest.mark.req("TA-03")
def test_a_postal_code_is_optional_only_in_countries_that_have_none():
    base = {"type": "headquarters", "street_line_1": "1 Queen's Road Central", "city": "Hong Kong"}
    hk = Address.from_fields({**base, "country": "HK"})
    assert hk.postal_code == ""
    Address.from_fields({**base, "city": "Dubai", "country": "AE"})
    for country in ("IE", "GB", "DE"):  # they have postal codes (Ireland's Eircode included)
        with pytest.raises(ValidationFailed) as refused:
            Address.from_fields({**base, "city": "Dublin", "country": country})
        assert {e.field for e in refused.value.errors} == {"postal_code"}
    given = Address.from_fields({**base, "country": "HK", "postal_code": "999077"})
    assert given.postal_code == "999077"


@pytest.mark.req("TA-16")
def test_an_address_or_user_a_security_model_uses_stays_in_the_profile():
    account, admin = new_account()
    address = account.add_address(admin, {
        "type": "headquarters", "street_line_1": "1 Main St", "city": "Austin", "country": "US", "state": "TX",
        "postal_code": "78701"}, NOW)
    colleague = known("officer@acme.example")
    member = account.add_member(admin, email=colleague.email, confirm_email=colleague.email, details=DETAILS,
                                type=MemberType.USER, existing_user=colleague, now=NOW)
    account.used_address_ids = frozenset({address.id})
    account.used_member_ids = frozenset({member.id})
    with pytest.raises(Conflict) as address_refused:
        account.remove_address(admin, address.id, NOW)
    assert address_refused.value.errors[0].field == "address_id"
    with pytest.raises(Conflict) as member_refused:
        account.remove_member(admin, member.id, NOW)
    assert member_refused.value.errors[0].field == "member_id"
    account.used_address_ids = account.used_member_ids = frozenset()
    account.remove_address(admin, address.id, NOW)
    account.remove_member(admin, member.id, NOW)


@pytest.mark.req("TA-13")
@pytest.mark.req("TA-16")
def test_a_split_copies_what_the_moving_models_use_under_the_same_ids():
    account, admin = new_account()
    [requester] = account.members
    used = account.add_address(admin, {"type": "headquarters", "street_line_1": "1 Main St", "city": "Austin",
                                       "country": "US", "state": "TX", "postal_code": "78701"}, NOW)
    account.add_address(admin, {"type": "other", "street_line_1": "2 Side St", "city": "Austin", "country": "US",
                                "state": "TX", "postal_code": "78702"}, NOW)
    officer = known("officer@acme.example")
    contact = account.add_member(admin, email=officer.email, confirm_email=officer.email, details=DETAILS,
                                 type=MemberType.USER, existing_user=officer, now=NOW)
    new = account.split_off(requester, "Acme Exports LLC", [uuid.uuid4()],
                            UsedEntries(frozenset({used.id}), frozenset({contact.id, requester.id})), uuid.uuid4(), NOW)
    assert [a.id for a in new.addresses] == [used.id]
    assert [(m.id, m.type) for m in new.members] == [(requester.id, MemberType.COMPANY_ADMINISTRATOR),
                                                     (contact.id, MemberType.USER)]
    assert len(account.addresses) == 2 and len(account.members) == 2  # the source keeps its own


@pytest.mark.req("TA-14")
@pytest.mark.req("TA-16")
def test_a_merge_names_the_memberships_that_the_survivor_calls_by_another_id():
    survivor, survivor_admin = new_account()
    merged, merged_admin = new_account(known("bo@beta.example"))
    both = known("cy@both.example")
    in_survivor = survivor.add_member(survivor_admin, email=both.email, confirm_email=both.email, details=DETAILS,
                                      type=MemberType.USER, existing_user=both, now=NOW)
    in_merged = merged.add_member(merged_admin, email=both.email, confirm_email=both.email, details=DETAILS,
                                  type=MemberType.USER, existing_user=both, now=NOW)
    [merged_creator, _] = merged.members
    renamed = survivor.absorb(merged, [], uuid.uuid4(), NOW)
    assert renamed == {in_merged.id: in_survivor.id}
    assert merged_creator.id in {m.id for m in survivor.members}  # joined under its own id
    assert merged.merged_into == survivor.id and not merged.members
