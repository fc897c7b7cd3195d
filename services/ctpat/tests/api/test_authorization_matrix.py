"""Every ctpat endpoint x every kind of caller (CT-20, issue 7 section 5).

Callers: anonymous; three contacts of the model (its Company Officer, who is the
Primary POC, an Employee and a Consultant); a user of the model's Trade Account
who is no contact; an Officer of another company's model; the model's assigned
SCSS, an SCSS not assigned to it, and Management.

Only the model's contacts, its SCSS and Management see anything of it (CT-20):
anyone else is told it does not exist (404, the very answer a model that does
not exist gets, checked below for every such cell). A caller who may see the
model but lacks the right gets 403; only an Officer submits and signs (CT-06).
The harness (servicekit.testing.authorization) checks each status, that a
refusal is problem+json and that it changed nothing in the database.

Each cell gets a fresh scene, and only the state its row needs (`ROW_SCENE`):
the model and its contacts are made through the API, the Security Profile is
filled in bulk in the database (about 170 rows in one transaction instead of
as many requests), and the steps after it (submission, approval, annual
review, validation...) go through the API again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from ctpat import tables
from ctpat.api import routes, summary_routes
from ctpat.catalogue import current
from ctpat.domain.security_model import AGREEMENT_VERSIONS, AgreementKind
from ctpat.use_cases import open_due_reviews
from sqlalchemy import insert

from servicekit.auth import StaffRole
from servicekit.testing.authorization import Endpoint, Matrix
from servicekit.testing.junk import Operation

ANON, OFFICER, EMPLOYEE, CONSULTANT = "anonymous", "officer", "employee", "consultant"
TA_USER, OTHER_CONTACT, SCSS, OTHER_SCSS, MANAGEMENT = "ta_user", "other_contact", "scss", "other_scss", "management"
CALLERS = [ANON, OFFICER, EMPLOYEE, CONSULTANT, TA_USER, OTHER_CONTACT, SCSS, OTHER_SCSS, MANAGEMENT]
CONTACTS = (OFFICER, EMPLOYEE, CONSULTANT)
BUSINESS_TYPE = "importer"
CRITERION = "1.1"
SIGN = {"agreement_version": AGREEMENT_VERSIONS[AgreementKind.PARTNER], "signer_name": "Ana Lopez"}
SVI = {"agreement": "svi", "agreement_version": AGREEMENT_VERSIONS[AgreementKind.SVI], "signer_name": "Ana Lopez"}


def expect(*, contacts: int | tuple[int, int, int], scss: int, management: int) -> dict[str, int]:
    """Anonymous 401; `contacts` for all three (or officer, employee, consultant); the model's strangers (a user of
    its Trade Account who is no contact, someone else's contact, another SCSS) 404."""
    officer, employee, consultant = contacts if isinstance(contacts, tuple) else (contacts,) * 3
    return {ANON: 401, OFFICER: officer, EMPLOYEE: employee, CONSULTANT: consultant, TA_USER: 404,
            OTHER_CONTACT: 404, SCSS: scss, OTHER_SCSS: 404, MANAGEMENT: management}


def seen(status: int = 200) -> dict[str, int]:
    """CT-20: the model's contacts, its SCSS and Management."""
    return expect(contacts=status, scss=status, management=status)


def contacts_edit(status: int = 200) -> dict[str, int]:
    """Any contact; the SCSS and Management see but do not edit the partner's answers."""
    return expect(contacts=status, scss=403, management=403)


def officer_only(status: int = 200) -> dict[str, int]:
    """CT-06: a Company Officer; the other contacts and CBP see but may not."""
    return expect(contacts=(status, 403, 403), scss=403, management=403)


def assigned_scss(status: int = 200) -> dict[str, int]:
    return expect(contacts=403, scss=status, management=403)


def management_on_model(status: int = 200) -> dict[str, int]:
    return expect(contacts=403, scss=403, management=status)


def signed_in(status: int = 200) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status) | {ANON: 401}


def management_only(status: int = 200) -> dict[str, int]:
    """Management's own queue and decisions: nobody else, whatever the id (so nothing is revealed either)."""
    return dict.fromkeys(CALLERS, 403) | {ANON: 401, MANAGEMENT: status}


class WithQuery(Endpoint):
    """A row whose path carries a query string: the route it covers is the path without it."""

    def operation(self) -> Operation:
        plain = Endpoint(self.method, self.path.split("?", 1)[0], self.expected)
        return plain.operation()


MODEL = "/security-models/{model_id}"
REVIEW = MODEL + "/annual-reviews/{year}"
VALIDATION = MODEL + "/validations/{validation_id}"

MATRIX = Matrix(callers=CALLERS, endpoints={
    # --- the catalogue: any signed-in user -----------------------------------------------------------------
    "catalogue": Endpoint("GET", "/catalogue", signed_in()),
    "criteria": WithQuery("GET", f"/catalogue/criteria?business_type={BUSINESS_TYPE}", signed_in()),
    # --- Security Models ---------------------------------------------------------------------------------
    # CT-01: a user of the Trade Account starts an application. CBP staff see every Trade Account, so theirs is a
    # missing right (403), not a hidden account: the domain says so too, but the use case answers 404 first.
    "start application": Endpoint("POST", "/security-models", {
        ANON: 401, OFFICER: 201, EMPLOYEE: 201, CONSULTANT: 201, TA_USER: 201, OTHER_CONTACT: 404,
        SCSS: 403, OTHER_SCSS: 403, MANAGEMENT: 403}, body=lambda scene: scene["new_application"], rule="CT-01"),
    "read model": Endpoint("GET", MODEL, seen(), rule="CT-20"),
    # Everyone may ask; the list holds only the models the caller may see (checked below).
    "models of the trade account": Endpoint("GET", "/trade-accounts/{trade_account_id}/security-models",
                                            signed_in(), rule="CT-20"),
    "keep the identifiers": Endpoint("PUT", MODEL + "/identifiers", expect(contacts=200, scss=200, management=403),
                                     body=lambda scene: {"identifiers": scene["identifiers"]}),
    # CT-02: an IOR once entered is changed only by the SCSS. A contact lacks the right: 403, as trade-accounts
    # answers a user renaming the company (TA-02); the code answers 422, as if the number were badly typed.
    "change the IOR": Endpoint("PUT", MODEL + "/identifiers", expect(contacts=403, scss=200, management=403),
                               body={"identifiers": {"ior": ["123-45-6789"]}}, rule="CT-02"),
    "replace addresses": Endpoint("PUT", MODEL + "/addresses", contacts_edit(),
                                  body=lambda scene: {"addresses": scene["addresses"]}),
    # Once the model has an Officer, only an Officer changes the contacts (else an Employee could promote
    # themselves and sign: CT-06).
    "replace contacts": Endpoint("PUT", MODEL + "/contacts", officer_only(),
                                 body=lambda scene: {"contacts": scene["contacts"]}, rule="CT-06"),
    # --- the Summary (CT-10) -------------------------------------------------------------------------------
    "summary": Endpoint("GET", MODEL + "/summary", seen(), rule="CT-20"),
    "summary pdf": Endpoint("GET", MODEL + "/summary.pdf", seen(), rule="CT-20"),
    # --- the Security Profile ------------------------------------------------------------------------------
    "read profile": Endpoint("GET", MODEL + "/profile", seen(), rule="CT-20"),
    "answer a criterion": Endpoint("PUT", MODEL + "/profile/{criterion_id}", contacts_edit(), rule="CT-06",
                                   body={"response": "Seals are verified by two people at every stuffing."}),
    "approved versions": Endpoint("GET", MODEL + "/profile/{criterion_id}/versions", seen(), rule="CT-20"),
    # --- submission and review -------------------------------------------------------------------------------
    "submit the application": Endpoint("POST", MODEL + "/submission", officer_only(), body=SIGN, rule="CT-06"),
    "assign the SCSS": Endpoint("PUT", MODEL + "/scss", management_on_model(), rule="CT-12",
                                body=lambda scene: {"scss_user_id": scene["new_scss"]}),
    # Any SCSS has a work queue of their own; only the assigned one finds the model in it (checked below).
    # Management finds the SCSS it assigns; nobody else lists CBP staff.
    "CBP staff to assign": WithQuery("GET", "/staff?role=scss", management_only(), rule="CT-12"),
    "SCSS work queue": Endpoint("GET", "/work-queue", dict.fromkeys(CALLERS, 403) | {
        ANON: 401, SCSS: 200, OTHER_SCSS: 200}, rule="CT-20"),
    "review the profile": Endpoint("POST", MODEL + "/review", assigned_scss(), body={"decision": "approve"},
                                   rule="CT-12"),
    # --- the lifecycle -------------------------------------------------------------------------------------------
    "change the status": Endpoint("POST", MODEL + "/status-changes", expect(contacts=403, scss=200, management=200),
                                  body={"status": "suspended", "reason": "Seal audit failed."}, rule="CT-14"),
    "move the anniversary": Endpoint("PUT", MODEL + "/anniversary", management_on_model(), rule="CT-14",
                                     body=lambda scene: {"anniversary_date": scene["later"],
                                                         "reason": "Aligned with the validation date."}),
    "withdraw": Endpoint("POST", MODEL + "/withdrawal", officer_only(), body={"reason": "We stopped importing."},
                         rule="CT-14"),
    # --- annual reviews ------------------------------------------------------------------------------------------
    "annual reviews": Endpoint("GET", MODEL + "/annual-reviews", seen(), rule="CT-20"),
    "affirm a statement": Endpoint("PUT", REVIEW + "/affirmations/{criterion_id}", contacts_edit(204),
                                   body={"affirmed": True}),
    "submit the annual review": Endpoint("POST", REVIEW + "/submission", officer_only(), rule="CT-13"),
    "approve the annual review": Endpoint("POST", REVIEW + "/approval", assigned_scss(), rule="CT-13"),
    # --- validations ---------------------------------------------------------------------------------------------
    "record a validation": Endpoint("POST", MODEL + "/validations", assigned_scss(201), rule="CT-15",
                                    body=lambda scene: scene["validation"]),
    "validation summary": Endpoint("GET", MODEL + "/validations", seen(), rule="CT-20"),
    "read a validation": Endpoint("GET", VALIDATION, seen(), rule="CT-20"),
    "reply to an item": Endpoint("PUT", VALIDATION + "/items/{item_id}/reply", contacts_edit(), rule="CT-15",
                                 body={"reply": "Dock staff were trained on 2026-09-30."}),
    "submit the validation response": Endpoint("POST", VALIDATION + "/response", contacts_edit(), rule="CT-15"),
    # --- the International tab -------------------------------------------------------------------------------------
    "international programs": Endpoint("GET", MODEL + "/international", seen(), rule="CT-20"),
    "sign an agreement": Endpoint("POST", MODEL + "/agreements", officer_only(), body=SVI, rule="CT-06"),
    "revoke an agreement": Endpoint("POST", MODEL + "/agreements/{agreement}/revocation", officer_only(), rule="CT-06"),
    # --- Security Model operations ------------------------------------------------------------------------------------
    "request an expand": Endpoint("POST", MODEL + "/operations", officer_only(201), rule="CT-16",
                                  body=lambda scene: scene["expand"]),
    "operations of the model": Endpoint("GET", MODEL + "/operations", seen(), rule="CT-20"),
    "pending operations": Endpoint("GET", "/model-operations", management_only()),
    "decide an operation": Endpoint("POST", "/model-operations/{operation_id}/decision", management_only(),
                                    body={"decision": "approve"}, rule="CT-16"),
})

# The state each row needs; every other row runs on an applicant (contacts and SCSS set, profile empty).
ROW_SCENE = {
    "submit the application": "applicant_complete",
    "review the profile": "submitted",
    "SCSS work queue": "submitted",
    "change the status": "certified",
    "move the anniversary": "certified",
    "record a validation": "certified",
    "sign an agreement": "certified",
    "affirm a statement": "review_open",
    "submit the annual review": "review_ready",
    "approve the annual review": "review_submitted",
    "validation summary": "validated",
    "read a validation": "validated",
    "reply to an item": "validated",
    "submit the validation response": "validation_replied",
    "revoke an agreement": "svi_signed",
    "pending operations": "operation_pending",
    "decide an operation": "operation_pending",
}
# Each scene is the one before it plus a step.
BUILT_ON = {
    "applicant_complete": "applicant", "submitted": "applicant_complete", "certified": "submitted",
    "review_open": "certified", "review_ready": "review_open", "review_submitted": "review_ready",
    "validated": "certified", "validation_replied": "validated", "svi_signed": "certified",
    "operation_pending": "applicant",
}


def steps(kind: str) -> list[str]:
    chain = [kind]
    while chain[-1] in BUILT_ON:
        chain.append(BUILT_ON[chain[-1]])
    return chain[::-1]


@dataclass
class Scene:
    client: object
    runtime: object
    model_id: str
    url: str
    officer: object
    scss: object
    management: object
    values: dict

    async def ok(self, method: str, path: str, who, json=None, expected: int = 200) -> dict:
        response = await self.client.request(method, self.url + path, json=json, headers=who.headers)
        assert response.status_code == expected, f"setting the scene: {method} {path}: {response.text[:300]}"
        return response.json() if response.content else {}


async def fill_profile(runtime, model_id: str, by: uuid.UUID) -> None:
    """Every criterion answered, with a document where evidence is needed: one transaction, as the API would."""
    criteria = current().criteria_for([BUSINESS_TYPE])
    now, model = runtime.clock.now(), uuid.UUID(model_id)
    async with runtime.database.transaction() as session:
        await session.execute(insert(tables.criterion_responses), [
            {"security_model_id": model, "criterion_id": c.id, "text": f"We meet {c.id} with a written procedure.",
             "not_applicable": False, "reason": None, "revision": 1, "updated_by": by, "updated_at": now}
            for c in criteria])
        await session.execute(insert(tables.evidence_documents), [
            {"document_id": uuid.uuid4(), "security_model_id": model, "criterion_id": c.id,
             "title": f"Procedure {c.id}.pdf", "uploaded_at": now}
            for c in criteria if c.evidence])


async def affirm_every_statement(runtime, model_id: str, year: int, by: uuid.UUID) -> None:
    now, model = runtime.clock.now(), uuid.UUID(model_id)
    async with runtime.database.transaction() as session:
        await session.execute(insert(tables.review_affirmations), [
            {"security_model_id": model, "review_year": year, "criterion_id": c.id, "affirmed_by": by,
             "affirmed_at": now}
            for c in current().criteria_for([BUSINESS_TYPE])])


async def step(scene: Scene, kind: str) -> None:
    """Takes the scene from the kind it is built on to `kind`."""
    values, officer = scene.values, scene.officer
    if kind == "applicant_complete":
        await scene.ok("PUT", "/addresses", officer, {"addresses": values["addresses"]})
        await fill_profile(scene.runtime, scene.model_id, officer.user_id)
    elif kind == "submitted":
        await scene.ok("POST", "/submission", officer, SIGN)
    elif kind == "certified":
        await scene.ok("POST", "/review", scene.scss, {"decision": "approve"})
    elif kind == "review_open":  # a review due in 30 days, its window opened by the scheduler
        due = scene.runtime.clock.now().date() + timedelta(days=30)
        await scene.ok("PUT", "/anniversary", scene.management, {
            "anniversary_date": due.replace(year=due.year - 1).isoformat(), "reason": "Aligned with the validation."})
        await open_due_reviews(scene.runtime.database, scene.runtime.clock)
        values["year"] = due.year
    elif kind == "review_ready":
        await affirm_every_statement(scene.runtime, scene.model_id, values["year"], officer.user_id)
    elif kind == "review_submitted":
        await scene.ok("POST", f"/annual-reviews/{values['year']}/submission", officer)
    elif kind == "validated":
        validation = await scene.ok("POST", "/validations", scene.scss, values["validation"], expected=201)
        values["validation_id"], values["item_id"] = validation["id"], validation["items"][0]["id"]
        values["items"] = [i["id"] for i in validation["items"]]
    elif kind == "validation_replied":
        for item_id in values["items"]:
            await scene.ok("PUT", f"/validations/{values['validation_id']}/items/{item_id}/reply", officer,
                           {"reply": "Done, and logged in the TMS."})
    elif kind == "svi_signed":
        await scene.ok("POST", "/agreements", officer, SVI)
    elif kind == "operation_pending":
        values["operation_id"] = (await scene.ok("POST", "/operations", officer, values["expand"], 201))["id"]


@MATRIX.parametrize
async def test_each_caller_gets_exactly_what_they_may(
    client, companies, staff, application, runtime, fingerprint, endpoint, caller,
):
    company = await companies.company(users=3, addresses=2)
    officer, employee, consultant, ta_user = company.admin, *company.users
    scss, other_scss = await staff(StaffRole.SCSS), await staff(StaffRole.SCSS)
    management = companies.staff(StaffRole.MANAGEMENT)
    created = await client.post("/security-models", json=application(company), headers=officer.headers)
    assert created.status_code == 201, created.text
    model = created.json()
    today = runtime.clock.now().date()
    exporter = application(company, "exporter")
    values = {
        "model_id": model["id"], "trade_account_id": str(company.trade_account_id), "criterion_id": CRITERION,
        "agreement": "svi", "year": today.year, "validation_id": str(uuid.uuid4()), "item_id": str(uuid.uuid4()),
        "operation_id": str(uuid.uuid4()), "new_scss": str(other_scss.user_id),
        "later": (today + timedelta(days=200)).isoformat(),
        "identifiers": {i["kind"]: [i["value"]] for i in model["identifiers"]},
        "new_application": exporter,
        "expand": {"kind": "expand", "reason": "Our exporting uses the same procedures.",
                   "business_types": ["exporter"], "eligibility_answers": exporter["eligibility_answers"],
                   "identifiers": exporter["identifiers"]},
        "validation": {"validation_date": today.isoformat(), "result": "meets", "report": "Site visit; seals audited.",
                       "recommendations": ["Log seal numbers electronically."],
                       "actions_required": ["Train dock staff on 7-point inspections."]},
        "addresses": [{"address_id": str(company.address_ids[0]), "primary": True, "mailing": True},
                      {"address_id": str(company.address_ids[1])}],
        # the contacts as the scene has them, and the Trade Account's other user added as a Consultant
        "contacts": [{"member_id": str(officer.member_id), "type": "officer", "primary_poc": True},
                     {"member_id": str(employee.member_id), "type": "employee"},
                     {"member_id": str(consultant.member_id), "type": "consultant"},
                     {"member_id": str(ta_user.member_id), "type": "consultant"}],
    }
    scene = Scene(client, runtime, model["id"], f"/security-models/{model['id']}", officer, scss, management, values)
    await scene.ok("PUT", "/contacts", officer, {"contacts": values["contacts"][:3]})
    await scene.ok("PUT", "/scss", management, {"scss_user_id": str(scss.user_id)})
    for kind in steps(ROW_SCENE.get(endpoint, "applicant"))[1:]:
        await step(scene, kind)

    people = {OFFICER: officer, EMPLOYEE: employee, CONSULTANT: consultant, TA_USER: ta_user, SCSS: scss,
              OTHER_SCSS: other_scss, MANAGEMENT: management}
    if caller == OTHER_CONTACT:  # an Officer, and the Primary POC, of another company's model
        other = await companies.company(users=0, addresses=0)
        r = await client.post("/security-models", json=application(other), headers=other.admin.headers)
        assert r.status_code == 201, r.text
        people[OTHER_CONTACT] = other.admin
    headers = {caller: {} if caller == ANON else people[caller].headers}

    row = MATRIX.endpoints[endpoint]
    # The harness compares fingerprints only after a refusal; a cell expecting success skips reading the database.
    response = await MATRIX.check(client, endpoint, caller, headers=headers, values=values,
                                  fingerprint=fingerprint if row.expected[caller] >= 400 else nothing)

    if endpoint == "models of the trade account" and caller != ANON:
        listed = {m["id"] for m in response.json()}
        assert (model["id"] in listed) == (caller in (*CONTACTS, SCSS, MANAGEMENT)), (caller, listed)
    if endpoint == "SCSS work queue" and response.status_code == 200:
        queued = {m["security_model_id"] for m in response.json()}
        assert (model["id"] in queued) == (caller == SCSS), (caller, queued)
    if response.status_code == 404 and "{model_id}" in row.path:
        # Not revealed: exactly what a model that does not exist gets.
        unknown = await resend(client, row, {**values, "model_id": str(uuid.uuid4()), "caller": caller},
                               headers[caller])
        assert (unknown.status_code, unknown.json()["detail"]) == (404, response.json()["detail"]), unknown.text
    if endpoint == "decide an operation" and caller not in (ANON, MANAGEMENT):
        # Refused before the request is looked up: the same for one that does not exist.
        unknown = await resend(client, row, {**values, "operation_id": str(uuid.uuid4()), "caller": caller},
                               headers[caller])
        assert (unknown.status_code, unknown.json()["detail"]) == (403, response.json()["detail"]), unknown.text


async def nothing() -> dict:
    return {}


async def resend(client, row: Endpoint, scene: dict, headers):
    """The row's request again, with other values (the harness's own way of filling it)."""
    path = row.path.format(**{k: v for k, v in scene.items() if isinstance(v, str | int)})
    body = row.body(scene) if callable(row.body) else row.body
    return await client.request(row.method, path, json=body, headers=dict(headers))


def test_every_row_names_a_scene_that_is_built():
    assert set(ROW_SCENE) <= set(MATRIX.endpoints)
    assert {kind for kind in ROW_SCENE.values() if kind != "applicant"} <= set(BUILT_ON)


def test_the_matrix_covers_every_route():
    assert MATRIX.uncovered(routes.router, summary_routes.router) == set()
