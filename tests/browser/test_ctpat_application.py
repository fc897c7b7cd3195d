"""Applying for C-TPAT, in a real browser (manual: Applying for C-TPAT, the C-TPAT Account at a glance, the
Shortcut menu, Company Profile, Security Profile, Summary)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

from tests.browser.conftest import sign_in
from tests.browser.seed import PASSWORD
from tests.browser.seed_ctpat import second_address, second_user

pytestmark = [pytest.mark.system, pytest.mark.browser]

# A file the documents service reads as a PDF from its bytes.
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def _radio(page, group: str, choice: str):
    """A choice of a group of radio buttons: its label (USWDS draws the button there) is what a person clicks."""
    return page.get_by_role("group", name=group).locator("label").filter(has_text=re.compile(f"^{re.escape(choice)}"))


def _box(page, name: str):
    """A radio button or check box in a table row: its label (the visible box) is what a person clicks."""
    return page.locator("label").filter(has_text=name)


@pytest.mark.req("CT-01")
async def test_an_importer_applies_and_ineligible_answers_are_refused_beside_their_questions(page, seed, screens):
    owner = seed.trade_user()
    account = seed.trade_account(owner)
    seed.address(owner, account)
    await sign_in(page, owner.email, PASSWORD)

    await page.goto(f"/trade-accounts/{account['id']}/c-tpat")
    await expect(page.get_by_role("heading", name="C-TPAT Accounts", level=1)).to_be_visible()
    await expect(page.get_by_role("table")).to_contain_text("no C-TPAT account you can see yet")
    await page.get_by_role("link", name="Apply for C-TPAT").click()
    await screens.both_widths(page, "ctpat-apply-business-type")
    await _radio(page, "Business type", "U.S. Importer").click()
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", name="Eligibility")).to_be_visible()

    await _radio(page, "Has your company imported goods into the United States in the last twelve months?",
                 "No").click()
    await _radio(page, "Where does your company have a staffed business office?", "In the United States").click()
    await _radio(page, "Does your company hold an active Importer of Record number and a valid continuous "
                       "import bond registered with CBP?", "Yes").click()
    await _radio(page, "Has your company designated a company officer who will be responsible for its C-TPAT "
                       "supply chain security program?", "Yes").click()
    await page.get_by_label("Importer of Record number").fill("12-3456789")
    await _radio(page, "Your role in the company", "Company Officer").click()
    await screens.both_widths(page, "ctpat-apply")
    await page.get_by_role("button", name="Start the application").click()

    # ctpat's reason sits beside the question that made the company ineligible; the rest stays as typed.
    refused = page.locator("#field-eligibility_answers-imp_active_importer-error")
    await expect(refused).to_contain_text("imported goods into the United States within the last twelve months")
    await expect(page.get_by_role("alert").first).to_contain_text("Not eligible")
    await expect(page.get_by_label("Importer of Record number")).to_have_value("12-3456789")
    await expect(page.locator("#field-eligibility_answers-imp_staffed_office")).to_be_checked()
    await screens.both_widths(page, "ctpat-apply-refused")

    await _radio(page, "Has your company imported goods into the United States in the last twelve months?",
                 "Yes").click()
    await page.get_by_role("button", name="Start the application").click()
    await expect(page.get_by_role("status")).to_contain_text("Your C-TPAT application was started")
    await expect(page).to_have_url(re.compile(r"/security-models/[0-9a-f-]{36}\?tab=addresses$"))

    await page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="C-TPAT Accounts").click()
    row = page.get_by_role("row").filter(has_text="U.S. Importer")
    await expect(row).to_contain_text("Applicant")
    await expect(row).to_contain_text("Dana Whitfield")
    await screens.both_widths(page, "ctpat-accounts")
    await row.get_by_role("link").click()
    await expect(page.get_by_role("heading", name="Company Profile", level=1)).to_be_visible()


@pytest.mark.req("CT-02", "CT-04", "CT-05")
async def test_the_model_page_shows_it_at_a_glance_with_shortcuts_and_the_company_profile_tabs_save(
        page, seed, screens):
    app = seed.application()
    second_user(seed, app)
    extra = second_address(seed, app)
    await sign_in(page, app.owner.email, PASSWORD)
    await page.goto(f"/security-models/{app.model_id}")

    glance = page.get_by_role("region", name="At a glance")
    await expect(glance).to_contain_text("Applicant")
    await expect(glance).to_contain_text("Dana Whitfield")
    await expect(glance).to_contain_text("Not assigned yet")
    shortcuts = page.get_by_role("navigation", name="Shortcuts")
    base = f"/security-models/{app.model_id}"
    for name, href in [("Company Profile", base), ("Security Profile", f"{base}/security-profile"),
                       ("Summary", f"{base}/summary"), ("Annual Reviews", f"{base}/annual-reviews"),
                       ("Validation Summary", f"{base}/validations"), ("Model Operations", f"{base}/operations"),
                       ("SVI", f"{base}/svi"), ("Messages", f"{base}/messages"), ("Documents", "/documents")]:
        await expect(shortcuts.get_by_role("link", name=name, exact=True)).to_have_attribute("href", href)
    await screens.both_widths(page, "ctpat-model-identifiers")

    # Identifiers: a malformed number is refused beside the field; IOR numbers, once entered, are the SCSS's.
    await page.get_by_label("Kind of identifier").select_option("ior")
    await page.get_by_label("Identifier", exact=True).fill("not a number")
    await page.get_by_role("button", name="Add", exact=True).click()
    await expect(page.locator("#field-value-error")).to_be_visible()
    await expect(page.get_by_label("Identifier", exact=True)).to_have_value("not a number")
    await page.get_by_label("Identifier", exact=True).fill("98-7654321")
    await page.get_by_role("button", name="Add", exact=True).click()
    await expect(page.get_by_role("alert").first).to_contain_text("only by your SCSS")

    # Addresses, chosen from the Trade Account's: the new one as Secondary; then no Mailing at all is refused.
    await page.get_by_role("link", name="Addresses", exact=True).click()
    await _box(page, f"Secondary: {extra['street_line_1']}, El Paso").click()
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("The addresses were saved")
    await expect(page.get_by_label(f"Secondary: {extra['street_line_1']}, El Paso")).to_be_checked()
    await _box(page, "Mailing: 1 Port Blvd, Laredo").click()
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#field-addresses")).to_contain_text("at least one Mailing address")
    await expect(page.get_by_label("Mailing: 1 Port Blvd, Laredo")).not_to_be_checked()
    await screens.both_widths(page, "ctpat-model-addresses")

    # Contacts: a Consultant is never the Primary POC (refused on their row); an Employee may be.
    await page.goto(f"/security-models/{app.model_id}?tab=contacts")
    await page.get_by_label("Role in C-TPAT of Rafael Ortiz").select_option("consultant")
    await _box(page, "Primary POC: Rafael Ortiz").click()
    await page.get_by_role("button", name="Save", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Rafael Ortiz")
    await expect(row.get_by_role("alert")).to_contain_text("Consultant cannot be the Primary POC")
    await expect(page.get_by_label("Role in C-TPAT of Rafael Ortiz")).to_have_value("consultant")
    await page.get_by_label("Role in C-TPAT of Rafael Ortiz").select_option("employee")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("The contacts were saved")
    await expect(page.get_by_role("region", name="At a glance")).to_contain_text("Rafael Ortiz")
    await screens.both_widths(page, "ctpat-model-contacts")


@pytest.mark.req("CT-08")
async def test_the_security_profile_is_answered_one_criterion_at_a_time_by_category(page, seed, screens):
    app = seed.application()
    await sign_in(page, app.owner.email, PASSWORD)
    await page.goto(f"/security-models/{app.model_id}/security-profile")
    await expect(page.get_by_role("heading", name="Criterion 1.1", exact=True)).to_be_visible()
    categories = page.get_by_role("navigation", name="Security Profile categories")
    first = categories.get_by_role("link", name=re.compile(r"^1\. Security Vision"))
    await expect(first).to_contain_text("0/12 answered")
    await screens.both_widths(page, "ctpat-security-profile")

    # Every criterion needs a response.
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#field-response-error")).to_contain_text("is required")
    await page.get_by_label("Your response").fill("Our CEO signed the supply chain security policy in March.")
    await page.get_by_role("button", name="Save and next").click()
    await expect(page.get_by_role("status")).to_contain_text("criterion 1.1 was saved")
    await expect(page.get_by_role("heading", name="Criterion 1.2", exact=True)).to_be_visible()
    await expect(page).to_have_url(re.compile(r"criterion=1\.2$"))
    await expect(first).to_contain_text("1/12 answered")

    # "Not Applicable" needs its reason.
    await page.get_by_text("Not applicable to our business").click()
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#field-reason-error")).to_contain_text("say why it does not apply")
    await page.get_by_label("Why it does not apply").fill("Our parent company's officer is the named contact.")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("criterion 1.2 was saved")
    await expect(first).to_contain_text("2/12 answered")
    await expect(page.get_by_label("Why it does not apply")).to_have_value(
        "Our parent company's officer is the named contact.")

    # The categories down the left, the category's criteria in the chart below.
    await categories.get_by_role("link", name=re.compile(r"^2\. Risk Assessment")).click()
    await expect(page.get_by_role("heading", name="Criterion 2.1", exact=True)).to_be_visible()
    chart = page.get_by_role("table", name="Criteria statements of Risk Assessment")
    await chart.get_by_role("link", name="2.3", exact=True).click()
    await expect(page.get_by_role("heading", name="Criterion 2.3", exact=True)).to_be_visible()


async def test_plain_forms_answer_and_upload_without_javascript(browser, base_url, seed):
    app = seed.application()
    context = await browser.new_context(base_url=base_url, java_script_enabled=False,
                                        viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        await sign_in(page, app.owner.email, PASSWORD)
        await page.goto(f"/security-models/{app.model_id}/security-profile?criterion=1.1")
        await page.get_by_label("Your response").fill("A written policy, signed by our CEO.")
        await page.get_by_role("button", name="Save and next").click()
        await expect(page).to_have_url(re.compile(r"criterion=1\.2$"))
        await expect(page.get_by_role("status")).to_contain_text("criterion 1.1 was saved")

        await page.goto(f"/security-models/{app.model_id}/security-profile?criterion=1.1")
        await page.get_by_label("Title", exact=True).fill("Security policy (plain form)")
        await page.get_by_label("File", exact=True).set_input_files(
            {"name": "policy.pdf", "mimeType": "application/pdf", "buffer": PDF})
        await page.get_by_role("button", name="Upload").click()
        await expect(page.get_by_role("status")).to_contain_text("Security policy (plain form)")
        await expect(page.get_by_role("table", name="Documents uploaded for criterion 1.1")).to_contain_text(
            "Security policy (plain form)")
    finally:
        await context.close()


async def test_evidence_goes_straight_to_storage_with_a_progress_bar(page, seed, screens, base_url):
    # The store lets the portal's pages post to it: deploy/local/s3.sh sets the bucket's CORS rule.
    app = seed.application()
    await sign_in(page, app.owner.email, PASSWORD)
    await page.goto(f"/security-models/{app.model_id}/security-profile?criterion=1.1")
    await expect(page.get_by_text("Evidence required: upload at least one document")).to_be_visible()

    # A refusal from the documents service lands beside the field it names.
    await page.get_by_label("File", exact=True).set_input_files({"name": "policy.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF})
    await page.get_by_role("button", name="Upload").click()
    await expect(page.locator("#upload-title-error")).to_be_visible()

    await page.get_by_label("Title", exact=True).fill("Supply chain security policy")
    async with page.expect_request(lambda r: r.method == "POST" and "/api/" not in r.url
                                   and urlsplit(r.url).netloc != urlsplit(base_url).netloc) as to_storage:
        await page.get_by_role("button", name="Upload").click()
    assert (await to_storage.value).method == "POST"
    progress = page.get_by_label("Upload progress")
    await expect(progress).to_be_visible()
    await expect(progress).to_have_attribute("value", "100")
    await expect(page.locator("#upload-status")).to_contain_text("“Supply chain security policy” was uploaded")
    evidence = page.get_by_role("table", name="Documents uploaded for criterion 1.1")
    await expect(evidence).to_contain_text("Supply chain security policy")
    await screens.both_widths(page, "ctpat-security-profile-evidence")

    async with page.expect_download() as download:
        await evidence.get_by_role("link", name="Supply chain security policy").click()
    assert (await download.value).suggested_filename == "policy.pdf"


@pytest.mark.req("CT-11")
async def test_submitting_names_what_is_missing_then_the_officer_signs_the_partner_agreement(page, seed, screens):
    app = seed.application()
    await sign_in(page, app.owner.email, PASSWORD)
    await page.goto(f"/security-models/{app.model_id}/summary")
    await expect(page.get_by_label("Your full name (electronic signature)")).to_have_value("Dana Whitfield")
    await page.get_by_role("button", name="Sign and submit the application").click()

    missing = page.locator("[data-missing]")
    await expect(missing).to_contain_text("These criteria have no response yet")
    await expect(missing).to_contain_text("12. Education, Training and Awareness")
    await expect(missing.get_by_role("link", name="Criterion 12.11", exact=True)).to_be_visible()
    await screens.both_widths(page, "ctpat-submission-refused")
    await missing.get_by_role("link", name="Criterion 1.1", exact=True).click()
    await expect(page.get_by_role("heading", name="Criterion 1.1", exact=True)).to_be_visible()

    seed.answer_every_criterion(app)
    await page.get_by_role("navigation", name="Shortcuts").get_by_role("link", name="Summary", exact=True).click()
    await page.get_by_label("Your full name (electronic signature)").fill("Dana M. Whitfield")
    await page.get_by_role("button", name="Sign and submit the application").click()
    await expect(page.get_by_role("status")).to_contain_text("You signed the Partner Agreement and submitted")
    glance = page.get_by_role("region", name="At a glance")
    await expect(glance).to_contain_text("Under review")
    await expect(glance).to_contain_text("Submitted, waiting for the SCSS")

    model = seed.call("GET", f"/api/ctpat/security-models/{app.model_id}", app.owner)
    signature = model["signatures"][0]
    assert (signature["agreement"], signature["signer_name"]) == ("partner", "Dana M. Whitfield")
    assert signature["agreement_version"] == seed.agreement_versions(app.owner)["partner"]


@pytest.mark.req("CT-06")
async def test_an_employee_contact_answers_but_cannot_submit(page, seed):
    app = seed.application()
    employee = second_user(seed, app, first_name="Lena", last_name="Price")
    seed.answer_every_criterion(app)
    await sign_in(page, employee.email, PASSWORD)
    await page.goto(f"/security-models/{app.model_id}/security-profile?criterion=1.2")
    await page.get_by_label("Your response").fill("Lena Price is our named C-TPAT point of contact.")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("criterion 1.2 was saved")

    await page.goto(f"/security-models/{app.model_id}/summary")
    await page.get_by_label("Your full name (electronic signature)").fill("Lena Price")
    await page.get_by_role("button", name="Sign and submit the application").click()
    await expect(page.get_by_role("alert").first).to_contain_text("Only a Company Officer")
    await expect(page.get_by_label("Your full name (electronic signature)")).to_have_value("Lena Price")


@pytest.mark.req("CT-10")
async def test_the_summary_shows_the_whole_model_and_downloads_as_a_pdf(page, seed, screens):
    with ThreadPoolExecutor(2) as pool:  # each takes a while (a process of its own): side by side
        scss, management = pool.map(seed.staff, ["scss", "management"])
    app = seed.submitted(scss, management)
    await sign_in(page, app.owner.email, PASSWORD)
    await page.goto(f"/security-models/{app.model_id}/summary")
    await expect(page.get_by_role("heading", name="Summary", level=1)).to_be_visible()
    await expect(page.get_by_role("heading", name="12. Education, Training and Awareness")).to_be_visible()
    await expect(page.get_by_text("Written procedure for 1.2.")).to_be_visible()
    await expect(page.get_by_text("Partner Agreement 2026.1, signed by Dana Whitfield")).to_be_visible()
    glance = page.get_by_role("region", name="At a glance")
    await expect(glance).to_contain_text("Under review")
    await expect(glance.get_by_role("link", name=scss.email)).to_have_attribute("href", f"mailto:{scss.email}")
    await screens.both_widths(page, "ctpat-summary")

    link = page.get_by_role("link", name="View a PDF of the Summary")
    href = await link.get_attribute("href")
    assert href == f"/api/ctpat/security-models/{app.model_id}/summary.pdf"
    pdf = await page.request.get(href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (await pdf.body()).startswith(b"%PDF")
