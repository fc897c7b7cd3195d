"""The web client tried as an attacker and a keyboard user would try it: forged and cross-site posts,
odd characters, junk addresses, and every step without a mouse."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.system, pytest.mark.browser]


def addresses_of(seed, user, account) -> list[dict]:
    return seed.call("GET", f"/api/trade-accounts/trade-accounts/{account['id']}", user)["addresses"]


async def test_a_post_without_the_pages_csrf_token_changes_nothing(page, seed):
    user = seed.trade_user()
    account = seed.trade_account(user)
    await sign_in(page, user.email, user.password)
    form = {"type": "headquarters", "street_line_1": "1 Forged Way", "city": "Laredo", "country": "US",
            "state": "TX", "postal_code": "78040"}
    # The browser's own cookies go along (as a forged same-site request's would), but no token.
    forged = await page.request.post(f"/trade-accounts/{account['id']}/profile/addresses", form=form,
                                     max_redirects=0)
    assert forged.status == 403
    assert "Reload the page" in await forged.text()  # said for people, not for API clients
    wrong = await page.request.post(f"/trade-accounts/{account['id']}/profile/addresses",
                                    form={**form, "csrf_token": "guessed"}, max_redirects=0)
    assert wrong.status == 403
    assert addresses_of(seed, user, account) == []


async def test_a_form_posted_from_another_site_arrives_without_the_session(page, seed, base_url):
    user = seed.trade_user()
    account = seed.trade_account(user)
    await sign_in(page, user.email, user.password)
    # A page of another site (localhost is not 127.0.0.1) posts a form at the portal: SameSite=Strict
    # keeps the session cookie home, so the post arrives signed out.
    await page.goto(base_url.replace("127.0.0.1", "localhost") + "/sign-in")
    await page.set_content(f"""<form method="post" action="{base_url}/trade-accounts/{account['id']}/profile/addresses">
        <input name="type" value="headquarters"><input name="street_line_1" value="2 Evil Street">
        <input name="city" value="Laredo"><input name="country" value="US"><input name="state" value="TX">
        <input name="postal_code" value="78040"><button>Go</button></form>""")
    await page.get_by_role("button", name="Go").click()
    await expect(page).to_have_url(re.compile(r"/sign-in"))
    assert addresses_of(seed, user, account) == []


@pytest.mark.parametrize("field, value", [
    ("doing_business_as", "Harbor\x00Imports"),
    ("brief_history", "x" * 10_000),
    ("number_of_employees", "1e309"),
    ("business_start_date", "2026-02-30"),
])
async def test_odd_input_is_refused_beside_its_field_and_never_fails_the_page(page, seed, field, value):
    user = seed.trade_user()
    account = seed.trade_account(user)
    await sign_in(page, user.email, user.password)
    await page.goto(f"/trade-accounts/{account['id']}/profile/company")
    token = await page.locator("input[name=csrf_token]").first.input_value()
    name = account["company_information"]["company_name"]
    response = await page.request.post(f"/trade-accounts/{account['id']}/profile/company",
                                       form={"csrf_token": token, "company_name": name, field: value},
                                       max_redirects=0)
    assert response.status == 422, await response.text()
    assert f'id="field-{field}-error"' in await response.text()
    assert seed.call("GET", f"/api/trade-accounts/trade-accounts/{account['id']}", user)["company_information"][
        field] is None


async def test_junk_addresses_get_a_page_that_says_so(page, seed):
    user = seed.trade_user()
    await sign_in(page, user.email, user.password)
    for path, status in [("/no/such/page", 404), ("/trade-accounts/%00/profile/company", 400),
                         ("/trade-accounts/" + "9" * 5000, 400), ("/trade-accounts/new?x=%F0%9F%9A%A2", 200)]:
        response = await page.goto(path)
        assert response.status == status, path
        await expect(page.locator("h1")).to_be_visible()


async def test_signing_in_and_confirming_a_removal_work_with_the_keyboard_alone(page, seed):
    user = seed.trade_user()
    account = seed.trade_account(user)
    seed.address(user, account)
    await page.goto("/sign-in")
    await page.keyboard.press("Tab")  # the skip link comes first
    await expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    await page.get_by_label("Email address").focus()
    await page.keyboard.type(user.email)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Password", exact=True)).to_be_focused()
    await page.keyboard.type(user.password)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()

    await page.goto(f"/trade-accounts/{account['id']}/profile/addresses")
    await page.locator("tr", has_text="1 Port Blvd").get_by_role("button", name="Remove").focus()
    await page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Remove this address?")
    await expect(dialog.get_by_role("heading")).to_be_visible()
    await page.keyboard.press("Escape")  # changing one's mind leaves everything as it was
    await expect(dialog.get_by_role("heading")).to_be_hidden()
    assert len(addresses_of(seed, user, account)) == 1
    await page.locator("tr", has_text="1 Port Blvd").get_by_role("button", name="Remove").focus()
    await page.keyboard.press("Enter")
    await dialog.get_by_role("button", name="Remove the address").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("The address was removed")
    assert addresses_of(seed, user, account) == []
