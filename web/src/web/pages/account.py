"""Signing in and account security (manual: Registration, Sign in, Forgot Password, My Account).

Identity owns every rule here (password policy, lockout, security answers,
reset links); these pages collect what it asks for and show its answers next
to the fields they name. The one check made here is that a typed-twice
password matches itself, which is about typing, not policy.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import Response

from web.forms import FormState, as_int
from web.page import AnyPage, SignedInPage, safe_next
from web.portal_api import ApiProblem

router = APIRouter()

SALUTATIONS = ["Mr.", "Ms.", "Mrs.", "Miss", "Dr.", "Mx."]
QUESTION_COUNT = 3


def _answers(page, prefix: str) -> list[dict]:
    return [
        {"question_id": as_int(page.field(f"{prefix}.{i}.question_id")),
         "answer": page.field(f"{prefix}.{i}.answer")}
        for i in range(QUESTION_COUNT)
    ]


def _confirm(form: FormState, page, name: str, confirmation: str) -> None:
    if page.field(name) != page.field(confirmation):
        form.local_errors[confirmation] = "does not match the password above"


# --- sign in and out ---------------------------------------------------------------


@router.get("/sign-in")
async def sign_in_form(page: AnyPage, next: str = "/", ended: str = "") -> Response:
    return page.render("account/sign_in.html", form=page.form_state(), next=safe_next(next), ended=bool(ended))


@router.post("/sign-in")
async def sign_in(page: AnyPage) -> Response:
    target = safe_next(page.field("next"))
    try:
        session = await page.api.post(
            "/auth/login", {"email": page.field("email"), "password": page.field("password")}
        )
    except ApiProblem as problem:
        if problem.status == 401:
            # Identity does not say which of the two was wrong, and neither do we.
            problem.errors = {"password": "The email or the password is not right."}
        return page.render("account/sign_in.html", status=problem.status, form=page.form_state(problem),
                           next=target, ended=False)
    if session["password_expired"]:
        return page.redirect("/account/password/expired")
    return page.redirect(target)


@router.post("/sign-out")
async def sign_out(page: AnyPage) -> Response:
    try:
        await page.api.post("/auth/logout")
    except ApiProblem:
        pass  # already ended, or a stale form: the cookies are cleared either way below
    response = page.redirect("/sign-in", notice="You have signed out.")
    response.delete_cookie("portal_session", path="/")
    return response


# --- registration --------------------------------------------------------------------


async def _questions(page) -> list[tuple[int, str]]:
    return [(q["question_id"], q["text"]) for q in await page.reference("/api/identity/security-questions")]


@router.get("/register")
async def registration_form(page: AnyPage, email: str = "") -> Response:
    # A Trade Account's invitation links here with the invited address filled in.
    return page.render("account/register.html", form=page.form_state(email=email[:254]),
                       questions=await _questions(page))


@router.post("/register")
async def register(page: AnyPage) -> Response:
    form = page.form_state()
    _confirm(form, page, "password", "password_confirmation")
    if not form.failed:
        try:
            await page.api.post("/api/identity/users", {
                "email": page.field("email"),
                "password": page.field("password"),
                "security_questions": _answers(page, "security_questions"),
            })
        except ApiProblem as problem:
            form.problem = problem
    if form.failed:
        status = form.problem.status if form.problem else 422
        return page.render("account/register.html", status=status, form=form, questions=await _questions(page))
    return page.redirect("/sign-in", notice="Your account is ready. Sign in to complete your profile.")


# --- forgot password: the emailed link opens /reset-password?token=... -------------------------


@router.get("/forgot-password")
async def forgot_password_form(page: AnyPage) -> Response:
    return page.render("account/forgot_password.html", form=page.form_state(), sent=False)


@router.post("/forgot-password")
async def forgot_password(page: AnyPage) -> Response:
    try:
        await page.api.post("/api/identity/password-resets", {"email": page.field("email")})
    except ApiProblem as problem:
        return page.render("account/forgot_password.html", status=problem.status,
                           form=page.form_state(problem), sent=False)
    # The same answer whether or not the address has an account (identity's rule).
    return page.render("account/forgot_password.html", form=page.form_state(), sent=True)


def _token_path(token: str, step: str) -> str:
    return f"/api/identity/password-resets/{token}/{step}"


@router.get("/reset-password")
async def reset_password_questions(page: AnyPage, token: str = "") -> Response:
    try:
        questions = await page.api.get(_token_path(token, "questions")) if token else None
    except ApiProblem as problem:
        if problem.status not in (404, 422):
            raise
        questions = None
    if not questions:
        return page.render("account/reset_link_invalid.html", status=404)
    return page.render("account/reset_answers.html", form=page.form_state(), token=token, questions=questions)


@router.post("/reset-password")
async def reset_password_answers(page: AnyPage) -> Response:
    token = page.field("token")
    questions = []
    try:
        questions = await page.api.get(_token_path(token, "questions"))
        await page.api.post(_token_path(token, "answers"), {"answers": [
            {"question_id": as_int(page.field(f"answers.{i}.question_id")),
             "answer": page.field(f"answers.{i}.answer")}
            for i in range(len(questions))
        ]})
    except ApiProblem as problem:
        if not questions:
            return page.render("account/reset_link_invalid.html", status=404)
        return page.render("account/reset_answers.html", status=problem.status, form=page.form_state(problem),
                           token=token, questions=questions)
    return page.render("account/reset_new_password.html", form=page.form_state(), token=token)


@router.post("/reset-password/new")
async def reset_password(page: AnyPage) -> Response:
    token = page.field("token")
    form = page.form_state()
    _confirm(form, page, "new_password", "new_password_confirmation")
    if not form.failed:
        try:
            await page.api.post(_token_path(token, "password"), {"new_password": page.field("new_password")})
        except ApiProblem as problem:
            if problem.status == 404:
                return page.render("account/reset_link_invalid.html", status=404)
            form.problem = problem
    if form.failed:
        return page.render("account/reset_new_password.html", status=form.problem.status if form.problem else 422,
                           form=form, token=token)
    return page.redirect("/sign-in", notice="Your password has been reset. Sign in with the new one.")


# --- my account --------------------------------------------------------------------------


async def _my_questions(page) -> list[dict]:
    """The questions a trade user chose; CBP staff have none (identity answers 409 for them)."""
    if page.viewer and page.viewer.is_staff:
        return []
    return await page.api.get("/api/identity/me/security-questions")


async def _account(page, **forms: FormState) -> dict:
    me, questions, mine = await asyncio.gather(
        page.api.get("/api/identity/me"), _questions(page), _my_questions(page))
    empty = {name: page.form_state() for name in ("profile_form", "email_form", "password_form", "questions_form")}
    if me.get("profile"):
        empty["profile_form"] = FormState(values=dict(me["profile"]))
    chosen = {**empty, **forms}
    for name, form in chosen.items():
        form.id_prefix = name.removesuffix("_form")  # four forms on one page: unique element ids
    return {"me": me, "questions": questions, "my_questions": mine,
            "salutations": [(s, s) for s in SALUTATIONS], **chosen}


@router.get("/profile")
async def invited_profile(page: SignedInPage) -> Response:
    """Where a Trade Account's invitation sends a registered user: their profile, on My account."""
    return page.redirect("/account#profile-heading")


@router.get("/account")
async def my_account(page: SignedInPage) -> Response:
    return page.render("account/my_account.html", **await _account(page))


@router.post("/account/profile")
async def change_profile(page: SignedInPage) -> Response:
    try:
        await page.api.put("/api/identity/me/profile", {
            name: page.field(name) for name in ("salutation", "first_name", "last_name", "title", "phone")
        })
    except ApiProblem as problem:
        return page.render("account/my_account.html", status=problem.status,
                           **await _account(page, profile_form=page.form_state(problem)))
    return page.redirect("/account", notice="Your profile was saved.")


@router.post("/account/email")
async def change_email(page: SignedInPage) -> Response:
    try:
        changed = await page.api.post("/api/identity/me/email", {
            "current_password": page.field("current_password"), "new_email": page.field("new_email"),
        })
        # A new session under the new address: the gateway's would name the old one until its next refresh.
        await page.api.post("/auth/login", {"email": changed["email"], "password": page.field("current_password")})
    except ApiProblem as problem:
        return page.render("account/my_account.html", status=problem.status,
                           **await _account(page, email_form=page.form_state(problem)))
    return page.redirect("/account", notice="Your email address was changed.")


async def _change_password(page, template: str, context: dict) -> Response | None:
    """Changes the password, then signs in again with it: identity's new password ends the
    session's old tokens, and a fresh session also clears an expired-password mark."""
    form = page.form_state()
    _confirm(form, page, "new_password", "new_password_confirmation")
    if not form.failed:
        try:
            # The address as identity has it now: the session's may predate an email change.
            email = (await page.api.get("/api/identity/me"))["email"]
            await page.api.post("/api/identity/me/password", {
                "current_password": page.field("current_password"),
                "new_password": page.field("new_password"),
            })
            await page.api.post("/auth/login", {"email": email, "password": page.field("new_password")})
        except ApiProblem as problem:
            form.problem = problem
    if form.failed:
        status = form.problem.status if form.problem else 422
        return page.render(template, status=status, **{**context, "password_form": form})
    return None


@router.post("/account/password")
async def change_password(page: SignedInPage) -> Response:
    refused = await _change_password(page, "account/my_account.html", await _account(page))
    return refused or page.redirect("/account", notice="Your password was changed.")


@router.get("/account/password/expired")
async def expired_password_form(page: SignedInPage) -> Response:
    return page.render("account/password_expired.html", password_form=page.form_state())


@router.post("/account/password/expired")
async def change_expired_password(page: SignedInPage) -> Response:
    refused = await _change_password(page, "account/password_expired.html", {})
    return refused or page.redirect("/", notice="Your password was changed.")


@router.post("/account/security-questions")
async def change_security_questions(page: SignedInPage) -> Response:
    try:
        await page.api.put("/api/identity/me/security-questions", {
            "current_answers": _answers(page, "current_answers"),
            "security_questions": _answers(page, "security_questions"),
        })
    except ApiProblem as problem:
        return page.render("account/my_account.html", status=problem.status,
                           **await _account(page, questions_form=page.form_state(problem)))
    return page.redirect("/account", notice="Your security questions were changed.")
