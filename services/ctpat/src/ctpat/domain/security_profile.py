"""The Security Profile: one response per Minimum Security Criterion (CT-08, CT-09).

A response says how the company meets the criterion, or that it is "Not
Applicable", which needs the reason why. A criterion flagged as needing
evidence also needs at least one document uploaded for it (the documents
service tags an upload with its criterion; ctpat hears of it through
`DocumentUploaded`). The criteria a model answers are those of its business
types in the catalogue version its profile was started against, each once
(CT-09).

Responses are saved one at a time, each with its own revision, so two
contacts answering different criteria never collide; two saving the same
criterion from the same revision do (409).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ctpat.catalogue import Criterion
from servicekit.errors import FieldErrors

MAX_RESPONSE_LENGTH = 8000
MAX_REASON_LENGTH = 2000


@dataclass(frozen=True)
class CriterionResponse:
    criterion_id: str
    text: str | None
    not_applicable: bool
    reason: str | None
    revision: int
    updated_by: uuid.UUID
    updated_at: datetime

    def same_answer(self, other: CriterionResponse | None) -> bool:
        return other is not None and (self.text, self.not_applicable, self.reason) == (
            other.text, other.not_applicable, other.reason)


@dataclass(frozen=True)
class ApprovedResponse:
    """A version of a response as the SCSS approved it (CT-12); every earlier one stays readable."""

    criterion_id: str
    version: int
    text: str | None
    not_applicable: bool
    reason: str | None
    approved_at: datetime
    approved_by: uuid.UUID


@dataclass(frozen=True)
class Evidence:
    """A document uploaded as evidence for a criterion, as `DocumentUploaded` described it."""

    document_id: uuid.UUID
    criterion_id: str
    title: str
    uploaded_at: datetime


def answer_problems(text: str | None, not_applicable: bool, reason: str | None) -> FieldErrors:
    """CT-08: a response, or "Not Applicable" with its reason."""
    errors = FieldErrors()
    if not_applicable:
        if not reason or not reason.strip():
            errors.add("reason", 'is required when the response is "Not Applicable": say why it does not apply')
    else:
        if not text or not text.strip():
            errors.add("response", 'is required: say how your company meets the criterion, or mark it "Not Applicable"')
        if reason:
            errors.add("reason", 'is given only with a "Not Applicable" response')
    return errors


@dataclass(frozen=True)
class Gap:
    """What still keeps a criterion from being complete."""

    criterion_id: str
    problem: str  # "unanswered" | "evidence_missing"
    message: str


def gaps(
    criteria: Iterable[Criterion], responses: Mapping[str, CriterionResponse],
    evidence: Mapping[str, list[Evidence]],
) -> list[Gap]:
    """CT-08: every criterion has a response; those needing evidence have a document (unless Not Applicable)."""
    found = []
    for criterion in criteria:
        response = responses.get(criterion.id)
        if response is None:
            found.append(Gap(criterion.id, "unanswered", f"Criterion {criterion.id} has no response."))
        elif criterion.evidence and not response.not_applicable and not evidence.get(criterion.id):
            found.append(Gap(criterion.id, "evidence_missing",
                             f"Criterion {criterion.id} needs at least one uploaded document as evidence."))
    return found
