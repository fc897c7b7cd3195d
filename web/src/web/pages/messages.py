"""Messages (manual: Messages; MSG-01..MSG-05): the inbox, a thread, a reply, a new message, e-mail notices.

Messaging decides who takes part (a Security Model's contacts and its SCSS)
and keeps the read marks; these pages show its inbox newest first with the
unread threads marked, open a thread (and tell messaging it was read), and
post replies and new messages. An attachment is a document of the model's
C-TPAT Partner Library (messaging refers to documents by id): one chosen from
the library, or a file the page first uploads there through the documents API.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from web.forms import FormState
from web.listing import Listing
from web.page import Page, SignedInPage
from web.pages.documents import upload_to_library, uploaded_file
from web.portal_api import ApiProblem

router = APIRouter()

API = "/api/messaging"
DOCS = "/api/documents"
SORTS = {"last_posted_at": None}  # newest first (MSG-02) or oldest first; the API sorts
ATTACHABLE_SHOWN = 100  # the Partner Library's newest documents offered as attachments
FILE_HINT = "PDF, Word, Excel, PowerPoint, OpenDocument, an image or plain text, up to 25 MB."


def _listing(page: Page) -> Listing:
    return Listing.read(page.request, SORTS, "-last_posted_at")  # type: ignore[arg-type]


async def _models(page: Page) -> list[dict[str, Any]]:
    """The Security Models whose messages the user takes part in: documents names them with their Partner
    Libraries (the same people: the model's contacts and its SCSS)."""
    return (await page.api.get(f"{DOCS}/libraries"))["partner"]


def _model_label(model: dict[str, Any]) -> str:
    kinds = ", ".join(t.replace("_", " ").title() for t in model["business_types"])
    return f"{model['company_name']} ({kinds})" if kinds else model["company_name"]


async def _threads(page: Page, path: str, listing: Listing) -> Listing:
    found = await page.api.get(path, sort=listing.sort, limit=listing.size, offset=listing.offset)
    return listing.show(found["items"], found["total"])


# --- the inbox, and a model's threads --------------------------------------------------------------------------


@router.get("/messages")
async def inbox(page: SignedInPage) -> Response:
    listing = await _threads(page, f"{API}/inbox", _listing(page))
    return page.render("messages/inbox.html", listing=listing, model=None, new_url="/messages/new")


@router.get("/security-models/{model_id}/messages")
async def model_messages(page: SignedInPage, model_id: UUID) -> Response:
    listing, models = await asyncio.gather(
        _threads(page, f"{API}/security-models/{model_id}/threads", _listing(page)), _models(page))
    model = next((m for m in models if m["security_model_id"] == str(model_id)), None)
    model = model or {"security_model_id": str(model_id), "company_name": ""}
    return page.render("messages/inbox.html", listing=listing, model=model,
                       new_url=f"/security-models/{model_id}/messages/new")


# --- e-mail notices ----------------------------------------------------------------------------------------------


@router.get("/messages/settings")
async def notification_settings(page: SignedInPage) -> Response:
    settings = await page.api.get(f"{API}/me/notification-settings")
    return page.render("messages/settings.html", email_notices=settings["email_notices"])


@router.post("/messages/settings")
async def choose_notification_settings(page: SignedInPage) -> Response:
    wanted = page.field("email_notices") == "on"
    await page.api.put(f"{API}/me/notification-settings", {"email_notices": wanted})
    return page.redirect("/messages", notice="You will get an e-mail for each new message." if wanted
                         else "You will no longer get an e-mail for new messages.")


# --- a new message ---------------------------------------------------------------------------------------------


@router.get("/messages/new")
async def choose_model(page: SignedInPage, security_model_id: UUID | None = None) -> Response:
    """The manual's "select your C-TPAT account from the list": straight on when there is one."""
    models = await _models(page)
    if security_model_id is not None:
        return page.redirect(f"/security-models/{security_model_id}/messages/new")
    if len(models) == 1:
        return page.redirect(f"/security-models/{models[0]['security_model_id']}/messages/new")
    return page.render("messages/choose_model.html", form=page.form_state(),
                       models=[(m["security_model_id"], _model_label(m)) for m in models])


async def _attachable(page: Page, model_id: str) -> list[tuple[str, str]]:
    found = await page.api.get(f"{DOCS}/libraries/partner/documents", security_model_id=model_id,
                               sort="-updated_at", limit=ATTACHABLE_SHOWN)
    return [(d["id"], d["title"]) for d in found["items"]]


async def _nothing() -> list:
    return []


async def _document_types(page: Page) -> list[tuple[str, str]]:
    return [(t["code"], t["name"]) for t in await page.reference(f"{DOCS}/document-types")]


class AttachmentRefused(Exception):
    def __init__(self, form: FormState) -> None:
        self.form = form


async def _attachment(page: Page, model_id: str | None) -> tuple[str | None, str | None]:
    """The document to attach: one chosen from the Partner Library, or the file given, uploaded there first.
    Returns (document id, title of a document uploaded just now)."""
    file, chosen = uploaded_file(page), page.field("document_id") or None
    if model_id is None:
        return chosen, None  # a request to CBP about the Trade Account: messaging refuses any attachment itself
    if file and chosen:
        form = page.form_state()
        form.local_errors["file"] = "choose a document from the library or upload a file, not both"
        raise AttachmentRefused(form)
    if not file:
        return chosen, None
    try:
        document = await upload_to_library(page, "partner", model_id, (file.filename or "Attachment")[:200],
                                           page.field("document_type") or "other", file)
    except ApiProblem as problem:
        if problem.status not in (409, 413, 415, 422):
            raise
        if "title" in problem.errors:  # the title is the file's name here
            problem.errors.setdefault("file", "its name " + problem.errors.pop("title"))
        raise AttachmentRefused(page.form_state(problem)) from problem
    return document["id"], document["title"]


def _uploaded_note(title: str | None) -> str | None:
    if not title:
        return None
    return f"Your file was saved to the C-TPAT Partner Library as “{title}” and is chosen below; send again."


async def _new_form(page: Page, model_id: UUID, form: FormState, status: int = 200,
                    uploaded: str | None = None) -> Response:
    models, types = await asyncio.gather(_models(page), _document_types(page))
    model = next((m for m in models if m["security_model_id"] == str(model_id)), None)
    if model is None:
        # Not a model of this user: messaging's own answer (404 or 403), as the error page.
        await page.api.get(f"{API}/security-models/{model_id}/threads", limit=1)
    return page.render("messages/new.html", status=status, form=form, model_id=str(model_id),
                       model_name=_model_label(model) if model else "",
                       attachable=await _attachable(page, str(model_id)) if model else [],
                       types=types, uploaded=_uploaded_note(uploaded), file_hint=FILE_HINT)


@router.get("/security-models/{model_id}/messages/new")
async def new_message_form(page: SignedInPage, model_id: UUID) -> Response:
    return await _new_form(page, model_id, page.form_state(document_type="other"))


@router.post("/security-models/{model_id}/messages/new")
async def send_new_message(page: SignedInPage, model_id: UUID) -> Response:
    """MSG-04: a new thread to the model's SCSS (from the SCSS: to its contacts)."""
    try:
        document_id, uploaded = await _attachment(page, str(model_id))
    except AttachmentRefused as refused:
        return await _new_form(page, model_id, refused.form, refused.form.problem.status
                               if refused.form.problem else 422)
    try:
        thread = await page.api.post(f"{API}/security-models/{model_id}/threads", {
            "subject": page.field("subject"), "body": page.field("body"), "document_id": document_id})
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _new_form(page, model_id, page.form_state(problem, document_id=document_id or ""),
                               problem.status, uploaded)
    return page.redirect(f"/messages/{thread['id']}", notice="Your message was sent.")


# --- a thread ---------------------------------------------------------------------------------------------------


def _author(message: dict[str, Any], viewer_id: str, staff: bool) -> str:
    if message["author_user_id"] == viewer_id:
        return "You"
    return {
        "contact": "Trade partner contact" if staff else "A contact of your company",
        "scss": "Supply Chain Security Specialist (SCSS)",
        "management": "CBP C-TPAT program",
        "system": "C-TPAT Portal",
    }.get(message["author"], message["author"])


async def _thread_page(page: Page, thread_id: UUID, form: FormState | None = None, status: int = 200,
                       uploaded: str | None = None) -> Response:
    thread = await page.api.get(f"{API}/threads/{thread_id}")
    model_id = thread["security_model_id"]
    attaching = bool(model_id and thread["status"] == "open")
    models, attachable, types = await asyncio.gather(
        _models(page), _attachable(page, model_id) if attaching else _nothing(),
        _document_types(page) if attaching else _nothing())
    model = next((m for m in models if m["security_model_id"] == model_id), None) if model_id else None
    viewer = page.viewer
    authors = {m["id"]: _author(m, viewer.user_id if viewer else "", bool(viewer and viewer.is_staff))
               for m in thread["messages"]}
    return page.render("messages/thread.html", status=status, thread=thread, authors=authors,
                       company=model["company_name"] if model else "",
                       form=form or page.form_state(document_type="other"),
                       attachable=attachable, types=types,
                       uploaded=_uploaded_note(uploaded), file_hint=FILE_HINT)


@router.get("/messages/{thread_id}")
async def thread_page(page: SignedInPage, thread_id: UUID) -> Response:
    """MSG-03: every message, newest on top. Once shown, the page tells messaging it was read (htmx, with the
    session's CSRF token like any change)."""
    return await _thread_page(page, thread_id)


@router.post("/messages/{thread_id}/read")
async def mark_read(page: SignedInPage, thread_id: UUID) -> Response:
    await page.api.post(f"{API}/threads/{thread_id}/read")
    if page.request.headers.get("hx-request"):
        return Response(status_code=204)
    return page.redirect(f"/messages/{thread_id}")


@router.post("/messages/{thread_id}/reply")
async def reply(page: SignedInPage, thread_id: UUID) -> Response:
    """MSG-03: a reply goes to the same thread."""
    thread = await page.api.get(f"{API}/threads/{thread_id}")
    try:
        document_id, uploaded = await _attachment(page, thread["security_model_id"])
    except AttachmentRefused as refused:
        return await _thread_page(page, thread_id, refused.form,
                                  refused.form.problem.status if refused.form.problem else 422)
    try:
        await page.api.post(f"{API}/threads/{thread_id}/messages",
                            {"body": page.field("body"), "document_id": document_id})
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _thread_page(page, thread_id, page.form_state(problem, document_id=document_id or ""),
                                  problem.status, uploaded)
    return page.redirect(f"/messages/{thread_id}", notice="Your reply was sent.")
