"""A certified C-TPAT account's life on the trade side (manual: Annual Security Profile Review, Validation
Summary, Validation Response, C-TPAT Security Model Operations, the International tab's agreements).

- Annual reviews: the model's reviews, and the open one walked statement by statement (affirm each, updating
  its response where practice changed), then submitted by an Officer.
- Validations: the Validation Summary, one validation's report and items, and the Validation Response: a
  reply (and files) per item, saved as a draft, submitted once.
- Operations: expand, extract, split and merge requests for Management, and withdrawing from C-TPAT. The
  ones that take something away are confirmed first (a summary, then a dialog).
- Agreements: the programs open to the model, signed and revoked by an Officer.

ctpat decides every rule (the review window, who may submit, what an operation needs); these pages show its
answers next to the fields they name.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from web.forms import FormState
from web.listing import Listing
from web.page import Page, SignedInPage
from web.portal_api import ApiProblem

router = APIRouter()

CTPAT = "/api/ctpat"
DOCUMENTS = "/api/documents"
PARTNER_LIBRARY = "partner"

Year = Annotated[int, Path(ge=2000, le=2200)]
CriterionId = Annotated[str, Path(pattern=r"^\d{1,2}\.\d{1,3}$", max_length=6)]
AgreementName = Literal["svi", "exporter", "neec", "mutual_recognition"]
OperationKind = Literal["expand", "extract", "split", "merge", "withdrawal"]
# What each request does, in the manual's words; `destructive` ones are confirmed before they are sent.
OPERATIONS: dict[str, dict[str, Any]] = {
    "expand": {"title": "Expand the Security Model", "button": "Request the expansion", "destructive": False,
               "about": "Add one more eligible business type with identical security practices and procedures. "
                        "C-TPAT Management approves; the Security Profile then needs the new type's own criteria."},
    "extract": {"title": "Extract a business type", "button": "Request the extraction", "destructive": True,
                "about": "Separate one business type into a Security Model of its own, earmarked to be withdrawn "
                         "once C-TPAT Management approves."},
    "split": {"title": "Split the Security Model", "button": "Request the split", "destructive": True,
              "about": "Separate some business types into a second Security Model, managed separately. "
                       "C-TPAT Management approves."},
    "merge": {"title": "Merge another Security Model into this one", "button": "Request the merge",
              "destructive": True,
              "about": "Consolidate a Security Model of this Trade Account with identical security practices and "
                       "procedures into this one; the other one is then withdrawn as merged. C-TPAT Management "
                       "approves."},
    "withdrawal": {"title": "Withdraw from C-TPAT", "button": "Withdraw from C-TPAT", "destructive": True,
                   "about": "The company leaves the C-TPAT program. The Security Model closes at once and takes no "
                            "more changes."},
}
_INDEXED = re.compile(r"^(?P<base>[^\[]+)\[\d+\](?P<rest>.*)$")


# --- shared pieces -------------------------------------------------------------------------------


def _criterion_key(criterion_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in criterion_id.split(".") if part.isdigit())


def _text(value: str | None) -> str:
    """Text as typed, compared without the browser's CRLF or trailing blanks."""
    return (value or "").replace("\r\n", "\n").strip()


def _names(catalogue: dict) -> dict[str, str]:
    names = {k["code"]: k["name"] for k in catalogue["identifier_kinds"]}
    for business_type in catalogue["business_types"]:
        names.update({s["code"]: s["name"] for s in business_type["sub_types"]})
        names[business_type["code"]] = business_type["name"]
    return names


def _fold(problem: ApiProblem, prefix: str = "") -> ApiProblem:
    """The API names list items by index (`identifiers.ior[0]`); the form has one input per list."""
    folded: dict[str, str] = {}
    for name, message in problem.errors.items():
        match = _INDEXED.match(name)
        folded.setdefault(prefix + (match.group("base") + match.group("rest") if match else name), message)
    problem.errors = folded
    return problem


async def _model_context(page: Page, model_id: UUID, section: str) -> dict:
    """The model, and what every page of this area shows around its own part."""
    model, catalogue = await asyncio.gather(page.api.get(f"{CTPAT}/security-models/{model_id}"),
                                            page.reference(f"{CTPAT}/catalogue"))
    return {"model": model, "catalogue": catalogue, "names": _names(catalogue), "section": section,
            "base": f"/security-models/{model_id}"}


def _listing(page: Page, path: str, sorts: dict, default: str, rows: list, size: int = 20) -> Listing:
    """A whole list from the API, sorted and paged here; its links go to `path` (the page's own address, also
    when the page is shown again after a refused form)."""
    listing = Listing.read(page.request, sorts, default, size)
    listing.path = path
    return listing.arrange(rows)


# --- annual reviews (CT-13) ----------------------------------------------------------------------


async def _reviews(page: Page, model_id: UUID) -> list[dict]:
    return await page.api.get(f"{CTPAT}/security-models/{model_id}/annual-reviews")


def _review_of(reviews: list[dict], year: int) -> dict:
    review = next((r for r in reviews if r["review_year"] == year), None)
    if review is None:
        raise ApiProblem(404, "Not found", f"No annual review for {year}.")
    return review


def _statements(profile: dict, affirmed: set[str]) -> list[dict]:
    return [{**criterion, "category": category["number"], "category_name": category["name"],
             "affirmed": criterion["id"] in affirmed}
            for category in profile["categories"] for criterion in category["criteria"]]


@router.get("/security-models/{model_id}/annual-reviews")
async def annual_reviews(page: SignedInPage, model_id: UUID) -> Response:
    context, reviews = await asyncio.gather(_model_context(page, model_id, "annual-reviews"),
                                            _reviews(page, model_id))
    sorts = {"year": lambda r: r["review_year"], "due": lambda r: r["due_date"], "state": lambda r: r["state"]}
    listing = _listing(page, f"/security-models/{model_id}/annual-reviews", sorts, "-year", reviews)
    return page.render("ctpat_lifecycle/annual_reviews.html", listing=listing,
                       open_review=next((r for r in reviews if r["state"] == "open" and not r["missed"]), None),
                       **context)


async def _review_page(page: Page, model_id: UUID, year: int, *, problem: ApiProblem | None = None,
                       status: int = 200) -> Response:
    context, reviews, profile = await asyncio.gather(
        _model_context(page, model_id, "annual-reviews"), _reviews(page, model_id),
        page.api.get(f"{CTPAT}/security-models/{model_id}/profile"))
    review = _review_of(reviews, year)
    statements = _statements(profile, set(review["affirmed_criteria"]))
    show = page.request.query_params.get("show", "all")
    shown = [s for s in statements if not s["affirmed"]] if show == "unaffirmed" else statements
    sorts = {"criterion": lambda s: _criterion_key(s["id"]), "category": lambda s: s["category"],
             "affirmed": lambda s: int(s["affirmed"])}
    listing = _listing(page, f"/security-models/{model_id}/annual-reviews/{year}", sorts, "criterion", shown)
    missing = {name.split(".", 1)[1]: message for name, message in (problem.errors if problem else {}).items()
               if name.startswith("affirmations.")}
    first_open = next((s for s in statements if not s["affirmed"]), None)
    return page.render("ctpat_lifecycle/annual_review.html", status=status, review=review, listing=listing,
                       show=show, problem=problem, missing=missing, first_open=first_open,
                       first=statements[0] if statements else None, **context)


@router.get("/security-models/{model_id}/annual-reviews/{year}")
async def annual_review(page: SignedInPage, model_id: UUID, year: Year) -> Response:
    return await _review_page(page, model_id, year)


@router.post("/security-models/{model_id}/annual-reviews/{year}/submission")
async def submit_annual_review(page: SignedInPage, model_id: UUID, year: Year) -> Response:
    try:
        await page.api.post(f"{CTPAT}/security-models/{model_id}/annual-reviews/{year}/submission")
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return await _review_page(page, model_id, year, problem=problem, status=problem.status)
    return page.redirect(f"/security-models/{model_id}/annual-reviews",
                         notice=f"The {year} annual review was submitted. Your SCSS reviews it next.")


async def _statement_page(page: Page, model_id: UUID, year: int, criterion_id: str, *,
                          form: FormState | None = None, status: int = 200) -> Response:
    context, reviews, profile = await asyncio.gather(
        _model_context(page, model_id, "annual-reviews"), _reviews(page, model_id),
        page.api.get(f"{CTPAT}/security-models/{model_id}/profile"))
    review = _review_of(reviews, year)
    statements = _statements(profile, set(review["affirmed_criteria"]))
    index = next((i for i, s in enumerate(statements) if s["id"] == criterion_id), None)
    if index is None:
        raise ApiProblem(404, "Not found", f"Criterion {criterion_id} is not in this Security Model's profile.")
    statement = statements[index]
    response = statement["response"] or {}
    if form is None:
        form = FormState(values={"updated_response": response.get("response") or "",
                                 "affirmed": "yes" if statement["affirmed"] else ""})
    return page.render(
        "ctpat_lifecycle/statement.html", status=status, review=review, statement=statement, form=form,
        position=index + 1, total=len(statements), affirmed_count=len(review["affirmed_criteria"]),
        previous=statements[index - 1] if index > 0 else None,
        next=statements[index + 1] if index + 1 < len(statements) else None, **context)


@router.get("/security-models/{model_id}/annual-reviews/{year}/statements/{criterion_id}")
async def statement(page: SignedInPage, model_id: UUID, year: Year, criterion_id: CriterionId) -> Response:
    return await _statement_page(page, model_id, year, criterion_id)


@router.post("/security-models/{model_id}/annual-reviews/{year}/statements/{criterion_id}")
async def affirm_statement(page: SignedInPage, model_id: UUID, year: Year, criterion_id: CriterionId) -> Response:
    base = f"{CTPAT}/security-models/{model_id}"
    profile = await page.api.get(f"{base}/profile")
    current = next((c for cat in profile["categories"] for c in cat["criteria"] if c["id"] == criterion_id), None)
    if current is None:
        raise ApiProblem(404, "Not found", f"Criterion {criterion_id} is not in this Security Model's profile.")
    affirmed = page.field("affirmed") == "yes"
    body: dict[str, Any] = {"affirmed": affirmed}
    typed = _text(page.field("updated_response"))
    if typed and typed != _text((current["response"] or {}).get("response")):
        body["updated_response"] = typed
    try:
        await page.api.put(f"{base}/annual-reviews/{year}/affirmations/{criterion_id}", body)
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return await _statement_page(page, model_id, year, criterion_id, form=page.form_state(problem),
                                     status=problem.status)
    said = "affirmed" if affirmed else "saved, not affirmed"
    if "updated_response" in body:
        said += ", with its updated response"
    review_url = f"/security-models/{model_id}/annual-reviews/{year}"
    if page.field("then") == "next":
        criteria = [c["id"] for cat in profile["categories"] for c in cat["criteria"]]
        position = criteria.index(criterion_id)
        if position + 1 < len(criteria):
            return page.redirect(f"{review_url}/statements/{criteria[position + 1]}",
                                 notice=f"Statement {criterion_id} {said}.")
    return page.redirect(review_url, notice=f"Statement {criterion_id} {said}.")


# --- validations and the Validation Response (CT-15) -----------------------------------------------


@router.get("/security-models/{model_id}/validations")
async def validation_summary(page: SignedInPage, model_id: UUID) -> Response:
    context, validations = await asyncio.gather(_model_context(page, model_id, "validations"),
                                                page.api.get(f"{CTPAT}/security-models/{model_id}/validations"))
    sorts = {"date": lambda v: v["validation_date"], "result": lambda v: v["result"],
             "response": lambda v: v["response_state"], "recorded": lambda v: v["recorded_at"]}
    listing = _listing(page, f"/security-models/{model_id}/validations", sorts, "-date", validations)
    return page.render("ctpat_lifecycle/validations.html", listing=listing, **context)


async def _validation_page(page: Page, model_id: UUID, validation_id: UUID, *, form: FormState | None = None,
                           upload: tuple[str, FormState] | None = None, status: int = 200) -> Response:
    context, validation, types = await asyncio.gather(
        _model_context(page, model_id, "validations"),
        page.api.get(f"{CTPAT}/security-models/{model_id}/validations/{validation_id}"),
        page.reference(f"{DOCUMENTS}/document-types"))
    items = [{**item, "number": n} for n, item in enumerate(validation["items"], start=1)]
    sorts = {"number": lambda i: i["number"], "kind": lambda i: i["kind"], "reply": lambda i: 1 if i["reply"] else 0}
    listing = _listing(page, f"/security-models/{model_id}/validations/{validation_id}", sorts, "number", items)
    if form is None:
        form = FormState(values={f"items.{i['id']}": i["reply"] or "" for i in items})
    return page.render("ctpat_lifecycle/validation.html", status=status, validation=validation, listing=listing,
                       form=form, upload_item=upload[0] if upload else None,
                       upload_form=upload[1] if upload else FormState(),
                       document_types=[(t["code"], t["name"]) for t in types], **context)


@router.get("/security-models/{model_id}/validations/{validation_id}")
async def validation(page: SignedInPage, model_id: UUID, validation_id: UUID) -> Response:
    return await _validation_page(page, model_id, validation_id)


@router.post("/security-models/{model_id}/validations/{validation_id}/replies")
async def save_replies(page: SignedInPage, model_id: UUID, validation_id: UUID) -> Response:
    """The manual's <Save>: every reply on the page that changed is saved as a draft."""
    base = f"{CTPAT}/security-models/{model_id}/validations/{validation_id}"
    current = {i["id"]: i["reply"] for i in (await page.api.get(base))["items"]}
    errors: dict[str, str] = {}
    refused: ApiProblem | None = None
    saved = 0
    for name, typed in page.form_state().values.items():
        item_id = name.removeprefix("items.")
        if not name.startswith("items.") or item_id not in current or _text(typed) == _text(current[item_id]):
            continue
        try:
            await page.api.put(f"{base}/items/{item_id}/reply", {"reply": typed})
            saved += 1
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            refused = refused or problem
            errors[name] = next(iter(problem.errors.values()), problem.detail)
    if refused is not None:
        refused.errors = errors
        return await _validation_page(page, model_id, validation_id, form=page.form_state(refused),
                                      status=refused.status)
    notice = (f"{saved} {'reply was' if saved == 1 else 'replies were'} saved as a draft. Submit the response when "
              "it is complete." if saved else "Nothing had changed.")
    return page.redirect(f"/security-models/{model_id}/validations/{validation_id}", notice=notice)


@router.post("/security-models/{model_id}/validations/{validation_id}/response")
async def submit_response(page: SignedInPage, model_id: UUID, validation_id: UUID) -> Response:
    try:
        await page.api.post(f"{CTPAT}/security-models/{model_id}/validations/{validation_id}/response")
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return await _validation_page(page, model_id, validation_id, status=problem.status,
                                      form=FormState(values=page.form_state().values, problem=problem))
    return page.redirect(f"/security-models/{model_id}/validations/{validation_id}",
                         notice="Your Validation Response was submitted to your SCSS.")


@router.post("/security-models/{model_id}/validations/{validation_id}/items/{item_id}/documents")
async def upload_evidence(page: SignedInPage, model_id: UUID, validation_id: UUID, item_id: UUID) -> Response:
    """The manual's <Upload File> under an item: the file goes to the C-TPAT Partner Library, for this item."""
    prefix = f"uploads.{item_id}."
    file = page.form.get(f"{prefix}file") if page.form is not None else None
    fields = {"document_type": page.field(f"{prefix}document_type"), "title": page.field(f"{prefix}title"),
              "security_model_id": str(model_id), "uploaded_for_kind": "validation_response_item",
              "validation_id": str(validation_id), "item_id": str(item_id)}
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise ApiProblem(422, "Choose a file", "Choose the file to upload.", errors={"file": "choose a file"})
        await page.api.call("POST", f"{DOCUMENTS}/libraries/{PARTNER_LIBRARY}/documents", data=fields,
                            files={"file": (file.filename, await file.read(),
                                            file.content_type or "application/octet-stream")})
    except ApiProblem as problem:
        if problem.status not in (409, 413, 415, 422):
            raise
        if problem.status in (413, 415):
            problem.errors = {"file": problem.detail or problem.title}
        _fold(problem, prefix)
        return await _validation_page(page, model_id, validation_id, status=problem.status,
                                      upload=(str(item_id), page.form_state(problem)))
    return page.redirect(f"/security-models/{model_id}/validations/{validation_id}",
                         notice=f"“{fields['title']}” was uploaded. It is listed under its item in a moment.")


# --- Security Model operations (CT-16..CT-19) and withdrawal ---------------------------------------


@router.get("/security-models/{model_id}/operations")
async def operations(page: SignedInPage, model_id: UUID) -> Response:
    context, requested = await asyncio.gather(_model_context(page, model_id, "operations"),
                                              page.api.get(f"{CTPAT}/security-models/{model_id}/operations"))
    sorts = {"requested": lambda o: o["requested_at"], "kind": lambda o: o["kind"], "status": lambda o: o["status"],
             "decided": lambda o: o["decided_at"]}
    listing = _listing(page, f"/security-models/{model_id}/operations", sorts, "-requested", requested)
    return page.render("ctpat_lifecycle/operations.html", listing=listing, operations=OPERATIONS,
                       pending=any(o["status"] == "pending" for o in requested), **context)


async def _operation_form(page: Page, model_id: UUID, kind: str, *, form: FormState | None = None,
                          status: int = 200) -> Response:
    context = await _model_context(page, model_id, "operations")
    model, catalogue = context["model"], context["catalogue"]
    held = [t["code"] for t in model["business_types"]]
    choice = (form.value("business_type") if form else "") or page.request.query_params.get("business_type", "")
    expand_type = next((t for t in catalogue["business_types"] if t["code"] == choice and choice not in held), None)
    others: list[dict] = []
    if kind == "merge":
        others = [m for m in await page.api.get(f"{CTPAT}/trade-accounts/{model['trade_account_id']}/security-models")
                  if m["id"] != model["id"] and m["status"] not in ("removed", "withdrawn")]
    return page.render(
        "ctpat_lifecycle/operation_form.html", status=status, kind=kind, operation=OPERATIONS[kind],
        form=form or page.form_state(), held=held, expand_type=expand_type, others=others,
        addable=[(t["code"], t["name"]) for t in catalogue["business_types"] if t["code"] not in held],
        chosen=page.form.getlist("business_types") if page.form is not None else [], **context)


@router.get("/security-models/{model_id}/operations/new/{kind}")
async def operation_form(page: SignedInPage, model_id: UUID, kind: OperationKind) -> Response:
    return await _operation_form(page, model_id, kind)


def _operation_body(page: Page, kind: str) -> dict:
    if kind == "withdrawal":
        return {"reason": page.field("reason")}
    body: dict[str, Any] = {"kind": kind, "reason": page.field("reason")}
    form = page.form
    if kind == "expand":
        code = page.field("business_type")
        body["business_types"] = [code] if code else []
        prefix = "eligibility_answers."
        body["eligibility_answers"] = {k.removeprefix(prefix): v for k, v in page.form_state().values.items()
                                       if k.startswith(prefix) and v}
        prefix = "identifiers."
        body["identifiers"] = {k.removeprefix(prefix): [v.strip()] for k, v in page.form_state().values.items()
                               if k.startswith(prefix) and v.strip()}
    elif kind in ("extract", "split"):
        body["business_types"] = [v for v in (form.getlist("business_types") if form is not None else [])
                                  if isinstance(v, str) and v]
    else:
        body["other_model_id"] = page.field("other_model_id") or None
    return body


async def _send_operation(page: Page, model_id: UUID, kind: str) -> Response:
    base = f"{CTPAT}/security-models/{model_id}"
    try:
        if kind == "withdrawal":
            await page.api.post(f"{base}/withdrawal", _operation_body(page, kind))
        else:
            await page.api.post(f"{base}/operations", _operation_body(page, kind))
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return await _operation_form(page, model_id, kind, form=page.form_state(_fold(problem)),
                                     status=problem.status)
    notice = ("The Security Model was withdrawn from C-TPAT." if kind == "withdrawal" else
              f"Your {kind} request was sent to C-TPAT Management.")
    return page.redirect(f"/security-models/{model_id}/operations", notice=notice)


@router.post("/security-models/{model_id}/operations/new/{kind}")
async def request_operation(page: SignedInPage, model_id: UUID, kind: OperationKind) -> Response:
    """An expansion is sent at once; anything that takes a business type or the model away is shown back first,
    and sent only from the dialog that asks to confirm it."""
    if not OPERATIONS[kind]["destructive"]:
        return await _send_operation(page, model_id, kind)
    context = await _model_context(page, model_id, "operations")
    body = _operation_body(page, kind)
    other = None
    if body.get("other_model_id"):
        others = await page.api.get(f"{CTPAT}/trade-accounts/{context['model']['trade_account_id']}/security-models")
        other = next((m for m in others if m["id"] == body["other_model_id"]), None)
    return page.render("ctpat_lifecycle/operation_check.html", kind=kind, operation=OPERATIONS[kind], body=body,
                       other=other, **context)


@router.post("/security-models/{model_id}/operations/new/{kind}/edit")
async def change_operation(page: SignedInPage, model_id: UUID, kind: OperationKind) -> Response:
    """Back from the check to the form, with what was typed."""
    return await _operation_form(page, model_id, kind)


@router.post("/security-models/{model_id}/operations/new/{kind}/confirmed")
async def confirm_operation(page: SignedInPage, model_id: UUID, kind: OperationKind) -> Response:
    return await _send_operation(page, model_id, kind)


# --- agreements (CT-06, CT-07) ---------------------------------------------------------------------


def _latest_signatures(model: dict) -> dict[str, dict]:
    latest: dict[str, dict] = {}
    for signature in model["signatures"]:
        latest[signature["agreement"]] = signature
    return latest


async def _agreements_page(page: Page, model_id: UUID, *, problem: ApiProblem | None = None,
                           status: int = 200) -> Response:
    context, programs = await asyncio.gather(_model_context(page, model_id, "agreements"),
                                             page.api.get(f"{CTPAT}/security-models/{model_id}/international"))
    latest = _latest_signatures(context["model"])
    rows = [{**p, "last": latest.get(p["agreement"]),
             "state": "signed" if p["signature"] else ("revoked" if latest.get(p["agreement"]) else "not_signed")}
            for p in programs]
    sorts = {"name": lambda p: p["name"], "state": lambda p: p["state"]}
    listing = _listing(page, f"/security-models/{model_id}/agreements", sorts, "name", rows)
    return page.render("ctpat_lifecycle/agreements.html", status=status, listing=listing, problem=problem,
                       partner=latest.get("partner"), **context)


@router.get("/security-models/{model_id}/agreements")
async def agreements(page: SignedInPage, model_id: UUID) -> Response:
    return await _agreements_page(page, model_id)


async def _sign_page(page: Page, model_id: UUID, agreement: str, *, form: FormState | None = None,
                     status: int = 200) -> Response:
    context, programs = await asyncio.gather(_model_context(page, model_id, "agreements"),
                                             page.api.get(f"{CTPAT}/security-models/{model_id}/international"))
    program = next(p for p in programs if p["agreement"] == agreement)
    return page.render("ctpat_lifecycle/sign.html", status=status, program=program, form=form or page.form_state(),
                       **context)


@router.get("/security-models/{model_id}/agreements/{agreement}")
async def sign_form(page: SignedInPage, model_id: UUID, agreement: AgreementName) -> Response:
    return await _sign_page(page, model_id, agreement)


@router.post("/security-models/{model_id}/agreements/{agreement}")
async def sign(page: SignedInPage, model_id: UUID, agreement: AgreementName) -> Response:
    try:
        await page.api.post(f"{CTPAT}/security-models/{model_id}/agreements", {
            "agreement": agreement, "agreement_version": page.field("agreement_version"),
            "signer_name": page.field("signer_name")})
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return await _sign_page(page, model_id, agreement, form=page.form_state(problem), status=problem.status)
    return page.redirect(f"/security-models/{model_id}/agreements", notice="The agreement was signed.")


@router.post("/security-models/{model_id}/agreements/{agreement}/revocation")
async def revoke(page: SignedInPage, model_id: UUID, agreement: AgreementName) -> Response:
    try:
        await page.api.post(f"{CTPAT}/security-models/{model_id}/agreements/{agreement}/revocation")
    except ApiProblem as problem:
        if problem.status not in (403, 409):
            raise
        return await _agreements_page(page, model_id, problem=problem, status=problem.status)
    return page.redirect(f"/security-models/{model_id}/agreements",
                         notice="The agreement was revoked. The signature stays on record, marked revoked.")
