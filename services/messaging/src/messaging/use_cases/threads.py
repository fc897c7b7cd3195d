"""The Messages tab: a model's threads and a user's inbox (MSG-02), a thread (MSG-03), new messages and replies
(MSG-04), read marks. Reads run on servicekit.reads; writes load and save the Thread aggregate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from messaging import tables
from messaging.domain.notices import notices
from messaging.domain.policies import (
    NO_SUCH_THREAD,
    Participant,
    ensure_may_ask_name_change,
    ensure_takes_part,
)
from messaging.domain.thread import Attachment, Author, Message, Thread
from messaging.repository import NoticeSettings, Participants, ReadMarks, ReadModels, ThreadReads, ThreadRepository
from messaging.use_cases.context import MessagingContext
from servicekit.auth import Principal, StaffRole
from servicekit.errors import NotFound, ValidationFailed
from servicekit.mail import Mail, MailQueue
from servicekit.reads import Reads


async def threads_of_model(reads: Reads, principal: Principal, model_id: uuid.UUID, limit: int,
                           offset: int, newest_first: bool = True) -> tuple[list[dict], int]:
    """MSG-01, MSG-02: a model's threads, newest first (or oldest first), unread ones marked for this user."""
    threads = ThreadReads(reads)
    ensure_takes_part(await threads.participant(principal.user_id, model_id))
    return await threads.of_model(model_id, principal.user_id, limit, offset, newest_first)


async def inbox(reads: Reads, principal: Principal, limit: int, offset: int,
                newest_first: bool = True) -> tuple[list[dict], int]:
    """One list of every thread the user takes part in: a contact's models, and an SCSS's accounts (MSG-02)."""
    return await ThreadReads(reads).inbox(principal.user_id, StaffRole.MANAGEMENT in principal.roles, limit, offset,
                                          newest_first)


@dataclass(frozen=True)
class ThreadView:
    thread: Any  # the thread's row
    messages: list[Message]  # newest on top (MSG-03)
    read_count: int


async def show_thread(reads: Reads, principal: Principal, thread_id: uuid.UUID) -> ThreadView:
    found = await ThreadReads(reads).thread(thread_id, principal.user_id, principal.roles)
    if found is None:
        raise NotFound(NO_SUCH_THREAD)
    row, participant, messages = found
    ensure_takes_part(participant, thread=True)
    return ThreadView(row, messages, row.read_count)


async def _attachment(session: AsyncSession, document_id: uuid.UUID | None, model_id: uuid.UUID) -> Attachment | None:
    if document_id is None:
        return None
    attachment = await ReadModels(session).attachable(document_id, model_id)
    if attachment is None:
        raise ValidationFailed.on("document_id", "is not a document of this Security Model's Partner Library")
    return attachment


async def _participant(session: AsyncSession, principal: Principal, model_id: uuid.UUID,
                       *, thread: bool = False) -> Participant:
    participant = await Participants(session).of(principal.user_id, model_id)
    ensure_takes_part(participant, thread=thread)
    return participant


async def start_thread(session: AsyncSession, ctx: MessagingContext, principal: Principal, model_id: uuid.UUID,
                       subject: str, body: str, document_id: uuid.UUID | None) -> Thread:
    """MSG-04: a new message to the model's SCSS (or, from the SCSS, to its contacts), as a new thread."""
    participant = await _participant(session, principal, model_id)
    thread = Thread.start(thread_id=uuid.uuid4(), security_model_id=model_id, subject=subject, body=body,
                          author=participant.author, author_user_id=principal.user_id,
                          attachment=await _attachment(session, document_id, model_id), now=ctx.clock.now())
    await ThreadRepository(session).add(thread)
    await ReadMarks(session).read(principal.user_id, thread.id, len(thread.messages))  # one's own: read
    await _notify(session, ctx, thread)
    return thread


async def reply(session: AsyncSession, ctx: MessagingContext, principal: Principal, thread_id: uuid.UUID,
                body: str, document_id: uuid.UUID | None) -> Thread:
    """MSG-03: a reply goes to the same thread (a system thread too: the contacts answer it to their SCSS)."""
    repository = ThreadRepository(session)
    thread = await repository.get(thread_id, for_update=True)
    if thread is None:
        raise NotFound(NO_SUCH_THREAD)
    participant = await Participants(session).of_thread(principal.user_id, principal.roles, thread_id)
    ensure_takes_part(participant, thread=True)
    attachment = (await _attachment(session, document_id, thread.security_model_id)
                  if thread.security_model_id else _no_attachment(document_id))
    thread.reply(body=body, author=participant.author, author_user_id=principal.user_id, attachment=attachment,
                 now=ctx.clock.now())
    await repository.save(thread)
    await ReadMarks(session).read(principal.user_id, thread.id, len(thread.messages))
    await _notify(session, ctx, thread)
    return thread


def _no_attachment(document_id: uuid.UUID | None) -> None:
    if document_id is not None:
        raise ValidationFailed.on("document_id", "a request to CBP about the Trade Account attaches no document")


async def mark_read(session: AsyncSession, principal: Principal, thread_id: uuid.UUID) -> None:
    """MSG-02: opened, so no longer unread for this user (for nobody else)."""
    thread = await ThreadRepository(session).get(thread_id)
    if thread is None:
        raise NotFound(NO_SUCH_THREAD)
    ensure_takes_part(await Participants(session).of_thread(principal.user_id, principal.roles, thread_id),
                      thread=True)
    await ReadMarks(session).read(principal.user_id, thread.id, len(thread.messages))


async def ask_name_change(session: AsyncSession, ctx: MessagingContext, principal: Principal,
                          trade_account_id: uuid.UUID, requested_name: str, reason: str | None) -> Thread:
    """The manual's Company Information: "to change the company name, you must contact your assigned SCSS" (or
    CBP's program mailbox when there is none). A Company Administrator asks here; the SCSS's change of the name
    closes the request. One open request per account."""
    member, administrator, current_name = await Participants(session).membership(principal.user_id,
                                                                                 trade_account_id)
    ensure_may_ask_name_change(member, administrator)
    thread = Thread.ask_name_change(thread_id=uuid.uuid4(), trade_account_id=trade_account_id,
                                    current_name=current_name, requested_name=requested_name, reason=reason,
                                    author_user_id=principal.user_id, now=ctx.clock.now())
    await ThreadRepository(session).add(thread)
    await ReadMarks(session).read(principal.user_id, thread.id, len(thread.messages))
    await _notify(session, ctx, thread)
    return thread


async def name_changed(session: AsyncSession, ctx: MessagingContext, trade_account_id: uuid.UUID,
                       previous: str, name: str) -> None:
    """The account's name was changed (by CBP: only the SCSS may): its open request is done, and says so."""
    repository = ThreadRepository(session)
    for thread in await repository.open_name_changes(trade_account_id):
        thread.close(f"CBP changed the company name from \"{previous}\" to \"{name}\". This request is closed.",
                     ctx.clock.now())
        await repository.save(thread)
        await _notify(session, ctx, thread)


async def post_system_thread(session: AsyncSession, ctx: MessagingContext, thread_id: uuid.UUID,
                             model_id: uuid.UUID, subject: str, body: str) -> bool:
    """MSG-05: a thread the portal starts. `thread_id` comes from the event that caused it, so however often the
    event is delivered there is one thread (and one notice). False when it exists already."""
    repository = ThreadRepository(session)
    if await repository.exists(thread_id):
        return False
    thread = Thread.start(thread_id=thread_id, security_model_id=model_id, subject=subject, body=body,
                          author=Author.SYSTEM, author_user_id=None, attachment=None, now=ctx.clock.now())
    await repository.add(thread)
    await _notify(session, ctx, thread)
    return True


async def _notify(session: AsyncSession, ctx: MessagingContext, thread: Thread) -> None:
    """Each new message: a notice to everyone else taking part, in the transaction that posted it (so a notice
    goes out if and only if the message is there)."""
    settings = NoticeSettings(session)
    recipients = (await settings.recipients(thread.security_model_id) if thread.security_model_id
                  else await settings.recipients_of_name_change(thread.id, thread.trade_account_id))
    queue = MailQueue(session, tables.mail_outbox)
    for notice in notices(recipients, author_user_id=thread.last.author_user_id, thread_subject=thread.subject,
                          company_name=await ReadModels(session).company_of(thread.security_model_id)
                          if thread.security_model_id else "",
                          link=f"{ctx.public_url.rstrip('/')}/messages/{thread.id}",
                          system=thread.last.author is Author.SYSTEM):
        await queue.enqueue(Mail(notice.recipient, notice.subject, notice.body), ctx.clock.now())


async def notification_settings(session: AsyncSession, principal: Principal) -> bool:
    return await NoticeSettings(session).wants_notices(principal.user_id)


async def choose_notifications(session: AsyncSession, principal: Principal, email_notices: bool) -> bool:
    """A user's own choice: notices of new messages by e-mail, or none."""
    await NoticeSettings(session).choose(principal.user_id, email_notices)
    return email_notices
