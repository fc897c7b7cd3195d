"""Monitoring requests and the two lists (SV-01..SV-10)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from servicekit.mail import Mail, MailQueue
from servicekit.reads import Reads
from svi import tables
from svi.domain import policies
from svi.domain.monitoring import (
    LISTED,
    MonitoringRequest,
    RequestState,
    certification_notice,
)
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
    for request, target in zip(made, targets, strict=True):
        auto_accept, _ = await participants.settings(target.model_id)
        if auto_accept:  # beyond the manual: the monitoring partner accepts every request it gets
            request.accept(None, now, "Accepted automatically (the partner's auto-accept setting).")
        await requests.add(request)
    return made


async def request_for_all_models(
    session: AsyncSession, ctx: SviContext, user_id: uuid.UUID, trade_account_id: uuid.UUID,
    monitoring_model_ids: list[uuid.UUID],
) -> list[MonitoringRequest]:
    """Beyond the manual: a company asks for all its participating models at once (those the caller is a
    contact of); a pair already asked is left as it is, a block still refuses."""
    participants, requests = ParticipantRepository(session), RequestRepository(session)
    mine = []
    for model_id in await participants.models_of_account(trade_account_id):
        acting = await participants.acting(model_id)
        if acting and user_id in acting.contact_user_ids and acting.participant.participates:
            mine.append(model_id)
    if not mine:
        raise NotFound("No Security Model of yours takes part in SVI in this Trade Account.")
    made = []
    for model_id in mine:
        fresh = [t for t in monitoring_model_ids
                 if (listed := await requests.listed_between(model_id, t)) is None or listed.blocks]
        if fresh:
            made += await request_monitoring(session, ctx, user_id, model_id, fresh)
    return made


async def settings(session: AsyncSession, user_id: uuid.UUID, model_id: uuid.UUID) -> tuple[bool, bool]:
    acting = await _acting(session, model_id)
    policies.ensure_can_read(acting.contact_user_ids, acting.scss_user_id, user_id)
    return await ParticipantRepository(session).settings(model_id)


async def change_settings(session: AsyncSession, user_id: uuid.UUID, model_id: uuid.UUID, *, auto_accept: bool,
                          share_more: bool) -> tuple[bool, bool]:
    """Auto-accept (as a monitoring partner) and share more (tier and point of contact, as a monitored one)."""
    acting = await _acting(session, model_id)
    policies.ensure_contact(acting.contact_user_ids, acting.scss_user_id, user_id)
    await ParticipantRepository(session).save_settings(model_id, auto_accept=auto_accept, share_more=share_more)
    return auto_accept, share_more


async def send_certification_notice(
    session: AsyncSession, ctx: SviContext, user_id: uuid.UUID, model_id: uuid.UUID, recipient: str,
    note: str | None,
) -> None:
    """Beyond the manual: a participant e-mails its certification notice to a company outside C-TPAT."""
    acting = await _acting(session, model_id)
    policies.ensure_contact(acting.contact_user_ids, acting.scss_user_id, user_id)
    if not acting.participant.participates:
        raise Conflict("A certification notice is sent by a model taking part in SVI (Certified, SVI signed).")
    now = ctx.clock.now()
    subject, body = certification_notice(acting.participant, note, now.date().isoformat())
    await MailQueue(session, tables.mail_outbox).enqueue(Mail(recipient, subject, body), now)


async def _for_monitoring_side(session: AsyncSession, user_id: uuid.UUID, request_id: uuid.UUID):
    requests = RequestRepository(session)
    request = await requests.get(request_id)
    if request is None:
        raise NotFound("No such monitoring request.")
    participants = ParticipantRepository(session)
    acting = await participants.acting(request.monitoring_model_id)
    if acting is None:
        raise NotFound("No such monitoring request.")
    try:
        policies.ensure_contact(acting.contact_user_ids, acting.scss_user_id, user_id)
    except NotFound:
        requester = await participants.acting(request.monitored_model_id)
        if requester is not None and user_id in requester.contact_user_ids:
            # The request is on the requester's own list: no secret, but not theirs to decide (SV-07).
            raise Forbidden("Only the monitoring partner accepts, declines, revokes or removes a block.") from None
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
    def shared(self) -> bool:
        """Beyond the manual: the partner opted in to share its tier and point of contact (while accepted)."""
        return self.row.state == RequestState.ACCEPTED and self.row.shares_more

    @property
    def partner_certified(self) -> bool | None:
        """SV-08: Certified / Not Certified, shown only while accepted; current to the latest StatusChanged."""
        if self.row.state != RequestState.ACCEPTED:
            return None
        return self.row.partner_certified


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
