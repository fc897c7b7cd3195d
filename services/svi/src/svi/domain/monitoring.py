"""Partner monitoring (SV-01..SV-10).

A C-TPAT Security Model takes part in SVI while it is Certified or above and
an Officer has signed the SVI agreement (SV-01). Only the partner to be
monitored asks (SV-03): it names, in one save, the participants it wants to be
monitored by (SV-05), each request pending until the monitoring partner
accepts, declines, or revokes after accepting (SV-07). A decline blocks
further requests from that company until the monitoring partner removes the
block (SV-09). While accepted, the monitoring partner sees the requester's
status, Certified or Not Certified, current to the latest StatusChanged
(SV-08). Revoking the SVI agreement ends every request on both sides (SV-02).

Every transition is kept with who and when.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from portal_events.svi import (
    BlockRemoved,
    MonitoringAccepted,
    MonitoringDeclined,
    MonitoringEnded,
    MonitoringRequested,
    MonitoringRevoked,
)
from servicekit.aggregate import RecordsEvents
from servicekit.errors import Conflict


class RequestState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"  # declined after accepting
    ENDED = "ended"  # a side left SVI (SV-02): on no list any more


LISTED = (RequestState.PENDING, RequestState.ACCEPTED, RequestState.DECLINED, RequestState.REVOKED)


@dataclass(frozen=True)
class Participant:
    """A Security Model as SVI knows it from ctpat's and trade-accounts' events."""

    model_id: uuid.UUID
    trade_account_id: uuid.UUID
    company_name: str
    status: str | None
    svi_signed: bool
    certified: bool = False  # Certified or above, as ctpat's StatusChanged says (ctpat owns that rule)

    @property
    def participates(self) -> bool:
        """SV-01: Certified or above, and the SVI agreement signed."""
        return self.certified and self.svi_signed


@dataclass(frozen=True)
class Transition:
    state: RequestState
    at: datetime
    by: uuid.UUID | None  # None: the portal itself (an agreement revoked)
    note: str | None = None


@dataclass
class MonitoringRequest(RecordsEvents):
    id: uuid.UUID
    monitored_model_id: uuid.UUID  # who asked to be monitored
    monitoring_model_id: uuid.UUID  # who monitors
    state: RequestState
    history: list[Transition]
    version: int = 0
    events: list[Any] = field(default_factory=list)

    @classmethod
    def ask(cls, monitored: Participant, monitoring: Participant, by: uuid.UUID, now: datetime) -> MonitoringRequest:
        request = cls(uuid.uuid4(), monitored.model_id, monitoring.model_id, RequestState.PENDING,
                      [Transition(RequestState.PENDING, now, by)])
        request._bump()
        request.events.append(MonitoringRequested(
            request_id=request.id, monitored_security_model_id=monitored.model_id,
            monitoring_security_model_id=monitoring.model_id, requested_by=by, occurred_at=now,
            version=request.version,
        ))
        return request

    def accept(self, by: uuid.UUID | None, now: datetime, note: str | None = None) -> None:
        """By the monitoring partner's contact, or by nobody when its auto-accept setting is on."""
        if self.state not in (RequestState.PENDING, RequestState.DECLINED):
            raise Conflict(f"A request that is {self.state.value} cannot be accepted.")
        self._move(RequestState.ACCEPTED, by, now, note)
        self.events.append(MonitoringAccepted(**self._common(by, now)))

    def decline(self, by: uuid.UUID, now: datetime) -> None:
        """SV-07, SV-09: a pending request declined; the requester is blocked until the block is removed."""
        if self.state is not RequestState.PENDING:
            raise Conflict(f"Only a pending request is declined; this one is {self.state.value} "
                           "(an accepted one is revoked).")
        self._move(RequestState.DECLINED, by, now)
        self.events.append(MonitoringDeclined(**self._common(by, now)))

    def revoke(self, by: uuid.UUID, now: datetime) -> None:
        """SV-07: declined after accepting; it blocks further requests like a decline."""
        if self.state is not RequestState.ACCEPTED:
            raise Conflict(f"Only an accepted request is revoked; this one is {self.state.value}.")
        self._move(RequestState.REVOKED, by, now)
        self.events.append(MonitoringRevoked(**self._common(by, now)))

    def end(self, now: datetime, note: str) -> None:
        """SV-02: a side revoked its SVI agreement: the request leaves both lists."""
        if self.state is RequestState.ENDED:
            return
        self._move(RequestState.ENDED, None, now, note)
        self.events.append(MonitoringEnded(**self._common(None, now), reason=note))

    @property
    def blocks(self) -> bool:
        return self.state in (RequestState.DECLINED, RequestState.REVOKED)

    def _move(self, state: RequestState, by: uuid.UUID | None, now: datetime, note: str | None = None) -> None:
        self.state = state
        self.history.append(Transition(state, now, by, note))
        self._bump()

    def _common(self, by: uuid.UUID | None, now: datetime) -> dict[str, Any]:
        return {"request_id": self.id, "monitored_security_model_id": self.monitored_model_id,
                "monitoring_security_model_id": self.monitoring_model_id, "decided_by": by, "occurred_at": now,
                "version": self.version}

    def remove_block(self, by: uuid.UUID, now: datetime) -> BlockRemoved:
        """SV-09: the monitoring partner lets the requester ask again (the request stays, as history)."""
        if not self.blocks:
            raise Conflict("This request blocks nothing.")
        self._move(RequestState.ENDED, by, now, "Block removed: the company may ask again.")
        event = BlockRemoved(**self._common(by, now))
        self.events.append(event)
        return event


def certification_notice(partner: Participant, sender_note: str | None, today: str) -> tuple[str, str]:
    """The subject and text of a certification notice a participant e-mails to a company outside C-TPAT."""
    status = partner.status.replace("_", " ").title() if partner.status else "Not Certified"
    subject = f"C-TPAT certification notice: {partner.company_name}"
    lines = [
        f"{partner.company_name} is a partner in the Customs-Trade Partnership Against Terrorism (C-TPAT).",
        f"Its C-TPAT status on {today}: {status}.",
        "",
        "This notice was sent through the C-TPAT Partner Portal's Status Verification Interface at the request of",
        f"{partner.company_name}. Companies in C-TPAT can verify a partner's status in the portal at any time.",
    ]
    if sender_note:
        lines += ["", "A note from the sender:", sender_note]
    return subject, "\n".join(lines)
