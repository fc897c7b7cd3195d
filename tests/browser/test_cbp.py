"""The CBP side, in a real browser: the SCSS's work queue and review, a Security Model's status, validations
and annual reviews, Management's assignments and approvals, and the Helpdesk (manual: the SCSS review; CT-12
to CT-16, TA-11)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.async_api import Page, expect

from tests.browser import seed_cbp
from tests.browser.conftest import sign_in
from tests.browser.seed import mail_to, tag
from tests.browser.seed_cbp import Staff

pytestmark = [pytest.mark.system, pytest.mark.browser]


@pytest.fixture(scope="module")
def staff_emails(gateway_url) -> dict[str, str]:
    """CBP staff for the whole module: making one takes seconds (identity's command line)."""
    return seed_cbp.make_staff(gateway_url, ["scss", "scss", "management", "admin"])


@pytest.fixture
def staff(seed, staff_emails) -> Staff:
    return seed_cbp.signed_in_staff(seed, staff_emails)


def _name(kind: str = "Imports") -> str:
    return f"Quay {tag()} {kind}"


async def _notice(page: Page, text: str) -> None:
    await expect(page.locator("[data-notice]")).to_contain_text(text)


async def _status(page: Page, text: str) -> None:
    await expect(page.locator("p.usa-intro .usa-tag")).to_have_text(text)


@pytest.mark.req("CT-12")
async def test_the_scss_finds_a_submitted_profile_in_the_queue_and_returns_it_with_a_reason(page, seed, staff, screens):
    scss, management = staff.scss, staff.management
    name = _name()
    app = seed.submitted(scss, management, name)
    await sign_in(page, scss.email, scss.password)

    await page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Work queue").click()
    row = page.get_by_role("link", name=f"Security Profile to review · {name}")
    await expect(row).to_be_visible()
    await screens.both_widths(page, "cbp-work-queue")
    await row.click()
    await expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    await _status(page, "Under Review")
    await screens.both_widths(page, "cbp-security-model-review")

    # Returning needs a reason: ctpat's refusal sits beside the box.
    await page.get_by_role("button", name="Return to the partner").click()
    reason = page.get_by_label("What the partner must change")
    await expect(reason).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#return-reason-error")).to_contain_text(re.compile("blank|required"))
    await reason.fill("Criterion 1.1: describe who checks the seals.")
    await page.get_by_role("button", name="Return to the partner").click()

    await _notice(page, "returned to the partner")
    await _status(page, "Applicant")
    await expect(page.get_by_role("heading", name="Review")).to_have_count(0)
    await page.get_by_role("link", name="Status history", exact=True).click()
    await expect(page.get_by_role("cell", name=re.compile("Criterion 1.1: describe who checks"))).to_be_visible()
    await screens.both_widths(page, "cbp-security-model-history")
    await page.goto("/cbp/work-queue")
    await expect(page.get_by_role("link", name=f"Security Profile to review · {name}")).to_have_count(0)
    await page.goto(f"/cbp/security-models/{app.model_id}")
    await _status(page, "Applicant")


@pytest.mark.req("CT-12")
@pytest.mark.req("CT-14")
async def test_the_scss_approves_then_moves_the_tier_suspends_and_reinstates(page, seed, staff, screens):
    scss, management = staff.scss, staff.management
    app = seed.submitted(scss, management, _name())
    await sign_in(page, scss.email, scss.password)
    await page.goto(f"/cbp/security-models/{app.model_id}")

    await page.get_by_role("button", name="Approve the Security Profile").click()
    await _notice(page, "approved")
    await _status(page, "Certified")
    await page.get_by_role("link", name="Security Profile", exact=True).click()
    await expect(page.get_by_role("heading", name="Security Profile", level=2)).to_be_visible()
    await screens.both_widths(page, "cbp-security-model-profile")
    await page.get_by_role("link", name="Overview").click()

    # A tier, with why.
    await page.get_by_label("New certification tier").select_option("certified_validated")
    await page.get_by_label("Why", exact=True).fill("Tier II after the validation of March.")
    await page.get_by_role("button", name="Change the tier").click()
    await _notice(page, "tier was changed")
    await _status(page, "Certified-Validated (Tier II)")

    # Suspending is asked first.
    await page.get_by_role("button", name="Suspend", exact=True).click()
    dialog = page.get_by_role("dialog", name="Suspend this Security Model?")
    await dialog.get_by_label("Why it is suspended").fill("Seal audit failed at the Laredo facility.")
    await screens.check(page, "cbp-suspend-dialog")
    await dialog.get_by_role("button", name="Suspend the Security Model").click()
    await _notice(page, "suspended")
    await _status(page, "Suspended")

    await page.get_by_label("Why it is reinstated").fill("Corrective actions verified on site.")
    await page.get_by_role("button", name="Reinstate as Certified-Validated (Tier II)").click()
    await _notice(page, "reinstated")
    await _status(page, "Certified-Validated (Tier II)")
    recent = page.get_by_role("region", name="Latest status changes")
    await expect(recent).to_contain_text("Corrective actions verified on site.")
    await expect(recent).to_contain_text("You")


@pytest.mark.req("CT-15")
async def test_the_scss_records_a_validation_and_reads_the_partners_response(page, seed, staff, screens):
    scss, management = staff.scss, staff.management
    name = _name()
    app = seed.certified(scss, management, name, svi=False)
    await sign_in(page, scss.email, scss.password)
    await page.goto(f"/cbp/security-models/{app.model_id}/validations")
    await screens.both_widths(page, "cbp-validations")

    await page.get_by_label("Report").fill("")
    await page.get_by_label("Result").select_option("meets")
    await page.get_by_role("button", name="Record the validation").click()
    await expect(page.locator("#field-report-error")).to_be_visible()
    await expect(page.get_by_label("Result")).to_have_value("meets")

    await page.get_by_label("Validation date").fill(date.today().isoformat())
    await page.get_by_label("Report").fill("Site visit at Laredo; seals and fences audited.")
    await page.get_by_label("Recommendations").fill("Log seal numbers electronically.\nTrain new drivers on seals.")
    await page.get_by_label("Actions required").fill("Repair the east fence.")
    await page.get_by_role("button", name="Record the validation").click()
    await _notice(page, "validation was recorded")
    await expect(page.get_by_role("heading", name="Recommendations")).to_be_visible()
    await expect(page.get_by_text("Train new drivers on seals.")).to_be_visible()
    await expect(page.get_by_text("No reply yet.")).to_have_count(3)

    # The partner answers another validation; the queue says so, and the replies can be read.
    seed_cbp.validation_answered(seed, app, scss)
    await page.goto("/cbp/work-queue?kind=validation")
    await page.get_by_role("link", name=f"Validation response to read · {name}").click()
    await expect(page).to_have_url(re.compile(r"/validations$"))
    await page.get_by_role("row", name=re.compile("Submitted")).get_by_role("link").click()
    await expect(page.get_by_text("Done for: Repair the east fence.")).to_be_visible()
    await screens.both_widths(page, "cbp-validation")


@pytest.mark.req("CT-13")
async def test_the_scss_approves_a_submitted_annual_review_from_the_queue(page, seed, staff, screens):
    scss, management = staff.scss, staff.management
    app, year = seed_cbp.certified_review_submitted(seed, scss, management)
    await sign_in(page, scss.email, scss.password)
    await page.goto("/cbp/work-queue")
    await page.get_by_role("link", name=re.compile(f"Annual review {year} to approve")).click()
    await expect(page.get_by_role("heading", name="Annual reviews")).to_be_visible()
    await screens.both_widths(page, "cbp-annual-reviews")

    await page.get_by_role("button", name=f"Approve the {year} review").click()
    await _notice(page, f"The {year} annual review was approved")
    await expect(page.get_by_role("row", name=re.compile(str(year)))).to_contain_text("Approved")
    await expect(page.get_by_role("button", name=f"Approve the {year} review")).to_have_count(0)
    assert app.model_id in page.url


@pytest.mark.req("CT-12")
async def test_management_opens_a_model_by_id_assigns_its_scss_and_moves_the_anniversary(page, seed, staff, screens):
    scss, other, management = staff.scss, staff.other_scss, staff.management
    name = _name()
    app = seed.certified(scss, management, name, svi=False)
    await sign_in(page, management.email, management.password)

    await page.goto("/cbp/work-queue")
    await page.get_by_label("Security Model ID").fill("not-an-id")
    await page.get_by_role("button", name="Open").click()
    await expect(page.locator("#field-id-error")).to_contain_text("must be a Security Model ID")
    await page.get_by_label("Security Model ID").fill(app.model_id)
    await page.get_by_role("button", name="Open").click()
    await expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    await expect(page.get_by_test_id("assigned-scss")).to_have_text(scss.email)
    await screens.both_widths(page, "cbp-security-model-management")

    # Find the other SCSS by part of the email, and assign them.
    await page.get_by_label("Find an SCSS by email").fill(other.email.split("@")[0])
    await page.get_by_role("button", name="Find", exact=True).click()
    await page.locator("label", has_text=other.email).click()
    await page.get_by_role("button", name="Assign the SCSS").click()
    await _notice(page, "SCSS was assigned")
    await expect(page.get_by_test_id("assigned-scss")).to_have_text(other.email)

    # The anniversary moves with why; the earlier date stays in the history.
    later = (date.today() + timedelta(days=200)).isoformat()
    await page.get_by_label("New anniversary date").fill(later)
    await page.get_by_label("Why it moves").fill("Aligned with the validation date.")
    await page.get_by_role("button", name="Change the anniversary").click()
    await _notice(page, "anniversary was changed")
    await page.get_by_role("link", name="Status history", exact=True).click()
    await expect(page.get_by_role("row", name=re.compile("Aligned with the validation date"))).to_contain_text(
        "Anniversary")

    # Removal is Management's, asked first, and final.
    await page.get_by_role("link", name="Overview").click()
    await page.get_by_role("button", name="Remove from C-TPAT", exact=True).click()
    dialog = page.get_by_role("dialog", name="Remove this Security Model from C-TPAT?")
    await dialog.get_by_label("Why it is removed").fill("Repeated seal failures.")
    await dialog.get_by_role("button", name="Remove the Security Model").click()
    await _notice(page, "removed from C-TPAT")
    await _status(page, "Removed")
    await expect(page.get_by_role("heading", name="Status", exact=True)).to_have_count(0)


@pytest.mark.req("CT-16")
async def test_management_declines_only_with_a_reason_and_approves_an_expand(page, seed, staff, screens):
    management = staff.management
    name = _name()
    app, operation = seed_cbp.expand_requested(seed, name)
    await sign_in(page, management.email, management.password)

    await page.get_by_role("navigation", name="CBP work").get_by_role("link", name="Approvals").click()
    link = page.get_by_role("link", name=f"Expand: Highway Carrier · {name}")
    await expect(link).to_be_visible()
    await screens.both_widths(page, "cbp-approvals")
    await link.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    await screens.both_widths(page, "cbp-operation")

    # A reason of blanks is no reason: ctpat refuses, and the page says so.
    await page.get_by_role("button", name="Decline", exact=True).click()
    dialog = page.get_by_role("dialog", name="Decline this expand request?")
    await dialog.get_by_label("Why it is declined").fill("   ")
    await dialog.get_by_role("button", name="Decline the request").click()
    await expect(page.get_by_role("alert").first).to_contain_text("reason")

    await page.get_by_role("button", name="Approve", exact=True).click()
    dialog = page.get_by_role("dialog", name="Approve this expand request?")
    await dialog.get_by_role("button", name="Approve the request").click()
    await _notice(page, "approved")
    await expect(page.get_by_role("link", name=f"Expand: Highway Carrier · {name}")).to_have_count(0)

    await page.goto(f"/cbp/security-models/{app.model_id}")
    await expect(page.get_by_role("region", name="Details")).to_contain_text("Highway Carrier")
    await page.goto(f"/cbp/approvals/operations/{operation['id']}")
    await expect(page.get_by_role("heading", level=1, name="Not found")).to_be_visible()
    await expect(page.get_by_text("no longer waiting for a decision")).to_be_visible()


@pytest.mark.req("TA-13")
async def test_management_approves_a_trade_account_split_that_moves_a_security_model(page, seed, staff, screens):
    management = staff.management
    new_name = _name("Trucking")
    app, request = seed_cbp.split_moving_the_model(seed, new_name)
    await sign_in(page, management.email, management.password)

    await page.goto("/cbp/approvals")
    await page.get_by_role("link", name="Trade Account requests").click()
    row = page.get_by_role("row", name=re.compile(re.escape(new_name)))
    await expect(row).to_be_visible()
    await screens.both_widths(page, "cbp-approvals-trade-accounts")
    await row.get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Split request")
    await expect(page.get_by_text("C-TPAT Management: waiting")).to_be_visible()
    await screens.both_widths(page, "cbp-trade-account-request")

    await page.get_by_role("button", name="Approve", exact=True).click()
    dialog = page.get_by_role("dialog", name="Approve this split request?")
    await dialog.get_by_label("Note for the record").fill("Security Model moves with the trucking division.")
    await dialog.get_by_role("button", name="Approve the request").click()
    await _notice(page, "Trade Account request was approved")
    await page.goto(f"/cbp/approvals/trade-account-requests/{request['id']}")
    await expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    await expect(page.get_by_role("heading", name="Management's decision")).to_have_count(0)
    await expect(page.locator(f'a[href="/cbp/security-models/{app.model_id}"]')).to_be_visible()
    # The Security Model moved to the new account (ctpat hears of it by trade-accounts' event).
    seed.until("the Security Model to move", lambda: seed.call(
        "GET", f"/api/ctpat/security-models/{app.model_id}", management)["company_name"] == new_name)
    await page.goto(f"/cbp/security-models/{app.model_id}")
    await expect(page.get_by_role("heading", level=1, name=new_name)).to_be_visible()


async def test_an_admin_finds_a_user_acts_for_them_with_a_reason_and_sees_the_history(page, seed, staff, screens):
    admin = staff.admin
    user = seed.trade_user()
    await sign_in(page, admin.email, admin.password)
    await page.get_by_role("navigation", name="CBP work").get_by_role("link", name="Helpdesk").click()
    await screens.both_widths(page, "cbp-helpdesk")

    await page.get_by_label("Email address").fill(f"nobody-{tag()}@example.com")
    await page.get_by_role("button", name="Find").click()
    await expect(page.locator("#field-email-error")).to_contain_text("No user has this email")

    await page.get_by_label("Email address").fill(user.email)
    await page.get_by_role("button", name="Find").click()
    await expect(page.get_by_role("heading", name=f"Help {user.email}")).to_be_visible()

    # Too short a reason: identity's refusal shows, and nothing is done.
    await page.get_by_role("button", name="Unlock sign-in", exact=True).click()
    dialog = page.get_by_role("dialog", name="Unlock this user's sign-in?")
    await dialog.get_by_label("Reason").fill("ab")
    await dialog.get_by_role("button", name="Unlock sign-in").click()
    await expect(page.get_by_role("alert").first).to_contain_text("Reason")
    await expect(page.get_by_role("cell", name="Nothing recorded yet.")).to_be_visible()

    await page.get_by_role("button", name="Unlock sign-in", exact=True).click()
    dialog = page.get_by_role("dialog", name="Unlock this user's sign-in?")
    await dialog.get_by_label("Reason").fill("Ticket 4411: identity checked by phone.")
    await dialog.get_by_role("button", name="Unlock sign-in").click()
    await _notice(page, "Unlock sign-in")

    await page.get_by_role("button", name="Send a reset link", exact=True).click()
    dialog = page.get_by_role("dialog", name="Send this user a password reset link?")
    await dialog.get_by_label("Reason").fill("Ticket 4412: forgot the password.")
    await dialog.get_by_role("button", name="Send a reset link").click()
    await _notice(page, "Send a reset link")
    assert "/reset-password?token=" in mail_to(user.email)

    history = page.get_by_role("table")
    await expect(history.get_by_role("row")).to_have_count(3)  # the header and two actions, newest first
    await expect(history.get_by_role("row").nth(1)).to_contain_text("Ticket 4412")
    await page.get_by_role("link", name="When").click()  # oldest first
    await expect(history.get_by_role("row").nth(1)).to_contain_text("Ticket 4411")
    await screens.both_widths(page, "cbp-helpdesk-user")


async def test_an_unread_message_to_the_scss_shows_in_the_work_queue(page, seed, staff):
    scss, management = staff.scss, staff.management
    name = _name()
    app = seed.submitted(scss, management, name)
    subject = f"Seal supplier {tag()}"
    thread = seed_cbp.message_to_scss(seed, app, subject)
    await sign_in(page, scss.email, scss.password)
    await page.goto("/cbp/work-queue?kind=message")
    link = page.get_by_role("link", name=f"Unread message: {subject} · {name}")
    await expect(link).to_have_attribute("href", f"/messages/{thread['id']}")
    await expect(page.get_by_role("link", name=re.compile("Security Profile to review"))).to_have_count(0)


async def test_a_trade_user_is_refused_the_cbp_screens(page, seed):
    user = seed.trade_user()
    await sign_in(page, user.email, user.password)
    await expect(page.get_by_role("link", name="Work queue")).to_have_count(0)
    for path in ("/cbp/work-queue", "/cbp/approvals", "/cbp/helpdesk"):
        response = await page.goto(path)
        assert response.status == 403, path
        await expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this")
