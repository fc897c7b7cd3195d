"""C-TPAT accounts on the trade side, up to submitting the application (manual: Applying for C-TPAT,
C-TPAT Security Model at a glance, the Shortcut menu, Company Profile, Security Profile, Summary).

A Trade Account's C-TPAT accounts (its Security Models) and the start of an
application; a model's at-a-glance panel, Shortcut menu and Company Profile
tabs (identifiers, addresses, contacts); the Security Profile one criterion at
a time, with evidence uploaded straight to object storage; the Summary with
its PDF, where an Officer signs the Partner Agreement and submits. ctpat
decides every rule (eligibility, identifier formats, one Primary address,
Officers only submit, what is still missing); these pages show its answers
next to the fields they name.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from web.listing import Listing
from web.page import Page, SignedInPage
from web.portal_api import ApiProblem

router = APIRouter()

CTPAT = "/api/ctpat"
DOCUMENTS = "/api/documents"
# The documents service's library for a C-TPAT account's own documents (the manual's C-TPAT Partner Library).
PARTNER_LIBRARY = "partner"
APPLICANT_CONTACT_TYPES = [("officer", "Company Officer"), ("employee", "Employee")]
CONTACT_TYPES = [("officer", "Company Officer"), ("employee", "Employee"), ("consultant", "Consultant")]
TABS = [("identifiers", "Business Entity Identifiers"), ("addresses", "Addresses"), ("contacts", "Contacts")]
CLOSED = ("removed", "withdrawn")
_INDEXED = re.compile(r"^(?P<base>[^\[]+)\[(?P<index>\d+)\](?P<rest>.*)$")


# --- shared pieces -------------------------------------------------------------------------------


class PrefixedListing(Listing):
    """A Listing whose ?page= and ?sort= carry a prefix, so two lists on one page keep apart."""

    prefix: str = ""

    @classmethod
    def read_prefixed(cls, page: Page, prefix: str, sorts: dict, default_sort: str, size: int = 20) -> PrefixedListing:
        query = page.request.query_params
        sort = query.get(f"{prefix}sort") or default_sort
        key = sort.lstrip("-")
        if key not in sorts:
            sort, key = default_sort, default_sort.lstrip("-")
        number = query.get(f"{prefix}page") or ""
        current = max(1, min(int(number), 1_000_000)) if number.isdigit() else 1
        kept = {k: v for k, v in query.items() if k not in (f"{prefix}page", f"{prefix}sort") and v != ""}
        listing = cls(page.request.url.path, kept, sorts, key, not sort.startswith("-"), current, size)
        listing.prefix = prefix
        return listing

    def url(self, **changes: Any) -> str:
        params = {**self.kept, f"{self.prefix}sort": self.sort, f"{self.prefix}page": str(self.page)}
        for name, value in changes.items():
            params[f"{self.prefix}{name}"] = str(value)
        if params.get(f"{self.prefix}page") == "1":
            params.pop(f"{self.prefix}page")
        return f"{self.path}?{urlencode(params)}"


async def _catalogue(page: Page) -> dict:
    return await page.reference(f"{CTPAT}/catalogue")


def _business_type(catalogue: dict, code: str) -> dict | None:
    return next((t for t in catalogue["business_types"] if t["code"] == code), None)


def _names(catalogue: dict) -> dict[str, str]:
    """Business types, sub-types and identifier kinds by code."""
    names = {k["code"]: k["name"] for k in catalogue["identifier_kinds"]}
    for business_type in catalogue["business_types"]:
        names.update({s["code"]: s["name"] for s in business_type["sub_types"]})
        names[business_type["code"]] = business_type["name"]
    return names


def _fold(problem: ApiProblem, rename: dict[str, str] | None = None) -> ApiProblem:
    """The API names list items by index (`identifiers.ior[0]`, `contacts[2].member_id`); the form shows one
    input per item, so each error moves to the name the form uses (`rename`), or drops its index."""
    folded: dict[str, str] = {}
    for name, message in problem.errors.items():
        target = (rename or {}).get(name)
        if target is None:
            match = _INDEXED.match(name)
            target = match.group("base") if match else name
        folded.setdefault(target, message)
    problem.errors = folded
    return problem


def _criteria(profile: dict) -> list[dict]:
    return [c for category in profile["categories"] for c in category["criteria"]]


def _criterion_key(criterion_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in criterion_id.split(".") if part.isdigit())


def _primary_poc(model: dict) -> dict | None:
    return next((c for c in model["contacts"] if c["primary_poc"]), None)


async def _model(page: Page, model_id: UUID) -> dict:
    return await page.api.get(f"{CTPAT}/security-models/{model_id}")


def _model_context(page: Page, model: dict, catalogue: dict, section: str) -> dict:
    """What every model page shows around its own part: the at-a-glance panel and the Shortcut menu.
    `editable`: the partner's forms show (CBP staff see the partner's answers, they do not edit them);
    identifiers stay open to the assigned SCSS too, and ctpat says who may change which."""
    is_staff = bool(page.viewer and page.viewer.is_staff)
    is_open = model["status"] not in CLOSED
    return {"model": model, "names": _names(catalogue), "section": section, "primary_poc": _primary_poc(model),
            "editable": is_open and not model["profile_submitted"] and not is_staff,
            "identifiers_editable": is_open, "is_staff": is_staff}


# --- a Trade Account's C-TPAT accounts, and applying --------------------------------------------


@router.get("/trade-accounts/{account_id}/c-tpat")
async def account_models(page: SignedInPage, account_id: UUID) -> Response:
    account = await page.api.get(f"/api/trade-accounts/trade-accounts/{account_id}")
    models = await page.api.get(f"{CTPAT}/trade-accounts/{account_id}/security-models")
    catalogue = await _catalogue(page)
    names = _names(catalogue)

    def business_types(model: dict) -> str:
        return ", ".join(names.get(t["sub_type"], t["sub_type"]) for t in model["business_types"])

    listing = Listing.read(page.request, {
        "account_number": lambda m: ", ".join(t["account_number"] for t in m["business_types"]),
        "business_type": business_types,
        "status": lambda m: m["status"],
        "primary_poc": lambda m: (m["primary_poc"] or {}).get("name"),
    }, "account_number").arrange(models)
    return page.render("ctpat/account_models.html", account=account, listing=listing, names=names)


@router.get("/trade-accounts/{account_id}/c-tpat/apply")
async def application_form(page: SignedInPage, account_id: UUID, business_type: str = "") -> Response:
    account = await page.api.get(f"/api/trade-accounts/trade-accounts/{account_id}")
    catalogue = await _catalogue(page)
    chosen = _business_type(catalogue, business_type) if business_type else None
    return page.render("ctpat/apply.html", account=account, catalogue=catalogue, chosen=chosen,
                       form=page.form_state(business_type=business_type, applicant_contact_type="officer"),
                       contact_types=APPLICANT_CONTACT_TYPES, kinds=_kinds(catalogue),
                       choice_error=bool(business_type) and chosen is None)


def _kinds(catalogue: dict) -> dict[str, dict]:
    return {k["code"]: k for k in catalogue["identifier_kinds"]}


def _identifier_values(text: str) -> list[str]:
    """Several identifiers of one kind may be typed in one box, one a line or separated by commas."""
    return [v.strip() for v in re.split(r"[,\n]", text) if v.strip()]


@router.post("/trade-accounts/{account_id}/c-tpat/apply")
async def apply(page: SignedInPage, account_id: UUID) -> Response:
    catalogue = await _catalogue(page)
    chosen = _business_type(catalogue, page.field("business_type"))
    if chosen is None:
        return page.redirect(f"/trade-accounts/{account_id}/c-tpat/apply")
    answers = {q["id"]: page.field(f"eligibility_answers.{q['id']}") for q in chosen["questions"]
               if page.field(f"eligibility_answers.{q['id']}")}
    identifiers = {}
    for code in chosen["identifiers"] + chosen["optional_identifiers"]:
        values = _identifier_values(page.field(f"identifiers.{code}"))
        if values:
            identifiers[code] = values
    try:
        model = await page.api.post(f"{CTPAT}/security-models", {
            "trade_account_id": str(account_id), "business_type": chosen["code"],
            "eligibility_answers": answers, "identifiers": identifiers,
            "applicant_contact_type": page.field("applicant_contact_type"),
        })
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        account = await page.api.get(f"/api/trade-accounts/trade-accounts/{account_id}")
        return page.render("ctpat/apply.html", status=problem.status, account=account, catalogue=catalogue,
                           chosen=chosen, form=page.form_state(_fold(problem)), contact_types=APPLICANT_CONTACT_TYPES,
                           kinds=_kinds(catalogue), choice_error=False)
    return page.redirect(f"/security-models/{model['id']}?tab=addresses",
                         notice="Your C-TPAT application was started. Choose its addresses and contacts next, "
                                "then answer the Security Profile.")


# --- a Security Model: at a glance, Shortcut menu, Company Profile ------------------------------------


async def _company_profile(page: Page, model_id: UUID, tab: str, **forms: Any) -> dict:
    model, catalogue = await asyncio.gather(_model(page, model_id), _catalogue(page))
    account = await page.api.get(f"/api/trade-accounts/trade-accounts/{model['trade_account_id']}")
    context = _model_context(page, model, catalogue, "company-profile")
    context.update(tab=tab, tabs=TABS, account=account, form=forms.get("form") or page.form_state(),
                   adding=forms.get("adding") or page.form_state())
    if tab == "identifiers":
        codes: list[str] = []
        for entry in model["business_types"]:
            spec = _business_type(catalogue, entry["code"]) or {"identifiers": [], "optional_identifiers": []}
            codes += [c for c in spec["identifiers"] + spec["optional_identifiers"] if c not in codes]
        kinds = _kinds(catalogue)
        context["identifier_kinds"] = [(c, kinds[c]["name"]) for c in codes if c in kinds]
        context["kinds"] = kinds
        context["listing"] = Listing.read(page.request, {
            "kind": lambda i: context["names"].get(i["kind"], i["kind"]), "value": lambda i: i["value"],
        }, "kind").arrange(model["identifiers"])
    elif tab == "addresses":
        chosen = {a["address_id"]: a for a in model["addresses"]}
        context["chosen"] = chosen
        context["listing"] = Listing.read(page.request, {
            "type": lambda a: a["type"], "street": lambda a: a["street_line_1"], "city": lambda a: a["city"],
        }, "type", size=50).arrange(account["addresses"])
    else:
        contacts = {c["member_id"]: c for c in model["contacts"]}
        context["contacts"] = contacts
        context["contact_types"] = CONTACT_TYPES
        context["listing"] = Listing.read(page.request, {
            "name": lambda u: f"{u.get('last_name') or ''} {u.get('first_name') or ''}".strip() or u["email"],
            "email": lambda u: u["email"], "title": lambda u: u.get("title"),
        }, "name", size=50).arrange([u for u in account["users"] if u.get("status", "active") == "active"])
    return context


@router.get("/security-models/{model_id}")
async def model_home(page: SignedInPage, model_id: UUID, tab: str = "identifiers") -> Response:
    tab = tab if tab in dict(TABS) else "identifiers"
    return page.render("ctpat/model.html", **await _company_profile(page, model_id, tab))


def _identifier_body(identifiers: list[dict]) -> dict[str, list[str]]:
    body: dict[str, list[str]] = {}
    for entry in identifiers:
        body.setdefault(entry["kind"], []).append(entry["value"])
    return body


async def _put_identifiers(page: Page, model_id: UUID, body: dict[str, list[str]], rename: dict[str, str],
                           notice: str, *, form_name: str) -> Response:
    try:
        await page.api.put(f"{CTPAT}/security-models/{model_id}/identifiers", {"identifiers": body})
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        context = await _company_profile(page, model_id, "identifiers",
                                         **{form_name: page.form_state(_fold(problem, rename))})
        return page.render("ctpat/model.html", status=problem.status, **context)
    return page.redirect(f"/security-models/{model_id}?tab=identifiers", notice=notice)


@router.post("/security-models/{model_id}/identifiers")
async def add_identifier(page: SignedInPage, model_id: UUID) -> Response:
    model = await _model(page, model_id)
    body = _identifier_body(model["identifiers"])
    kind, value = page.field("kind"), page.field("value").strip()
    values = body.setdefault(kind or "kind", [])
    values.append(value)
    # The new value's errors (`identifiers.ior[1]`) and the kind's belong beside the two inputs.
    rename = {f"identifiers.{kind}[{len(values) - 1}]": "value", f"identifiers.{kind}": "kind",
              f"identifiers.{kind or 'kind'}": "kind"}
    if not kind:
        problem = ApiProblem(422, "Check the form", "", errors={"kind": "choose the kind of identifier"})
        context = await _company_profile(page, model_id, "identifiers", adding=page.form_state(problem))
        return page.render("ctpat/model.html", status=422, **context)
    return await _put_identifiers(page, model_id, body, rename, f"The identifier {value} was added.",
                                  form_name="adding")


@router.post("/security-models/{model_id}/identifiers/remove")
async def remove_identifier(page: SignedInPage, model_id: UUID) -> Response:
    model = await _model(page, model_id)
    kind, value = page.field("kind"), page.field("value")
    kept = [i for i in model["identifiers"] if not (i["kind"] == kind and i["value"] == value)]
    return await _put_identifiers(page, model_id, _identifier_body(kept), {}, f"The identifier {value} was removed.",
                                  form_name="form")


@router.post("/security-models/{model_id}/addresses")
async def choose_addresses(page: SignedInPage, model_id: UUID) -> Response:
    form = page.form
    included = [v for v in (form.getlist("included") if form else []) if isinstance(v, str)]
    mailing = {v for v in (form.getlist("mailing") if form else []) if isinstance(v, str)}
    primary = page.field("primary")
    chosen = [a for a in dict.fromkeys([primary, *included, *mailing]) if a]
    body = [{"address_id": a, "primary": a == primary, "mailing": a in mailing} for a in chosen]
    rename = {f"addresses[{i}].address_id": f"address.{a}" for i, a in enumerate(chosen)}
    try:
        await page.api.put(f"{CTPAT}/security-models/{model_id}/addresses", {"addresses": body})
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        context = await _company_profile(page, model_id, "addresses", form=page.form_state(_fold(problem, rename)))
        context["chosen"] = {a["address_id"]: a for a in body}
        return page.render("ctpat/model.html", status=problem.status, **context)
    target = "?tab=contacts" if page.field("action") == "next" else "?tab=addresses"
    return page.redirect(f"/security-models/{model_id}{target}", notice="The addresses were saved.")


@router.post("/security-models/{model_id}/contacts")
async def choose_contacts(page: SignedInPage, model_id: UUID) -> Response:
    form = page.form
    members = [v for v in (form.getlist("member") if form else []) if isinstance(v, str)]
    poc = page.field("primary_poc")
    body = [{"member_id": m, "type": page.field(f"type.{m}"), "primary_poc": m == poc}
            for m in members if page.field(f"type.{m}")]
    rename: dict[str, str] = {}
    for i, contact in enumerate(body):
        rename[f"contacts[{i}].member_id"] = f"type.{contact['member_id']}"
        rename[f"contacts[{i}].type"] = f"type.{contact['member_id']}"
        rename[f"contacts[{i}].primary_poc"] = f"type.{contact['member_id']}"
    try:
        await page.api.put(f"{CTPAT}/security-models/{model_id}/contacts", {"contacts": body})
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        context = await _company_profile(page, model_id, "contacts", form=page.form_state(_fold(problem, rename)))
        context["contacts"] = {c["member_id"]: c for c in body}
        return page.render("ctpat/model.html", status=problem.status, **context)
    if page.field("action") == "next":
        return page.redirect(f"/security-models/{model_id}/security-profile", notice="The contacts were saved.")
    return page.redirect(f"/security-models/{model_id}?tab=contacts", notice="The contacts were saved.")


# --- the Security Profile ----------------------------------------------------------------------------


def _profile_url(model_id: UUID, criterion_id: str) -> str:
    return f"/security-models/{model_id}/security-profile?{urlencode({'criterion': criterion_id})}"


async def _profile_context(page: Page, model_id: UUID, criterion_id: str | None, **forms: Any) -> dict:
    model, catalogue, profile, document_types = await asyncio.gather(
        _model(page, model_id), _catalogue(page), page.api.get(f"{CTPAT}/security-models/{model_id}/profile"),
        page.reference(f"{DOCUMENTS}/document-types"))
    criteria = _criteria(profile)
    current = next((c for c in criteria if c["id"] == criterion_id), None)
    if current is None:
        # The first criterion still unanswered, else the first of all.
        current = next((c for c in criteria if c["response"] is None), criteria[0] if criteria else None)
    category = next((cat for cat in profile["categories"] if current in cat["criteria"]), None)
    following = criteria[criteria.index(current) + 1] if current and criteria.index(current) + 1 < len(criteria) \
        else None
    context = _model_context(page, model, catalogue, "security-profile")
    context.update(profile=profile, current=current, category=category, following=following,
                   answered_in={cat["number"]: sum(1 for c in cat["criteria"] if c["response"])
                                for cat in profile["categories"]},
                   gaps={g["criterion_id"]: g for g in profile["gaps"]})
    if current is None:
        return context
    response = current["response"] or {}
    context["form"] = forms.get("form") or page.form_state(
        response=response.get("response") or "", reason=response.get("reason") or "",
        not_applicable="on" if response.get("not_applicable") else "",
        revision=str(response.get("revision") or ""))
    context["upload_form"] = forms.get("upload_form") or page.form_state(document_type="security_profile_evidence")
    context["document_types"] = [(t["code"], t["name"]) for t in document_types]
    context["chart"] = PrefixedListing.read_prefixed(page, "criteria_", {
        "id": lambda c: _criterion_key(c["id"]),
        "status": lambda c: 1 if c["response"] else 0,
    }, "id", size=25).arrange(category["criteria"] if category else [])
    # The criterion's evidence as ctpat lists it: the profile already carries it, and the gateway's
    # read-your-writes makes ctpat wait for an upload this user just completed (no call to documents).
    rows = [{"id": d["document_id"], "title": d["title"], "updated_at": d["uploaded_at"]}
            for d in current["documents"]]
    context["evidence"] = PrefixedListing.read_prefixed(page, "evidence_", {
        "updated_at": lambda d: d["updated_at"], "title": lambda d: d["title"]}, "-updated_at", size=10).arrange(rows)
    return context


@router.get("/security-models/{model_id}/security-profile")
async def security_profile(page: SignedInPage, model_id: UUID, criterion: str = "") -> Response:
    context = await _profile_context(page, model_id, criterion or None)
    template = "ctpat/_profile_workspace.html" if page.request.headers.get("hx-request") else \
        "ctpat/security_profile.html"
    return page.render(template, **context)


@router.post("/security-models/{model_id}/security-profile/criteria/{criterion_id}")
async def answer_criterion(page: SignedInPage, model_id: UUID, criterion_id: str) -> Response:
    if not re.fullmatch(r"\d{1,2}\.\d{1,3}", criterion_id):
        return page.redirect(f"/security-models/{model_id}/security-profile")
    not_applicable = page.field("not_applicable") == "on"
    revision = page.field("revision")
    body = {
        "response": None if not_applicable else page.field("response"),
        "not_applicable": not_applicable,
        "reason": page.field("reason") if not_applicable else None,
        "revision": int(revision) if revision.isdigit() else None,
    }
    try:
        await page.api.put(f"{CTPAT}/security-models/{model_id}/profile/{criterion_id}", body)
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        context = await _profile_context(page, model_id, criterion_id, form=page.form_state(problem))
        template = "ctpat/_profile_workspace.html" if page.request.headers.get("hx-request") else \
            "ctpat/security_profile.html"
        return page.render(template, status=problem.status, **context)
    target = criterion_id
    if page.field("action") == "next":
        profile = await page.api.get(f"{CTPAT}/security-models/{model_id}/profile")
        ids = [c["id"] for c in _criteria(profile)]
        if criterion_id in ids and ids.index(criterion_id) + 1 < len(ids):
            target = ids[ids.index(criterion_id) + 1]
    notice = f"Your response to criterion {criterion_id} was saved."
    if page.request.headers.get("hx-request"):
        # htmx: the categories and the next criterion in place of the old ones, and the address to match.
        page.form = None
        context = await _profile_context(page, model_id, target)
        response = page.render("ctpat/_profile_workspace.html", saved=notice, **context)
        response.headers["hx-push-url"] = _profile_url(model_id, target)
        return response
    return page.redirect(_profile_url(model_id, target), notice=notice)


def _upload_placement(page: Page, model_id: UUID, criterion_id: str) -> dict:
    return {
        "security_model_id": str(model_id), "document_type": page.field("document_type"),
        "title": page.field("title"),
        "uploaded_for": {"kind": "security_profile_criterion", "criterion_id": criterion_id},
    }


def _problem_json(problem: ApiProblem) -> Response:
    return JSONResponse({"title": problem.title, "detail": problem.detail, "errors": problem.errors},
                        status_code=problem.status)


@router.post("/security-models/{model_id}/security-profile/criteria/{criterion_id}/uploads")
async def start_upload(page: SignedInPage, model_id: UUID, criterion_id: str) -> Response:
    """The page's script asks for a form to post the file straight to object storage (JSON in, JSON out)."""
    size = page.field("size_bytes")
    try:
        started = await page.api.post(f"{DOCUMENTS}/libraries/{PARTNER_LIBRARY}/uploads", {
            **_upload_placement(page, model_id, criterion_id),
            "file_name": page.field("file_name") or None, "content_type": page.field("content_type") or None,
            "size_bytes": int(size) if size.isdigit() else size, "sha256": page.field("sha256"),
        })
    except ApiProblem as problem:
        return _problem_json(problem)
    return JSONResponse({"upload_id": started["upload_id"], "url": started["url"], "fields": started["fields"]})


@router.post("/security-models/{model_id}/security-profile/criteria/{criterion_id}/uploads/{upload_id}/complete")
async def complete_upload(page: SignedInPage, model_id: UUID, criterion_id: str, upload_id: UUID) -> Response:
    """The script's last step: the documents service checks what landed and lists it. The script says so in
    place (its progress bar at 100 %, the evidence list refreshed) rather than leaving the page."""
    try:
        document = await page.api.post(f"{DOCUMENTS}/uploads/{upload_id}/complete")
    except ApiProblem as problem:
        return _problem_json(problem)
    return JSONResponse({"id": document["id"], "title": document["title"]}, status_code=201)


@router.post("/security-models/{model_id}/security-profile/criteria/{criterion_id}/evidence")
async def upload_evidence(page: SignedInPage, model_id: UUID, criterion_id: str) -> Response:
    """Without the script: the file goes through the documents service (up to its size limit)."""
    file = page.form.get("file") if page.form is not None else None
    placement = _upload_placement(page, model_id, criterion_id)
    data = {k: v for k, v in {
        "security_model_id": placement["security_model_id"], "document_type": placement["document_type"],
        "title": placement["title"], "uploaded_for_kind": "security_profile_criterion",
        "criterion_id": criterion_id}.items() if v}
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise ApiProblem(422, "Check the form", "", errors={"file": "choose the file to upload"})
        document = await page.api.call(
            "POST", f"{DOCUMENTS}/libraries/{PARTNER_LIBRARY}/documents", data=data,
            files={"file": (file.filename, await file.read(), file.content_type or "application/octet-stream")})
    except ApiProblem as problem:
        if problem.status not in (409, 413, 415, 422):
            raise
        context = await _profile_context(page, model_id, criterion_id, upload_form=page.form_state(problem))
        return page.render("ctpat/security_profile.html", status=problem.status, **context)
    notice = f"The document \u201c{document['title']}\u201d was uploaded for criterion {criterion_id}."
    return page.redirect(_profile_url(model_id, criterion_id), notice=notice)


@router.get("/security-models/{model_id}/documents/{document_id}/download")
async def download_evidence(page: SignedInPage, model_id: UUID, document_id: UUID) -> Response:
    link = await page.api.get(f"{DOCUMENTS}/documents/{document_id}/download")
    return page.redirect(link["url"])


# --- the Summary, signing the Partner Agreement and submitting -------------------------------------------


async def _summary_context(page: Page, model_id: UUID, **forms: Any) -> dict:
    summary = await page.api.get(f"{CTPAT}/security-models/{model_id}/summary")
    catalogue = await _catalogue(page)
    model = summary["security_model"]
    context = _model_context(page, model, catalogue, "summary")
    versions = {a["agreement"]: a["version"] for a in catalogue["agreements"]}
    viewer_contact = next((c for c in model["contacts"] if c["email"] == page.viewer.email), None) \
        if page.viewer else None
    signer = viewer_contact["name"] if viewer_contact and viewer_contact["name"] else ""
    context.update(profile=summary["profile"], agreement_version=versions.get("partner", ""),
                   viewer_contact=viewer_contact,
                   form=forms.get("form") or page.form_state(signer_name=signer),
                   missing={})
    return context


@router.get("/security-models/{model_id}/summary")
async def summary(page: SignedInPage, model_id: UUID) -> Response:
    return page.render("ctpat/summary.html", **await _summary_context(page, model_id))


def _missing(problem: ApiProblem, model_id: UUID, profile: dict) -> dict:
    """What the refusal names, grouped to be read (criteria by what they lack, then by category), each with
    the link to where it is put right."""
    kinds = {g["criterion_id"]: g["problem"] for g in profile["gaps"]}
    categories = {str(c["number"]): f"{c['number']}. {c['name']}" for c in profile["categories"]}
    grouped: dict[str, dict[str, list[dict]]] = {"unanswered": {}, "evidence_missing": {}}
    other: list[dict] = []
    for name, message in problem.errors.items():
        criterion_id = name.removeprefix("profile.")
        kind = kinds.get(criterion_id)
        if name.startswith("profile.") and kind in grouped:
            category = categories.get(criterion_id.split(".")[0], "Other criteria")
            grouped[kind].setdefault(category, []).append(
                {"id": criterion_id, "href": _profile_url(model_id, criterion_id)})
        elif name.startswith("profile."):
            other.append({"label": f"Criterion {criterion_id}", "message": message,
                          "href": _profile_url(model_id, criterion_id)})
        elif name in ("addresses", "contacts"):
            other.append({"label": name.title(), "message": message, "href": f"/security-models/{model_id}?tab={name}"})
    found = {kind: list(by_category.items()) for kind, by_category in grouped.items()}
    found["other"] = other  # type: ignore[assignment]
    return found if any(found.values()) else {}


@router.post("/security-models/{model_id}/submission")
async def submit(page: SignedInPage, model_id: UUID) -> Response:
    try:
        await page.api.post(f"{CTPAT}/security-models/{model_id}/submission", {
            "agreement_version": page.field("agreement_version"), "signer_name": page.field("signer_name"),
        })
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        context = await _summary_context(page, model_id, form=page.form_state(problem))
        context["missing"] = _missing(problem, model_id, context["profile"])
        return page.render("ctpat/summary.html", status=problem.status, **context)
    return page.redirect(f"/security-models/{model_id}",
                         notice="You signed the Partner Agreement and submitted the application. "
                                "Your SCSS will review it.")
