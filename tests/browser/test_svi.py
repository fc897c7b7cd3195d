"""The Status Verification Interface in a real browser (manual: Status Verification Interface (Partner
Monitoring)): the SVI agreement, requesting monitoring, the two lists and their decisions, and the settings."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.seed import Seed, User, mail_to, tag
from tests.browser.seed_svi import SviSeed

pytestmark = [pytest.mark.system, pytest.mark.browser]


@pytest.fixture(scope="module")
def staff(gateway_url: str) -> tuple[User, User]:
    """One SCSS and one Management user for the module's certifications (making staff is slow)."""
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        seed = Seed(client)
        return seed.staff("scss"), seed.staff("management")


@pytest.fixture
def svi(seed, staff) -> SviSeed:
    return SviSeed(seed, staff)


async def _signed_in(new_page, app, path: str) -> Page:
    page = await new_page()
    await sign_in(page, app.owner.email, app.owner.password)
    await page.goto(path)
    return page


async def _search(page: Page, model_id: str, q: str) -> None:
    """The plain form: type the name, press Search (the page reloads with the results)."""
    await page.goto(f"/security-models/{model_id}/svi/request")
    await page.get_by_label("Company name").fill(q)
    await page.get_by_role("button", name="Search").click()
    await expect(page).to_have_url(re.compile(r"/svi/request\?q="))


async def _tab(page: Page, name: str) -> None:
    await page.get_by_role("navigation", name="SVI sections").get_by_role("link", name=name).click()


async def _tick(page: Page, label: str | re.Pattern) -> None:
    """USWDS draws its own boxes and keeps the real input out of sight: a person clicks the label."""
    await page.locator("label").filter(has_text=label).click()


async def _confirm(page: Page, row_text: str, button: str, question: str | re.Pattern, yes: str) -> None:
    await page.get_by_role("row").filter(has_text=row_text).get_by_role("button", name=button, exact=True).click()
    dialog = page.get_by_role("dialog", name=question)
    await expect(dialog.get_by_role("heading")).to_be_visible()
    await dialog.get_by_role("button", name=yes).click()


@pytest.mark.req("SV-01")
@pytest.mark.req("SV-02")
async def test_an_officer_signs_the_svi_agreement_before_asking_and_revoking_it_clears_the_lists(
        new_page, svi, seed, screens):
    alder = svi.importer("Alder", svi=False)
    birch = svi.importer("Birch")
    svi.found_by(alder, birch)
    page = await _signed_in(new_page, alder, f"/security-models/{alder.model_id}/svi")
    await expect(page.get_by_role("heading", level=1, name="Status Verification Interface")).to_be_visible()
    await expect(page.get_by_text("Not in SVI")).to_be_visible()
    await screens.both_widths(page, "svi-agreement")

    # SV-01: Certified, but without the SVI agreement the company cannot ask anyone to monitor it.
    await _search(page, alder.model_id, svi.name("Birch"))
    await _tick(page, svi.name("Birch"))
    await page.get_by_role("button", name="Save selections").click()
    await expect(page.get_by_role("alert").first).to_contain_text("SVI agreement")
    await expect(page.get_by_label(svi.name("Birch"))).to_be_checked()

    # Signing: the box must be ticked (said beside it), and the API names an empty signature beside its field.
    await _tab(page, "SVI agreement")
    await page.get_by_role("button", name="Sign the SVI agreement").click()
    await expect(page.locator("#field-agree-error")).to_contain_text("Tick the box")
    await _tick(page, re.compile("I agree to the SVI agreement"))
    await page.get_by_role("button", name="Sign the SVI agreement").click()
    await expect(page.locator("#field-signer_name-error")).to_be_visible()
    await expect(page.get_by_label(re.compile("I agree to the SVI agreement"))).to_be_checked()
    await page.get_by_label("Your full name, as your electronic signature").fill("Dana Whitfield")
    await page.get_by_role("button", name="Sign the SVI agreement").click()
    await expect(page.get_by_role("status").filter(has_text="You signed the SVI agreement")).to_be_visible()
    await expect(page.get_by_text("Dana Whitfield signed the SVI agreement")).to_be_visible()
    await screens.both_widths(page, "svi-agreement-signed")

    # Once svi has the signature, the same request goes through.
    svi.found_by(birch, alder)
    await _search(page, alder.model_id, svi.name("Birch"))
    await _tick(page, svi.name("Birch"))
    await page.get_by_role("button", name="Save selections").click()
    await expect(page.get_by_role("status").filter(has_text="1 monitoring request was sent")).to_be_visible()
    await expect(page.get_by_role("row").filter(has_text=svi.name("Birch"))).to_contain_text("Pending")

    # SV-02: revoking the agreement (asked first) takes the company off every list.
    await _tab(page, "SVI agreement")
    await page.get_by_role("button", name="Revoke the SVI agreement").click()
    dialog = page.get_by_role("dialog", name="Revoke the SVI agreement?")
    await expect(dialog.get_by_role("heading")).to_be_visible()
    await dialog.get_by_role("button", name="Yes, revoke it").click()
    await expect(page.get_by_role("status").filter(has_text="You revoked the SVI agreement")).to_be_visible()
    await expect(page.get_by_role("button", name="Sign the SVI agreement")).to_be_visible()
    seed.until("svi to end the requests", lambda: svi.monitoring_you(alder) == [])
    await _tab(page, "Partners monitoring you")
    await expect(page.get_by_text("has not asked any company to monitor it yet")).to_be_visible()


@pytest.mark.req("SV-04")
@pytest.mark.req("SV-05")
@pytest.mark.req("SV-06")
async def test_a_company_searches_as_it_types_and_asks_several_partners_in_one_save(new_page, svi, screens):
    alder, birch, cedar = svi.importer("Alder"), svi.importer("Birch"), svi.importer("Cedar")
    dogwood = svi.importer("Dogwood", svi=False)  # Certified, but not in SVI: never found (SV-04)
    svi.found_by(alder, birch, cedar)
    page = await _signed_in(new_page, alder, f"/security-models/{alder.model_id}/svi/request")

    # htmx: the results come as the name is typed, without pressing Search.
    await page.get_by_label("Company name").fill(svi.prefix)
    await expect(page.get_by_label(svi.name("Birch"))).to_be_visible()
    await expect(page.get_by_label(svi.name("Cedar"))).to_be_visible()
    await expect(page.get_by_role("status").filter(has_text="found for")).to_be_visible()
    await expect(page.get_by_label(svi.name("Dogwood"))).to_have_count(0)
    await expect(page.get_by_label(svi.name("Alder"), exact=True)).to_have_count(0)  # never yourself
    await expect(page).to_have_url(re.compile(r"q=Harbor"))
    assert dogwood.model_id not in await page.content()
    await screens.both_widths(page, "svi-request-monitoring")

    # SV-05: several in one save, each a pending request (SV-06: listed with its state).
    await _tick(page, svi.name("Birch"))
    await _tick(page, svi.name("Cedar"))
    await page.get_by_role("button", name="Save selections").click()
    await expect(page.get_by_role("status").filter(has_text="2 monitoring requests were sent")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/svi/partners-monitoring-you$"))
    for word in ("Birch", "Cedar"):
        row = page.get_by_role("row").filter(has_text=svi.name(word))
        await expect(row).to_contain_text("Pending")
        await expect(row).to_contain_text("Shown once accepted")
    await screens.both_widths(page, "svi-partners-monitoring-you")

    # Nothing selected: said beside the list. Asking again: refused beside that company, the choice kept.
    await _search(page, alder.model_id, svi.prefix)
    await page.get_by_role("button", name="Save selections").click()
    await expect(page.get_by_role("alert").first).to_contain_text("Select at least one company")
    await expect(page.get_by_role("row").filter(has_text=svi.name("Birch"))).to_contain_text("Pending")
    await _tick(page, svi.name("Birch"))
    await page.get_by_role("button", name="Save selections").click()
    await expect(page.locator(f"#company-{birch.model_id}-error")).to_contain_text("already has your request")
    await expect(page.get_by_label(svi.name("Birch"))).to_be_checked()
    await expect(page.get_by_label(svi.name("Birch"))).to_have_attribute("aria-invalid", "true")

    # Too short a search is refused beside the box; one that finds nothing says so.
    await _search(page, alder.model_id, "H")
    await expect(page.locator("#field-q-error")).to_be_visible()
    await expect(page.get_by_label("Company name")).to_have_value("H")
    await _search(page, alder.model_id, f"Zz{tag()}")
    await expect(page.get_by_text("No company taking part in SVI matches")).to_be_visible()


@pytest.mark.req("SV-07")
@pytest.mark.req("SV-08")
@pytest.mark.req("SV-09")
@pytest.mark.req("SV-10")
async def test_the_monitoring_partner_accepts_declines_revokes_and_removes_a_block(new_page, svi, screens):
    alder, birch, cedar = svi.importer("Alder"), svi.importer("Birch"), svi.importer("Cedar")
    svi.ask(alder, birch)
    svi.ask(cedar, birch)
    page = await _signed_in(new_page, birch, f"/security-models/{birch.model_id}/svi/partners-you-monitor")
    alder_row = page.get_by_role("row").filter(has_text=svi.name("Alder"))
    cedar_row = page.get_by_role("row").filter(has_text=svi.name("Cedar"))
    await expect(alder_row).to_contain_text("Pending")
    await expect(alder_row).to_contain_text("Shown once accepted")  # SV-08: no status while pending
    await screens.both_widths(page, "svi-partners-you-monitor")

    # SV-07 and SV-08: accepted, the requester's status shows.
    await alder_row.get_by_role("button", name="Accept").click()
    await expect(page.get_by_role("status").filter(has_text="You accepted")).to_be_visible()
    await expect(alder_row).to_contain_text("Accepted")
    await expect(alder_row.get_by_role("cell", name=re.compile("^Certified"))).to_be_visible()

    # Declined, after the dialog asks first: by keyboard it opens with Enter and Escape closes it unchanged.
    await cedar_row.get_by_role("button", name="Decline", exact=True).focus()
    await page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=re.compile("Decline .*request"))
    await expect(dialog.get_by_role("heading")).to_be_visible()
    await page.wait_for_function("document.getAnimations().length === 0")  # faded in: contrast as seen
    await screens.check(page, "svi-decline-dialog")
    await page.keyboard.press("Escape")
    await expect(dialog.get_by_role("heading")).to_be_hidden()
    await expect(cedar_row).to_contain_text("Pending")
    await _confirm(page, svi.name("Cedar"), "Decline", re.compile("Decline .*request"), "Yes, decline")
    await expect(page.get_by_role("status").filter(has_text="You declined")).to_be_visible()
    await expect(cedar_row).to_contain_text("Declined")

    # SV-10: the filter; and the list's pages and sort order.
    await page.get_by_label("Request state").select_option("declined")
    await page.get_by_role("button", name="Filter").click()
    await expect(page).to_have_url(re.compile(r"state=declined"))
    await expect(cedar_row).to_be_visible()
    await expect(alder_row).to_have_count(0)
    await page.get_by_label("Request state").select_option("accepted")
    await page.get_by_role("button", name="Filter").click()
    await expect(alder_row).to_be_visible()
    await expect(cedar_row).to_have_count(0)
    await page.goto(f"/security-models/{birch.model_id}/svi/partners-you-monitor?size=1")
    await expect(page.get_by_text("Showing 1–1 of 2.")).to_be_visible()
    await expect(alder_row).to_be_visible()
    await page.get_by_role("link", name="Next page").click()
    await expect(cedar_row).to_be_visible()
    await expect(page.get_by_text("Showing 2–2 of 2.")).to_be_visible()
    await page.get_by_role("link", name="Company").click()  # now descending: Cedar first
    await expect(page.get_by_role("columnheader", name=re.compile("Company"))).to_have_attribute(
        "aria-sort", "descending")
    await expect(cedar_row).to_be_visible()
    await expect(page.get_by_text("Showing 1–1 of 2.")).to_be_visible()

    # SV-09: the declined company is blocked from asking again, and sees the decline on its own list.
    other = await _signed_in(new_page, cedar, f"/security-models/{cedar.model_id}/svi/partners-monitoring-you")
    await expect(other.get_by_role("row").filter(has_text=svi.name("Birch"))).to_contain_text("Declined")
    await _search(other, cedar.model_id, svi.name("Birch"))
    await _tick(other, svi.name("Birch"))
    await other.get_by_role("button", name="Save selections").click()
    await expect(other.locator(f"#company-{birch.model_id}-error")).to_contain_text("remove the block")

    # Revoke (declined after accepting) and remove the block, each asked first.
    await page.goto(f"/security-models/{birch.model_id}/svi/partners-you-monitor")
    await _confirm(page, svi.name("Alder"), "Revoke", re.compile("Stop monitoring"), "Yes, revoke")
    await expect(page.get_by_role("status").filter(has_text="You revoked monitoring")).to_be_visible()
    await expect(alder_row).to_contain_text("Revoked")
    await expect(alder_row).to_contain_text("Shown once accepted")
    await _confirm(page, svi.name("Cedar"), "Remove block", re.compile("Remove the block"), "Yes, remove the block")
    await expect(page.get_by_role("status").filter(has_text="You removed the block")).to_be_visible()
    await expect(cedar_row).to_have_count(0)

    # Unblocked, Cedar asks again: this time for every Security Model of its Trade Account.
    await _search(other, cedar.model_id, svi.name("Birch"))
    await _tick(other, svi.name("Birch"))
    await _tick(other, re.compile("Every Security Model of"))
    await other.get_by_role("button", name="Save selections").click()
    await expect(other.get_by_role("status").filter(has_text="1 monitoring request was sent")).to_be_visible()
    await expect(other.get_by_role("row").filter(has_text=svi.name("Birch"))).to_contain_text("Pending")


async def test_svi_settings_are_saved_and_a_certification_notice_is_emailed(new_page, svi, screens):
    alder, birch = svi.importer("Alder"), svi.importer("Birch")
    page = await _signed_in(new_page, alder, f"/security-models/{alder.model_id}/svi/settings")
    auto_accept = page.get_by_label(re.compile("Accept every monitoring request at once"))
    share_more = page.get_by_label(re.compile("Share more than Certified"))
    await expect(auto_accept).not_to_be_checked()
    await screens.both_widths(page, "svi-settings")
    await _tick(page, "Accept every monitoring request at once")
    await _tick(page, "Share more than Certified")
    await page.get_by_role("button", name="Save settings").click()
    await expect(page.get_by_role("status").filter(has_text="Your SVI settings were saved")).to_be_visible()
    await page.reload()
    await expect(auto_accept).to_be_checked()
    await expect(share_more).to_be_checked()
    await _tick(page, "Share more than Certified")
    await page.get_by_role("button", name="Save settings").click()
    await expect(page.get_by_role("status").filter(has_text="Your SVI settings were saved")).to_be_visible()
    await expect(share_more).not_to_be_checked()
    await expect(auto_accept).to_be_checked()

    # Auto-accept at work: a request arrives already accepted.
    svi.ask(birch, alder)
    await _tab(page, "Partners you monitor")
    await expect(page.get_by_role("row").filter(has_text=svi.name("Birch"))).to_contain_text("Accepted")
    await _tab(page, "Settings")

    # The notice: a bad address is refused beside its field, the note kept; a good one is mailed.
    await page.get_by_label("Recipient’s email address").fill("not-an-address")
    await page.get_by_label(re.compile("A note to the recipient")).fill("As promised, our status.")
    await page.get_by_role("button", name="Send the notice").click()
    await expect(page.locator("#field-email-error")).to_be_visible()
    await expect(page.get_by_label(re.compile("A note to the recipient"))).to_have_value("As promised, our status.")
    recipient = f"buyer-{tag()}@example.com"
    await page.get_by_label("Recipient’s email address").fill(recipient)
    await page.get_by_role("button", name="Send the notice").click()
    await expect(page.get_by_role("status").filter(has_text=f"on its way to {recipient}")).to_be_visible()
    mail = mail_to(recipient)
    assert svi.name("Alder") in mail and "As promised, our status." in mail
