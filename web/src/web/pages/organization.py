"""Trade Accounts (manual: Trade Accounts — Organization Profile, Trade Account Operations, Tasks).

The Organization Profile is four tabs with Previous and Next between them:
Company Information, Addresses, Users, Summary (with its PDF). Trade Account
Operations (link, delink, split, merge) are requests that others approve;
Tasks lists the ones waiting for this user and the ones they made.
trade-accounts decides everything (who may edit, what an address needs, who
approves what); these pages show its answers.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import pycountry
from fastapi import APIRouter
from fastapi.responses import Response

from web.forms import FormState, as_int
from web.listing import Listing
from web.page import Page, SignedInPage
from web.portal_api import ApiProblem
from web.templating import label

router = APIRouter()

API = "/api/trade-accounts"
TABS = [("company", "Company Information"), ("addresses", "Addresses"), ("users", "Users"), ("summary", "Summary")]
ADDRESS_TYPES = ["headquarters", "international_corporate_headquarters", "trade_security_poc_office",
                 "cargo_handling_facility", "policy_training_location", "other"]
MEMBER_TYPES = ["company_administrator", "user"]
SALUTATIONS = ["Mr.", "Ms.", "Mrs.", "Miss", "Dr.", "Mx."]
PERSON_FIELDS = ("salutation", "first_name", "last_name", "title", "phone", "type")
# Users of countries people pick most often first; then every country by name.
_FIRST_COUNTRIES = ("US", "CA", "MX")


def _countries() -> list[tuple[str, str]]:
    everyone = sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])
    first = [pair for code in _FIRST_COUNTRIES for pair in everyone if pair[0] == code]
    return first + [pair for pair in everyone if pair[0] not in _FIRST_COUNTRIES]


COUNTRIES = _countries()
COUNTRY_NAMES = dict(COUNTRIES)


def _optional(value: str) -> str | None:
    return value.strip() or None


def _tab_context(account: dict, tab: str) -> dict:
    names = [name for name, _ in TABS]
    index = names.index(tab)
    return {
        "account": account,
        "tabs": TABS,
        "tab": tab,
        "previous_tab": TABS[index - 1] if index > 0 else None,
        "next_tab": TABS[index + 1] if index + 1 < len(TABS) else None,
        "is_admin": account.get("your_role") == "company_administrator",
    }


async def _account(page: Page, account_id: UUID) -> dict:
    return await page.api.get(f"{API}/trade-accounts/{account_id}")


# --- creating a Trade Account ------------------------------------------------------------


@router.get("/trade-accounts/new")
async def new_account_form(page: SignedInPage) -> Response:
    return page.render("organization/new.html", form=page.form_state())


@router.post("/trade-accounts/new")
async def create_account(page: SignedInPage) -> Response:
    try:
        account = await page.api.post(f"{API}/trade-accounts", {"company_information": _company_body(page)})
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        # The form shows the fields of `company_information` alone, under their own names.
        problem.errors = {k.removeprefix("company_information."): v for k, v in problem.errors.items()}
        return page.render("organization/new.html", status=problem.status, form=page.form_state(problem))
    return page.redirect(f"/trade-accounts/{account['id']}/profile/addresses",
                         notice="The Trade Account was created. Add its addresses next.")


def _company_body(page: Page) -> dict:
    return {
        "company_name": page.field("company_name"),
        "doing_business_as": _optional(page.field("doing_business_as")),
        "number_of_employees": as_int(_optional(page.field("number_of_employees"))),
        "business_start_date": _optional(page.field("business_start_date")),
        "brief_history": _optional(page.field("brief_history")),
    }


# --- Organization Profile: Company Information ------------------------------------------------


@router.get("/trade-accounts/{account_id}")
async def account_home(page: SignedInPage, account_id: UUID) -> Response:
    return page.redirect(f"/trade-accounts/{account_id}/profile/company")


def _company_form(account: dict) -> FormState:
    values = {k: v for k, v in account["company_information"].items() if v is not None}
    return FormState(values={k: str(v) for k, v in values.items()})


@router.get("/trade-accounts/{account_id}/profile/company")
async def company_information(page: SignedInPage, account_id: UUID) -> Response:
    account = await _account(page, account_id)
    return page.render("organization/company.html", **_tab_context(account, "company"),
                       form=_company_form(account), name_change=page.form_state())


@router.post("/trade-accounts/{account_id}/profile/company")
async def save_company_information(page: SignedInPage, account_id: UUID) -> Response:
    try:
        await page.api.put(f"{API}/trade-accounts/{account_id}/company-information", _company_body(page))
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        account = await _account(page, account_id)
        return page.render("organization/company.html", status=problem.status, **_tab_context(account, "company"),
                           form=page.form_state(problem), name_change=page.form_state())
    return page.redirect(f"/trade-accounts/{account_id}/profile/company", notice="Company Information was saved.")


@router.post("/trade-accounts/{account_id}/name-change")
async def ask_for_name_change(page: SignedInPage, account_id: UUID) -> Response:
    """Only CBP changes a company's name: the request goes to the SCSS (or Management) as a message."""
    try:
        await page.api.post(f"/api/messaging/trade-accounts/{account_id}/name-change-requests", {
            "requested_name": page.field("requested_name"), "reason": _optional(page.field("reason")),
        })
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        account = await _account(page, account_id)
        return page.render("organization/company.html", status=problem.status, **_tab_context(account, "company"),
                           form=_company_form(account), name_change=page.form_state(problem))
    return page.redirect(f"/trade-accounts/{account_id}/profile/company", notice=(
        "Your request to change the company name was sent to CBP. Its answer arrives in Messages."))


# --- Addresses ---------------------------------------------------------------------------------

ADDRESS_SORTS = {
    "type": lambda a: a["type"],
    "street": lambda a: a["street_line_1"],
    "city": lambda a: a["city"],
    "country": lambda a: COUNTRY_NAMES.get(a["country"], a["country"]),
}


def _address_body(page: Page) -> dict:
    return {
        "type": page.field("type"),
        "street_line_1": page.field("street_line_1"),
        "street_line_2": _optional(page.field("street_line_2")),
        "city": page.field("city"),
        "country": page.field("country"),
        "state": _optional(page.field("state")),
        "postal_code": _optional(page.field("postal_code")),
    }


def _addresses_page(page: Page, account: dict, *, status: int = 200, form: FormState | None = None,
                    editing: dict | None = None) -> Response:
    listing = Listing.read(page.request, ADDRESS_SORTS, "type").arrange(account["addresses"])
    return page.render(
        "organization/addresses.html", status=status, **_tab_context(account, "addresses"),
        listing=listing, form=form or page.form_state(type="headquarters", country="US"), editing=editing,
        address_types=[(t, label(t)) for t in ADDRESS_TYPES], countries=COUNTRIES, country_names=COUNTRY_NAMES,
    )


@router.get("/trade-accounts/{account_id}/profile/addresses")
async def addresses(page: SignedInPage, account_id: UUID) -> Response:
    return _addresses_page(page, await _account(page, account_id))


async def _addresses_again(page: Page, account_id: UUID, problem: ApiProblem,
                           editing: UUID | None = None) -> Response:
    account = await _account(page, account_id)
    return _addresses_page(page, account, status=problem.status, form=page.form_state(problem),
                           editing=_find(account["addresses"], editing, "address") if editing else None)


@router.post("/trade-accounts/{account_id}/profile/addresses")
async def add_address(page: SignedInPage, account_id: UUID) -> Response:
    return await page.submit(
        page.api.post(f"{API}/trade-accounts/{account_id}/addresses", _address_body(page)),
        then=f"/trade-accounts/{account_id}/profile/addresses", notice="The address was added.",
        again=lambda problem: _addresses_again(page, account_id, problem))


def _find(items: list[dict], item_id: UUID, what: str) -> dict:
    for item in items:
        if item["id"] == str(item_id):
            return item
    raise ApiProblem(404, "Not found", f"This Trade Account has no such {what}.")


@router.get("/trade-accounts/{account_id}/profile/addresses/{address_id}")
async def edit_address_form(page: SignedInPage, account_id: UUID, address_id: UUID) -> Response:
    account = await _account(page, account_id)
    address = _find(account["addresses"], address_id, "address")
    values = {k: v for k, v in address.items() if v is not None}
    return _addresses_page(page, account, form=FormState(values=values), editing=address)


@router.post("/trade-accounts/{account_id}/profile/addresses/{address_id}")
async def change_address(page: SignedInPage, account_id: UUID, address_id: UUID) -> Response:
    return await page.submit(
        page.api.put(f"{API}/trade-accounts/{account_id}/addresses/{address_id}", _address_body(page)),
        then=f"/trade-accounts/{account_id}/profile/addresses", notice="The address was saved.",
        again=lambda problem: _addresses_again(page, account_id, problem, editing=address_id))


@router.post("/trade-accounts/{account_id}/profile/addresses/{address_id}/remove")
async def remove_address(page: SignedInPage, account_id: UUID, address_id: UUID) -> Response:
    return await page.submit(
        page.api.delete(f"{API}/trade-accounts/{account_id}/addresses/{address_id}"),
        then=f"/trade-accounts/{account_id}/profile/addresses", notice="The address was removed.",
        again=lambda problem: _addresses_again(page, account_id, problem))


# --- Users -------------------------------------------------------------------------------------

USER_SORTS = {
    "name": lambda u: f"{u['last_name']} {u['first_name']}",
    "email": lambda u: u["email"],
    "type": lambda u: u["type"],
    "status": lambda u: u["status"],
}


def _users_page(page: Page, account: dict, *, status: int = 200, form: FormState | None = None,
                editing: dict | None = None) -> Response:
    listing = Listing.read(page.request, USER_SORTS, "name").arrange(account["users"])
    return page.render(
        "organization/users.html", status=status, **_tab_context(account, "users"),
        listing=listing, form=form or page.form_state(type="user"), editing=editing,
        salutations=[(s, s) for s in SALUTATIONS], member_types=[(t, label(t)) for t in MEMBER_TYPES],
    )


@router.get("/trade-accounts/{account_id}/profile/users")
async def users(page: SignedInPage, account_id: UUID) -> Response:
    return _users_page(page, await _account(page, account_id))


async def _users_again(page: Page, account_id: UUID, problem: ApiProblem, editing: UUID | None = None) -> Response:
    account = await _account(page, account_id)
    return _users_page(page, account, status=problem.status, form=page.form_state(problem),
                       editing=_find(account["users"], editing, "user") if editing else None)


@router.post("/trade-accounts/{account_id}/profile/users")
async def add_user(page: SignedInPage, account_id: UUID) -> Response:
    body = {name: page.field(name) for name in (*PERSON_FIELDS, "email", "confirm_email")}
    return await page.submit(
        page.api.post(f"{API}/trade-accounts/{account_id}/users", body),
        then=f"/trade-accounts/{account_id}/profile/users", notice="The user was added.",
        again=lambda problem: _users_again(page, account_id, problem))


@router.get("/trade-accounts/{account_id}/profile/users/{member_id}")
async def edit_user_form(page: SignedInPage, account_id: UUID, member_id: UUID) -> Response:
    account = await _account(page, account_id)
    member = _find(account["users"], member_id, "user")
    return _users_page(page, account, form=FormState(values=dict(member)), editing=member)


@router.post("/trade-accounts/{account_id}/profile/users/{member_id}")
async def change_user(page: SignedInPage, account_id: UUID, member_id: UUID) -> Response:
    return await page.submit(
        page.api.put(f"{API}/trade-accounts/{account_id}/users/{member_id}",
                     {name: page.field(name) for name in PERSON_FIELDS}),
        then=f"/trade-accounts/{account_id}/profile/users", notice="The user was saved.",
        again=lambda problem: _users_again(page, account_id, problem, editing=member_id))


@router.post("/trade-accounts/{account_id}/profile/users/{member_id}/remove")
async def remove_user(page: SignedInPage, account_id: UUID, member_id: UUID) -> Response:
    return await page.submit(
        page.api.delete(f"{API}/trade-accounts/{account_id}/users/{member_id}"),
        then=f"/trade-accounts/{account_id}/profile/users", notice="The user was removed.",
        again=lambda problem: _users_again(page, account_id, problem))


# --- Summary -----------------------------------------------------------------------------------


@router.get("/trade-accounts/{account_id}/profile/summary")
async def summary(page: SignedInPage, account_id: UUID) -> Response:
    account = await page.api.get(f"{API}/trade-accounts/{account_id}/summary")
    return page.render("organization/summary.html", **_tab_context(account, "summary"),
                       country_names=COUNTRY_NAMES, pdf_url=f"{API}/trade-accounts/{account_id}/summary.pdf")


# --- Trade Account Operations: link, delink, split, merge ------------------------------------------

OPERATIONS = ["link", "delink", "split", "merge"]


def _account_choices(page: Page) -> list[tuple[str, str]]:
    """Every Trade Account the user belongs to, by name (the navigation's list)."""
    seen: dict[str, str] = {}
    for organization in page.viewer.organizations:
        for account in organization["accounts"]:
            seen[account["trade_account_id"]] = account["company_name"]
    return sorted(seen.items(), key=lambda pair: pair[1].casefold())


async def _operations_page(page: Page, account_id: UUID, *, kind: str = "link", status: int = 200,
                           form: FormState | None = None) -> Response:
    account, models = await asyncio.gather(
        _account(page, account_id), page.api.get(f"/api/ctpat/trade-accounts/{account_id}/security-models"))
    return page.render(
        "organization/operations.html", status=status, account=account, kind=kind, operations=OPERATIONS,
        form=form or page.form_state(), choices=_account_choices(page), security_models=models,
    )


@router.get("/trade-accounts/{account_id}/operations")
async def operations(page: SignedInPage, account_id: UUID, kind: str = "link") -> Response:
    return await _operations_page(page, account_id, kind=kind if kind in OPERATIONS else "link")


def _operation_body(page: Page, kind: str, account_id: UUID) -> dict:
    reason = page.field("reason")
    if kind == "split":
        models = page.form.getlist("security_model_ids") if page.form is not None else []
        return {"source_id": str(account_id), "new_company_name": page.field("new_company_name"),
                "security_model_ids": [m for m in models if isinstance(m, str)], "reason": reason}
    if kind == "merge":
        return {"requesting_account_id": str(account_id), "survivor_id": page.field("survivor_id"),
                "merged_id": page.field("merged_id"), "reason": reason}
    return {"requesting_account_id": str(account_id), "parent_id": page.field("parent_id"),
            "subsidiary_id": page.field("subsidiary_id"), "reason": reason}


@router.post("/trade-accounts/{account_id}/operations/{kind}")
async def request_operation(page: SignedInPage, account_id: UUID, kind: str) -> Response:
    if kind not in OPERATIONS:
        raise ApiProblem(404, "Not found", "There is no such Trade Account operation.")
    try:
        made = await page.api.post(f"{API}/trade-account-requests/{kind}", _operation_body(page, kind, account_id))
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return await _operations_page(page, account_id, kind=kind, status=problem.status,
                                      form=page.form_state(problem))
    return page.redirect(f"/trade-accounts/{account_id}/requests/{made['id']}",
                         notice=f"Your {kind} request was sent for approval.")


# --- Tasks and requests --------------------------------------------------------------------------

REQUEST_SORTS = {
    "requested_at": lambda r: r["requested_at"],
    "kind": lambda r: r["kind"],
    "status": lambda r: r["status"],
}


@router.get("/trade-accounts/{account_id}/tasks")
async def tasks(page: SignedInPage, account_id: UUID) -> Response:
    account, found = await asyncio.gather(
        _account(page, account_id), page.api.get(f"{API}/tasks", trade_account_id=str(account_id)))
    to_act_on = Listing.read(page.request, REQUEST_SORTS, "-requested_at").arrange(found["to_act_on"])
    return page.render("organization/tasks.html", account=account, to_act_on=to_act_on,
                       requested=found["requested"], names=dict(_account_choices(page)))


async def _request_page(page: Page, account_id: UUID, request_id: UUID, *, status: int = 200,
                        form: FormState | None = None) -> Response:
    account, request = await asyncio.gather(
        _account(page, account_id), page.api.get(f"{API}/trade-account-requests/{request_id}"))
    return page.render("organization/request.html", status=status, account=account, request=request,
                       names=dict(_account_choices(page)), form=form or page.form_state())


@router.get("/trade-accounts/{account_id}/requests/{request_id}")
async def request_detail(page: SignedInPage, account_id: UUID, request_id: UUID) -> Response:
    return await _request_page(page, account_id, request_id)


@router.post("/trade-accounts/{account_id}/requests/{request_id}/decision")
async def decide_request(page: SignedInPage, account_id: UUID, request_id: UUID) -> Response:
    decision = page.field("decision")
    try:
        await page.api.post(f"{API}/trade-account-requests/{request_id}/decision",
                            {"decision": decision, "reason": page.field("reason").strip() or None})
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return await _request_page(page, account_id, request_id, status=problem.status,
                                   form=page.form_state(problem))
    said = "approved" if decision == "approved" else "declined"
    return page.redirect(f"/trade-accounts/{account_id}/requests/{request_id}", notice=f"You {said} the request.")


@router.post("/trade-accounts/{account_id}/requests/{request_id}/cancel")
async def cancel_request(page: SignedInPage, account_id: UUID, request_id: UUID) -> Response:
    try:
        await page.api.post(f"{API}/trade-account-requests/{request_id}/cancel")
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return await _request_page(page, account_id, request_id, status=problem.status,
                                   form=page.form_state(problem))
    return page.redirect(f"/trade-accounts/{account_id}/requests/{request_id}", notice="The request was cancelled.")
