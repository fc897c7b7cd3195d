"""Signing in and account security, in a real browser (manual: Registration, Sign in,
Forgot Password, My Account)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import sign_in
from tests.browser.seed import PASSWORD, mail_to, tag

pytestmark = [pytest.mark.system, pytest.mark.browser]


async def test_a_new_user_registers_signs_in_and_completes_the_profile(page, screens):
    email = f"reg-{tag()}@example.com"
    await page.goto("/register")
    await screens.both_widths(page, "register")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Type the password again").fill(PASSWORD)
    for i in range(3):
        group = page.get_by_role("group", name=f"Security question {i + 1}")
        await group.get_by_label("Question").select_option(index=i + 1)
        await group.get_by_label("Answer").fill(f"answer {i}")
    await page.get_by_role("button", name="Create account").click()

    await expect(page.get_by_role("status")).to_contain_text("Your account is ready")
    await sign_in(page, email, PASSWORD)
    await expect(page.get_by_role("heading", name="Complete your profile")).to_be_visible()
    await screens.both_widths(page, "home-new-user")

    await page.get_by_role("link", name="Go to My account").click()
    await page.get_by_label("Salutation").select_option("Ms.")
    await page.get_by_label("First name").fill("Dana")
    await page.get_by_label("Last name").fill("Whitfield 🚢")
    await page.get_by_label("Job title").fill("Trade Compliance Manager")
    await page.get_by_label("Phone").fill("+1 202 555 0142")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_role("status")).to_contain_text("Your profile was saved")
    await expect(page.get_by_label("Last name")).to_have_value("Whitfield 🚢")
    await screens.both_widths(page, "my-account")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/sign-in$"))
    await page.goto("/account")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Faccount"))


async def test_registration_refusals_sit_next_to_their_fields_and_keep_what_was_typed(page, seed):
    taken = seed.trade_user()
    await page.goto("/register")
    await page.get_by_label("Email address").fill(taken.email)
    await page.get_by_label("Password", exact=True).fill("short")
    await page.get_by_label("Type the password again").fill("shorter")
    await page.get_by_role("button", name="Create account").click()

    confirmation = page.get_by_label("Type the password again")
    await expect(confirmation).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#field-password_confirmation-error")).to_contain_text("does not match")
    await expect(page.get_by_label("Email address")).to_have_value(taken.email)

    # The API's own refusals (identity's password policy, the three questions) name their fields.
    await page.get_by_label("Password", exact=True).fill("short")
    await confirmation.fill("short")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.locator("#field-password-error")).to_be_visible()
    await expect(page.get_by_role("alert").first).to_be_visible()


async def test_a_wrong_password_is_refused_beside_the_password_and_the_next_page_is_kept(page, seed):
    user = seed.trade_user()
    await page.goto("/account")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    await page.get_by_label("Email address").fill(user.email)
    await page.get_by_label("Password", exact=True).fill("Not-the-password-1")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#field-password-error")).to_contain_text("not right")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/account$"))
    await expect(page.get_by_role("heading", name="My account")).to_be_visible()


@pytest.mark.req("ID-08")
async def test_the_emailed_reset_link_opens_the_reset_page_and_the_new_password_works(page, seed, screens):
    user = seed.trade_user()
    await page.goto("/sign-in")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("Email address").fill(user.email)
    await page.get_by_role("button", name="Send the link").click()
    await expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    link = re.search(r"https?://\S+/reset-password\?token=\S+", mail_to(user.email)).group(0)
    await page.goto(link)
    await screens.both_widths(page, "reset-answers")
    answers = page.locator("input[name$='.answer']")
    for i in range(await answers.count()):
        question_id = await page.locator(f"input[name='answers.{i}.question_id']").input_value()
        await answers.nth(i).fill(f"answer {question_id}")
    await page.get_by_role("button", name="Continue").click()
    new_password = "Lantern#Quay77"
    await page.get_by_label("New password").fill(new_password)
    await page.get_by_label("Type it again").fill(new_password)
    await page.get_by_role("button", name="Reset password").click()
    await expect(page.get_by_role("status")).to_contain_text("Your password has been reset")

    await sign_in(page, user.email, new_password)
    await expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    # The link worked once.
    await page.goto(link)
    await expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()


async def _expire_password(email: str) -> None:
    """The password was set long ago (identity's clock is the real one in the running portal)."""
    import os

    import asyncpg

    url = os.environ["IDENTITY_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "update users set password_set_at = now() - interval '400 days' where lower(email) = lower($1)", email)
    finally:
        await connection.close()


async def test_an_expired_password_opens_nothing_but_the_change_and_the_new_one_carries_on(page, seed, screens):
    user = seed.trade_user()
    await _expire_password(user.email)
    await sign_in(page, user.email, user.password)
    await expect(page.get_by_role("heading", name="Your password has expired")).to_be_visible()
    await screens.both_widths(page, "password-expired")
    await page.goto("/account")  # nothing else opens
    await expect(page.get_by_role("heading", name="Your password has expired")).to_be_visible()

    await page.get_by_label("Current password").fill(user.password)
    await page.get_by_label("New password", exact=True).fill(user.password)
    await page.get_by_label("Type the new password again").fill(user.password)
    await page.get_by_role("button", name="Change password").click()
    await expect(page.locator("#field-new_password-error")).to_be_visible()  # not a password used before

    await page.get_by_label("Current password").fill(user.password)
    await page.get_by_label("New password", exact=True).fill("Beacon#Wharf93")
    await page.get_by_label("Type the new password again").fill("Beacon#Wharf93")
    await page.get_by_role("button", name="Change password").click()
    await expect(page.get_by_role("status")).to_contain_text("Your password was changed")
    await page.goto("/account")
    await expect(page.get_by_role("heading", name="My account")).to_be_visible()


async def test_changing_email_password_and_security_questions_from_my_account(page, seed):
    user = seed.trade_user()
    await sign_in(page, user.email, user.password)
    await page.goto("/account")

    new_email = f"moved-{tag()}@example.com"
    email_form = page.locator("form[action='/account/email']")
    await email_form.get_by_label("New email address").fill(new_email)
    await email_form.get_by_label("Your password").fill("wrong-password-1A!")
    await email_form.get_by_role("button", name="Change email").click()
    await expect(page.locator("form[action='/account/email'] .usa-error-message")).to_be_visible()
    email_form = page.locator("form[action='/account/email']")
    await email_form.get_by_label("Your password").fill(user.password)
    await email_form.get_by_role("button", name="Change email").click()
    await expect(page.get_by_role("status")).to_contain_text("Your email address was changed")
    await expect(page.locator("main")).to_contain_text(new_email)
    await expect(page.locator(".portal-signed-in-as")).to_contain_text(new_email)  # the header too, at once

    password_form = page.locator("form[action='/account/password']")
    await password_form.get_by_label("Current password").fill(user.password)
    await password_form.get_by_label("New password", exact=True).fill("Anchor#Tide2026")
    await password_form.get_by_label("Type the new password again").fill("Anchor#Tide2026")
    await password_form.get_by_role("button", name="Change password").click()
    await expect(page.get_by_role("status")).to_contain_text("Your password was changed")

    questions = page.locator("form[action='/account/security-questions']")
    for i in range(3):
        question_id = await questions.locator(f"input[name='current_answers.{i}.question_id']").input_value()
        await questions.locator(f"input[name='current_answers.{i}.answer']").fill(f"answer {question_id}")
        group = questions.get_by_role("group", name=f"Security question {i + 1}")
        await group.get_by_label("Question").select_option(index=i + 4)
        await group.get_by_label("Answer").fill(f"new answer {i}")
    await questions.get_by_role("button", name="Change security questions").click()
    await expect(page.get_by_role("status")).to_contain_text("Your security questions were changed")

    # Signed out and in again with everything new.
    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, new_email, "Anchor#Tide2026")
    await expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
