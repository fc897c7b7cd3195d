"""Security Model operations (CT-16..CT-19): expand, extract, split and merge, each requested by a Company
Officer and approved by C-TPAT Management.

- Expand (CT-16) adds one business type with identical procedures: the request carries its eligibility answers
  and entity identifiers; once approved the profile also needs the new type's unique criteria.
- Extract (CT-17) separates one business type into a model of its own, earmarked for withdrawal.
- Split (CT-18) separates some of a multi-type model's business types into a second model, managed separately.
- Merge (CT-19) joins two models of the same Trade Account with identical procedures: the second one's types
  join the first, and the second is withdrawn as merged.

A model has at most one pending request at a time, so two structural changes never race.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from portal_events.ctpat import SecurityModelOperationDecided
from servicekit.aggregate import RecordsEvents
from servicekit.errors import Conflict, ValidationFailed

MIN_REASON = 10


class OperationKind(StrEnum):
    EXPAND = "expand"
    EXTRACT = "extract"
    SPLIT = "split"
    MERGE = "merge"


class OperationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass
class ModelOperation(RecordsEvents):
    id: uuid.UUID
    kind: OperationKind
    security_model_id: uuid.UUID
    trade_account_id: uuid.UUID
    requested_by: uuid.UUID
    requested_at: datetime
    reason: str
    # expand: the type added, its answers and identifiers; extract and split: the types that leave
    business_types: list[str]
    eligibility_answers: dict[str, str] = field(default_factory=dict)
    identifiers: dict[str, list[str]] = field(default_factory=dict)
    other_model_id: uuid.UUID | None = None  # merge: the model that joins this one
    status: OperationStatus = OperationStatus.PENDING
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    resulting_model_id: uuid.UUID | None = None  # extract and split: the new model
    version: int = 0
    events: list[Any] = field(default_factory=list)

    @classmethod
    def request(cls, **fields: Any) -> ModelOperation:
        reason = fields["reason"].strip()
        if len(reason) < MIN_REASON:
            raise ValidationFailed.on("reason", f"must say why in at least {MIN_REASON} characters")
        operation = cls(id=uuid.uuid4(), **{**fields, "reason": reason})
        operation._bump()
        return operation

    def decide(self, *, approve: bool, by: uuid.UUID, reason: str | None, now: datetime) -> None:
        if self.status is not OperationStatus.PENDING:
            raise Conflict(f"The request was already {self.status.value}.")
        if not approve and not (reason and reason.strip()):
            raise ValidationFailed.on("reason", "is required when declining: say why")
        self.status = OperationStatus.APPROVED if approve else OperationStatus.DECLINED
        self.decided_by, self.decided_at = by, now
        self.decision_reason = reason.strip() if reason else None
        self._bump()

    def announce_decision(self) -> None:
        """Tells the other services (messaging: the people concerned) once the decision has taken effect, so an
        approved split or extract names the model it made."""
        self.events.append(SecurityModelOperationDecided(
            operation_id=self.id, occurred_at=self.decided_at, kind=self.kind.value,
            security_model_id=self.security_model_id, trade_account_id=self.trade_account_id,
            other_model_id=self.other_model_id, resulting_model_id=self.resulting_model_id,
            decision=self.status.value, reason=self.decision_reason, decided_by=self.decided_by,
            version=self.version))


@dataclass(frozen=True)
class Preconditions:
    """What the operation needs of the models, checked when it is requested and again when it is approved."""

    @staticmethod
    def types_leaving(model_types: list[str], leaving: list[str], kind: OperationKind) -> None:
        if len(model_types) < 2:
            raise Conflict(f"Only a Security Model with two or more business types can {kind.value}.")
        unknown = [t for t in leaving if t not in model_types]
        if unknown:
            raise ValidationFailed.on("business_types", f"are not in this Security Model: {', '.join(unknown)}")
        if not leaving or len(set(leaving)) != len(leaving):
            raise ValidationFailed.on("business_types", "must name each leaving business type once")
        if set(leaving) >= set(model_types):
            raise ValidationFailed.on("business_types", "must leave at least one business type in the model")
        if kind is OperationKind.EXTRACT and len(leaving) != 1:
            raise ValidationFailed.on("business_types", "an extract separates exactly one business type")
