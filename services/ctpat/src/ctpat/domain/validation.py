"""Validations and the partner's Validation Response (CT-15).

The SCSS records a validation: its date, result, report, and the
recommendations and actions required it found. The Validation Summary lists
every validation of the model. Where there is something to answer, the
response is pending: the partner's contacts reply item by item (text, and
documents uploaded for the item), save as they go, and submit once, when
every item has a reply.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from servicekit.aggregate import RecordsEvents
from servicekit.errors import Conflict, FieldError, NotFound, ValidationFailed

MAX_ITEMS = 100


class ValidationResult(StrEnum):
    MEETS = "meets"  # the minimum security criteria are met
    EXCEEDS = "exceeds"  # best practices beyond the criteria (Tier III for importers)
    DOES_NOT_MEET = "does_not_meet"


class ItemKind(StrEnum):
    RECOMMENDATION = "recommendation"
    ACTION_REQUIRED = "action_required"


class ResponseState(StrEnum):
    NOT_REQUIRED = "not_required"  # nothing to answer
    PENDING = "pending"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class ValidationItem:
    id: uuid.UUID
    kind: ItemKind
    text: str
    reply: str | None = None
    replied_by: uuid.UUID | None = None
    replied_at: datetime | None = None


@dataclass
class Validation(RecordsEvents):
    id: uuid.UUID
    security_model_id: uuid.UUID
    validation_date: date
    result: ValidationResult
    report: str
    items: list[ValidationItem]
    recorded_by: uuid.UUID
    recorded_at: datetime
    response_state: ResponseState
    submitted_by: uuid.UUID | None = None
    submitted_at: datetime | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list)

    @classmethod
    def record(
        cls, *, model_id: uuid.UUID, scss_user_id: uuid.UUID, validation_date: date, result: ValidationResult,
        report: str, recommendations: list[str], actions_required: list[str], now: datetime,
    ) -> Validation:
        if validation_date > now.date():
            raise ValidationFailed.on("validation_date", "must not be in the future")
        items = [ValidationItem(uuid.uuid4(), ItemKind.RECOMMENDATION, t.strip()) for t in recommendations]
        items += [ValidationItem(uuid.uuid4(), ItemKind.ACTION_REQUIRED, t.strip()) for t in actions_required]
        if len(items) > MAX_ITEMS:
            raise ValidationFailed.on("actions_required", f"a validation lists at most {MAX_ITEMS} items")
        validation = cls(
            id=uuid.uuid4(), security_model_id=model_id, validation_date=validation_date, result=result,
            report=report.strip(), items=items, recorded_by=scss_user_id, recorded_at=now,
            response_state=ResponseState.PENDING if items else ResponseState.NOT_REQUIRED,
        )
        validation._bump()
        return validation

    def item(self, item_id: uuid.UUID) -> ValidationItem:
        found = next((i for i in self.items if i.id == item_id), None)
        if found is None:
            raise NotFound("No such recommendation or action required in this validation.")
        return found

    def reply(self, item_id: uuid.UUID, text: str, by: uuid.UUID, now: datetime) -> ValidationItem:
        """A draft reply to one item, saved as the partner goes (CT-15)."""
        self._ensure_pending()
        item = self.item(item_id)
        updated = replace(item, reply=text.strip() or None, replied_by=by, replied_at=now)
        self.items = [updated if i.id == item_id else i for i in self.items]
        self._bump()
        return updated

    def submit_response(self, by: uuid.UUID, now: datetime) -> None:
        """Submitted once, when every recommendation and action required has a reply."""
        self._ensure_pending()
        missing = [FieldError(f"items.{i.id}", "has no reply yet") for i in self.items if not i.reply]
        if missing:
            raise Conflict("Reply to every recommendation and action required before submitting.", missing)
        self.response_state, self.submitted_by, self.submitted_at = ResponseState.SUBMITTED, by, now
        self._bump()

    def _ensure_pending(self) -> None:
        if self.response_state is ResponseState.SUBMITTED:
            raise Conflict("The Validation Response was submitted; it cannot change any more.")
        if self.response_state is ResponseState.NOT_REQUIRED:
            raise Conflict("This validation has nothing to respond to.")
