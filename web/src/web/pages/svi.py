"""The Status Verification Interface (manual: Status Verification Interface (Partner Monitoring)).

A Security Model's SVI screens, under /security-models/{model_id}/svi: the SVI
agreement (ctpat signs and revokes it), requesting monitoring (search, several
companies in one save), the two lists with their filters and the monitoring
partner's decisions, and the settings and certification notice that came after
the manual. svi owns every rule (who takes part, who may ask, what a decline
blocks); these pages send what was chosen and show its answers, a refusal next
to the company or field it names.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from web.forms import FormState
from web.listing import Listing
from web.page import SignedInPage, safe_next
from web.portal_api import ApiProblem

router = APIRouter()

CERTIFIED_OR_ABOVE = ("certified", "certified_validated", "certified_exceeding", "certified_non_importer_validated")
STATES = ["pending", "accepted", "declined", "revoked"]
LISTS = {
    # the web path -> (the API's list, the screen's title)
    "partners-monitoring-you": ("partners-monitoring-you", "Partners monitoring you"),
    "partners-you-monitor": ("partners-you-monitor", "Partners you monitor"),
}
SORTS = {
    "company_name": lambda r: r["company_name"],
    "state": lambda r: r["state"],
    "since": lambda r: r["since"],
    "certified": lambda r: None if r["certified"] is None else ("Certified" if r["certified"] else "Not Certified"),
}
DECISIONS = {
    "accept": "You accepted {name}'s request: you now monitor its C-TPAT status.",
    "decline": "You declined {name}'s request. It cannot ask again until you remove the block.",
    "revoke": "You revoked monitoring of {name}. It cannot ask again until you remove the block.",
}
_INDEXED = re.compile(r"^monitoring_model_ids\[(\d+)\]$")


def _base(model_id: UUID) -> str:
    return f"/security-models/{model_id}/svi"


async def _frame(page, model_id: UUID) -> dict[str, Any]:
    """What every SVI screen shows at its top: the company, its status, and whether it takes part."""
    model, programs = await asyncio.gather(
        page.api.get(f"/api/ctpat/security-models/{model_id}"),
        page.api.get(f"/api/ctpat/security-models/{model_id}/international"),
    )
    program = next((p for p in programs if p["agreement"] == "svi"), None)
    signature = program["signature"] if program else None
    signed = bool(signature and not signature.get("revoked_at"))
    return {
        "model": model, "model_id": model_id, "base": _base(model_id), "program": program,
        "signature": signature if signed else None,
        "participates": signed and model["status"] in CERTIFIED_OR_ABOVE,
    }


# --- the SVI agreement ---------------------------------------------------------------------------------------


async def _agreement_version(page) -> str:
    catalogue = await page.reference("/api/ctpat/catalogue")
    return next((a["version"] for a in catalogue["agreements"] if a["agreement"] == "svi"), "")


@router.get("/security-models/{model_id}/svi")
async def agreement(page: SignedInPage, model_id: UUID) -> Response:
    frame, version = await asyncio.gather(_frame(page, model_id), _agreement_version(page))
    return page.render("svi/agreement.html", tab="agreement", form=page.form_state(), version=version, **frame)


@router.post("/security-models/{model_id}/svi/agreement")
async def sign_agreement(page: SignedInPage, model_id: UUID) -> Response:
    form = page.form_state()
    if page.field("agree") != "yes":
        form.local_errors["agree"] = "Tick the box to agree to the SVI agreement before you sign it."
    if not form.failed:
        try:
            await page.api.post(f"/api/ctpat/security-models/{model_id}/agreements", {
                "agreement": "svi", "agreement_version": page.field("agreement_version"),
                "signer_name": page.field("signer_name"),
            })
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            form.problem = problem
    if form.failed:
        frame, version = await asyncio.gather(_frame(page, model_id), _agreement_version(page))
        return page.render("svi/agreement.html", status=form.problem.status if form.problem else 422,
                           tab="agreement", form=form, version=version, **frame)
    return page.redirect(_base(model_id), notice="You signed the SVI agreement. Your company now takes part in SVI.")


@router.post("/security-models/{model_id}/svi/agreement/revocation")
async def revoke_agreement(page: SignedInPage, model_id: UUID) -> Response:
    try:
        await page.api.post(f"/api/ctpat/security-models/{model_id}/agreements/svi/revocation")
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        frame, version = await asyncio.gather(_frame(page, model_id), _agreement_version(page))
        return page.render("svi/agreement.html", status=409, tab="agreement", form=page.form_state(problem),
                           version=version, **frame)
    return page.redirect(_base(model_id), notice="You revoked the SVI agreement. Your company no longer "
                                                 "takes part in SVI, and its monitoring lists were cleared.")


# --- requesting monitoring -------------------------------------------------------------------------------


async def _search(page, model_id: UUID, q: str) -> tuple[list[dict], FormState | None]:
    """The companies found for `q`, each with where this model's request to it stands; or the refusal."""
    if not q.strip():
        return [], None
    try:
        found, asked = await asyncio.gather(
            page.api.get(f"/api/svi/security-models/{model_id}/partner-search", q=q),
            page.api.get(f"/api/svi/security-models/{model_id}/partners-monitoring-you"),
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return [], FormState(values={"q": q}, problem=problem)
    states = {row["partner_security_model_id"]: row["state"] for row in asked}
    return [{**company, "asked": states.get(company["security_model_id"])} for company in found], None


async def _request_page(page, model_id: UUID, q: str, *, form: FormState | None = None, selected=(),
                        row_errors: dict[str, str] | None = None, other_errors: dict[str, str] | None = None,
                        status: int = 200) -> Response:
    frame = await _frame(page, model_id)
    results, refused = await _search(page, model_id, q)
    return page.render(
        "svi/request.html", status=status, tab="request", q=q, results=results, searched=bool(q.strip()),
        search_form=refused or FormState(values={"q": q}), form=form or page.form_state(),
        selected=set(selected), row_errors=row_errors or {}, other_errors=other_errors or {}, **frame,
    )


@router.get("/security-models/{model_id}/svi/request")
async def request_form(page: SignedInPage, model_id: UUID, q: str = "") -> Response:
    return await _request_page(page, model_id, q[:200])


@router.post("/security-models/{model_id}/svi/request")
async def request_monitoring(page: SignedInPage, model_id: UUID) -> Response:
    q = page.field("q")[:200]
    chosen = list(dict.fromkeys(v for v in page.form.getlist("monitoring_model_ids") if isinstance(v, str)))
    every_model = page.field("scope") == "trade_account"
    form = page.form_state()
    if not chosen:
        form.local_errors["monitoring_model_ids"] = "Select at least one company."
    else:
        try:
            if every_model:
                model = await page.api.get(f"/api/ctpat/security-models/{model_id}")
                made = await page.api.post(
                    f"/api/svi/trade-accounts/{model['trade_account_id']}/monitoring-requests",
                    {"monitoring_model_ids": chosen})
            else:
                made = await page.api.post(f"/api/svi/security-models/{model_id}/monitoring-requests",
                                           {"monitoring_model_ids": chosen})
        except ApiProblem as problem:
            if problem.status not in (404, 409, 422) or (problem.status == 404 and not every_model):
                raise
            form.problem = problem
    if form.failed:
        row_errors, other = {}, {}
        for name, message in form.errors.items():
            index = _INDEXED.match(name)
            # Only a request for this model numbers the companies as they were sent.
            if index and not every_model and int(index.group(1)) < len(chosen):
                row_errors[chosen[int(index.group(1))]] = message
            else:
                other[name] = message
        return await _request_page(page, model_id, q, form=form, selected=chosen, row_errors=row_errors,
                                   other_errors=other, status=form.problem.status if form.problem else 422)
    count = len(made)
    if every_model:
        notice = (f"{count} monitoring request{'s were' if count != 1 else ' was'} sent for your company's "
                  "Security Models in SVI.")
    else:
        notice = f"{count} monitoring request{'s were' if count != 1 else ' was'} sent. Each is pending until " \
                 "the company accepts or declines it."
    return page.redirect(f"{_base(model_id)}/partners-monitoring-you", notice=notice)


# --- the two lists, and the monitoring partner's decisions ---------------------------------------------------


async def _list_page(page, model_id: UUID, which: str, problem: ApiProblem | None = None) -> Response:
    api_list, title = LISTS[which]
    state = page.request.query_params.get("state", "")
    state = state if state in STATES else ""
    listing = Listing.read(page.request, SORTS, "company_name")
    frame, rows = await asyncio.gather(
        _frame(page, model_id),
        page.api.get(f"/api/svi/security-models/{model_id}/{api_list}", state=state or None),
    )
    listing.arrange(rows)
    return page.render("svi/list.html", status=problem.status if problem else 200, tab=which, which=which,
                       title=title, listing=listing, state=state, states=STATES, problem=problem,
                       back=page.request.url.path + (f"?{page.request.url.query}" if page.request.url.query else ""),
                       **frame)


@router.get("/security-models/{model_id}/svi/partners-monitoring-you")
async def partners_monitoring_you(page: SignedInPage, model_id: UUID) -> Response:
    return await _list_page(page, model_id, "partners-monitoring-you")


@router.get("/security-models/{model_id}/svi/partners-you-monitor")
async def partners_you_monitor(page: SignedInPage, model_id: UUID) -> Response:
    return await _list_page(page, model_id, "partners-you-monitor")


def _back(page, model_id: UUID) -> str:
    wanted = safe_next(page.field("back"))
    return wanted if wanted.startswith(f"{_base(model_id)}/partners-") else f"{_base(model_id)}/partners-you-monitor"


async def _refused(page, model_id: UUID, problem: ApiProblem) -> Response:
    """A decision the API refused (decided meanwhile in another window): the list again, saying why."""
    if problem.status != 409:
        raise problem
    return await _list_page(page, model_id, "partners-you-monitor", problem)


@router.post("/security-models/{model_id}/svi/requests/{request_id}/decision")
async def decide(page: SignedInPage, model_id: UUID, request_id: UUID) -> Response:
    decision = page.field("decision")
    try:
        await page.api.post(f"/api/svi/monitoring-requests/{request_id}/decision", {"decision": decision})
    except ApiProblem as problem:
        return await _refused(page, model_id, problem)
    name = page.field("company_name")[:200] or "the company"
    notice = DECISIONS.get(decision, "Saved.").format(name=name)
    return page.redirect(_back(page, model_id), notice=notice)


@router.post("/security-models/{model_id}/svi/requests/{request_id}/block-removal")
async def remove_block(page: SignedInPage, model_id: UUID, request_id: UUID) -> Response:
    try:
        await page.api.post(f"/api/svi/monitoring-requests/{request_id}/block-removal")
    except ApiProblem as problem:
        return await _refused(page, model_id, problem)
    name = page.field("company_name")[:200] or "the company"
    return page.redirect(_back(page, model_id),
                         notice=f"You removed the block: {name} may ask you to monitor it again.")


# --- settings and the certification notice (beyond the manual) ------------------------------------------------


async def _settings_page(page, model_id: UUID, *, settings_form: FormState | None = None,
                         notice_form: FormState | None = None, status: int = 200) -> Response:
    frame, current = await asyncio.gather(
        _frame(page, model_id), page.api.get(f"/api/svi/security-models/{model_id}/svi-settings"))
    if settings_form is None:
        settings_form = FormState(values={k: "on" if v else "" for k, v in current.items()})
    return page.render("svi/settings.html", status=status, tab="settings", settings_form=settings_form,
                       notice_form=notice_form or FormState(), **frame)


@router.get("/security-models/{model_id}/svi/settings")
async def settings(page: SignedInPage, model_id: UUID) -> Response:
    return await _settings_page(page, model_id)


@router.post("/security-models/{model_id}/svi/settings")
async def change_settings(page: SignedInPage, model_id: UUID) -> Response:
    try:
        await page.api.put(f"/api/svi/security-models/{model_id}/svi-settings", {
            "auto_accept": page.field("auto_accept") == "on", "share_more": page.field("share_more") == "on",
        })
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _settings_page(page, model_id, settings_form=page.form_state(problem), status=problem.status)
    return page.redirect(f"{_base(model_id)}/settings", notice="Your SVI settings were saved.")


@router.post("/security-models/{model_id}/svi/certification-notice")
async def send_certification_notice(page: SignedInPage, model_id: UUID) -> Response:
    email = page.field("email").strip()
    note = page.field("note").strip()
    try:
        await page.api.post(f"/api/svi/security-models/{model_id}/certification-notices",
                            {"email": email, "note": note or None})
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _settings_page(page, model_id, notice_form=page.form_state(problem), status=problem.status)
    return page.redirect(f"{_base(model_id)}/settings", notice=f"Your certification notice is on its way to {email}.")
