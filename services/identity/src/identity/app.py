"""Bootstrap: identity's runtime, its API process and its worker process.

Every service has these three functions with these signatures:
`build_runtime(settings)`, `create_app(settings, runtime)`, `build_worker(settings, runtime)`.
Identity differs only in what its context holds (hasher, policies, the token
issuer) and in verifying tokens with its own keys instead of fetching its JWKS.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from fastapi import FastAPI

from identity import tables, use_cases
from identity.api.helpdesk_routes import router as helpdesk_router
from identity.api.routes import router
from identity.domain.credential_throttle import ThrottlePolicy
from identity.domain.password_policy import PasswordPolicy
from identity.hashing import Argon2Hasher
from identity.mail import MailSender
from identity.repository import SigningKeyRepository
from identity.settings import IdentitySettings
from identity.signing import KeyRing, TokenIssuer, ensure_active_key
from identity.use_cases import IdentityContext
from servicekit import bootstrap
from servicekit.app import build_app
from servicekit.auth import TokenVerifier
from servicekit.clock import Clock
from servicekit.runtime import Runtime
from servicekit.worker import Periodic, Runnable

KEY_RELOAD_SECONDS = 30.0


def build_runtime(
    settings: IdentitySettings | None = None,
    *,
    clock: Clock | None = None,
    password_policy: PasswordPolicy | None = None,
    throttle_policy: ThrottlePolicy | None = None,
) -> Runtime[IdentityContext]:
    settings = settings or IdentitySettings()

    def context(runtime: Runtime) -> IdentityContext:
        return IdentityContext(
            database=runtime.database,
            clock=runtime.clock,
            hasher=Argon2Hasher(
                time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib,
                parallelism=settings.argon2_parallelism, threads=settings.hashing_threads,
            ),
            password_policy=password_policy or PasswordPolicy(),
            throttle_policy=throttle_policy or ThrottlePolicy(),
            issuer=TokenIssuer(
                KeyRing(), issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                access_ttl=timedelta(minutes=settings.access_token_minutes),
            ),
            refresh_ttl=timedelta(hours=settings.refresh_token_hours),
            reset_ttl=timedelta(hours=settings.reset_link_hours),
            public_url=settings.public_url,
        )

    runtime = bootstrap.build_runtime(settings, tables.outbox, clock=clock, context=context)

    async def local_jwks() -> dict:
        # Identity verifies its own tokens without an HTTP call to itself.
        await load_keys(runtime.context)
        return runtime.context.issuer.keyring.jwks

    runtime.token_verifier = TokenVerifier(
        local_jwks, issuer=settings.jwt_issuer, audience=settings.jwt_audience, clock=runtime.clock,
        min_refresh_seconds=1.0,
    )
    return runtime


async def load_keys(ctx: IdentityContext, verifier: TokenVerifier | None = None) -> None:
    """The signing keys from the database into the issuer's keyring; `verifier`, this process's own,
    learns them at once (a token signed with a key just rotated in must verify here too)."""
    async with ctx.database.transaction() as session:
        keys = await ensure_active_key(SigningKeyRepository(session), ctx.clock.now())
    ctx.issuer.keyring.load(keys)
    if verifier is not None:
        verifier.learn(ctx.issuer.keyring.jwks)


def create_app(settings: IdentitySettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    bootstrap.configure_process(settings, settings.service_name)
    runtime = runtime or build_runtime(settings)
    ctx: IdentityContext = runtime.context
    reloader: asyncio.Task | None = None

    async def start_key_reloader() -> None:
        nonlocal reloader

        async def reload_forever() -> None:
            while True:
                await asyncio.sleep(KEY_RELOAD_SECONDS)
                with contextlib.suppress(Exception):
                    await load_keys(ctx, runtime.token_verifier)

        await load_keys(ctx, runtime.token_verifier)
        reloader = asyncio.create_task(reload_forever())

    async def stop() -> None:
        if reloader is not None:
            reloader.cancel()
        ctx.hasher.close()  # type: ignore[attr-defined]

    return build_app(
        title="C-TPAT Portal identity",
        description="Trade users and CBP staff: registration, credentials, sessions, tokens (JWKS).",
        runtime=runtime,
        routers=[router, helpdesk_router],
        on_startup=[start_key_reloader],
        on_shutdown=[stop],
    )


def build_worker(settings: IdentitySettings | None = None, runtime: Runtime | None = None) -> list[Runnable]:
    settings = settings or IdentitySettings()
    bootstrap.configure_process(settings, settings.service_name + "-worker")
    runtime = runtime or build_runtime(settings)
    mail = MailSender(
        runtime.database, runtime.clock, host=settings.smtp_host, port=settings.smtp_port, sender=settings.mail_from
    )
    async def forget_counters() -> int:
        async with runtime.database.transaction() as session:
            return await use_cases.forget_stale_counters(session, runtime.context)

    # ID-12's counters are kept only while they can still count (a sign-in storm leaves many behind).
    sweeper = Periodic("signin-counter-sweeper", forget_counters, seconds=300)
    return [bootstrap.build_relay(settings), mail, sweeper]
