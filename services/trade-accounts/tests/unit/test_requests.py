"""Link, delink, split and merge requests: preconditions and approvals (TA-08..TA-14), pure."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest

from servicekit.errors import Conflict, Forbidden, ValidationFailed
from trade_accounts.domain.actors import Actor
from trade_accounts.domain.requests import (
    AccountFacts,
    ApprovalKind,
    Decision,
    RequestStatus,
    TradeAccountRequest,
)

NOW = datetime(2026, 11, 28, tzinfo=UTC)
REASON = "Acme Holdings acquired Beta Freight in 2026; one organisation now."


def facts(admins=(), users=(), parent=None, models=(), ancestors=()) -> AccountFacts:
    admins = frozenset(admins)
    return AccountFacts(uuid.uuid4(), "Co", parent, admins, admins | frozenset(users), frozenset(models), tuple(ancestors))


def two_accounts(models_on_subsidiary=()):
    admin = uuid.uuid4()
    other_admin = uuid.uuid4()
    parent = facts(admins=[admin])
    subsidiary = facts(admins=[other_admin], users=[admin], models=models_on_subsidiary)
    return admin, other_admin, parent, subsidiary


def link(admin, parent, subsidiary, reason=REASON, acting_for=None):
    return TradeAccountRequest.request_link(
        Actor(admin), requesting_account_id=acting_for or parent.id, parent=parent, subsidiary=subsidiary,
        reason=reason, now=NOW,
    )


@pytest.mark.req("TA-08")
def test_a_link_names_a_top_a_subsidiary_and_a_detailed_reason():
    admin, _, parent, subsidiary = two_accounts()
    with pytest.raises(ValidationFailed) as short:
        link(admin, parent, subsidiary, reason="merger")
    assert short.value.errors[0].field == "reason"
    request = link(admin, parent, subsidiary)
    assert (request.parent_id, request.subsidiary_id, request.status) == (parent.id, subsidiary.id, RequestStatus.PENDING)
    assert request.history[0].action == "requested" and request.history[0].detail == REASON


@pytest.mark.req("TA-08")
def test_a_subsidiary_with_a_parent_must_be_delinked_first_and_no_circle_is_made():
    admin, other_admin, parent, _ = two_accounts()
    already_linked = facts(admins=[other_admin], users=[admin], parent=uuid.uuid4())
    with pytest.raises(Conflict) as refused:
        link(admin, parent, already_linked)
    assert "delink" in refused.value.detail
    top = facts(admins=[other_admin], users=[admin])
    below_top = facts(admins=[admin], parent=top.id, ancestors=[top.id])
    with pytest.raises(Conflict, match="circle"):
        TradeAccountRequest.request_link(Actor(admin), requesting_account_id=below_top.id, parent=below_top,
                                         subsidiary=top, reason=REASON, now=NOW)
    with pytest.raises(ValidationFailed):
        link(admin, parent, parent)


@pytest.mark.req("TA-09")
def test_the_requester_administers_the_account_acted_for_and_uses_both():
    admin, other_admin, parent, subsidiary = two_accounts()
    plain_user = uuid.uuid4()
    as_user = facts(admins=[other_admin], users=[plain_user, admin])
    with pytest.raises(Forbidden):  # a plain user of both, administrator of neither
        TradeAccountRequest.request_link(Actor(plain_user), requesting_account_id=as_user.id, parent=as_user,
                                         subsidiary=facts(admins=[admin], users=[plain_user]), reason=REASON, now=NOW)
    outsider_parent = facts(admins=[admin])
    not_in_subsidiary = facts(admins=[other_admin])
    with pytest.raises(Forbidden, match="both"):
        link(admin, outsider_parent, not_in_subsidiary)


@pytest.mark.req("TA-10")
def test_an_administrator_of_the_other_account_approves_even_when_that_is_the_requester():
    admin, other_admin, parent, subsidiary = two_accounts()
    request = link(admin, parent, subsidiary)
    [approval] = request.approvals
    assert (approval.kind, approval.trade_account_id) == (ApprovalKind.COMPANY_ADMINISTRATOR, subsidiary.id)
    everyone = {parent.id: parent, subsidiary.id: subsidiary}
    with pytest.raises(Forbidden):
        request.decide(Actor(admin), Decision.APPROVED, None, everyone, NOW)  # admin of the requesting side only
    assert request.decide(Actor(other_admin), Decision.APPROVED, None, everyone, NOW) is True
    assert request.status is RequestStatus.COMPLETED
    # the same person administering both approves for the other side
    both = uuid.uuid4()
    p, s = facts(admins=[both]), facts(admins=[both])
    own = link(both, p, s)
    assert own.decide(Actor(both), Decision.APPROVED, None, {p.id: p, s.id: s}, NOW) is True


@pytest.mark.req("TA-11")
def test_a_security_model_in_either_account_needs_management_too():
    admin, other_admin, parent, subsidiary = two_accounts(models_on_subsidiary=[uuid.uuid4()])
    request = link(admin, parent, subsidiary)
    assert {a.kind for a in request.approvals} == {ApprovalKind.COMPANY_ADMINISTRATOR, ApprovalKind.MANAGEMENT}
    everyone = {parent.id: parent, subsidiary.id: subsidiary}
    assert request.decide(Actor(other_admin), Decision.APPROVED, None, everyone, NOW) is False
    assert request.status is RequestStatus.PENDING
    with pytest.raises(Forbidden):
        request.decide(Actor(uuid.uuid4(), frozenset({"scss"})), Decision.APPROVED, None, everyone, NOW)
    assert request.decide(Actor(uuid.uuid4(), frozenset({"management"})), Decision.APPROVED, None, everyone, NOW)


@pytest.mark.req("TA-11")
def test_a_decline_needs_a_reason_and_ends_the_request():
    admin, _, parent, subsidiary = two_accounts(models_on_subsidiary=[uuid.uuid4()])
    request = link(admin, parent, subsidiary)
    management = Actor(uuid.uuid4(), frozenset({"management"}))
    everyone = {parent.id: parent, subsidiary.id: subsidiary}
    with pytest.raises(ValidationFailed):
        request.decide(management, Decision.DECLINED, " ", everyone, NOW)
    request.decide(management, Decision.DECLINED, "The C-TPAT accounts must be reviewed first.", everyone, NOW)
    assert request.status is RequestStatus.DECLINED
    assert request.history[-1].detail == "The C-TPAT accounts must be reviewed first."
    with pytest.raises(Conflict):
        request.decide(management, Decision.APPROVED, None, everyone, NOW)


def with_models(account: AccountFacts, *models: uuid.UUID) -> AccountFacts:
    return dataclasses.replace(account, security_model_ids=frozenset(models))


@pytest.mark.req("TA-11")
def test_a_security_model_that_appears_before_the_decision_makes_management_needed():
    admin, other_admin, parent, subsidiary = two_accounts()
    request = link(admin, parent, subsidiary)
    assert [a.kind for a in request.approvals] == [ApprovalKind.COMPANY_ADMINISTRATOR]
    now_with_model = {parent.id: parent, subsidiary.id: with_models(subsidiary, uuid.uuid4())}
    assert request.decide(Actor(other_admin), Decision.APPROVED, None, now_with_model, NOW) is False
    assert request.status is RequestStatus.PENDING
    assert [a.kind for a in request.pending_approvals()] == [ApprovalKind.MANAGEMENT]
    management = Actor(uuid.uuid4(), frozenset({"management"}))
    assert request.decide(management, Decision.APPROVED, None, now_with_model, NOW) is True


@pytest.mark.req("TA-11")
def test_a_security_model_that_leaves_before_the_decision_makes_management_unneeded():
    model = uuid.uuid4()
    admin, other_admin, parent, subsidiary = two_accounts(models_on_subsidiary=[model])
    request = link(admin, parent, subsidiary)
    assert {a.kind for a in request.approvals} == {ApprovalKind.COMPANY_ADMINISTRATOR, ApprovalKind.MANAGEMENT}
    model_gone = {parent.id: parent, subsidiary.id: with_models(subsidiary)}
    assert request.decide(Actor(other_admin), Decision.APPROVED, None, model_gone, NOW) is True
    assert request.status is RequestStatus.COMPLETED
    assert [a.kind for a in request.approvals] == [ApprovalKind.COMPANY_ADMINISTRATOR]


def test_once_only_management_is_left_its_approval_stays_though_the_model_left():
    model = uuid.uuid4()
    admin, other_admin, parent, subsidiary = two_accounts(models_on_subsidiary=[model])
    request = link(admin, parent, subsidiary)
    everyone = {parent.id: parent, subsidiary.id: subsidiary}
    assert request.decide(Actor(other_admin), Decision.APPROVED, None, everyone, NOW) is False
    model_gone = {parent.id: parent, subsidiary.id: with_models(subsidiary)}
    request.reconsider(model_gone)
    assert [a.kind for a in request.pending_approvals()] == [ApprovalKind.MANAGEMENT]
    assert request.decide(Actor(uuid.uuid4(), frozenset({"management"})), Decision.APPROVED, None, model_gone, NOW)


@pytest.mark.req("TA-12")
def test_a_delink_is_requested_by_an_administrator_of_either_account():
    admin, other_admin, parent, _ = two_accounts()
    subsidiary = facts(admins=[other_admin], parent=parent.id, ancestors=[parent.id])
    request = TradeAccountRequest.request_delink(Actor(other_admin), requesting_account_id=subsidiary.id,
                                                 parent=parent, subsidiary=subsidiary, reason=REASON, now=NOW)
    assert request.approvals[0].trade_account_id == parent.id
    stray = facts(admins=[other_admin])
    with pytest.raises(Conflict):
        TradeAccountRequest.request_delink(Actor(other_admin), requesting_account_id=stray.id, parent=parent,
                                           subsidiary=stray, reason=REASON, now=NOW)


@pytest.mark.req("TA-13")
def test_a_split_moving_a_security_model_waits_for_management_and_one_moving_none_needs_nobody():
    admin = uuid.uuid4()
    model = uuid.uuid4()
    source = facts(admins=[admin], models=[model])
    moving = TradeAccountRequest.request_split(Actor(admin), source=source, new_company_name="Acme Exports LLC",
                                               security_model_ids=[model], reason=REASON, now=NOW)
    assert [a.kind for a in moving.approvals] == [ApprovalKind.MANAGEMENT]
    staying = TradeAccountRequest.request_split(Actor(admin), source=source, new_company_name="Acme Exports LLC",
                                                security_model_ids=[], reason=REASON, now=NOW)
    assert staying.take_effect_at_once(Actor(admin), {source.id: source}, NOW) is True
    with pytest.raises(ValidationFailed):
        TradeAccountRequest.request_split(Actor(admin), source=source, new_company_name="X Co",
                                          security_model_ids=[uuid.uuid4()], reason=REASON, now=NOW)


@pytest.mark.req("TA-14")
def test_a_merge_joins_accounts_at_the_same_level_only():
    admin, other_admin, parent, subsidiary = two_accounts()
    request = TradeAccountRequest.request_merge(Actor(admin), requesting_account_id=parent.id, survivor=parent,
                                                merged=subsidiary, reason=REASON, now=NOW)
    assert request.approvals[0].trade_account_id == subsidiary.id
    lower = facts(admins=[other_admin], users=[admin], parent=uuid.uuid4())
    with pytest.raises(Conflict, match="same level"):
        TradeAccountRequest.request_merge(Actor(admin), requesting_account_id=parent.id, survivor=parent,
                                          merged=lower, reason=REASON, now=NOW)


def test_an_approval_rechecks_the_hierarchy_which_may_have_changed():
    admin, other_admin, parent, subsidiary = two_accounts()
    request = link(admin, parent, subsidiary)
    meanwhile = AccountFacts(subsidiary.id, "Co", uuid.uuid4(), subsidiary.company_administrators, subsidiary.users,
                             frozenset())
    with pytest.raises(Conflict):
        request.decide(Actor(other_admin), Decision.APPROVED, None, {parent.id: parent, subsidiary.id: meanwhile}, NOW)
    assert request.status is RequestStatus.PENDING and request.approvals[0].decision is None


def test_only_the_requester_cancels():
    admin, other_admin, parent, subsidiary = two_accounts()
    request = link(admin, parent, subsidiary)
    with pytest.raises(Forbidden):
        request.cancel(Actor(other_admin), NOW)
    request.cancel(Actor(admin), NOW)
    assert request.status is RequestStatus.CANCELLED
