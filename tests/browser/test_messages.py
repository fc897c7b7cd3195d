"""Messages in a real browser (manual: Messages): the inbox with its unread marks, a thread, a reply, a new
message with an attachment to the SCSS, and the e-mail notices; for a contact and for the SCSS."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import sign_in
from tests.browser.seed import Seed, User
from tests.browser.seed_documents import EXECUTABLE, staff_at_once

pytestmark = [pytest.mark.system, pytest.mark.browser]


@pytest.fixture(scope="module")
def staff(gateway_url: str) -> dict[str, User]:
    """An SCSS and a manager the tests share (a staff account takes a `python -m identity` run to make)."""
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        return staff_at_once(Seed(client), "scss", "management")


def thread_row(page, subject: str):
    return page.locator("table tbody tr", has=page.get_by_role("link", name=re.compile(re.escape(subject))))


@pytest.mark.req("MSG-02")
@pytest.mark.req("MSG-03")
@pytest.mark.req("MSG-04")
async def test_a_contact_writes_to_the_scss_with_an_attachment_and_reads_the_reply(new_page, seed, staff, screens):
    scss = staff["scss"]
    app = seed.submitted(scss, staff["management"])
    owner = app.owner
    status_news = "C-TPAT status changed to Under Review"

    page = await new_page()
    await sign_in(page, owner.email, owner.password)
    await page.get_by_role("link", name="Messages", exact=True).click()
    await expect(page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    news = thread_row(page, status_news)
    await expect(news).to_have_class(re.compile("portal-unread"))
    await expect(news.locator("th a")).to_have_accessible_name(f"Unread: {status_news}")
    await screens.both_widths(page, "messages-inbox")
    await page.get_by_role("link", name="Last message").click()
    await expect(page.get_by_role("columnheader", name=re.compile("Last message"))).to_have_attribute(
        "aria-sort", "ascending")
    await expect(page.locator("table tbody tr th a").first).to_have_text(
        re.compile("C-TPAT status changed to Applicant"))

    # Opening a thread marks it read (for this user only).
    async with page.expect_response(lambda r: r.url.endswith("/read") and r.status == 204):
        await news.locator("th a").click()
    await expect(page.get_by_role("heading", name=status_news, level=1)).to_be_visible()
    await expect(page.locator("[data-message]").first).to_contain_text("C-TPAT Portal")
    await page.get_by_role("link", name="Messages", exact=True).first.click()
    await expect(thread_row(page, status_news)).not_to_have_class(re.compile("portal-unread"))

    # A new message to the SCSS, with a file that lands in the model's Partner Library.
    await page.get_by_role("link", name="New message").click()
    await expect(page).to_have_url(re.compile(rf"/security-models/{app.model_id}/messages/new$"))
    await screens.both_widths(page, "message-new")
    await page.get_by_label("Subject").fill("Seal inspection records")
    await page.get_by_label("Message").fill("Please find our seal inspection log attached.\nRegards, Dana")
    await page.get_by_label(re.compile("^Upload a file")).set_input_files(
        files=[{"name": "seal-inspection.txt", "mimeType": "text/plain", "buffer": b"Seal 1: intact\n"}])
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("status")).to_contain_text("Your message was sent")
    await expect(page.get_by_role("heading", name="Seal inspection records", level=1)).to_be_visible()
    await expect(page.get_by_role("link", name="seal-inspection.txt", exact=True)).to_be_visible()

    # The SCSS finds it unread in their inbox, opens the attachment's document, and replies.
    officer = await new_page(narrow=True)
    await sign_in(officer, scss.email, scss.password)
    await officer.goto("/messages")
    mine = thread_row(officer, "Seal inspection records")
    await expect(mine).to_have_class(re.compile("portal-unread"))
    async with officer.expect_response(lambda r: r.url.endswith("/read") and r.status == 204):
        await mine.locator("th a").click()
    await screens.both_widths(officer, "message-thread")
    await expect(officer.locator("[data-message]").first).to_contain_text("Trade partner contact")
    await officer.get_by_label("Your reply").fill("Thank you, received.")
    await officer.get_by_role("button", name="Send").click()
    await expect(officer.get_by_role("status")).to_contain_text("Your reply was sent")
    await expect(officer.locator("[data-message]")).to_have_count(2)
    await expect(officer.locator("[data-message]").first).to_contain_text("Thank you, received.")
    await officer.get_by_role("link", name="seal-inspection.txt", exact=True).click()
    await expect(officer.get_by_role("heading", name="seal-inspection.txt", level=1)).to_be_visible()

    # Back with the contact: the reply, newest on top, from the SCSS; the thread unread again until opened.
    await page.goto("/messages")
    await expect(thread_row(page, "Seal inspection records")).to_have_class(re.compile("portal-unread"))
    await thread_row(page, "Seal inspection records").locator("th a").click()
    first = page.locator("[data-message]").first
    await expect(first).to_contain_text("Supply Chain Security Specialist (SCSS)")
    await expect(first).to_contain_text("Thank you, received.")
    await expect(page.locator("[data-message]").nth(1)).to_contain_text("You")

    # The model's own list of threads.
    await page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name=re.compile("Harbor")).click()
    await expect(page).to_have_url(re.compile(rf"/security-models/{app.model_id}/messages$"))
    await expect(thread_row(page, "Seal inspection records")).to_be_visible()
    await screens.both_widths(page, "messages-of-model")


async def test_a_refused_message_keeps_what_was_typed_and_says_why_beside_the_field(page, seed):
    app = seed.application()  # its owner is a contact of the model from the start
    await sign_in(page, app.owner.email, app.owner.password)
    await page.goto(f"/security-models/{app.model_id}/messages/new")

    await page.get_by_label("Message").fill("A body without a subject.")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_label("Subject")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#field-subject-error")).to_be_visible()
    await expect(page.get_by_label("Message")).to_have_value("A body without a subject.")

    await page.get_by_label("Subject").fill("Our procedures")
    await page.get_by_label(re.compile("^Upload a file")).set_input_files(
        files=[{"name": "procedures.pdf", "mimeType": "application/pdf", "buffer": EXECUTABLE}])
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator("#field-file-error")).to_contain_text("not accepted")
    await expect(page.get_by_label("Subject")).to_have_value("Our procedures")
    await expect(page.get_by_label("Message")).to_have_value("A body without a subject.")


async def test_e_mail_notices_are_turned_off_and_on(page, seed, screens):
    user = seed.application().owner
    await sign_in(page, user.email, user.password)
    await page.goto("/messages")
    await page.get_by_role("link", name="E-mail notices").click()
    await screens.both_widths(page, "message-notices")
    box = page.get_by_label("E-mail me when a new message arrives")
    await expect(box).to_be_checked()
    await page.locator("label", has_text="E-mail me when a new message arrives").click()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_contain_text("no longer get an e-mail")
    assert seed.call("GET", "/api/messaging/me/notification-settings", user) == {"email_notices": False}
    await page.goto("/messages/settings")
    await expect(box).not_to_be_checked()
