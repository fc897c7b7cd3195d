"""FastAPI dependencies every service uses, as `Annotated` aliases named for their meaning."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.auth import Principal, TokenVerifier
from servicekit.db import request_session
from servicekit.errors import Forbidden, Unauthenticated
from servicekit.reads import Reads


class PasswordExpired(Forbidden):
    slug = "password-expired"
    title = "Password expired"


class SecurityQuestionsRequired(Forbidden):
    slug = "security-questions-required"
    title = "Security questions required"


def _bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("A bearer access token is required.")
    return token.strip()


async def principal_even_if_password_expired(request: Request) -> Principal:
    verifier: TokenVerifier = request.app.state.runtime.token_verifier
    principal = await verifier.principal(_bearer_token(request))
    request.state.principal = principal
    return principal


async def current_principal(
    principal: Annotated[Principal, Depends(principal_even_if_password_expired)],
) -> Principal:
    # ID-06: with an expired password the only thing left is setting a new one.
    if principal.password_expired:
        raise PasswordExpired("Your password has expired; set a new password first.")
    # ID-03: after the C-TPAT Helpdesk cleared the security questions, choosing new ones comes first.
    if principal.security_questions_required:
        raise SecurityQuestionsRequired("Your security questions were cleared; choose new ones first.")
    return principal


async def database_reads(request: Request) -> Reads:
    return request.app.state.runtime.database.reads


DbSession = Annotated[AsyncSession, Depends(request_session)]
DbReads = Annotated[Reads, Depends(database_reads)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
PrincipalWithExpiredPassword = Annotated[Principal, Depends(principal_even_if_password_expired)]
