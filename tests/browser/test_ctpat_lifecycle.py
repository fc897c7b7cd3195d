"""A certified C-TPAT account's life on the trade side, in a real browser (manual: Annual Security Profile
Review, Validation Summary, Validation Response, C-TPAT Security Model Operations, the International
agreements). CBP's steps (opening the review window, recording a validation, deciding a request) are API calls
in seed_lifecycle."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import sign_in
from tests.browser.seed_lifecycle import LifecycleSeed

pytestmark = [pytest.mark.system, pytest.mark.browser]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def lifecycle(seed) -> LifecycleSeed:
    return LifecycleSeed(seed)


def notice(page):
    return page.locator("[data-notice]")


async def test_an_officer_affirms_the_open_annual_review_statement_by_statement_and_submits_it(
    page, seed, lifecycle, screens,
):
    certified = lifecycle.certified()
    review = lifecycle.open_annual_review(certified)
    year = review["review_year"]
    first, last = lifecycle.affirm_all_but(certified, year, 2)
    base = f"/security-models/{certified.model_id}"

    await sign_in(page, certified.owner.email, certified.owner.password)
    await page.goto(f"{base}/annual-reviews")
    await expect(page.get_by_role("heading", name=f"The {year} annual review is open")).to_be_visible()
    await expect(page.get_by_role("row", name=re.compile(f"^{year}"))).to_contain_text(
        f"{review['statements'] - 2} of {review['statements']}")
    await screens.both_widths(page, "annual-reviews")

    await page.get_by_role("link", name="Review the statements").click()
    await expect(page.get_by_role("heading", level=1, name=f"{year} Annual Review")).to_be_visible()
    # 130 statements, 20 a page: the list pages and sorts.
    await page.get_by_role("link", name="Page 2", exact=True).click()
    await expect(page.get_by_role("link", name="Page 2", exact=True)).to_have_attribute("aria-current", "page")
    await page.get_by_role("link", name="Affirmed", exact=True).click()
    await expect(page.get_by_role("columnheader", name="Affirmed")).to_have_attribute("aria-sort", "ascending")
    await expect(page.locator("tbody tr").first).to_contain_text("Not yet")
    await screens.both_widths(page, "annual-review")

    # Submitting early is refused, naming what is left.
    await page.get_by_role("button", name=f"Submit the {year} annual review").click()
    await expect(page.locator("#error-summary")).to_contain_text(f"2 statements are not affirmed yet: {first}, {last}")

    await page.get_by_role("link", name="Not affirmed yet").click()
    await expect(page.locator("tbody tr")).to_have_count(2)
    await page.get_by_role("link", name=f"Continue with statement {first}").click()
    await expect(page.get_by_role("heading", level=1, name=f"Statement {first}")).to_be_visible()
    await screens.both_widths(page, "annual-review-statement")
    await page.get_by_label("Updated response").fill("Since March we audit every seal monthly.")
    await page.get_by_text("I have reviewed this statement").click()
    await expect(page.get_by_label(re.compile("I have reviewed this statement"))).to_be_checked()
    await page.get_by_role("button", name=f"Save and go to statement {last}").click()
    await expect(notice(page)).to_contain_text(f"Statement {first} affirmed, with its updated response")
    await expect(page.get_by_role("heading", level=1, name=f"Statement {last}")).to_be_visible()

    await page.get_by_text("I have reviewed this statement").click()
    await expect(page.get_by_label(re.compile("I have reviewed this statement"))).to_be_checked()
    await page.get_by_role("button", name="Save and return to the review").click()
    await expect(notice(page)).to_contain_text(f"Statement {last} affirmed.")
    await expect(page.get_by_text(f"Statements affirmed: {review['statements']} of {review['statements']}")) \
        .to_be_visible()

    await page.get_by_role("button", name=f"Submit the {year} annual review").click()
    await expect(notice(page)).to_contain_text(f"The {year} annual review was submitted")
    await expect(page.get_by_role("row", name=re.compile(f"^{year}"))).to_contain_text("Submitted")
    profile = seed.call("GET", f"{certified.base}/profile", certified.owner)
    updated = next(c for cat in profile["categories"] for c in cat["criteria"] if c["id"] == first)
    assert updated["response"]["response"] == "Since March we audit every seal monthly."


async def test_the_validation_response_is_answered_item_by_item_saved_as_a_draft_and_submitted_once(
    page, seed, lifecycle, screens,
):
    certified = lifecycle.certified()
    validation = lifecycle.record_validation(certified)
    lifecycle.record_validation(certified, recommendations=[], actions_required=[], result="exceeds")
    recommendation, action = validation["items"]
    base = f"/security-models/{certified.model_id}"

    await sign_in(page, certified.owner.email, certified.owner.password)
    await page.goto(f"{base}/validations")
    await expect(page.locator("tbody tr")).to_have_count(2)
    await expect(page.locator("tbody tr").filter(has_text="Meets")).to_contain_text("Pending")
    await expect(page.locator("tbody tr").filter(has_text="Exceeds")).to_contain_text("Not required")
    await page.get_by_role("link", name="Response", exact=True).click()
    await expect(page.locator("tbody tr").first).to_contain_text("Not required")
    await screens.both_widths(page, "validation-summary")

    await page.locator("tbody tr").filter(has_text="Pending").get_by_role("link").click()
    await expect(page.get_by_role("heading", name="Validation Report")).to_be_visible()
    await expect(page.get_by_text(recommendation["text"])).to_be_visible()
    await screens.both_widths(page, "validation-response")

    # Submitting with no replies is refused, beside each item.
    await page.get_by_role("button", name="Submit", exact=True).click()
    dialog = page.get_by_role("dialog", name="Submit the Validation Response?")
    await expect(dialog.get_by_role("heading")).to_be_visible()
    await dialog.get_by_role("button", name="Submit the response").click()
    await expect(page.locator(f"#field-items-{recommendation['id']}-error")).to_contain_text("has no reply yet")
    await expect(page.locator(f"#field-items-{action['id']}-error")).to_contain_text("has no reply yet")
    await expect(page.locator("#error-summary")).to_contain_text("Item 2: has no reply yet")

    await page.get_by_label("Your reply to item 1").fill("Seal numbers are logged in the yard system since May.")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(notice(page)).to_contain_text("1 reply was saved as a draft")
    await expect(page.get_by_label("Your reply to item 1")).to_have_value(
        "Seal numbers are logged in the yard system since May.")

    # Evidence of implementation, uploaded under its item.
    await page.get_by_text("Upload a file for item 2").click()
    item = page.locator("li").filter(has=page.get_by_role("heading", name="2. Action required"))
    await item.get_by_label("File").set_input_files({"name": "gate-lock.pdf", "mimeType": "application/pdf",
                                                      "buffer": PDF})
    await item.get_by_label("Title").fill("Gate lock repair invoice")
    await item.get_by_role("button", name="Upload the file").click()
    await expect(notice(page)).to_contain_text("“Gate lock repair invoice” was uploaded")
    seed.until("the upload to reach ctpat", lambda: seed.call(
        "GET", f"{certified.base}/validations/{validation['id']}", certified.owner)["items"][1]["documents"])
    await page.reload()
    await expect(item).to_contain_text("Gate lock repair invoice")

    await page.get_by_label("Your reply to item 2").fill("The lock was replaced on 2 June.")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(notice(page)).to_contain_text("1 reply was saved as a draft")
    await page.get_by_role("button", name="Submit", exact=True).click()
    await page.get_by_role("dialog", name="Submit the Validation Response?").get_by_role(
        "button", name="Submit the response").click()
    await expect(notice(page)).to_contain_text("Your Validation Response was submitted")
    await expect(page.get_by_label("Your reply to item 1")).to_have_count(0)
    await expect(page.get_by_text("The lock was replaced on 2 June.")).to_be_visible()

    await page.get_by_role("link", name="Validation Summary").first.click()
    await expect(page.locator("tbody tr").filter(has_text="Meets")).to_contain_text("Submitted")


async def test_an_officer_requests_operations_and_confirms_the_ones_that_take_something_away(
    page, seed, lifecycle, screens,
):
    certified = lifecycle.certified()
    base = f"/security-models/{certified.model_id}"

    await sign_in(page, certified.owner.email, certified.owner.password)
    await page.goto(f"{base}/operations")
    await expect(page.get_by_text("No operation has been requested")).to_be_visible()
    await screens.both_widths(page, "operations")

    # Expand: the business type first, then its eligibility questions and identifiers.
    await page.get_by_role("link", name=re.compile("^Expand the Security Model")).click()
    await page.get_by_label("Business type to add").select_option("exporter")
    await page.get_by_role("button", name="Continue").click()
    for question, answer in (("exp_active_exporter", "yes"), ("exp_us_office", "yes"),
                             ("exp_principal_party", "usppi"), ("exp_security_officer", "yes")):
        await page.locator(f"#field-eligibility_answers-{question}").select_option(answer)
    await page.get_by_label("Importer of Record number").fill("12-3456789")
    await page.get_by_label("Reason").fill("Same")
    await screens.both_widths(page, "operation-expand")
    await page.get_by_role("button", name="Request the expansion").click()
    await expect(page.locator("#field-reason-error")).to_be_visible()
    await expect(page.get_by_label("Importer of Record number")).to_have_value("12-3456789")
    await page.get_by_label("Reason").fill("Our exporting follows the same security procedures.")
    await page.get_by_role("button", name="Request the expansion").click()
    await expect(notice(page)).to_contain_text("Your expand request was sent to C-TPAT Management")
    await expect(page.get_by_role("row", name=re.compile("Expand"))).to_contain_text("Pending")

    (expand,) = seed.call("GET", f"{certified.base}/operations", certified.owner)
    lifecycle.decide_operation(certified, expand["id"])
    await page.reload()
    await expect(page.get_by_role("row", name=re.compile("Expand"))).to_contain_text("Approved")

    # Split: shown back first, sent only from the dialog.
    await page.get_by_role("link", name=re.compile("^Split the Security Model")).click()
    await page.get_by_text(re.compile("^U.S. Exporter")).click()
    await page.get_by_label("Reason").fill("The export side is now run from a separate site.")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", level=1, name="Check your request")).to_be_visible()
    await screens.both_widths(page, "operation-check")
    await page.get_by_role("button", name="Request the split").click()
    dialog = page.get_by_role("dialog", name="Send this split request?")
    await expect(dialog.get_by_role("heading")).to_be_visible()
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(dialog.get_by_role("heading")).to_be_hidden()
    await expect(page.get_by_role("heading", level=1, name="Check your request")).to_be_visible()
    await page.get_by_role("button", name="Request the split").click()
    await dialog.get_by_role("button", name="Yes, send the split request").click()
    await expect(notice(page)).to_contain_text("Your split request was sent to C-TPAT Management")
    split = next(o for o in seed.call("GET", f"{certified.base}/operations", certified.owner) if o["kind"] == "split")
    assert split["business_types"] == ["exporter"] and split["status"] == "pending"
    await page.get_by_role("link", name="Operation", exact=True).click()
    await expect(page.locator("tbody tr").first).to_contain_text("Expand")

    lifecycle.decide_operation(certified, split["id"], "decline", "Both types share one site; keep them together.")
    # Withdrawal: the most final of all, confirmed in the dialog.
    await page.goto(f"{base}/operations")
    await expect(page.get_by_role("row", name=re.compile("Split"))).to_contain_text("keep them together")
    await page.get_by_role("link", name="Withdraw from C-TPAT").click()
    await page.get_by_label("Why the company withdraws").fill("The company stops importing this year.")
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("button", name="Withdraw from C-TPAT").click()
    withdraw = page.get_by_role("dialog", name=re.compile("from C-TPAT\\?$"))
    await withdraw.get_by_role("button", name="Yes, withdraw from C-TPAT").click()
    await expect(notice(page)).to_contain_text("The Security Model was withdrawn from C-TPAT")
    await expect(page.locator(".usa-intro")).to_contain_text("Withdrawn")
    await expect(page.get_by_role("heading", name="Request an operation")).to_have_count(0)


async def test_an_officer_signs_a_program_agreement_and_revokes_it_after_confirming(page, seed, lifecycle, screens):
    certified = lifecycle.certified()
    base = f"/security-models/{certified.model_id}"

    await sign_in(page, certified.owner.email, certified.owner.password)
    await page.goto(f"{base}/agreements")
    await expect(page.locator("p").filter(has_text="C-TPAT Partner Agreement:")).to_contain_text("Dana Whitfield")
    await expect(page.get_by_role("row", name=re.compile("NEEC"))).to_contain_text("Not open to this Security Model")
    await screens.both_widths(page, "agreements")

    await page.get_by_role("link", name="Sign the Mutual Recognition agreement").click()
    await expect(page.get_by_role("heading", level=1, name="Sign the Mutual Recognition agreement")).to_be_visible()
    await screens.both_widths(page, "agreement-sign")
    await page.get_by_role("button", name="Sign the agreement").click()
    await expect(page.locator("#field-signer_name-error")).to_be_visible()
    await page.get_by_label("Your full name").fill("Dana Whitfield")
    await page.get_by_role("button", name="Sign the agreement").click()
    await expect(notice(page)).to_contain_text("The agreement was signed")
    row = page.get_by_role("row", name=re.compile("Mutual Recognition"))
    await expect(row).to_contain_text("Signed")
    await expect(row).to_contain_text("signed by Dana Whitfield")

    await page.get_by_role("link", name="Program", exact=True).click()
    await expect(page.get_by_role("columnheader", name="Program")).to_have_attribute("aria-sort", "descending")
    await expect(page.locator("tbody tr").first).to_contain_text("Status Verification Interface")

    await row.get_by_role("button", name="Revoke").click()
    dialog = page.get_by_role("dialog", name="Revoke the Mutual Recognition agreement?")
    await expect(dialog.get_by_role("heading")).to_be_visible()
    await dialog.get_by_role("button", name="Revoke the agreement").click()
    await expect(notice(page)).to_contain_text("The agreement was revoked")
    await expect(row).to_contain_text("Revoked")
    await expect(row).to_contain_text("revoked on")
    model = seed.call("GET", certified.base, certified.owner)
    (signature,) = [s for s in model["signatures"] if s["agreement"] == "mutual_recognition"]
    assert signature["revoked_at"] is not None
