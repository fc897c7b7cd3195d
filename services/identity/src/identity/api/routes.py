"""Identity's endpoints: each parses, calls one use case, and returns."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from identity import use_cases
from identity.api.deps import ClientAddress, Identity
from identity.api.schemas import (
    AcceptedBody,
    ChangeEmailRequest,
    ChangePasswordRequest,
    ChangeSecurityQuestionsRequest,
    ForgotPasswordRequest,
    ProfileRequest,
    QuestionAnswer,
    QuestionBody,
    RefreshRequest,
    RegisterRequest,
    ResetAnswersRequest,
    ResetPasswordRequest,
    SignInRequest,
    TokensBody,
    UserBody,
)
from identity.domain.security_questions import QUESTION_CATALOGUE, ChosenQuestion
from identity.domain.user import Profile, User
from servicekit.db import TransactionalRoute
from servicekit.deps import CurrentPrincipal, DbReads, DbSession, PrincipalWithExpiredPassword
from servicekit.openapi import problem_responses

# ID-12: a wrong password or answer counts against the account and the client's address; too many throttle
# (429), then lock (423).
GUARDED = problem_responses(404, 409, 423, 429)
router = APIRouter(route_class=TransactionalRoute)


def _user(user: User, ctx: use_cases.IdentityContext) -> UserBody:
    return UserBody.model_validate(user, context={"password_policy": ctx.password_policy, "now": ctx.clock.now()})


def _chosen(items: list[QuestionAnswer]) -> list[ChosenQuestion]:
    return [ChosenQuestion(i.question_id, i.answer) for i in items]


def _answers(items: list[QuestionAnswer]) -> dict[int, str]:
    return {i.question_id: i.answer for i in items}


@router.get("/.well-known/jwks.json", tags=["keys"])
async def jwks(request: Request) -> dict:
    return request.app.state.runtime.context.issuer.keyring.jwks


@router.get("/security-questions", tags=["registration"])
async def security_questions() -> list[QuestionBody]:
    return [QuestionBody(question_id=k, text=v) for k, v in QUESTION_CATALOGUE.items()]


@router.post("/users", status_code=status.HTTP_201_CREATED, tags=["registration"], responses=problem_responses(409))
async def register(body: RegisterRequest, session: DbSession, ctx: Identity) -> UserBody:
    user = await use_cases.register(
        session, ctx, email=body.email, password=body.password, questions=_chosen(body.security_questions)
    )
    return _user(user, ctx)


@router.get("/me", tags=["profile"], responses=problem_responses(404))
async def me(principal: PrincipalWithExpiredPassword, reads: DbReads, ctx: Identity) -> UserBody:
    return _user(await use_cases.show_user(reads, principal.user_id), ctx)


@router.get("/me/security-questions", tags=["credentials"], responses=problem_responses(404))
async def my_security_questions(principal: CurrentPrincipal, reads: DbReads) -> list[QuestionBody]:
    """The questions the user chose, never their answers: what changing them asks to answer first."""
    user = await use_cases.show_user(reads, principal.user_id)
    return [QuestionBody(question_id=q, text=t) for q, t in user.chosen_questions()]


@router.put("/me/profile", tags=["profile"], responses=problem_responses(404, 409))
async def complete_profile(
    body: ProfileRequest, principal: CurrentPrincipal, session: DbSession, ctx: Identity
) -> UserBody:
    profile = Profile(body.salutation, body.first_name, body.last_name, body.title, body.phone)
    return _user(await use_cases.complete_profile(session, ctx, principal.user_id, profile), ctx)


@router.post(
    "/sessions", status_code=status.HTTP_201_CREATED, tags=["sessions"], responses=problem_responses(401, 423, 429)
)
async def sign_in(body: SignInRequest, session: DbSession, ctx: Identity, address: ClientAddress) -> TokensBody:
    tokens = await use_cases.sign_in(
        session, ctx, email=body.email, password=body.password, client_address=address
    )
    return TokensBody.model_validate(tokens)


@router.post("/sessions/refresh", tags=["sessions"], responses=problem_responses(401))
async def refresh(body: RefreshRequest, session: DbSession, ctx: Identity) -> TokensBody:
    return TokensBody.model_validate(await use_cases.refresh(session, ctx, body.refresh_token))


@router.post("/sessions/revoke", status_code=status.HTTP_204_NO_CONTENT, tags=["sessions"])
async def sign_out(body: RefreshRequest, session: DbSession, ctx: Identity) -> Response:
    await use_cases.sign_out(session, ctx, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/sessions/current", status_code=status.HTTP_204_NO_CONTENT, tags=["sessions"])
async def sign_out_current(principal: PrincipalWithExpiredPassword, session: DbSession, ctx: Identity) -> Response:
    await use_cases.sign_out_session(session, ctx, UUID(principal.session_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/sessions", status_code=status.HTTP_204_NO_CONTENT, tags=["sessions"])
async def sign_out_everywhere(principal: PrincipalWithExpiredPassword, session: DbSession, ctx: Identity) -> Response:
    await use_cases.sign_out_everywhere(session, ctx, principal.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/password", tags=["credentials"], responses=GUARDED)
async def change_password(
    body: ChangePasswordRequest, principal: PrincipalWithExpiredPassword, session: DbSession, ctx: Identity,
    address: ClientAddress,
) -> TokensBody:
    tokens = await use_cases.change_password(
        session, ctx, user_id=principal.user_id, session_id=UUID(principal.session_id),
        current_password=body.current_password, new_password=body.new_password, client_address=address,
    )
    return TokensBody.model_validate(tokens)


@router.put("/me/security-questions", tags=["credentials"], responses=GUARDED)
async def change_security_questions(
    body: ChangeSecurityQuestionsRequest, principal: CurrentPrincipal, session: DbSession, ctx: Identity,
    address: ClientAddress,
) -> UserBody:
    user = await use_cases.change_security_questions(
        session, ctx, user_id=principal.user_id, current_answers=_answers(body.current_answers),
        questions=_chosen(body.security_questions), client_address=address,
    )
    return _user(user, ctx)


@router.post("/me/email", tags=["credentials"], responses=GUARDED)
async def change_email(
    body: ChangeEmailRequest, principal: CurrentPrincipal, session: DbSession, ctx: Identity,
    address: ClientAddress,
) -> UserBody:
    user = await use_cases.change_email(
        session, ctx, user_id=principal.user_id, current_password=body.current_password,
        new_email=body.new_email, client_address=address,
    )
    return _user(user, ctx)


@router.post("/password-resets", status_code=status.HTTP_202_ACCEPTED, tags=["forgot password"])
async def forgot_password(body: ForgotPasswordRequest, session: DbSession, ctx: Identity) -> AcceptedBody:
    await use_cases.request_password_reset(session, ctx, body.email)
    return AcceptedBody(
        detail="If an account uses this email, a link to set a new password has been sent to it."
    )


@router.get("/password-resets/{token}/questions", tags=["forgot password"])
async def reset_questions(token: str, session: DbSession, ctx: Identity) -> list[QuestionBody]:
    questions = await use_cases.reset_questions(session, ctx, token)
    return [QuestionBody(question_id=q, text=t) for q, t in questions]


@router.post(
    "/password-resets/{token}/answers", status_code=status.HTTP_204_NO_CONTENT, tags=["forgot password"],
    responses=GUARDED,
)
async def verify_reset_answers(
    token: str, body: ResetAnswersRequest, session: DbSession, ctx: Identity, address: ClientAddress
) -> Response:
    await use_cases.verify_reset_answers(session, ctx, token, _answers(body.answers), client_address=address)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/password-resets/{token}/password", status_code=status.HTTP_204_NO_CONTENT, tags=["forgot password"])
async def complete_reset(token: str, body: ResetPasswordRequest, session: DbSession, ctx: Identity) -> Response:
    await use_cases.complete_password_reset(session, ctx, token, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
