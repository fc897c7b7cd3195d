"""One Security Model as CBP staff see it: review, status, validations, annual reviews, anniversary, SCSS
(manual: the SCSS review; requirements CT-12..CT-15).

ctpat decides who may do each thing (the assigned SCSS reviews, records validations and approves annual
reviews; the assigned SCSS or Management changes the status; Management moves the anniversary and assigns
the SCSS) and which status may follow which. These pages offer the forms a viewer's role suggests, and
whatever ctpat refuses comes back beside the field it names, or at the top of the form it belongs to.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from web.forms import FormState
from web.listing import Listing
from web.page import SignedInPage
from web.pages.cbp import STATUS_NAMES, type_names
from web.portal_api import ApiProblem

router = APIRouter()

TIERS = ("certified", "certified_validated", "certified_exceeding", "certified_non_importer_validated")
CLOSED = ("removed", "withdrawn")
VALIDATION_RESULTS = [("meets", "Meets the minimum security criteria"),
                      ("exceeds", "Exceeds: best practices beyond the criteria"),
                      ("does_not_meet", "Does not meet the minimum security criteria")]
STATUS_CHANGES = {
    "tier": "The certification tier was changed.",
    "suspend": "The Security Model was suspended.",
    "reinstate": "The Security Model was reinstated.",
    "remove": "The Security Model was removed from C-TPAT.",
}


def _api(model_id: UUID, rest: str = "") -> str:
    return f"/api/ctpat/security-models/{model_id}{rest}"


def _base(model_id: UUID) -> str:
    return f"/cbp/security-models/{model_id}"


def _tabs(model_id: UUID) -> list[tuple[str, str]]:
    base = _base(model_id)
    return [(base, "Overview"), (f"{base}/profile", "Security Profile"), (f"{base}/annual-reviews", "Annual reviews"),
            (f"{base}/validations", "Validations"), (f"{base}/history", "Status history")]


async def _context(page, model: dict, **more: Any) -> dict:
    viewer = page.viewer
    assigned = viewer.has("scss") and model["scss_user_id"] == viewer.user_id
    return {
        "model": model, "tabs": _tabs(model["id"]), "status_names": STATUS_NAMES,
        "assigned": assigned, "management": viewer.has("management"),
        "closed": model["status"] in CLOSED, "types": await type_names(page, model["catalogue_version"]), **more,
    }


def _who(page, user_id: str | None, staff: dict[str, str] | None = None) -> str:
    if not user_id:
        return ""
    if user_id == page.viewer.user_id:
        return "You"
    return (staff or {}).get(user_id) or f"User {user_id[:8]}"


async def _staff_email(page, user_id: str | None) -> str | None:
    """The assigned SCSS by email: only Management may list staff; anyone else sees "You" or the ID."""
    if not user_id or not page.viewer.has("management"):
        return None
    try:
        found = await page.api.get("/api/ctpat/staff", role="scss", user_id=user_id)
    except ApiProblem:
        return None
    return found["items"][0]["email"] if found["items"] else None


# --- the overview: details, review, status, anniversary, SCSS -----------------------------------------------------


async def _overview(page, model_id: UUID, *, status: int = 200, form: FormState | None = None,
                    failed: str = "") -> Response:
    summary = await page.api.get(_api(model_id, "/summary"))
    model, profile = summary["security_model"], summary["profile"]
    ctx = await _context(page, model)
    # ctpat names the assigned SCSS on reads; where it does not (yet), Management can look them up.
    scss_email = model.get("scss_email") or await _staff_email(page, model["scss_user_id"])
    # Management picks the SCSS from ctpat's staff, found by part of the email.
    candidates = None
    query = page.request.query_params.get("scss_email", "").strip()
    if ctx["management"] and not ctx["closed"]:
        candidates = Listing.read(page.request, {"email": lambda s: s["email"]}, "email", size=10)
        found = await page.api.get("/api/ctpat/staff", role="scss", email=query or None, limit=candidates.size,
                                   offset=candidates.offset)
        candidates.show(found["items"], found["total"])
        candidates.path = _base(model_id)
        candidates.kept = {"scss_email": query} if query else {}
    suspended_from = next((e["previous"] for e in reversed(model["status_history"]) if e["status"] == "suspended"),
                          None)
    primary = next((c for c in model["contacts"] if c["primary_poc"]), None)
    return page.render(
        "cbp/model.html", status=status, **ctx, profile=profile, scss_email=scss_email, candidates=candidates,
        scss_query=query, suspended_from=suspended_from, primary=primary, tiers=TIERS,
        tier_options=[(t, STATUS_NAMES[t]) for t in TIERS if t != model["status"]],
        recent=list(reversed(model["status_history"]))[:3], who=lambda u: _who(page, u),
        form=form or page.form_state(), failed=failed, today=date.today().isoformat(),
    )


@router.get("/cbp/security-models/{model_id}")
async def model_overview(page: SignedInPage, model_id: UUID) -> Response:
    return await _overview(page, model_id)


async def _change(page, model_id: UUID, which: str, call, notice: str) -> Response:
    try:
        await call()
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _overview(page, model_id, status=problem.status, form=page.form_state(problem), failed=which)
    return page.redirect(_base(model_id), notice=notice)


@router.post("/cbp/security-models/{model_id}/review")
async def review(page: SignedInPage, model_id: UUID) -> Response:
    decision = page.field("decision")
    body = {"decision": decision}
    if decision == "return":
        body["reason"] = page.field("reason")
    notice = ("The Security Profile was approved." if decision == "approve"
              else "The Security Profile was returned to the partner with your reason.")
    return await _change(page, model_id, f"review-{decision}",
                         lambda: page.api.post(_api(model_id, "/review"), body), notice)


@router.post("/cbp/security-models/{model_id}/status")
async def change_status(page: SignedInPage, model_id: UUID) -> Response:
    which = page.field("change")
    which = which if which in STATUS_CHANGES else "tier"
    body = {"status": page.field("status"), "reason": page.field("reason")}
    return await _change(page, model_id, which, lambda: page.api.post(_api(model_id, "/status-changes"), body),
                         STATUS_CHANGES[which])


@router.post("/cbp/security-models/{model_id}/anniversary")
async def change_anniversary(page: SignedInPage, model_id: UUID) -> Response:
    body = {"anniversary_date": page.field("anniversary_date"), "reason": page.field("reason")}
    return await _change(page, model_id, "anniversary", lambda: page.api.put(_api(model_id, "/anniversary"), body),
                         "The certification anniversary was changed.")


@router.post("/cbp/security-models/{model_id}/scss")
async def assign_scss(page: SignedInPage, model_id: UUID) -> Response:
    chosen = page.field("scss_user_id")
    if not chosen:
        form = page.form_state()
        form.local_errors["scss_user_id"] = "Choose the SCSS to assign."
        return await _overview(page, model_id, status=422, form=form, failed="scss")
    return await _change(page, model_id, "scss",
                         lambda: page.api.put(_api(model_id, "/scss"), {"scss_user_id": chosen}),
                         "The SCSS was assigned.")


# --- the Security Profile, read-only for CBP ----------------------------------------------------------------------


def _criterion_key(criterion_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", criterion_id))


@router.get("/cbp/security-models/{model_id}/profile")
async def model_profile(page: SignedInPage, model_id: UUID, show: str = "") -> Response:
    summary = await page.api.get(_api(model_id, "/summary"))
    model, profile = summary["security_model"], summary["profile"]
    gaps = {g["criterion_id"]: g["message"] for g in profile["gaps"]}
    rows = [{**c, "category": category["name"], "gap": gaps.get(c["id"])}
            for category in profile["categories"] for c in category["criteria"]]
    if show == "gaps":
        rows = [r for r in rows if r["gap"]]
    listing = Listing.read(page.request, {
        "id": lambda c: _criterion_key(c["id"]), "category": lambda c: c["category"],
        "updated": lambda c: (c["response"] or {}).get("updated_at"),
    }, "id", size=25).arrange(rows)
    return page.render("cbp/profile.html", **await _context(page, model), profile=profile, listing=listing, show=show)


# --- status history ---------------------------------------------------------------------------------------------


@router.get("/cbp/security-models/{model_id}/history")
async def model_history(page: SignedInPage, model_id: UUID) -> Response:
    model = await page.api.get(_api(model_id))
    listing = Listing.read(page.request, {
        "at": lambda e: e["at"], "status": lambda e: STATUS_NAMES.get(e["status"], e["status"]),
    }, "-at").arrange(model["status_history"])
    return page.render("cbp/history.html", **await _context(page, model), listing=listing,
                       who=lambda u: _who(page, u))


# --- annual reviews (CT-13) -------------------------------------------------------------------------------------


async def _reviews_page(page, model_id: UUID, *, status: int = 200, form: FormState | None = None,
                        failed: str = "") -> Response:
    model = await page.api.get(_api(model_id))
    reviews = await page.api.get(_api(model_id, "/annual-reviews"))
    listing = Listing.read(page.request, {
        "year": lambda r: r["review_year"], "due": lambda r: r["due_date"], "state": lambda r: r["state"],
    }, "-year").arrange(reviews)
    listing.path, listing.kept = f"{_base(model_id)}/annual-reviews", {}
    return page.render("cbp/annual_reviews.html", status=status, **await _context(page, model), listing=listing,
                       form=form or page.form_state(), failed=failed)


@router.get("/cbp/security-models/{model_id}/annual-reviews")
async def annual_reviews(page: SignedInPage, model_id: UUID) -> Response:
    return await _reviews_page(page, model_id)


@router.post("/cbp/security-models/{model_id}/annual-reviews/{year}/approval")
async def approve_annual_review(page: SignedInPage, model_id: UUID, year: int) -> Response:
    try:
        await page.api.post(_api(model_id, f"/annual-reviews/{year}/approval"))
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _reviews_page(page, model_id, status=problem.status, form=page.form_state(problem),
                                   failed=str(year))
    return page.redirect(f"{_base(model_id)}/annual-reviews", notice=f"The {year} annual review was approved.")


# --- validations (CT-15) ----------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _by_list(problem: ApiProblem) -> ApiProblem:
    """`recommendations.2` (or `[2]`) beside the one box holding every recommendation, naming the line."""
    errors: dict[str, str] = {}
    for name, message in problem.errors.items():
        found = re.match(r"^(recommendations|actions_required)[.\[](\d+)\]?", name)
        if found:
            errors.setdefault(found.group(1), f"line {int(found.group(2)) + 1} {message}")
        else:
            errors[name] = message
    problem.errors = errors
    return problem


async def _validations_page(page, model_id: UUID, *, status: int = 200, form: FormState | None = None) -> Response:
    model = await page.api.get(_api(model_id))
    validations = await page.api.get(_api(model_id, "/validations"))
    listing = Listing.read(page.request, {
        "date": lambda v: v["validation_date"], "result": lambda v: v["result"],
        "response": lambda v: v["response_state"],
    }, "-date").arrange(validations)
    listing.path, listing.kept = f"{_base(model_id)}/validations", {}
    return page.render("cbp/validations.html", status=status, **await _context(page, model), listing=listing,
                       form=form or page.form_state(validation_date=date.today().isoformat()),
                       results=VALIDATION_RESULTS)


@router.get("/cbp/security-models/{model_id}/validations")
async def validations(page: SignedInPage, model_id: UUID) -> Response:
    return await _validations_page(page, model_id)


@router.post("/cbp/security-models/{model_id}/validations")
async def record_validation(page: SignedInPage, model_id: UUID) -> Response:
    try:
        recorded = await page.api.post(_api(model_id, "/validations"), {
            "validation_date": page.field("validation_date"), "result": page.field("result"),
            "report": page.field("report"), "recommendations": _lines(page.field("recommendations")),
            "actions_required": _lines(page.field("actions_required")),
        })
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _validations_page(page, model_id, status=problem.status,
                                       form=page.form_state(_by_list(problem)))
    return page.redirect(f"{_base(model_id)}/validations/{recorded['id']}", notice="The validation was recorded.")


@router.get("/cbp/security-models/{model_id}/validations/{validation_id}")
async def validation(page: SignedInPage, model_id: UUID, validation_id: UUID) -> Response:
    model = await page.api.get(_api(model_id))
    found = await page.api.get(_api(model_id, f"/validations/{validation_id}"))
    return page.render("cbp/validation.html", **await _context(page, model), validation=found,
                       results=dict(VALIDATION_RESULTS), who=lambda u: _who(page, u))
