"""The Document Library (manual: Document Library; DOC-01..DOC-08).

Each library the user reaches is a tab: the Trade Public and C-TPAT Public
Document Libraries, and one C-TPAT Partner Library per Security Model the user
is a contact (or the SCSS) of, as documents' `GET /libraries` names them. A
tab is a list the API pages and sorts, filtered by the user's own tags and the
rest; a document's page shows its archive (every version downloadable), and
lets whoever may write the library retitle it, give it a new file or remove
it. Who may read or write what is documents' rule: these pages only leave out
buttons that would be refused (a trade user sees no upload in a public
library) and show the API's refusals next to the field they name.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from web.forms import FormState, as_int
from web.listing import Listing
from web.page import Page, SignedInPage
from web.portal_api import ApiProblem

router = APIRouter()

API = "/api/documents"
# The public libraries' addresses here, and their names in the API.
PUBLIC = {"trade-public": "trade_public", "ctpat-public": "ctpat_public"}
SLUG = {library: slug for slug, library in PUBLIC.items()}
SORTS = {"updated_at": None, "title": None, "size_bytes": None}  # the API sorts; only the keys matter here
FILTERS = ("title", "document_type", "criterion_id")
PAGE_SIZE = 20
TAGS_MAX = 10  # the API filters by at most this many tags at once


@dataclass
class TaggedListing(Listing):
    """A Listing whose links also carry the chosen tags (`?tag=a&tag=b`: one parameter, several values)."""

    tags: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, page: Page) -> TaggedListing:
        listing = cls.read(page.request, SORTS, "-updated_at", size=PAGE_SIZE)  # type: ignore[arg-type]
        listing.kept.pop("tag", None)
        listing.tags = [t for t in page.request.query_params.getlist("tag") if t.strip()][:TAGS_MAX]
        return listing  # type: ignore[return-value]

    def url(self, **changes: Any) -> str:
        base = super().url(**changes)
        extra = [("tag", t) for t in self.tags]
        if self.size != PAGE_SIZE:  # a size chosen in the address stays (web.listing leaves it out)
            extra.append(("size", str(self.size)))
        return f"{base}&{urlencode(extra)}" if extra else base

    def with_tag(self, tag: str) -> str:
        """The list filtered by this tag as well (or without it, when it is chosen already)."""
        chosen = [t for t in self.tags if t != tag] if tag in self.tags else [*self.tags, tag]
        params = [*self.kept.items(), ("sort", self.sort), *(("tag", t) for t in chosen)]
        if self.size != PAGE_SIZE:
            params.append(("size", str(self.size)))
        return f"{self.path}?{urlencode(params)}"


@dataclass(frozen=True)
class Tab:
    library: str  # as the API names it
    name: str
    url: str
    model_id: str | None = None


async def _tabs(page: Page) -> list[Tab]:
    found = await page.api.get(f"{API}/libraries")
    tabs = [Tab(lib["library"], lib["name"], f"/documents/libraries/{SLUG[lib['library']]}") for lib in found["public"]]
    for lib in found["partner"]:
        tabs.append(Tab("partner", f"C-TPAT Partner Library: {lib['company_name']}",
                        f"/documents/libraries/partner/{lib['security_model_id']}", lib["security_model_id"]))
    return tabs


async def _document_types(page: Page) -> list[tuple[str, str]]:
    return [(t["code"], t["name"]) for t in await page.reference(f"{API}/document-types")]


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


def may_write(page: Page, library: str) -> bool:
    """DOC-01..DOC-03: a Partner Library's readers write it; only CBP's administrators write the public ones."""
    return library == "partner" or bool(page.viewer and page.viewer.has("admin"))


def uploaded_file(page: Page, name: str = "file") -> UploadFile | None:
    value = page.form.get(name) if page.form is not None else None
    return value if isinstance(value, UploadFile) and value.filename else None


async def file_part(upload: UploadFile) -> dict[str, tuple[str, bytes, str]]:
    content_type = upload.content_type or "application/octet-stream"
    return {"file": (upload.filename or "upload", await upload.read(), content_type)}


def gathered(problem: ApiProblem, name: str) -> ApiProblem:
    """A list field's errors (`tags.2`, `tag[0]`) shown once, beside the one input that holds the list."""
    for key in [k for k in problem.errors if k != name and k.startswith((f"{name}.", f"{name}["))]:
        problem.errors.setdefault(name, problem.errors.pop(key))
    return problem


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


async def upload_to_library(page: Page, library: str, model_id: str | None, title: str, document_type: str,
                            upload: UploadFile | None) -> dict:
    """One document into a library, through the service (the web client forwards the file as it came)."""
    data = {"document_type": document_type, "title": title}
    if model_id:
        data["security_model_id"] = model_id
    return await page.api.post(f"{API}/libraries/{library}/documents", data=data,
                               files=await file_part(upload) if upload else None)


# --- the libraries, as tabs ------------------------------------------------------------------------------------


@router.get("/documents")
async def document_library(page: SignedInPage) -> Response:
    tabs = await _tabs(page)
    if tabs:
        return page.redirect(tabs[0].url)
    return page.render("documents/library.html", tabs=[], tab=None, listing=None, form=page.form_state(),
                       types=[], my_tags=[], can_upload=False, type_names={})


@router.get("/documents/libraries")
async def libraries(page: SignedInPage) -> Response:
    return page.redirect("/documents")


async def _library(page: Page, library: str, model_id: UUID | None) -> Response:
    listing = TaggedListing.of(page)
    filters = {name: listing.kept.get(name) for name in FILTERS}
    tabs, types, my_tags, found = await asyncio.gather(
        _tabs(page), _document_types(page), page.api.get(f"{API}/tags"),
        _documents(page, library, model_id, tag=listing.tags or None, sort=listing.sort, limit=listing.size,
                   offset=listing.offset, **filters))
    tab = next((t for t in tabs if t.library == library and t.model_id == _str(model_id)), None)
    if tab is None:
        # Not one of the user's libraries: the API says why (403 for a public one, 404 for a Partner Library).
        await page.api.get(f"{API}/libraries/{library}/documents", security_model_id=_str(model_id), limit=1)
        tab = Tab(library, library, page.request.url.path, _str(model_id))
    form = page.form_state(**{k: v or "" for k, v in filters.items()})
    status = 200
    if isinstance(found, ApiProblem):
        form.problem, status = gathered(found, "tag"), found.status
    else:
        listing.show(found["items"], found["total"])
    # Each tag shown, as a link to the list filtered by it too (or, for a chosen one, no longer by it).
    tag_links = {t: listing.with_tag(t) for t in {*listing.tags, *(t for row in listing.rows for t in row["tags"])}}
    return page.render("documents/library.html", status=status, tabs=tabs, tab=tab, listing=listing, form=form,
                       types=types, type_names=dict(types), my_tags=my_tags, tag_links=tag_links,
                       can_upload=may_write(page, library))


async def _documents(page: Page, library: str, model_id: UUID | None, **query: Any) -> dict | ApiProblem:
    """One page of a library; a filter the API refuses (422) comes back to be shown beside its field."""
    try:
        return await page.api.get(f"{API}/libraries/{library}/documents", security_model_id=_str(model_id),
                                  **query)
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return problem


# --- uploading a document ----------------------------------------------------------------------------------------


async def _upload_form(page: Page, slug: str, form: FormState, status: int = 200) -> Response:
    tabs, types = await asyncio.gather(_tabs(page), _document_types(page))
    library = PUBLIC.get(slug, "partner")
    models = [(t.model_id, t.name.removeprefix("C-TPAT Partner Library: ")) for t in tabs if t.library == "partner"]
    names = {t.library: t.name for t in tabs if t.library != "partner"}
    back = (f"/documents/libraries/partner/{form.value('security_model_id')}" if library == "partner"
            and form.value("security_model_id") else f"/documents/libraries/{slug}" if library != "partner"
            else "/documents")
    return page.render("documents/upload.html", status=status, form=form, slug=slug, library=library,
                       library_name=names.get(library, "C-TPAT Partner Library"), models=models,
                       types=types, back=back)


@router.get("/documents/libraries/{slug}/upload")
async def upload_form(page: SignedInPage, slug: str, security_model_id: UUID | None = None) -> Response:
    if slug not in PUBLIC and slug != "partner":
        return page.render("error.html", status=404, title="Page not found", detail="There is no such library.")
    return await _upload_form(page, slug, page.form_state(security_model_id=str(security_model_id or "")))


@router.post("/documents/libraries/{slug}/upload")
async def upload(page: SignedInPage, slug: str) -> Response:
    if slug not in PUBLIC and slug != "partner":
        return page.render("error.html", status=404, title="Page not found", detail="There is no such library.")
    library = PUBLIC.get(slug, "partner")
    file = uploaded_file(page)
    title = page.field("title").strip() or (file.filename if file and file.filename else "")
    try:
        document = await upload_to_library(page, library, page.field("security_model_id") or None, title[:200],
                                           page.field("document_type"), file)
    except ApiProblem as problem:
        if problem.status not in (409, 413, 415, 422):
            raise
        return await _upload_form(page, slug, page.form_state(problem), status=problem.status)
    return page.redirect(f"/documents/{document['id']}", notice=f"“{document['title']}” was uploaded.")


# The tabs' own addresses come after .../upload, which they would otherwise take for a model id.


@router.get("/documents/libraries/partner/{model_id}")
async def partner_library(page: SignedInPage, model_id: UUID) -> Response:
    return await _library(page, "partner", model_id)


@router.get("/documents/libraries/{slug}")
async def public_library(page: SignedInPage, slug: str) -> Response:
    if slug not in PUBLIC:
        return page.render("error.html", status=404, title="Page not found",
                           detail="There is no such library.")
    return await _library(page, PUBLIC[slug], None)


# --- one document: its versions, title, file, tags -----------------------------------------------------------


VERSION_SORTS = {"number": lambda v: v["number"], "at": lambda v: v["at"], "size_bytes": lambda v: v["size_bytes"]}


async def _document_page(page: Page, document_id: UUID, status: int = 200, **forms: FormState) -> Response:
    document, tabs, types = await asyncio.gather(
        page.api.get(f"{API}/documents/{document_id}"), _tabs(page), _document_types(page))
    tab = next((t for t in tabs if t.library == document["library"]
                and t.model_id == document["security_model_id"]), None)
    versions = Listing.read(page.request, VERSION_SORTS, "-number", size=10).arrange(document["versions"])
    blank = {
        "title_form": FormState(values={"title": document["title"]}),
        "tags_form": FormState(values={"tags": ", ".join(document["tags"])}),
        "file_form": FormState(),
    }
    return page.render("documents/document.html", status=status, document=document, tab=tab, versions=versions,
                       type_name=dict(types).get(document["document_type"], document["document_type"]),
                       can_write=may_write(page, document["library"]), **{**blank, **forms})


@router.get("/documents/{document_id}")
async def document_page(page: SignedInPage, document_id: UUID) -> Response:
    return await _document_page(page, document_id)


@router.get("/documents/{document_id}/download")
async def download(page: SignedInPage, document_id: UUID, version: int | None = None) -> Response:
    """DOC-06: a short-lived link to the bytes in object storage; the browser goes straight there."""
    link = await page.api.get(f"{API}/documents/{document_id}/download", version=version)
    return page.redirect(link["url"])


@router.post("/documents/{document_id}/title")
async def retitle(page: SignedInPage, document_id: UUID) -> Response:
    try:
        await page.api.patch(f"{API}/documents/{document_id}",
                             {"title": page.field("title"), "version": as_int(page.field("version")) or None})
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await _document_page(page, document_id, problem.status, title_form=page.form_state(problem))
    return page.redirect(f"/documents/{document_id}",
                         notice="The title was changed; the previous one is kept in the archive.")


@router.post("/documents/{document_id}/tags")
async def tag(page: SignedInPage, document_id: UUID) -> Response:
    try:
        await page.api.put(f"{API}/documents/{document_id}/tags", {"tags": split_tags(page.field("tags"))})
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return await _document_page(page, document_id, problem.status,
                                    tags_form=page.form_state(gathered(problem, "tags")))
    return page.redirect(f"/documents/{document_id}", notice="Your tags were saved.")


@router.post("/documents/{document_id}/file")
async def new_file(page: SignedInPage, document_id: UUID) -> Response:
    file = uploaded_file(page)
    data = {"version": page.field("version")} if page.field("version") else {}
    try:
        await page.api.post(f"{API}/documents/{document_id}/file", data=data,
                            files=await file_part(file) if file else None)
    except ApiProblem as problem:
        if problem.status not in (409, 413, 415, 422):
            raise
        return await _document_page(page, document_id, problem.status, file_form=page.form_state(problem))
    return page.redirect(f"/documents/{document_id}",
                         notice="The new file was uploaded; the previous one is kept in the archive.")


@router.post("/documents/{document_id}/remove")
async def remove(page: SignedInPage, document_id: UUID) -> Response:
    document = await page.api.get(f"{API}/documents/{document_id}")
    version = as_int(page.field("version"))
    await page.api.delete(f"{API}/documents/{document_id}",
                          params={"version": version} if isinstance(version, int) else None)
    back = (f"/documents/libraries/partner/{document['security_model_id']}" if document["library"] == "partner"
            else f"/documents/libraries/{SLUG[document['library']]}")
    return page.redirect(back, notice=f"“{document['title']}” was removed from the library.")
