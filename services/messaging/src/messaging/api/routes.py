"""messaging's endpoints: each parses, calls one use case, and returns."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from messaging import use_cases
from messaging.api.deps import Context
from messaging.api.schemas import (
    AttachmentBody,
    MessageBody,
    NameChangeRequest,
    NewThreadRequest,
    NotificationSettingsBody,
    ReplyRequest,
    ThreadBody,
    ThreadPageBody,
    ThreadRowBody,
    ThreadSort,
)
from messaging.domain.thread import Message, Thread
from servicekit.db import TransactionalRoute
from servicekit.deps import CurrentPrincipal, DbReads, DbSession
from servicekit.openapi import operation_id, problem_responses

router = APIRouter(route_class=TransactionalRoute, generate_unique_id_function=operation_id, tags=["messaging"])

Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _message(m: Message) -> MessageBody:
    return MessageBody(id=m.id, sequence=m.sequence, author=m.author, author_user_id=m.author_user_id, body=m.body,
                       attachment=AttachmentBody(document_id=m.attachment.document_id, title=m.attachment.title)
                       if m.attachment else None, posted_at=m.posted_at)


def _thread(thread: Thread) -> ThreadBody:
    return ThreadBody(id=thread.id, security_model_id=thread.security_model_id,
                      trade_account_id=thread.trade_account_id, subject=thread.subject, kind=thread.kind.value,
                      status=thread.status.value, created_at=thread.created_at,
                      messages=[_message(m) for m in thread.newest_first()])


def _page(rows: list[dict], total: int, limit: int, offset: int) -> ThreadPageBody:
    return ThreadPageBody(items=[ThreadRowBody(**r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/security-models/{model_id}/threads")
async def model_threads(model_id: UUID, principal: CurrentPrincipal, reads: DbReads, limit: Limit = 50,
                        offset: Offset = 0, sort: ThreadSort = "-last_posted_at") -> ThreadPageBody:
    """MSG-01, MSG-02: the model's threads, newest first (`sort=last_posted_at`: oldest first), unread ones
    marked for you."""
    rows, total = await use_cases.threads_of_model(reads, principal, model_id, limit, offset, sort.startswith("-"))
    return _page(rows, total, limit, offset)


@router.post("/security-models/{model_id}/threads", status_code=status.HTTP_201_CREATED,
             responses=problem_responses(409))
async def start_thread(model_id: UUID, body: NewThreadRequest, principal: CurrentPrincipal, session: DbSession,
                       ctx: Context) -> ThreadBody:
    """MSG-04: a new message, as a new thread, between the model's contacts and its SCSS."""
    thread = await use_cases.start_thread(session, ctx, principal, model_id, body.subject, body.body,
                                          body.document_id)
    return _thread(thread)


@router.post("/trade-accounts/{trade_account_id}/name-change-requests", status_code=status.HTTP_201_CREATED,
             responses=problem_responses(409))
async def ask_name_change(trade_account_id: UUID, body: NameChangeRequest, principal: CurrentPrincipal,
                          session: DbSession, ctx: Context) -> ThreadBody:
    """From the Organization Profile: ask CBP (the assigned SCSS, or the program's mailbox) to change the company
    name; the thread closes when the name is changed."""
    return _thread(await use_cases.ask_name_change(session, ctx, principal, trade_account_id, body.requested_name,
                                                   body.reason))


@router.get("/inbox")
async def inbox(principal: CurrentPrincipal, reads: DbReads, limit: Limit = 50, offset: Offset = 0,
                sort: ThreadSort = "-last_posted_at") -> ThreadPageBody:
    """MSG-02: every thread you take part in, newest first (`sort=last_posted_at`: oldest first): an SCSS's
    accounts in one list."""
    rows, total = await use_cases.inbox(reads, principal, limit, offset, sort.startswith("-"))
    return _page(rows, total, limit, offset)


@router.get("/threads/{thread_id}")
async def get_thread(thread_id: UUID, principal: CurrentPrincipal, reads: DbReads) -> ThreadBody:
    """MSG-03: every message of the thread, the newest on top."""
    view = await use_cases.show_thread(reads, principal, thread_id)
    t = view.thread
    return ThreadBody(id=t.id, security_model_id=t.security_model_id, trade_account_id=t.trade_account_id,
                      subject=t.subject, kind=t.kind, status=t.status, created_at=t.created_at,
                      messages=[_message(m) for m in view.messages],
                      unread_before=view.read_count < t.message_count)


@router.post("/threads/{thread_id}/messages", status_code=status.HTTP_201_CREATED, responses=problem_responses(409))
async def reply_to_thread(thread_id: UUID, body: ReplyRequest, principal: CurrentPrincipal, session: DbSession,
                          ctx: Context) -> ThreadBody:
    """MSG-03: a reply, to the same thread."""
    return _thread(await use_cases.reply(session, ctx, principal, thread_id, body.body, body.document_id))


@router.post("/threads/{thread_id}/read", status_code=status.HTTP_204_NO_CONTENT)
async def mark_thread_read(thread_id: UUID, principal: CurrentPrincipal, session: DbSession) -> Response:
    """MSG-02: you have read the thread: it is no longer marked unread for you (for you only)."""
    await use_cases.mark_read(session, principal, thread_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/notification-settings")
async def my_notification_settings(principal: CurrentPrincipal, session: DbSession) -> NotificationSettingsBody:
    """Whether you get an e-mailed notice of each new message (yes, until you say no)."""
    return NotificationSettingsBody(email_notices=await use_cases.notification_settings(session, principal))


@router.put("/me/notification-settings")
async def choose_notification_settings(body: NotificationSettingsBody, principal: CurrentPrincipal,
                                       session: DbSession) -> NotificationSettingsBody:
    """Your own choice; nobody else's changes."""
    return NotificationSettingsBody(email_notices=await use_cases.choose_notifications(
        session, principal, body.email_notices))
