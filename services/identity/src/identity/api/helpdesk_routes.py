"""The C-TPAT Helpdesk's endpoints (CBP Admins only), and the user's way back after it cleared the questions."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from identity import use_cases
from identity.api.deps import Identity
from identity.api.helpdesk_schemas import (
    Email,
    HelpdeskActionBody,
    HelpdeskActionRequest,
    NewSecurityQuestionsRequest,
)
from identity.api.schemas import TokensBody
from identity.domain.security_questions import ChosenQuestion
from servicekit.db import TransactionalRoute
from servicekit.deps import CurrentPrincipal, DbSession, PrincipalWithExpiredPassword

router = APIRouter(route_class=TransactionalRoute)

NO_SUCH_USER = {404: {"description": "No user has this email"}}


@router.post(
    "/helpdesk/actions", status_code=status.HTTP_201_CREATED, tags=["helpdesk"],
    responses={**NO_SUCH_USER, 409: {"description": "Nothing to do (e.g. no security questions to clear)"}},
)
async def act_for_helpdesk(
    body: HelpdeskActionRequest, principal: CurrentPrincipal, session: DbSession, ctx: Identity
) -> HelpdeskActionBody:
    """A CBP Admin unlocks a sign-in, clears a user's security questions or sends a reset link; recorded."""
    action = await use_cases.act_for_helpdesk(
        session, ctx, actor_id=principal.user_id, action=body.action, email=body.email, reason=body.reason
    )
    return HelpdeskActionBody.model_validate(action)


@router.get("/helpdesk/actions", tags=["helpdesk"], responses=NO_SUCH_USER)
async def helpdesk_actions(
    principal: CurrentPrincipal,
    session: DbSession,
    email: Annotated[Email | None, Query(description="Only this user's actions")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[HelpdeskActionBody]:
    """What the Helpdesk did, newest first (CBP Admins only)."""
    actions = await use_cases.helpdesk_actions(session, actor_id=principal.user_id, email=email, limit=limit)
    return [HelpdeskActionBody.model_validate(a) for a in actions]


@router.put(
    "/me/new-security-questions", tags=["credentials"],
    responses={
        404: {"description": "The user no longer exists"},
        409: {"description": "The security questions are set; change them with the current answers"},
    },
)
async def choose_new_security_questions(
    body: NewSecurityQuestionsRequest, principal: PrincipalWithExpiredPassword, session: DbSession, ctx: Identity
) -> TokensBody:
    """After the Helpdesk cleared the questions, the one thing left to do: choose three new ones."""
    tokens = await use_cases.choose_new_security_questions(
        session, ctx, user_id=principal.user_id, session_id=UUID(principal.session_id),
        questions=[ChosenQuestion(q.question_id, q.answer) for q in body.security_questions],
    )
    return TokensBody.model_validate(tokens, from_attributes=True)
