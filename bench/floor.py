"""The floor: identity's `GET /me` and trade-accounts' `GET /trade-accounts/{id}` with nothing but their work.

Raw ASGI in the services' process model (one uvicorn process, uvloop,
httptools, as `servicekit.cli` serves), an asyncpg pool per database as large
as the services' (10 + 10 overflow), and per request what the service does:

- the same token check: `servicekit.auth.TokenVerifier` with identity's keys;
- the very statement the services' reads send, in autocommit as
  `servicekit.reads` runs it (taken from the services' own `Query` objects,
  so they cannot drift);
- the same authorization rule and a JSON body of the same shape.

No FastAPI, no SQLAlchemy session, no pydantic, no middleware, no tracing.
What a service spends beyond this is its framework's; `bench.per_request`
reports the service's throughput as a ratio of this one's.

    python -m uvicorn bench.floor:create_app --factory --port 8199 --loop uvloop --http httptools
"""

from __future__ import annotations

import gc
import json
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from servicekit.auth import Principal, TokenVerifier, http_jwks_fetcher
from servicekit.errors import Unauthenticated
from servicekit.reads import open_read_pool
from servicekit.settings import ServiceSettings

PASSWORD_MAX_AGE = timedelta(days=90)  # identity's PasswordPolicy.max_age
OVERSIGHT_ROLES = frozenset({"scss", "management"})  # trade-accounts' Actor.is_cbp_oversight

_JSON = [(b"content-type", b"application/json")]


def identity_statements() -> str:
    """`UserReads.get`'s statement."""
    from identity.repository import UserReads

    return UserReads._BY_ID.sql


def trade_account_statement() -> str:
    """`TradeAccountReads.get`'s one statement (the account and its parts as JSON)."""
    from trade_accounts.repository import TradeAccountReads

    return TradeAccountReads.LOAD.sql






def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value: object) -> str | None:
    return str(value) if value is not None else None


class Floor:
    def __init__(self) -> None:
        shared = ServiceSettings()
        self.jwks_url, self.issuer, self.audience = shared.jwks_url, shared.jwt_issuer, shared.jwt_audience
        self.verifier: TokenVerifier | None = None
        self.identity: asyncpg.Pool | None = None
        self.trade_accounts: asyncpg.Pool | None = None
        self.user_sql = identity_statements()
        self.account_sql = trade_account_statement()

    async def start(self) -> None:
        from identity.settings import IdentitySettings
        from trade_accounts.settings import TradeAccountsSettings

        self.verifier = TokenVerifier(http_jwks_fetcher(self.jwks_url), issuer=self.issuer, audience=self.audience)

        identity, trade_accounts = IdentitySettings(), TradeAccountsSettings()
        # The services' read pools (servicekit.reads), as large as theirs.
        self.identity = await open_read_pool(identity.database_url, size=identity.database_pool_size)
        self.trade_accounts = await open_read_pool(trade_accounts.database_url, size=trade_accounts.database_pool_size)
        gc.collect()
        gc.freeze()  # as servicekit.app's lifespan does

    async def stop(self) -> None:
        for pool in (self.identity, self.trade_accounts):
            if pool is not None:
                await pool.close()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if scope["method"] != "GET":
            status, body = 405, {"title": "Method not allowed"}
        elif path == "/health/live":
            status, body = 200, {"status": "ok"}
        elif path == "/me":
            status, body = await self._guarded(scope, self.me)
        elif path.startswith("/trade-accounts/"):
            try:
                account_id = uuid.UUID(path[len("/trade-accounts/"):])
            except ValueError:
                status, body = 422, {"title": "Invalid account id"}
            else:
                status, body = await self._guarded(scope, lambda p: self.trade_account(p, account_id))
        else:
            status, body = 404, {"title": "Not found"}
        payload = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [*_JSON, (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})

    async def _guarded(self, scope, handler) -> tuple[int, dict]:
        token = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                token = token.strip() if scheme.lower() == "bearer" else ""
                break
        if not token:
            return 401, {"title": "A bearer access token is required."}
        try:
            principal = await self.verifier.principal(token)
        except Unauthenticated as exc:
            return 401, {"title": str(exc)}
        return await handler(principal)

    async def me(self, principal: Principal) -> tuple[int, dict]:
        """identity's GET /me: the user row, as UserBody."""
        row = await self.identity.fetchrow(self.user_sql, principal.user_id)
        if row is None:
            return 404, {"title": "The user no longer exists."}
        expires_at = row["password_set_at"] + PASSWORD_MAX_AGE
        profile = None if row["first_name"] is None else {
            f: row[f] for f in ("salutation", "first_name", "last_name", "title", "phone")}
        return 200, {
            "id": str(row["id"]), "email": row["email"], "kind": row["kind"], "roles": list(row["roles"]),
            "profile_complete": profile is not None, "profile": profile,
            "password_expires_at": expires_at.isoformat(),
            "password_expired": datetime.now(UTC) >= expires_at,
        }

    async def trade_account(self, principal: Principal, account_id: uuid.UUID) -> tuple[int, dict]:
        """trade-accounts' GET /trade-accounts/{id}: its one statement, read rule, TradeAccountBody."""
        if principal.password_expired:
            return 403, {"title": "Your password has expired; set a new password first."}
        account = await self.trade_accounts.fetchrow(self.account_sql, account_id)
        if account is None:
            return 404, {"title": "No such Trade Account."}
        addresses, members = account["address_rows"], account["member_rows"]
        user_id = str(principal.user_id)
        mine = next((m for m in members if m["user_id"] == user_id and m["status"] == "active"), None)
        if account["merged_into"] is not None or (mine is None and not principal.roles & OVERSIGHT_ROLES):
            return 404, {"title": "No such Trade Account."}
        return 200, {
            "id": str(account["id"]), "parent_id": _str(account["parent_id"]), "version": account["version"],
            "company_information": {
                "company_name": account["company_name"], "doing_business_as": account["doing_business_as"],
                "number_of_employees": account["number_of_employees"],
                "business_start_date": _iso(account["business_start_date"]),
                "brief_history": account["brief_history"],
            },
            "addresses": [
                {"id": r["id"], **{f: r[f] for f in ("type", "street_line_1", "street_line_2", "city",
                                                          "country", "state", "postal_code")}}
                for r in addresses
            ],
            "users": [
                {"id": r["id"], "user_id": r["user_id"],
                 **{f: r[f] for f in ("email", "salutation", "first_name", "last_name", "title", "phone", "type",
                                      "status")}}
                for r in members
            ],
            "your_role": mine["type"] if mine is not None else None,
        }

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.start()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app() -> Floor:
    return Floor()
