"""The Document Library in a real browser (manual: Document Library): the libraries as tabs, a Partner
Library's list with its sorting, pages and personal tags, a document's versions, and the uploads Admin makes to
the public libraries."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import sign_in
from tests.browser.seed import Seed, User, tag
from tests.browser.seed_documents import EXECUTABLE, staff_at_once, upload

pytestmark = [pytest.mark.system, pytest.mark.browser]


@pytest.fixture(scope="module")
def admin(gateway_url: str) -> User:
    """CBP's administrator the tests share (a staff account takes a `python -m identity` run to make)."""
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        return staff_at_once(Seed(client), "admin")["admin"]


def rows(page):
    return page.locator("table tbody tr")


@pytest.mark.req("DOC-01")
async def test_an_administrator_uploads_to_the_trade_public_library_and_a_trade_user_only_reads_it(
        new_page, seed, admin, screens):
    reader = seed.application().owner  # a user of a Trade Account
    title = f"Trade bulletin {tag()}"

    page = await new_page()
    await sign_in(page, admin.email, admin.password)
    await page.goto("/documents")
    await expect(page).to_have_url(re.compile(r"/documents/libraries/trade-public$"))
    await expect(page.get_by_role("heading", name="Trade Public Document Library")).to_be_visible()
    await page.get_by_role("link", name="Upload a document").click()
    await expect(page.get_by_role("heading", name="Upload a document")).to_be_visible()
    await screens.both_widths(page, "documents-upload")

    # documents reads what a file is from its bytes: an executable named .pdf is refused beside the file field.
    await page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "bulletin.pdf", "mimeType": "application/pdf", "buffer": EXECUTABLE}])
    await page.get_by_label("Document type").select_option("cbp_guidance")
    await page.get_by_label("Title").fill(title)
    await page.get_by_role("button", name="Upload file").click()
    await expect(page.locator("#field-file-error")).to_contain_text("not accepted")
    await expect(page.get_by_label("Title")).to_have_value(title)

    await page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "bulletin.txt", "mimeType": "text/plain", "buffer": b"Cargo seals: the 2026 guidance.\n"}])
    await page.get_by_role("button", name="Upload file").click()
    await expect(page.get_by_role("status")).to_contain_text("was uploaded")
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)

    trade = await new_page(narrow=True)
    await sign_in(trade, reader.email, reader.password)
    await trade.goto("/documents")
    await expect(trade.get_by_role("link", name="Trade Public Document Library")).to_have_attribute(
        "aria-current", "page")
    await trade.goto(f"/documents/libraries/trade-public?title={title.replace(' ', '+')}")
    await expect(trade.get_by_role("link", name=title)).to_be_visible()
    await expect(trade.get_by_role("link", name="Upload a document")).to_have_count(0)
    await trade.get_by_role("link", name=title).click()
    await expect(trade.get_by_role("heading", name="Change the title")).to_have_count(0)
    await expect(trade.get_by_role("link", name="Download", exact=True)).to_be_visible()
    # The API refuses them anyway.
    seed.call("POST", "/api/documents/libraries/trade_public/documents", reader, expect=403,
              data={"document_type": "other", "title": "Not allowed"},
              files={"file": ("x.txt", b"hello\n", "text/plain")})


@pytest.mark.req("DOC-07")
@pytest.mark.req("DOC-08")
async def test_a_contact_lists_tags_retitles_replaces_downloads_and_removes_partner_documents(
        page, seed, screens):
    app = seed.application()  # its owner is a contact of the model from the start
    owner, model_id = app.owner, app.model_id
    for title in ("Charlie audit", "Alpha seal log", "Bravo training"):
        upload(seed, owner, "partner", title, model_id=model_id)

    await sign_in(page, owner.email, owner.password)
    await page.goto("/documents")
    await page.get_by_role("link", name=re.compile(r"^C-TPAT Partner Library: ")).click()
    await expect(page).to_have_url(re.compile(rf"/documents/libraries/partner/{model_id}$"))
    await expect(rows(page)).to_have_count(3)
    await screens.both_widths(page, "documents-library")

    # Sorted by title, two a page.
    await page.goto(f"/documents/libraries/partner/{model_id}?size=2")
    await page.get_by_role("link", name="Title").click()
    await expect(page.get_by_role("columnheader", name=re.compile("Title"))).to_have_attribute(
        "aria-sort", "ascending")
    await expect(rows(page).locator("th")).to_have_text(["Alpha seal log", "Bravo training"])
    await page.get_by_role("link", name="Next page").click()
    await expect(rows(page).locator("th")).to_have_text(["Charlie audit"])

    # An upload through the page, into this model's library.
    await page.goto(f"/documents/libraries/partner/{model_id}")
    await page.get_by_role("link", name="Upload a document").click()
    await expect(page.get_by_label("C-TPAT account (Security Model)")).to_have_value(model_id)
    await page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "seal-log-v1.txt", "mimeType": "text/plain", "buffer": b"Seal log, first edition\n"}])
    await page.get_by_label("Document type").select_option("policy_procedure")
    await page.get_by_role("button", name="Upload file").click()
    await expect(page.get_by_role("status")).to_contain_text("“seal-log-v1.txt” was uploaded")
    await screens.both_widths(page, "document")

    # Personal tags, a new title, a new file: the archive keeps each earlier version.
    tags = page.get_by_role("textbox", name=re.compile(r"^Tags"))
    await tags.fill("seals, audit 2026")
    await page.get_by_role("button", name="Save tags").click()
    await expect(page.get_by_role("status")).to_contain_text("Your tags were saved")
    await expect(tags).to_have_value("audit 2026, seals")
    await page.get_by_label("Title", exact=True).fill("Seal log")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.get_by_role("status")).to_contain_text("The title was changed")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Seal log")
    await page.get_by_label("New file", exact=True).set_input_files(
        files=[{"name": "seal-log-v2.txt", "mimeType": "text/plain", "buffer": b"Seal log, second edition\n"}])
    await page.get_by_role("button", name="Upload new file").click()
    await expect(page.get_by_role("status")).to_contain_text("The new file was uploaded")
    versions = page.get_by_role("table").filter(has_text="Change")
    await expect(versions.locator("tbody tr")).to_have_count(3)
    await expect(versions.locator("tbody tr").first).to_contain_text("Current")

    # Any version downloads (from object storage, through a short-lived link).
    async with page.expect_download() as first:
        await page.get_by_role("link", name="Download version 1").click()
    download = await first.value
    assert download.suggested_filename == "seal-log-v1.txt"
    assert open(await download.path(), "rb").read() == b"Seal log, first edition\n"
    document_url = page.url

    # The library filtered by one of my tags.
    await page.get_by_role("link", name=re.compile(r"^C-TPAT Partner Library: ")).click()
    await page.get_by_text("Filter the documents").click()
    await page.locator("label.usa-checkbox__label", has_text=re.compile(r"^seals")).click()  # USWDS hides the box
    await expect(page.get_by_label(re.compile(r"^seals"))).to_be_checked()
    await page.get_by_role("button", name="Apply filters").click()
    await expect(rows(page).locator("th")).to_have_text(["Seal log"])
    await expect(page.get_by_role("link", name="Remove the filter by tag seals")).to_be_visible()

    # Removing asks first.
    await page.goto(document_url)
    await page.get_by_role("button", name="Remove document").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Remove “Seal log”?")
    await dialog.get_by_role("button", name="Yes, remove it").click()
    await expect(page.get_by_role("status")).to_contain_text("“Seal log” was removed")
    await expect(page).to_have_url(re.compile(rf"/documents/libraries/partner/{model_id}$"))
    await expect(page.get_by_role("link", name="Seal log", exact=True)).to_have_count(0)
    await expect(rows(page)).to_have_count(3)


@pytest.mark.req("DOC-05")
async def test_a_file_over_the_limit_is_refused_beside_the_file_field(page, seed, tmp_path):
    app = seed.application()
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (25 * 1024 * 1024 + 128 * 1024))

    await sign_in(page, app.owner.email, app.owner.password)
    await page.goto(f"/documents/libraries/partner/upload?security_model_id={app.model_id}")
    await page.get_by_label("File", exact=True).set_input_files(str(big))
    await page.get_by_label("Document type").select_option("audit_assessment")
    await page.get_by_label("Title").fill("Scanned audit")
    await page.get_by_role("button", name="Upload file").click()
    await expect(page.locator("#field-file-error")).to_contain_text("the limit is")
    await expect(page.get_by_label("File", exact=True)).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Title")).to_have_value("Scanned audit")
