"""Monitoring requests and the two lists (SV-01..SV-10)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from servicekit.reads import Reads
from svi.domain import policies
from svi.domain.monitoring import CERTIFIED_OR_ABOVE, LISTED, MonitoringRequest, RequestState
from svi.repository import Acting, ListRow, ParticipantRepository, RequestRepository, SviReads
from svi.use_cases.context import SviContext


async def _acting(session: AsyncSession, model_id: uuid.UUID) -> Acting:
    acting = await ParticipantRepository(session).acting(model_id)
    if acting is None:
        raise NotFound(policies.NOT_FOUND)
    return acting


async def search(session: AsyncSession, reads: Reads, user_id: uuid.UUID, model_id: uuid.UUID, q: str):
    """SV-04: companies taking part in SVI (signed, Certified or above) by name, prefix or near miss."""
    acting = await _acting(session, model_id)
    policies.ensure_contact(acting.contact_user_ids, acting.scss_user_id, user_id)
    return await SviReads(reads).search(model_id, q.strip())


async def request_monitoring(
    session: AsyncSession, ctx: SviContext, user_id: uuid.UUID, model_id: uuid.UUID,
    monitoring_model_ids: list[uuid.UUID],
) -> list[MonitoringRequest]:
    """SV-03, SV-05: the partner to be monitored asks several participants in one save; each becomes pending."""
    acting = await _acting(session, model_id)
    policies.ensure_contact(acting.contact_user_ids, acting.scss_user_id, user_id)
    me = acting.participant
    if not me.participates:
        raise Conflict("Your Security Model takes part in SVI once it is Certified and an Officer has signed the "
                       "SVI agreement.")
    participants, requests = ParticipantRepository(session), RequestRepository(session)
    errors, conflicts, targets = FieldErrors(), FieldErrors(), []
    for i, target_id in enumerate(dict.fromkeys(monitoring_model_ids)):
        field = f"monitoring_model_ids[{i}]"
        target = await participants.get(target_id)
        if target_id == model_id:
            errors.add(field, "is your own Security Model")
        elif target is None or not target.participates:
            errors.add(field, "is not a company taking part in SVI (signed and Certified or above)")
        else:
            listed = await requests.listed_between(model_id, target_id)
            if listed is not None and listed.blocks:
                conflicts.add(field, "declined your requests: it must remove the block before you ask again")
            elif listed is not None:
                conflicts.add(field, f"already has your request ({listed.state.value})")
            else:
                targets.append(target)
    errors.raise_if_any()
    if conflicts:
        raise Conflict("Some companies cannot be asked now.", list(conflicts))
    now = ctx.clock.now()
    made = [MonitoringRequest.ask(me, target, user_id, now) for target in targets]
    for request in made:
        await requests.add(request)
    return made


async def _for_monitoring_side(session: AsyncSession, user_id: uuid.UUID, request_id: uuid.UUID):
    requests = RequestRepository(session)
    request = await requests.get(request_id)
    if request is None:
        raise NotFound("No such monitoring request.")
    acting = await ParticipantRepository(session).acting(request.monitoring_model_id)
    if acting is None:
        raise NotFound("No such monitoring request.")
    try:
        policies.ensure_contact(acting.contact_user_ids, acting.scss_user_id, user_id)
    except NotFound:
        raise NotFound("No such monitoring request.") from None
    return requests, request


async def decide(
    session: AsyncSession, ctx: SviContext, user_id: uuid.UUID, request_id: uuid.UUID, decision: str,
) -> MonitoringRequest:
    """SV-07: the monitoring partner accepts, declines, or revokes (declines after accepting)."""
    requests, request = await _for_monitoring_side(session, user_id, request_id)
    now = ctx.clock.now()
    {"accept": request.accept, "decline": request.decline, "revoke": request.revoke}[decision](user_id, now)
    await requests.save(request)
    return request


async def remove_block(session: AsyncSession, ctx: SviContext, user_id: uuid.UUID,
                       request_id: uuid.UUID) -> MonitoringRequest:
    """SV-09: the monitoring partner lets a declined company ask again."""
    requests, request = await _for_monitoring_side(session, user_id, request_id)
    request.remove_block(user_id, ctx.clock.now())
    await requests.save(request)
    return request


@dataclass(frozen=True)
class ListView:
    row: ListRow

    @property
    def partner_certified(self) -> bool | None:
        """SV-08: Certified / Not Certified, shown only while accepted; current to the latest StatusChanged."""
        if self.row.state != RequestState.ACCEPTED:
            return None
        return self.row.partner_status in CERTIFIED_OR_ABOVE


def _states(state: str | None) -> list[str]:
    """SV-10: filter by accepted, declined or revoked (pending too); no filter lists them all."""
    if state is None:
        return [s.value for s in LISTED]
    if state not in {s.value for s in LISTED}:
        raise ValidationFailed.on("state", "must be pending, accepted, declined or revoked")
    return [state]


async def monitoring_you(session: AsyncSession, reads: Reads, user_id: uuid.UUID, model_id: uuid.UUID,
                         state: str | None) -> list[ListView]:
    """SV-06: "Partners Monitoring You": who the model asked, and where each request stands."""
    acting = await _acting(session, model_id)
    policies.ensure_can_read(acting.contact_user_ids, acting.scss_user_id, user_id)
    return [ListView(r) for r in await SviReads(reads).monitoring_you(model_id, _states(state))]


async def you_monitor(session: AsyncSession, reads: Reads, user_id: uuid.UUID, model_id: uuid.UUID,
                      state: str | None) -> list[ListView]:
    """"Partners You Are Monitoring": who asked the model, and their status while accepted (SV-08)."""
    acting = await _acting(session, model_id)
    policies.ensure_can_read(acting.contact_user_ids, acting.scss_user_id, user_id)
    return [ListView(r) for r in await SviReads(reads).you_monitor(model_id, _states(state))]
