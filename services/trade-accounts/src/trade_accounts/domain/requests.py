"""Trade Account operations (TA-08..TA-15): link, delink, split and merge requests and their approvals.

A request names the accounts, a detailed reason and the account the requester
acts for. It needs a Company Administrator of the other account (TA-10, even
when that is the requester) and, where a C-TPAT Security Model is involved,
C-TPAT Management (TA-11). Whether Management is needed is decided from the
facts of the moment, not frozen at submission (`reconsider`): a Security
Model that reaches either account before the decision adds Management's
approval; one that leaves drops it while a Company Administrator's approval
is still pending (once Management's is the only one left, it stays, since
nothing else would complete the request). A split that moves a Security Model
always needs Management. Either may decline, with a reason. When every
approval is in, the preconditions are checked again (the hierarchy may have
changed meanwhile) and the operation takes effect. Every step is kept in the
request's history: who, when, what, why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from portal_events import EventPayload
from portal_events.trade_accounts import (
    TradeAccountRequestCancelled,
    TradeAccountRequestDecided,
    TradeAccountRequestSubmitted,
)
from servicekit.aggregate import RecordsEvents
from servicekit.auth import StaffRole
from servicekit.errors import Conflict, FieldError, Forbidden, ValidationFailed
from trade_accounts.domain.actors import Actor

MIN_REASON_LENGTH = 20
MAX_REASON_LENGTH = 2000


class RequestKind(StrEnum):
    LINK = "link"
    DELINK = "delink"
    SPLIT = "split"
    MERGE = "merge"


class RequestStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class ApprovalKind(StrEnum):
    COMPANY_ADMINISTRATOR = "company_administrator"
    MANAGEMENT = "management"


class Decision(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass(frozen=True)
class AccountFacts:
    """What a request needs to know of one Trade Account."""

    id: uuid.UUID
    company_name: str
    parent_id: uuid.UUID | None
    company_administrators: frozenset[uuid.UUID]
    users: frozenset[uuid.UUID]  # every active member, administrators included
    security_model_ids: frozenset[uuid.UUID]
    # The accounts above this one, nearest first, up to its Trade Organization's top.
    ancestor_ids: tuple[uuid.UUID, ...] = ()


@dataclass
class Approval:
    kind: ApprovalKind
    trade_account_id: uuid.UUID | None  # whose Company Administrator; None for Management
    decision: Decision | None = None
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    by: uuid.UUID
    action: str
    detail: str | None = None


@dataclass
class TradeAccountRequest(RecordsEvents):
    id: uuid.UUID
    kind: RequestKind
    requested_by: uuid.UUID
    requested_at: datetime
    requesting_account_id: uuid.UUID
    # The accounts, by their part: link/delink: parent + subsidiary; split: source; merge: survivor + merged.
    parent_id: uuid.UUID | None
    subsidiary_id: uuid.UUID | None
    reason: str
    approvals: list[Approval]
    status: RequestStatus = RequestStatus.PENDING
    new_company_name: str | None = None  # split: the new account's name
    moving_security_model_ids: list[uuid.UUID] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    version: int = 1
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @property
    def account_ids(self) -> list[uuid.UUID]:
        return [i for i in (self.parent_id, self.subsidiary_id) if i is not None]

    def _state(self) -> dict:
        return {"request_id": self.id, "version": self.version, "kind": self.kind.value,
                "status": self.status.value, "trade_account_ids": self.account_ids}

    def _submitted(self, now: datetime) -> None:
        self.events.append(TradeAccountRequestSubmitted(
            **self._state(), occurred_at=now, requested_by=self.requested_by,
            requesting_trade_account_id=self.requesting_account_id, reason=self.reason,
            awaiting=[a.kind.value for a in self.pending_approvals()],
        ))

    # --- requesting ----------------------------------------------------------------

    @classmethod
    def request_link(
        cls, actor: Actor, *, requesting_account_id: uuid.UUID, parent: AccountFacts, subsidiary: AccountFacts,
        reason: str, now: datetime,
    ) -> TradeAccountRequest:
        _require_reason(reason)
        _require_two_party_requester(actor, requesting_account_id, parent, subsidiary)
        ensure_linkable(parent, subsidiary)
        return cls._new(RequestKind.LINK, actor, requesting_account_id, parent, subsidiary, reason, now)

    @classmethod
    def request_delink(
        cls, actor: Actor, *, requesting_account_id: uuid.UUID, parent: AccountFacts, subsidiary: AccountFacts,
        reason: str, now: datetime,
    ) -> TradeAccountRequest:
        """TA-12: a Company Administrator of either account; the same approvals as a link."""
        _require_reason(reason)
        if actor.user_id not in _account(requesting_account_id, parent, subsidiary).company_administrators:
            raise Forbidden("Only a Company Administrator of the parent or the subsidiary can request a delink.")
        ensure_delinkable(parent, subsidiary)
        return cls._new(RequestKind.DELINK, actor, requesting_account_id, parent, subsidiary, reason, now)

    @classmethod
    def request_merge(
        cls, actor: Actor, *, requesting_account_id: uuid.UUID, survivor: AccountFacts, merged: AccountFacts,
        reason: str, now: datetime,
    ) -> TradeAccountRequest:
        """TA-14: two accounts at the same level become one, with the approvals of TA-10/TA-11."""
        _require_reason(reason)
        _require_two_party_requester(actor, requesting_account_id, survivor, merged)
        ensure_mergeable(survivor, merged)
        return cls._new(RequestKind.MERGE, actor, requesting_account_id, survivor, merged, reason, now)

    @classmethod
    def request_split(
        cls, actor: Actor, *, source: AccountFacts, new_company_name: str, security_model_ids: list[uuid.UUID],
        reason: str, now: datetime,
    ) -> TradeAccountRequest:
        """TA-13: one account becomes two; chosen Security Models move to the new one (Management approves that)."""
        _require_reason(reason)
        if actor.user_id not in source.company_administrators:
            raise Forbidden("Only a Company Administrator of the account can request a split.")
        if not new_company_name.strip():
            raise ValidationFailed.on("new_company_name", "is required")
        unknown = set(security_model_ids) - source.security_model_ids
        if unknown:
            raise ValidationFailed.on("security_model_ids", "must be Security Models of this Trade Account")
        request = cls(
            id=uuid.uuid4(), kind=RequestKind.SPLIT, requested_by=actor.user_id, requested_at=now,
            requesting_account_id=source.id, parent_id=source.id, subsidiary_id=None, reason=reason.strip(),
            approvals=[], new_company_name=new_company_name.strip(),
            moving_security_model_ids=list(dict.fromkeys(security_model_ids)),
        )
        request.reconsider({source.id: source})
        request.history.append(HistoryEntry(now, actor.user_id, "requested", reason.strip()))
        request._submitted(now)
        return request

    @classmethod
    def _new(
        cls, kind: RequestKind, actor: Actor, requesting_account_id: uuid.UUID, first: AccountFacts,
        second: AccountFacts, reason: str, now: datetime,
    ) -> TradeAccountRequest:
        other = second.id if requesting_account_id == first.id else first.id
        request = cls(
            id=uuid.uuid4(), kind=kind, requested_by=actor.user_id, requested_at=now,
            requesting_account_id=requesting_account_id, parent_id=first.id, subsidiary_id=second.id,
            reason=reason.strip(), approvals=[Approval(ApprovalKind.COMPANY_ADMINISTRATOR, other)],
        )
        request.reconsider({first.id: first, second.id: second})
        request.history.append(HistoryEntry(now, actor.user_id, "requested", reason.strip()))
        request._submitted(now)
        return request

    # --- deciding --------------------------------------------------------------------

    def needs_management(self, facts: dict[uuid.UUID, AccountFacts]) -> bool:
        """TA-11, TA-13: a Security Model in either account now, or one this split moves."""
        if self.kind is RequestKind.SPLIT:
            return bool(self.moving_security_model_ids)
        return any(facts[a].security_model_ids for a in self.account_ids if a in facts)

    def reconsider(self, facts: dict[uuid.UUID, AccountFacts]) -> None:
        """Brings the pending Management approval in line with the facts of the moment (TA-11).

        A decided Management approval stands; an undecided one is dropped only
        while a Company Administrator has yet to decide.
        """
        if self.status is not RequestStatus.PENDING:
            return
        management = next((a for a in self.approvals if a.kind is ApprovalKind.MANAGEMENT), None)
        if management is not None and management.decision is not None:
            return
        if self.needs_management(facts):
            if management is None:
                self.approvals.append(Approval(ApprovalKind.MANAGEMENT, None))
        elif management is not None and any(
            a.decision is None for a in self.approvals if a.kind is ApprovalKind.COMPANY_ADMINISTRATOR
        ):
            self.approvals.remove(management)

    def pending_approvals(self) -> list[Approval]:
        return [a for a in self.approvals if a.decision is None] if self.status is RequestStatus.PENDING else []

    def approval_for(self, actor: Actor, facts: dict[uuid.UUID, AccountFacts]) -> Approval | None:
        """The pending approval this actor may give, if any (Tasks, TA-15)."""
        for approval in self.pending_approvals():
            if approval.kind is ApprovalKind.MANAGEMENT and actor.has_role(StaffRole.MANAGEMENT):
                return approval
            if (
                approval.kind is ApprovalKind.COMPANY_ADMINISTRATOR
                and approval.trade_account_id in facts
                and actor.user_id in facts[approval.trade_account_id].company_administrators
            ):
                return approval
        return None

    def decide(
        self, actor: Actor, decision: Decision, reason: str | None, facts: dict[uuid.UUID, AccountFacts],
        now: datetime,
    ) -> bool:
        """Records one approval or a decline; True when the request is now complete and must take effect."""
        if self.status is not RequestStatus.PENDING:
            raise Conflict(f"The request is {self.status.value}; nothing is left to decide.")
        self.reconsider(facts)
        approval = self.approval_for(actor, facts)
        if approval is None:
            raise Forbidden("You have no pending approval on this request.")
        if decision is Decision.DECLINED and not (reason or "").strip():
            raise ValidationFailed.on("reason", "is required to decline")
        if decision is Decision.APPROVED and len(self.pending_approvals()) == 1:
            self.ensure_still_possible(facts)  # the last approval makes it happen
        approval.decision, approval.decided_by, approval.decided_at = decision, actor.user_id, now
        approval.reason = (reason or "").strip() or None
        label = "Management" if approval.kind is ApprovalKind.MANAGEMENT else "Company Administrator"
        self.history.append(HistoryEntry(now, actor.user_id, f"{decision.value} as {label}", approval.reason))
        completes = False
        if decision is Decision.DECLINED:
            self.status = RequestStatus.DECLINED
        elif not self.pending_approvals():
            self.status = RequestStatus.COMPLETED
            self.history.append(HistoryEntry(now, actor.user_id, "took effect"))
            completes = True
        self._bump()
        self.events.append(TradeAccountRequestDecided(
            **self._state(), occurred_at=now, decided_by=actor.user_id, approval=approval.kind.value,
            decision=decision.value, reason=approval.reason,
        ))
        return completes

    def take_effect_at_once(self, actor: Actor, facts: dict[uuid.UUID, AccountFacts], now: datetime) -> bool:
        """A request that needs nobody else's approval (a split moving no Security Model)."""
        if self.approvals:
            return False
        self.ensure_still_possible(facts)
        self.status = RequestStatus.COMPLETED
        self.history.append(HistoryEntry(now, actor.user_id, "took effect"))
        self._bump()
        self.events.append(TradeAccountRequestDecided(
            **self._state(), occurred_at=now, decided_by=actor.user_id, approval="company_administrator",
            decision="approved", reason="needs no other approval",
        ))
        return True

    def cancel(self, actor: Actor, now: datetime) -> None:
        if actor.user_id != self.requested_by:
            raise Forbidden("Only the requester can cancel a request.")
        if self.status is not RequestStatus.PENDING:
            raise Conflict(f"The request is {self.status.value}; it can no longer be cancelled.")
        self.status = RequestStatus.CANCELLED
        self.history.append(HistoryEntry(now, actor.user_id, "cancelled"))
        self._bump()
        self.events.append(TradeAccountRequestCancelled(**self._state(), occurred_at=now, cancelled_by=actor.user_id))

    def ensure_still_possible(self, facts: dict[uuid.UUID, AccountFacts]) -> None:
        if self.kind is RequestKind.LINK:
            ensure_linkable(facts[self.parent_id], facts[self.subsidiary_id])
        elif self.kind is RequestKind.DELINK:
            ensure_delinkable(facts[self.parent_id], facts[self.subsidiary_id])
        elif self.kind is RequestKind.MERGE:
            ensure_mergeable(facts[self.parent_id], facts[self.subsidiary_id])
        elif self.kind is RequestKind.SPLIT:
            gone = set(self.moving_security_model_ids) - facts[self.parent_id].security_model_ids
            if gone:
                raise Conflict("A Security Model to move is no longer in this Trade Account.")


# --- the hierarchy's rules (pure) --------------------------------------------------------


def ensure_linkable(parent: AccountFacts, subsidiary: AccountFacts) -> None:
    """TA-08: same level (the subsidiary is nobody's subsidiary yet), one subsidiary, no cycle."""
    if parent.id == subsidiary.id:
        raise ValidationFailed.on("subsidiary_id", "must differ from the TOP account")
    if subsidiary.parent_id is not None:
        raise Conflict(
            "The subsidiary already has a parent account: delink it first.",
            [FieldError("subsidiary_id", "already has a parent; delink it first")],
        )
    if subsidiary.id in parent.ancestor_ids:
        raise Conflict(
            "Linking would make a circle: the TOP account sits under the subsidiary.",
            [FieldError("subsidiary_id", "is above the TOP account in its Trade Organization")],
        )


def ensure_delinkable(parent: AccountFacts, subsidiary: AccountFacts) -> None:
    if subsidiary.parent_id != parent.id:
        raise Conflict(
            "The subsidiary is not linked to that parent account.",
            [FieldError("subsidiary_id", "is not a subsidiary of the parent account")],
        )


def ensure_mergeable(survivor: AccountFacts, merged: AccountFacts) -> None:
    if survivor.id == merged.id:
        raise ValidationFailed.on("merged_id", "must differ from the surviving account")
    if survivor.parent_id != merged.parent_id:
        raise Conflict(
            "Only accounts at the same level (the same parent, or both top-level) can merge.",
            [FieldError("merged_id", "is not at the same level as the surviving account")],
        )


def _require_reason(reason: str) -> None:
    text = reason.strip()
    if len(text) < MIN_REASON_LENGTH:
        raise ValidationFailed.on(
            "reason", f"must explain the request in detail (at least {MIN_REASON_LENGTH} characters)"
        )
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationFailed.on("reason", f"must be at most {MAX_REASON_LENGTH} characters")


def _require_two_party_requester(
    actor: Actor, requesting_account_id: uuid.UUID, first: AccountFacts, second: AccountFacts
) -> None:
    """TA-09: a Company Administrator of the account acted for, and a user of both."""
    acting_for = _account(requesting_account_id, first, second)
    if actor.user_id not in acting_for.company_administrators:
        raise Forbidden("Only a Company Administrator can request this, for an account they administer.")
    if actor.user_id not in first.users or actor.user_id not in second.users:
        raise Forbidden("The requester must be a user of both Trade Accounts.")


def _account(account_id: uuid.UUID, first: AccountFacts, second: AccountFacts) -> AccountFacts:
    if account_id == first.id:
        return first
    if account_id == second.id:
        return second
    raise ValidationFailed.on("requesting_account_id", "must be one of the two accounts of the request")

