"""Every documents endpoint x every kind of caller (DOC-01..DOC-03, DOC-06..DOC-08).

Callers: anonymous; the model's contact (its Officer); the Officer of another
company's model (a contact too, and a user of a Trade Account); a user of the
model's Trade Account who is no contact (the bystander); the model's assigned
SCSS, another SCSS; and an Admin.

Who reads a library (domain/library.py): Trade Public, any Trade Account user
and any CBP staff (DOC-01); C-TPAT Public, any contact of any model and any
staff (DOC-02); a Partner Library, the model's contacts and its SCSS only
(DOC-03). Only an Admin writes the public libraries (others 403); to anyone
else a Partner Library, and any document they may not read, does not exist:
404, the very answer an unknown id gets (checked below for every such cell),
an Admin included. An upload straight to storage is completed only by whoever
started it (404 to anyone else). The harness (servicekit.testing.authorization)
checks each status, that a refusal is problem+json and that it changed nothing
in the database.

Each cell gets a fresh scene, made the way production makes it (trade-accounts'
and ctpat's events through documents' handlers, then documents' API): the model
with its contact, bystander and SCSS; another company's model (its Officer and
its SCSS are the strangers); and what the row needs (`Row.given`): a document in
the row's library (the model's Officer uploads to the Partner Library, an Admin
to the public ones), or an upload started and its bytes posted to the store's
form, by the caller when they may write there, else by one who may.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from documents.api import routes

from servicekit.testing.authorization import Endpoint, Matrix
from servicekit.testing.junk import Operation

ANON, CONTACT, OTHER_CONTACT, BYSTANDER, SCSS, OTHER_SCSS, ADMIN = (
    "anonymous", "contact", "other_contact", "bystander", "scss", "other_scss", "admin")
CALLERS = [ANON, CONTACT, OTHER_CONTACT, BYSTANDER, SCSS, OTHER_SCSS, ADMIN]
TRADE, CTPAT, PARTNER = "trade_public", "ctpat_public", "partner"
# Who writes each library; they start their own uploads in the scene, anyone else gets someone else's.
WRITERS = {TRADE: (ADMIN,), CTPAT: (ADMIN,), PARTNER: (CONTACT, SCSS)}
RULE = {TRADE: "DOC-01", CTPAT: "DOC-02", PARTNER: "DOC-03"}
DOCUMENT, UPLOAD, NEW_FILE_UPLOAD = "a document", "an upload", "a new file upload"
OFFICERS_UPLOAD = "the Officer's upload"


def signed_in(status: int = 200) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status) | {ANON: 401}


def readers(library: str, status: int = 200, *, refused: int = 403) -> dict[str, int]:
    """DOC-01..DOC-03: who reads the library; `refused` for a public library's non-readers (403 for the library,
    404 for one of its documents), 404 for a Partner Library's."""
    if library == PARTNER:
        return dict.fromkeys(CALLERS, 404) | {ANON: 401, CONTACT: status, SCSS: status}
    if library == CTPAT:  # the bystander is a Trade Account user, but no contact
        return signed_in(status) | {BYSTANDER: refused}
    return signed_in(status)


def writers(library: str, status: int, *, refused: int = 403) -> dict[str, int]:
    """A Partner Library's readers write it; only an Admin writes a public library (anyone else 403, but 404 for a
    document they may not even read: `refused`, the bystander's in C-TPAT Public)."""
    if library == PARTNER:
        return readers(PARTNER, status)
    return signed_in(403) | {ADMIN: status} | ({BYSTANDER: refused} if library == CTPAT else {})


def starter_only(library: str, status: int = 201) -> dict[str, int]:
    """Completing an upload: whoever may write started their own; anyone else has only someone else's (404)."""
    return dict.fromkeys(CALLERS, 404) | {ANON: 401} | dict.fromkeys(WRITERS[library], status)


@dataclass(frozen=True)
class Row(Endpoint):
    """A row of documents' matrix: the library it is about (`{library}`, and where its document or upload is)
    and what the scene must hold; the route it covers is its path without the query string."""

    library: str | None = None
    given: str | None = None

    def operation(self) -> Operation:
        return Endpoint(self.method, self.path.split("?", 1)[0], self.expected).operation()


def a_file(scene: dict) -> dict:
    return {"file": ("procedure.pdf", scene["pdf"], "application/pdf")}


def placement(library: str, title: str) -> Callable[[dict], dict]:
    """Where a new document goes: a Partner Library names its model; a public one names none (else 422)."""
    def fields(scene: dict) -> dict:
        named = {"security_model_id": scene["model_id"]} if library == PARTNER else {}
        return {"document_type": "policy_procedure" if library == PARTNER else "cbp_guidance", "title": title,
                **named}
    return fields


def declared(scene: dict) -> dict:
    """A file to be posted straight to storage (the matrix only starts the upload)."""
    return {"file_name": "procedure.pdf", "content_type": "application/pdf", "size_bytes": len(scene["pdf"]),
            "sha256": scene["pdf_sha256"]}


LIST = "/libraries/{library}/documents"
DOC = "/documents/{document_id}"
COMPLETE = "/uploads/{upload_id}/complete"


def library_rows(library: str) -> dict[str, Row]:
    rule, name = RULE[library], library.replace("_", " ")
    query = "?security_model_id={model_id}&title={title}" if library == PARTNER else "?title={title}"
    placed = placement(library, "Seal procedure")
    return {
        f"list {name}": Row("GET", LIST + query, readers(library), rule=rule, library=library, given=DOCUMENT),
        f"upload to {name}": Row("POST", LIST, writers(library, 201), rule=rule, library=library, files=a_file,
                                 data=placed),
        f"start an upload to {name}": Row(
            "POST", "/libraries/{library}/uploads", writers(library, 201), rule=rule, library=library,
            body=lambda scene: {**placed(scene), **declared(scene)}),
        f"complete an upload to {name}": Row("POST", COMPLETE, starter_only(library), rule=rule, library=library,
                                             given=UPLOAD),
    }


MATRIX = Matrix(callers=CALLERS, endpoints={
    "document types": Endpoint("GET", "/document-types", signed_in()),
    "libraries": Endpoint("GET", "/libraries", signed_in()),
    "my tags": Endpoint("GET", "/tags", signed_in(), rule="DOC-08"),
    **library_rows(TRADE),
    **library_rows(CTPAT),
    **library_rows(PARTNER),
    # Only whoever started an upload completes it: not even the model's SCSS, who may write there, completes the
    # Officer's.
    "complete the Officer's upload": Row("POST", COMPLETE, dict.fromkeys(CALLERS, 404) | {ANON: 401, CONTACT: 201},
                                         library=PARTNER, given=OFFICERS_UPLOAD),
    # --- a document in the model's Partner Library ----------------------------------------------------------------
    "read a partner document": Row("GET", DOC, readers(PARTNER), rule="DOC-03", library=PARTNER, given=DOCUMENT),
    "retitle a partner document": Row("PATCH", DOC, writers(PARTNER, 200), rule="DOC-07", library=PARTNER,
                                      given=DOCUMENT, body={"title": "Seal procedure, revised"}),
    "remove a partner document": Row("DELETE", DOC, writers(PARTNER, 204), rule="DOC-03", library=PARTNER,
                                     given=DOCUMENT),
    "new file for a partner document": Row("POST", DOC + "/file", writers(PARTNER, 200), rule="DOC-07",
                                           library=PARTNER, given=DOCUMENT, files=a_file,
                                           data={"title": "Seal procedure, 2027"}),
    "start a new file for a partner document": Row("POST", DOC + "/uploads", writers(PARTNER, 201), rule="DOC-07",
                                                   library=PARTNER, given=DOCUMENT, body=declared),
    # The route is "complete an upload" again; here the upload is a new version of the document.
    "complete a new file for a partner document": Row("POST", COMPLETE, starter_only(PARTNER), rule="DOC-07",
                                                      library=PARTNER, given=NEW_FILE_UPLOAD),
    "download a partner document": Row("GET", DOC + "/download", readers(PARTNER), rule="DOC-06", library=PARTNER,
                                       given=DOCUMENT),
    "tag a partner document": Row("PUT", DOC + "/tags", readers(PARTNER), rule="DOC-08", library=PARTNER,
                                  given=DOCUMENT, body={"tags": ["Seals", "Q3 review"]}),
    # --- documents an Admin put in the public libraries ----------------------------------------------------------
    "read a trade public document": Row("GET", DOC, readers(TRADE), rule="DOC-01", library=TRADE, given=DOCUMENT),
    "download a trade public document": Row("GET", DOC + "/download", readers(TRADE), rule="DOC-06", library=TRADE,
                                            given=DOCUMENT),
    "retitle a trade public document": Row("PATCH", DOC, writers(TRADE, 200), rule="DOC-01", library=TRADE,
                                           given=DOCUMENT, body={"title": "Trade bulletin, revised"}),
    "remove a trade public document": Row("DELETE", DOC, writers(TRADE, 204), rule="DOC-01", library=TRADE,
                                          given=DOCUMENT),
    "read a ctpat public document": Row("GET", DOC, readers(CTPAT, refused=404), rule="DOC-02", library=CTPAT,
                                        given=DOCUMENT),
    "download a ctpat public document": Row("GET", DOC + "/download", readers(CTPAT, refused=404), rule="DOC-06",
                                            library=CTPAT, given=DOCUMENT),
    "retitle a ctpat public document": Row("PATCH", DOC, writers(CTPAT, 200, refused=404), rule="DOC-02",
                                           library=CTPAT, given=DOCUMENT, body={"title": "MSC guidance, revised"}),
    "new file for a ctpat public document": Row("POST", DOC + "/file", writers(CTPAT, 200, refused=404), rule="DOC-02",
                                                library=CTPAT, given=DOCUMENT, files=a_file),
    # Tags are each reader's own, on any document they read.
    "tag a ctpat public document": Row("PUT", DOC + "/tags", readers(CTPAT, refused=404), rule="DOC-08",
                                       library=CTPAT, given=DOCUMENT, body={"tags": ["Guidance"]}),
})


async def post_to_store(form: dict, data: bytes) -> None:
    """What a browser does with the form: its fields, then the file, last (httpx sends `files` after `data`)."""
    async with httpx.AsyncClient() as store:
        posted = await store.post(form["url"], data=form["fields"],
                                  files={"file": ("procedure.pdf", data, "application/pdf")})
    assert posted.status_code in (200, 201, 204), f"setting the scene: the store refused the form: {posted.text}"


async def _ok(client, method: str, path: str, who, expected: int = 201, **kwargs) -> dict:
    response = await client.request(method, path, headers=who.headers, **kwargs)
    assert response.status_code == expected, f"setting the scene: {method} {path}: {response.text[:300]}"
    return response.json()


@MATRIX.parametrize
async def test_each_caller_gets_exactly_what_they_may(client, scene, files, fingerprint, endpoint, caller):
    company, other = await scene.company(), await scene.company()
    people = {CONTACT: company.officer, OTHER_CONTACT: other.officer, BYSTANDER: company.bystander,
              SCSS: company.scss, OTHER_SCSS: other.scss, ADMIN: scene.admin()}
    row = MATRIX.endpoints[endpoint]
    library = getattr(row, "library", None)
    given = getattr(row, "given", None)
    title = f"Seal procedure {uuid.uuid4().hex[:12]}"
    values = {"library": library or "", "model_id": str(company.model_id), "title": title, "pdf": files.pdf(),
              "document_id": str(uuid.uuid4()), "upload_id": str(uuid.uuid4())}
    values["pdf_sha256"] = files.sha256(values["pdf"])

    made = None
    if given in (DOCUMENT, NEW_FILE_UPLOAD):
        owner = people[WRITERS[library][0]]  # the model's Officer, or an Admin
        form = placement(library, title)(values)
        made = await _ok(client, "POST", LIST.format(library=library), owner, data=form,
                         files={"file": ("procedure.pdf", files.pdf(), "application/pdf")})
        values["document_id"] = made["id"]
    if given in (UPLOAD, NEW_FILE_UPLOAD, OFFICERS_UPLOAD):
        mine = given != OFFICERS_UPLOAD and caller in WRITERS[library]
        starter = people[caller if mine else WRITERS[library][0]]
        if given != NEW_FILE_UPLOAD:
            started = await _ok(client, "POST", f"/libraries/{library}/uploads", starter,
                                json={**placement(library, title)(values), **declared(values)})
        else:
            started = await _ok(client, "POST", f"/documents/{made['id']}/uploads", starter, json=declared(values))
        await post_to_store(started, values["pdf"])
        values["upload_id"] = started["upload_id"]

    headers = {caller: {} if caller == ANON else people[caller].headers}
    # The harness compares fingerprints only after a refusal; a cell expecting success skips reading the database.
    response = await MATRIX.check(client, endpoint, caller, headers=headers, values=values,
                                  fingerprint=fingerprint if row.expected[caller] >= 400 else nothing)

    if response.status_code < 300 and endpoint == "libraries":
        body = response.json()
        public = {TRADE: caller != ANON, CTPAT: caller != BYSTANDER}
        assert [p["library"] for p in body["public"]] == [lib for lib in (TRADE, CTPAT) if public[lib]], body
        assert (str(company.model_id) in {p["security_model_id"] for p in body["partner"]}) == (
            caller in (CONTACT, SCSS)), body
    if response.status_code < 300 and endpoint.startswith("list "):
        assert [d["id"] for d in response.json()["items"]] == [made["id"]], response.text
    if response.status_code == 200 and endpoint.startswith("read "):
        assert response.json()["id"] == made["id"], response.text
    if response.status_code == 200 and endpoint.startswith("download "):
        assert response.json()["sha256"] == made["versions"][-1]["sha256"], response.text
    if response.status_code < 300 and given in (UPLOAD, NEW_FILE_UPLOAD, OFFICERS_UPLOAD):
        # Listed by whoever completed it: the starter.
        assert response.json()["versions"][-1]["by"] == str(people[caller].user_id), response.text
        assert len(response.json()["versions"]) == (2 if given == NEW_FILE_UPLOAD else 1), response.text
    if response.status_code == 404:
        # Not revealed: exactly what a document, an upload or a Partner Library that does not exist gets.
        unknown = {k: str(uuid.uuid4()) for k in ("document_id", "upload_id", "model_id")}
        again = await row.send(client, {**values, **unknown, "caller": caller}, headers[caller])
        assert again.status_code == 404, again.text
        assert _problem(again) == _problem(response), (again.text, response.text)


def _problem(response) -> tuple:
    body = response.json()
    return body.get("type"), body.get("title"), body.get("detail"), body.get("errors")


async def nothing() -> dict:
    return {}


def test_the_matrix_covers_every_route():
    assert MATRIX.uncovered(routes.router, routes.uploads) == set()


def test_every_row_names_what_its_scene_needs():
    for name, row in MATRIX.endpoints.items():
        if any(p in row.path for p in ("{library}", "{document_id}", "{upload_id}")):
            assert isinstance(row, Row) and row.library in WRITERS, name
        if "{document_id}" in row.path:
            assert row.given == DOCUMENT, name
        if "{upload_id}" in row.path:
            assert row.given in (UPLOAD, NEW_FILE_UPLOAD, OFFICERS_UPLOAD), name
