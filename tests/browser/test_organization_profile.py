"""Trade Accounts in a real browser (manual: Trade Accounts — Organization Profile, Trade Account
Operations, Tasks), and a session that ends while a form is half filled."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import sign_in
from tests.browser.seed import tag

pytestmark = [pytest.mark.system, pytest.mark.browser]


async def test_a_company_administrator_creates_an_account_and_fills_its_organization_profile(page, seed, screens):
    user = seed.trade_user()
    await sign_in(page, user.email, user.password)
    await page.get_by_role("link", name="Create a Trade Account").first.click()
    name = f"Harbor {tag()} Imports"
    await page.get_by_label("Company name").fill(name)
    await page.get_by_label("Number of employees").fill("many")
    await page.get_by_role("button", name="Create Trade Account").click()
    # trade-accounts refuses the count by name; what was typed stays.
    await expect(page.locator("#field-number_of_employees-error")).to_be_visible()
    await expect(page.get_by_label("Company name")).to_have_value(name)
    await page.get_by_label("Number of employees").fill("120")
    await page.get_by_role("button", name="Create Trade Account").click()

    # Addresses: a US address without its state is refused beside the state.
    await expect(page.get_by_role("heading", name="Addresses", exact=True)).to_be_visible()
    await expect(page.get_by_role("navigation", name="Trade Organizations")).to_contain_text(name)
    await page.get_by_label("Street line 1", exact=True).fill("100 Pier Road")
    await page.get_by_label("City").fill("Baltimore")
    await page.get_by_label("Postal code").fill("21230")
    await page.get_by_role("button", name="Add the address").click()
    await expect(page.locator("#field-state-error")).to_be_visible()
    await page.get_by_label("State or province").fill("MD")
    await page.get_by_role("button", name="Add the address").click()
    await expect(page.get_by_role("status")).to_contain_text("The address was added")
    await page.get_by_label("Type", exact=True).select_option("cargo_handling_facility")
    await page.get_by_label("Street line 1", exact=True).fill("7 Dock Street")
    await page.get_by_label("City").fill("Anchorage")
    await page.get_by_label("State or province").fill("AK")
    await page.get_by_label("Postal code").fill("99501")
    await page.get_by_role("button", name="Add the address").click()
    await expect(page.get_by_role("status")).to_contain_text("The address was added")
    rows = page.locator("table tbody tr")
    await page.get_by_role("link", name="City").click()
    await expect(rows.first).to_contain_text("Anchorage")
    await page.get_by_role("link", name="City").click()
    await expect(rows.first).to_contain_text("Baltimore")
    await screens.both_widths(page, "organization-addresses")

    # Editing one, then removing the other after confirming.
    await page.get_by_role("link", name="Edit 7 Dock Street").click()
    await page.get_by_label("Street line 1", exact=True).fill("9 Dock Street")
    await page.get_by_role("button", name="Save the address").click()
    await expect(page.get_by_role("status")).to_contain_text("The address was saved")
    await expect(page.locator("table")).to_contain_text("9 Dock Street")
    row = page.locator("tr", has_text="9 Dock Street")
    await row.get_by_role("button", name="Remove").click()
    dialog = page.get_by_role("dialog", name="Remove this address?")
    await expect(dialog.get_by_role("heading")).to_be_visible()
    await dialog.get_by_role("button", name="Remove the address").click()
    await expect(page.get_by_role("status")).to_contain_text("The address was removed")
    await expect(page.locator("table")).not_to_contain_text("9 Dock Street")

    # Users: the confirmation must match; then the new user is listed as invited.
    await page.get_by_role("link", name="Next: Users").click()
    invited = f"colleague-{tag()}@example.com"
    await page.get_by_label("Email", exact=True).fill(invited)
    await page.get_by_label("Confirm email").fill("someone-else@example.com")
    await page.get_by_label("Salutation").select_option("Mr.")
    await page.get_by_label("First name").fill("Ravi")
    await page.get_by_label("Last name").fill("O'Connor-Šimić")
    await page.get_by_label("Title", exact=True).fill("Logistics Lead")
    await page.get_by_label("Phone").fill("+1 410 555 0199")
    await page.get_by_role("button", name="Add the user").click()
    await expect(page.locator("#field-confirm_email-error")).to_be_visible()
    await page.get_by_label("Confirm email").fill(invited)
    await page.get_by_role("button", name="Add the user").click()
    await expect(page.get_by_role("status")).to_contain_text("The user was added")
    await expect(page.locator("tr", has_text=invited)).to_contain_text("Invited")
    await screens.both_widths(page, "organization-users")

    # Company Information: saved; the name itself only by asking CBP.
    await page.get_by_role("link", name="Company Information").click()
    await page.get_by_label("Doing business as").fill("Harbor <Imports> & Sons")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Company Information was saved")
    await expect(page.get_by_label("Doing business as")).to_have_value("Harbor <Imports> & Sons")
    await screens.both_widths(page, "organization-company")

    # Summary, and its PDF through the gateway with this browser's session.
    await page.get_by_role("link", name="Summary").click()
    await expect(page.locator("main")).to_contain_text("Baltimore")
    await expect(page.locator("main")).to_contain_text(invited)
    pdf = await page.request.get(await page.get_by_role("link", name="View the Summary as a PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (await pdf.body()).startswith(b"%PDF")
    await screens.both_widths(page, "organization-summary")


async def test_a_user_who_is_not_an_administrator_sees_the_profile_without_edit_controls(page, seed):
    admin = seed.trade_user()
    account = seed.trade_account(admin)
    plain = seed.trade_user()
    seed.call("POST", f"/api/trade-accounts/trade-accounts/{account['id']}/users", admin, json={
        "email": plain.email, "confirm_email": plain.email, "salutation": "Mr.", "first_name": "Lee",
        "last_name": "Park", "title": "Clerk", "phone": "+1 202 555 0101", "type": "user"})
    seed.until("the membership to turn active", lambda: seed.client.get(
        f"/api/trade-accounts/trade-accounts/{account['id']}",
        headers={"authorization": f"Bearer {plain.token}"}).status_code == 200, timeout=90)
    await sign_in(page, plain.email, plain.password)
    await page.goto(f"/trade-accounts/{account['id']}/profile/addresses")
    await expect(page.get_by_role("heading", name="Addresses", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Add the address")).to_have_count(0)
    # A stranger gets the API's refusal, not the account.
    stranger = seed.trade_user()
    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, stranger.email, stranger.password)
    response = await page.goto(f"/trade-accounts/{account['id']}/profile/company")
    assert response.status in (403, 404)
    await expect(page.locator("main")).not_to_contain_text(account["company_information"]["company_name"])
    # Junk in the address is a page that says so, never a server error.
    response = await page.goto("/trade-accounts/not-a-uuid/profile/company")
    assert response.status == 400


async def test_a_link_request_waits_in_tasks_and_once_approved_shows_in_the_navigation(page, seed, screens):
    admin = seed.trade_user()
    top = seed.trade_account(admin, f"Top {tag()} Holdings")
    child = seed.trade_account(admin, f"Child {tag()} Logistics")
    await sign_in(page, admin.email, admin.password)
    await page.goto(f"/trade-accounts/{top['id']}/operations")
    await page.get_by_label("Top account (parent)").select_option(top["id"])
    await page.get_by_label("Subsidiary account (child)").select_option(child["id"])
    await page.get_by_label("Detailed reason").fill("Too short")
    await page.get_by_role("button", name="Send the link request").click()
    await expect(page.locator("#field-reason-error")).to_be_visible()
    await page.get_by_label("Detailed reason").fill("The logistics company is a wholly owned subsidiary.")
    await page.get_by_role("button", name="Send the link request").click()
    await expect(page.get_by_role("status")).to_contain_text("Your link request was sent for approval")
    await screens.both_widths(page, "trade-account-request")

    # The other account's administrator (the same person here) finds it in Tasks.
    await page.goto(f"/trade-accounts/{child['id']}/tasks")
    await screens.both_widths(page, "tasks")
    await page.get_by_role("rowheader").get_by_role("link", name=re.compile("Link:")).click()
    await page.get_by_role("button", name="Approve").click()
    await expect(page.get_by_role("status")).to_contain_text("You approved the request")
    await expect(page.locator("main")).to_contain_text("Completed")
    nav = page.get_by_role("navigation", name="Trade Organizations")
    await expect(nav.locator(".usa-sidenav__sublist")).to_contain_text(child["company_information"]["company_name"])


async def test_a_form_posted_after_the_session_ended_is_kept_through_signing_in_again(page, seed):
    user = seed.trade_user()
    account = seed.trade_account(user)
    await sign_in(page, user.email, user.password)
    await page.goto(f"/trade-accounts/{account['id']}/profile/addresses")
    await page.get_by_label("Street line 1", exact=True).fill("55 Harbor Way 🚢")
    await page.get_by_label("City").fill("Savannah")
    # The session ends elsewhere (signed out in another tab, or it expired).
    csrf = next(c["value"] for c in await page.context.cookies() if c["name"] == "portal_csrf")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in await page.context.cookies())
    seed.client.post("/auth/logout", headers={"cookie": cookies, "x-csrf-token": csrf})

    await page.get_by_role("button", name="Add the address").click()
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=.*ended=1"))
    await expect(page.get_by_role("status")).to_contain_text("Your session ended")
    await page.get_by_label("Email address").fill(user.email)
    await page.get_by_label("Password", exact=True).fill(user.password)
    await page.get_by_role("button", name="Sign in").click()

    await expect(page).to_have_url(re.compile(rf"/trade-accounts/{account['id']}/profile/addresses"))
    await expect(page.get_by_label("Street line 1", exact=True)).to_have_value("55 Harbor Way 🚢")
    await expect(page.get_by_label("City")).to_have_value("Savannah")
    await expect(page.locator("main")).to_contain_text("We kept what you had typed")


async def test_delink_split_and_merge_are_requested_decided_and_seen_in_the_navigation(page, seed, screens):
    admin = seed.trade_user()
    top = seed.trade_account(admin, f"Top {tag()} Group")
    child = seed.trade_account(admin, f"Child {tag()} Freight")
    other = seed.trade_account(admin, f"Other {tag()} Brokers")
    linked = seed.call("POST", "/api/trade-accounts/trade-account-requests/link", admin, json={
        "requesting_account_id": top["id"], "parent_id": top["id"], "subsidiary_id": child["id"],
        "reason": "The freight company belongs to the group."})
    seed.call("POST", f"/api/trade-accounts/trade-account-requests/{linked['id']}/decision", admin,
              json={"decision": "approved"})
    name_of = {a["id"]: a["company_information"]["company_name"] for a in (top, child, other)}
    await sign_in(page, admin.email, admin.password)
    nav = page.get_by_role("navigation", name="Trade Organizations")
    await expect(nav.locator(".usa-sidenav__sublist")).to_contain_text(name_of[child["id"]])

    # Delink: the subsidiary stands on its own again once the other administrator approves.
    await page.goto(f"/trade-accounts/{top['id']}/operations?kind=delink")
    await page.get_by_label("Top account (parent)").select_option(top["id"])
    await page.get_by_label("Subsidiary account (child)").select_option(child["id"])
    await page.get_by_label("Detailed reason").fill("The freight company was sold to another owner.")
    await page.get_by_role("button", name="Send the delink request").click()
    await expect(page.get_by_role("status")).to_contain_text("Your delink request was sent for approval")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.locator("main")).to_contain_text("Completed")
    await expect(nav.locator(".usa-sidenav__sublist")).to_have_count(0)

    # Split: a new account from `other`; with no C-TPAT account moving, nobody else has to approve.
    split_name = f"Split {tag()} Customs"
    await page.goto(f"/trade-accounts/{other['id']}/operations?kind=split")
    await screens.both_widths(page, "trade-account-operations-split")
    await page.get_by_label("Company name of the new account").fill(split_name)
    await page.get_by_label("Detailed reason").fill("The customs brokerage becomes its own company.")
    await page.get_by_role("button", name="Send the split request").click()
    await expect(page.locator("main")).to_contain_text("Completed")
    await expect(nav).to_contain_text(split_name)

    # Merge: `other` into `top`, approved by the other account's administrator.
    await page.goto(f"/trade-accounts/{top['id']}/operations?kind=merge")
    await page.get_by_label("Surviving account").select_option(top["id"])
    await page.get_by_label("Account merged into it").select_option(other["id"])
    await page.get_by_label("Detailed reason").fill("The brokers are folded into the group's head office.")
    await page.get_by_role("button", name="Send the merge request").click()
    await page.get_by_role("button", name="Approve").click()
    await expect(page.locator("main")).to_contain_text("Completed")
    await expect(nav).not_to_contain_text(name_of[other["id"]])
