"""CBP's own screens: the SCSS work queue, Management's approvals, the Helpdesk (manual: the CBP side of
C-TPAT review; requirements CT-12..CT-16, TA-11, ID-08/ID-12's Helpdesk).

Every decision here is the API's: ctpat says who may review, change a status or decide an operation;
trade-accounts says whose approval a request waits for; identity says who acts for the Helpdesk. These
pages show what those services return and post what staff type, with the services' refusals beside the
fields they name. The one Security Model's screens are in `cbp_models`.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from web.forms import FormState
from web.listing import Listing
from web.page import SignedInPage
from web.portal_api import ApiProblem

router = APIRouter()

# CT-14's statuses as the manual names them.
STATUS_NAMES = {
    "applicant": "Applicant",
    "under_review": "Under Review",
    "certified": "Certified",
    "certified_validated": "Certified-Validated (Tier II)",
    "certified_exceeding": "Certified-Exceeding (Tier III)",
    "certified_non_importer_validated": "Certified Non-Importer Validation Completed",
    "suspended": "Suspended",
    "removed": "Removed",
    "withdrawn": "Withdrawn",
}
OPERATION_NAMES = {"expand": "Expand", "extract": "Extract", "split": "Split", "merge": "Merge"}
HELPDESK_ACTIONS = {
    "unlock_sign_in": ("Unlock sign-in", "Unlock this user's sign-in?",
                       "The locks from repeated failed sign-ins are lifted: the user can sign in again at once."),
    "clear_security_questions": ("Clear security questions", "Clear this user's security questions?",
                                 "The user's three security questions and answers are removed; they choose new ones "
                                 "at their next sign-in."),
    "send_reset_link": ("Send a reset link", "Send this user a password reset link?",
                        "A password reset link is emailed to the user. If their security questions were cleared, "
                        "the link asks none."),
}


def short_id(value: Any) -> str:
    return str(value or "")[:8]


async def _get_or_none(page, path: str, **params: Any) -> Any:
    """A read that may be refused (a name to show, not the page's substance): None instead of an error."""
    try:
        return await page.api.get(path, **params)
    except ApiProblem:
        return None


async def type_names(page, version: int | None = None) -> dict[str, str]:
    """Business types as the catalogue names them (`highway_carrier` -> Highway Carrier); sub-types as
    `sub:<code>` (a sub-type may share its type's code)."""
    try:
        catalogue = await page.reference("/api/ctpat/catalogue", version=version)
    except ApiProblem:
        catalogue = None  # names to show, not the page's substance
    names: dict[str, str] = {}
    for business_type in (catalogue or {}).get("business_types", []):
        names[business_type["code"]] = business_type["name"]
        names.update({f"sub:{s['code']}": s["name"] for s in business_type["sub_types"]})
    return names


# --- the work queue (CT-12, CT-13, CT-15, MSG-02) --------------------------------------------------------------

QUEUE_KINDS = {"profile": "Security Profile to review", "review": "Annual review to approve",
               "validation": "Validation response to read", "message": "Unread message"}


def _queue_rows(queue: list[dict], threads: list[dict]) -> list[dict]:
    rows: list[dict] = []
    for item in queue:
        model = f"/cbp/security-models/{item['security_model_id']}"
        common = {"company": item["company_name"] or "(company name not known yet)",
                  "business_types": item["business_types"], "status": item["status"],
                  "since": item["waiting_since"]}
        if item["profile_submitted"]:
            rows.append({**common, "kind": "profile", "what": QUEUE_KINDS["profile"], "link": model + "#review"})
        for year in item["reviews_submitted"]:
            rows.append({**common, "kind": "review", "what": f"Annual review {year} to approve",
                         "link": f"{model}/annual-reviews"})
        if item["responses_submitted"]:
            count = item["responses_submitted"]
            what = QUEUE_KINDS["validation"] if count == 1 else f"{count} validation responses to read"
            rows.append({**common, "kind": "validation", "what": what, "link": f"{model}/validations"})
    for thread in threads:
        rows.append({"kind": "message", "what": f"Unread message: {thread['subject']}",
                     "company": thread["company_name"], "business_types": [], "status": None,
                     "since": thread["last_posted_at"], "link": f"/messages/{thread['id']}"})
    return rows


async def _queue_page(page, kind: str = "", *, status: int = 200, open_form: FormState | None = None) -> Response:
    viewer = page.viewer
    queue: list[dict] = []
    if viewer.has("scss") or not viewer.is_staff:
        queue = await page.api.get("/api/ctpat/work-queue")  # anyone else: the API's own refusal
    inbox = await _get_or_none(page, "/api/messaging/inbox", limit=200, offset=0)
    threads = [t for t in (inbox or {}).get("items", []) if t["unread"]]
    rows = _queue_rows(queue, threads)
    if kind in QUEUE_KINDS:
        rows = [r for r in rows if r["kind"] == kind]
    listing = Listing.read(page.request, {
        "since": lambda r: r["since"], "company": lambda r: r["company"], "what": lambda r: r["what"],
    }, "since").arrange(rows)
    listing.path, listing.kept = "/cbp/work-queue", ({"kind": kind} if kind else {})
    return page.render("cbp/work_queue.html", status=status, listing=listing, kind=kind, types=await type_names(page),
                       kinds=list(QUEUE_KINDS.items()), status_names=STATUS_NAMES,
                       open_form=open_form or page.form_state())


@router.get("/cbp/work-queue")
async def work_queue(page: SignedInPage, kind: str = "") -> Response:
    return await _queue_page(page, kind)


@router.get("/cbp/security-models")
async def open_model(page: SignedInPage, id: str = "") -> Response:
    """Staff open a Security Model by its ID (from a message, a call, another screen)."""
    try:
        model_id = UUID(id.strip())
    except ValueError:
        form = FormState(values={"id": id}, local_errors={
            "id": "must be a Security Model ID, such as 3f2b1c9e-7a44-4d0e-9b1a-2c5d8e6f7a90"})
        return await _queue_page(page, status=422, open_form=form)
    return page.redirect(f"/cbp/security-models/{model_id}")


# --- Management's approvals: Security Model operations (CT-16..CT-19) and Trade Account requests (TA-11) -------


async def _model_names(page, model_ids: set[str]) -> dict[str, str]:
    found = await asyncio.gather(*(_get_or_none(page, f"/api/ctpat/security-models/{m}") for m in model_ids))
    return {m: (body or {}).get("company_name") or f"Security Model {short_id(m)}" for m, body in
            zip(model_ids, found, strict=True)}


async def _account_names(page, account_ids: set[str]) -> dict[str, str]:
    found = await asyncio.gather(*(_get_or_none(page, f"/api/trade-accounts/trade-accounts/{a}")
                                   for a in account_ids))
    return {a: ((body or {}).get("company_information") or {}).get("company_name") or f"Trade Account {short_id(a)}"
            for a, body in zip(account_ids, found, strict=True)}


@router.get("/cbp/approvals")
async def approvals(page: SignedInPage) -> Response:
    operations = await page.api.get("/api/ctpat/model-operations")
    listing = Listing.read(page.request, {
        "requested_at": lambda o: o["requested_at"], "kind": lambda o: o["kind"],
    }, "requested_at").arrange(operations)
    names = await _model_names(page, {str(o["security_model_id"]) for o in listing.rows}
                               | {str(o["other_model_id"]) for o in listing.rows if o["other_model_id"]})
    return page.render("cbp/approvals.html", listing=listing, names=names, operation_names=OPERATION_NAMES,
                       tab="operations", types=await type_names(page))


@router.get("/cbp/approvals/trade-account-requests")
async def trade_account_approvals(page: SignedInPage) -> Response:
    tasks = await page.api.get("/api/trade-accounts/tasks")
    listing = Listing.read(page.request, {
        "requested_at": lambda r: r["requested_at"], "kind": lambda r: r["kind"],
    }, "requested_at").arrange(tasks["to_act_on"])
    names = await _account_names(page, {str(a) for r in listing.rows
                                        for a in (r["parent_id"], r["subsidiary_id"], r["requesting_account_id"]) if a})
    return page.render("cbp/approvals_requests.html", listing=listing, names=names, tab="requests")


async def _pending_operation(page, operation_id: UUID) -> dict:
    pending = await page.api.get("/api/ctpat/model-operations")
    found = next((o for o in pending if o["id"] == str(operation_id)), None)
    if found is None:
        raise ApiProblem(404, "Not found", "This request is no longer waiting for a decision (it was decided, or "
                                           "there is no such request).")
    return found


async def _operation_page(page, operation_id: UUID, *, status: int = 200, form: FormState | None = None,
                          failed: str = "") -> Response:
    operation = await _pending_operation(page, operation_id)
    ids = {str(operation["security_model_id"])} | ({str(operation["other_model_id"])}
                                                     if operation["other_model_id"] else set())
    names = await _model_names(page, ids)
    operations = await _get_or_none(page, f"/api/ctpat/security-models/{operation['security_model_id']}/operations")
    return page.render("cbp/operation.html", status=status, operation=operation, names=names,
                       operation_names=OPERATION_NAMES, form=form or page.form_state(), failed=failed,
                       types=await type_names(page),
                       earlier=[o for o in operations or [] if o["id"] != operation["id"]])


@router.get("/cbp/approvals/operations/{operation_id}")
async def operation(page: SignedInPage, operation_id: UUID) -> Response:
    return await _operation_page(page, operation_id)


@router.post("/cbp/approvals/operations/{operation_id}/decision")
async def decide_operation(page: SignedInPage, operation_id: UUID) -> Response:
    decision = page.field("decision")
    reason = page.field("reason").strip()
    try:
        await page.api.post(f"/api/ctpat/model-operations/{operation_id}/decision",
                            {"decision": decision, "reason": reason or None})
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _operation_page(page, operation_id, status=problem.status, form=page.form_state(problem),
                                     failed=decision)
    said = "approved: it has taken effect" if decision == "approve" else "declined"
    return page.redirect("/cbp/approvals", notice=f"The request was {said}.")


async def _request_page(page, request_id: UUID, *, status: int = 200, form: FormState | None = None,
                        failed: str = "") -> Response:
    request = await page.api.get(f"/api/trade-accounts/trade-account-requests/{request_id}")
    ids = {str(a) for a in (request["parent_id"], request["subsidiary_id"], request["requesting_account_id"]) if a}
    names = await _account_names(page, ids)
    models = await _model_names(page, {str(m) for m in request["moving_security_model_ids"]})
    waiting = any(a["kind"] == "management" and a["decision"] is None for a in request["approvals"]) \
        and request["status"] == "pending"
    return page.render("cbp/request.html", status=status, request=request, names=names, models=models,
                       waiting=waiting, form=form or page.form_state(), failed=failed)


@router.get("/cbp/approvals/trade-account-requests/{request_id}")
async def trade_account_request(page: SignedInPage, request_id: UUID) -> Response:
    return await _request_page(page, request_id)


@router.post("/cbp/approvals/trade-account-requests/{request_id}/decision")
async def decide_trade_account_request(page: SignedInPage, request_id: UUID) -> Response:
    decision = page.field("decision")
    reason = page.field("reason").strip()
    try:
        await page.api.post(f"/api/trade-accounts/trade-account-requests/{request_id}/decision",
                            {"decision": decision, "reason": reason or None})
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _request_page(page, request_id, status=problem.status, form=page.form_state(problem),
                                   failed=decision)
    said = "approved" if decision == "approved" else "declined"
    return page.redirect("/cbp/approvals/trade-account-requests", notice=f"The Trade Account request was {said}.")


# --- the Helpdesk (CBP Admins) --------------------------------------------------------------------------------

HISTORY_LIMIT = 500  # identity's most; its list is newest first


async def _helpdesk_page(page, email: str, *, status: int = 200, lookup: FormState | None = None,
                         form: FormState | None = None, failed: str = "") -> Response:
    lookup = lookup or FormState(values={"email": email})
    history: list[dict] = []
    found = False
    try:
        history = await page.api.get("/api/identity/helpdesk/actions", email=email or None, limit=HISTORY_LIMIT)
        found = bool(email)
    except ApiProblem as problem:
        if problem.status not in (404, 422):
            raise
        lookup = FormState(values={"email": email}, problem=problem)
        if problem.status == 404 and not problem.errors:
            lookup.problem = None
            lookup.local_errors["email"] = "No user has this email address."
        status = problem.status if status == 200 else status
    listing = Listing.read(page.request, {
        "occurred_at": lambda a: a["occurred_at"], "action": lambda a: a["action"],
        "user_email": lambda a: a["user_email"], "actor_email": lambda a: a["actor_email"],
    }, "-occurred_at").arrange(history)
    # A refused action re-renders here from its POST: the list's links still lead to this page.
    listing.path, listing.kept = "/cbp/helpdesk", ({"email": email} if email else {})
    return page.render("cbp/helpdesk.html", status=status, email=email if found else "", listing=listing,
                       lookup=lookup, form=form or page.form_state(), failed=failed, actions=HELPDESK_ACTIONS)


@router.get("/cbp/helpdesk")
async def helpdesk(page: SignedInPage, email: str = "") -> Response:
    return await _helpdesk_page(page, email.strip())


@router.post("/cbp/helpdesk/actions")
async def helpdesk_action(page: SignedInPage) -> Response:
    email, action = page.field("email").strip(), page.field("action")
    try:
        await page.api.post("/api/identity/helpdesk/actions",
                            {"action": action, "email": email, "reason": page.field("reason")})
    except ApiProblem as problem:
        if problem.status not in (404, 409, 422):
            raise
        return await _helpdesk_page(page, email, status=problem.status, form=page.form_state(problem),
                                    failed=action)
    done = HELPDESK_ACTIONS.get(action, (action,))[0]
    return page.redirect(f"/cbp/helpdesk?{urlencode({'email': email})}",
                         notice=f"Done: {done} for {email}. It is recorded in the history below.")
