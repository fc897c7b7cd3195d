"""All of identity's SQL. Repositories flush; the edge commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity import tables
from identity.domain.credential_throttle import FailureCounter
from identity.domain.helpdesk import HelpdeskAction
from identity.domain.user import Profile, SecurityAnswer, User
from servicekit.mail import MailQueue
from servicekit.reads import Query, Reads
from servicekit.store import AggregateRepository


def _user_from_row(row: Mapping[str, Any]) -> User:
    """A users row (a SQLAlchemy row's `_mapping`, or an asyncpg record from `UserReads`) as a User."""
    profile = None
    if row["first_name"] is not None:
        profile = Profile(row["salutation"], row["first_name"], row["last_name"], row["title"], row["phone"])
    return User(
        id=row["id"],
        email=row["email"],
        kind=row["kind"],
        roles=list(row["roles"]),
        password_hash=row["password_hash"],
        password_set_at=row["password_set_at"],
        password_history=list(row["password_history"]),
        security_answers=[SecurityAnswer(a["question_id"], a["answer_hash"]) for a in row["security_answers"]],
        created_at=row["created_at"],
        profile=profile,
        version=row["version"],
    )


def _user_values(user: User) -> dict[str, Any]:
    profile = user.profile
    return {
        "email": user.email,
        "kind": user.kind,
        "roles": list(user.roles),
        "salutation": profile.salutation if profile else None,
        "first_name": profile.first_name if profile else None,
        "last_name": profile.last_name if profile else None,
        "title": profile.title if profile else None,
        "phone": profile.phone if profile else None,
        "password_hash": user.password_hash,
        "password_set_at": user.password_set_at,
        "password_history": user.password_history,
        "security_answers": [
            {"question_id": a.question_id, "answer_hash": a.answer_hash} for a in user.security_answers
        ],
        "version": user.version,
    }


class UserReads:
    """Reading a user to show, not to change (servicekit.reads): no session, no version check."""

    _BY_ID = Query(select(tables.users).where(tables.users.c.id == bindparam("id")))

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def get(self, user_id: uuid.UUID) -> User | None:
        row = await self.reads.one(self._BY_ID, id=user_id)
        return _user_from_row(row) if row is not None else None


class UserRepository(AggregateRepository[User]):
    root = tables.users
    stale_message = "Your account was changed by another request meanwhile; reload and try again."
    unique_fields = {"users_email_key": "email"}  # ID-01: a lost race for an email is a 409 on it

    async def get(self, user_id: uuid.UUID) -> User | None:
        row = (await self.session.execute(select(tables.users).where(tables.users.c.id == user_id))).first()
        return self._loaded(_user_from_row(row._mapping)) if row else None

    async def by_email(self, email: str) -> User | None:
        query = select(tables.users).where(func.lower(tables.users.c.email) == email.strip().lower())
        row = (await self.session.execute(query)).first()
        return self._loaded(_user_from_row(row._mapping)) if row else None

    async def _insert(self, user: User) -> None:
        await self.session.execute(
            insert(tables.users).values(id=user.id, created_at=user.created_at, **_user_values(user))
        )

    async def _update(self, user: User) -> None:
        await self.session.execute(
            update(tables.users).where(tables.users.c.id == user.id).values(**_user_values(user))
        )


class FailureCounterRepository:
    """The counters of failed credential checks (ID-12), by key; see `domain.credential_throttle`."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _counter(row: Any) -> FailureCounter:
        return FailureCounter(row.failures, row.window_started_at, row.last_failure_at, row.locked_until)

    async def get_many(self, keys: list[str]) -> dict[str, FailureCounter]:
        """Several counters in one round trip, unlocked (for the check before a credential is verified)."""
        fc = tables.signin_counters
        rows = (await self.session.execute(select(fc).where(fc.c.key.in_(keys)))).all()
        found = {r.key: self._counter(r) for r in rows}
        return {key: found.get(key, FailureCounter()) for key in keys}

    async def lock_many(self, keys: list[str]) -> dict[str, FailureCounter]:
        """The counters, locked until the transaction ends; rows are made first so two first failures both count."""
        fc = tables.signin_counters
        await self.session.execute(
            pg_insert(fc).values([{"key": key, "failures": 0} for key in keys]).on_conflict_do_nothing()
        )
        rows = (
            await self.session.execute(select(fc).where(fc.c.key.in_(keys)).order_by(fc.c.key).with_for_update())
        ).all()
        return {r.key: self._counter(r) for r in rows}

    async def put_many(self, counters: dict[str, FailureCounter]) -> None:
        fc = tables.signin_counters
        for key, counter in counters.items():
            await self.session.execute(
                update(fc).where(fc.c.key == key).values(
                    failures=counter.failures, window_started_at=counter.window_started_at,
                    last_failure_at=counter.last_failure_at, locked_until=counter.locked_until,
                )
            )

    async def clear(self, keys: list[str]) -> None:
        fc = tables.signin_counters
        await self.session.execute(delete(fc).where(fc.c.key.in_(keys)))

    async def forget_stale(self, last_failure_before: datetime, now: datetime) -> int:
        """Deletes the counters that count for nothing any more (see ThrottlePolicy.forgotten_after)."""
        fc = tables.signin_counters
        result = await self.session.execute(delete(fc).where(
            or_(fc.c.last_failure_at.is_(None), fc.c.last_failure_at < last_failure_before),
            or_(fc.c.locked_until.is_(None), fc.c.locked_until < now),
        ))
        return result.rowcount

    async def clear_account(self, key: str) -> int:
        """Every counter of one account: its own and those of the account at each address."""
        fc = tables.signin_counters
        result = await self.session.execute(
            delete(fc).where(or_(fc.c.key == key, fc.c.key.startswith(key + "|", autoescape=True)))
        )
        return result.rowcount


@dataclass(frozen=True)
class RefreshTokenRow:
    token_hash: str
    session_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None
    session_revoked_at: datetime | None
    user_id: uuid.UUID


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open(
        self, user_id: uuid.UUID, client_address: str | None, token_hash: str, now: datetime, expires_at: datetime
    ) -> uuid.UUID:
        """A new session and its first refresh token, in one round trip (sign-in is a hot path)."""
        session_id = uuid.uuid4()
        await self.session.execute(
            text(
                "with new_session as (insert into sessions (id, user_id, created_at, client_address)"
                " values (:sid, :uid, :now, :address))"
                " insert into refresh_tokens (token_hash, session_id, issued_at, expires_at)"
                " values (:hash, :sid, :now, :expires)"
            ),
            {"sid": session_id, "uid": user_id, "now": now, "address": client_address, "hash": token_hash,
             "expires": expires_at},
        )
        return session_id

    async def add_refresh_token(
        self, token_hash: str, session_id: uuid.UUID, now: datetime, expires_at: datetime
    ) -> None:
        await self.session.execute(
            insert(tables.refresh_tokens).values(
                token_hash=token_hash, session_id=session_id, issued_at=now, expires_at=expires_at
            )
        )

    async def refresh_token(self, token_hash: str) -> RefreshTokenRow | None:
        rt, s = tables.refresh_tokens, tables.sessions
        row = (
            await self.session.execute(
                select(rt.c.token_hash, rt.c.session_id, rt.c.expires_at, rt.c.used_at,
                       s.c.revoked_at, s.c.user_id)
                .join(s, s.c.id == rt.c.session_id)
                .where(rt.c.token_hash == token_hash)
                .with_for_update(of=rt)
            )
        ).first()
        if row is None:
            return None
        return RefreshTokenRow(row.token_hash, row.session_id, row.expires_at, row.used_at,
                               row.revoked_at, row.user_id)

    async def mark_used(self, token_hash: str, now: datetime) -> None:
        await self.session.execute(
            update(tables.refresh_tokens).where(tables.refresh_tokens.c.token_hash == token_hash)
            .values(used_at=now)
        )

    async def revoke(self, session_id: uuid.UUID, now: datetime, reason: str) -> None:
        await self.session.execute(
            update(tables.sessions)
            .where(tables.sessions.c.id == session_id, tables.sessions.c.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        )

    async def revoke_all_for_user(
        self, user_id: uuid.UUID, now: datetime, reason: str, *, keep: uuid.UUID | None = None
    ) -> None:
        query = update(tables.sessions).where(
            tables.sessions.c.user_id == user_id, tables.sessions.c.revoked_at.is_(None)
        )
        if keep is not None:
            query = query.where(tables.sessions.c.id != keep)
        await self.session.execute(query.values(revoked_at=now, revoked_reason=reason))



@dataclass
class PasswordReset:
    id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime
    answers_verified_at: datetime | None
    failed_answer_attempts: int
    used_at: datetime | None


class PasswordResetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, token_hash: str, user_id: uuid.UUID, now: datetime, expires_at: datetime, *,
        answers_verified_at: datetime | None = None,
    ) -> None:
        await self.session.execute(
            insert(tables.password_resets).values(
                id=uuid.uuid4(), token_hash=token_hash, user_id=user_id, created_at=now,
                expires_at=expires_at, answers_verified_at=answers_verified_at,
            )
        )

    async def by_token_hash(self, token_hash: str, *, for_update: bool = True) -> PasswordReset | None:
        pr = tables.password_resets
        query = select(pr).where(pr.c.token_hash == token_hash)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        return PasswordReset(row.id, row.user_id, row.expires_at, row.answers_verified_at,
                             row.failed_answer_attempts, row.used_at)

    async def save(self, reset: PasswordReset) -> None:
        await self.session.execute(
            update(tables.password_resets).where(tables.password_resets.c.id == reset.id).values(
                answers_verified_at=reset.answers_verified_at,
                failed_answer_attempts=reset.failed_answer_attempts,
                used_at=reset.used_at,
            )
        )

    async def expire_open_for_user(self, user_id: uuid.UUID, now: datetime) -> None:
        """A new link (or a changed password) makes earlier links useless."""
        pr = tables.password_resets
        await self.session.execute(
            update(pr).where(pr.c.user_id == user_id, pr.c.used_at.is_(None)).values(used_at=now)
        )


class MailRepository(MailQueue):
    """Identity's mail (reset links), queued in its own `mail_outbox`."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, tables.mail_outbox)


class HelpdeskActionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, action: HelpdeskAction) -> None:
        await self.session.execute(insert(tables.helpdesk_actions).values(**action.__dict__))

    async def recent(self, *, user_id: uuid.UUID | None = None, limit: int = 100) -> list[HelpdeskAction]:
        """Newest first; one user's, or everyone's."""
        ha = tables.helpdesk_actions
        query = select(ha).order_by(ha.c.occurred_at.desc(), ha.c.id).limit(limit)
        if user_id is not None:
            query = query.where(ha.c.user_id == user_id)
        rows = (await self.session.execute(query)).mappings().all()
        return [HelpdeskAction(**row) for row in rows]


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str
    public_jwk: dict[str, Any]
    created_at: datetime
    active: bool
    retired_at: datetime | None


class SigningKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self) -> None:
        """Serialises key creation and rotation across identity instances."""
        await self.session.execute(select(func.pg_advisory_xact_lock(0x1D_5161)))

    async def published(self, now: datetime) -> list[SigningKey]:
        """The active key and retired keys whose tokens may still be alive."""
        sk = tables.signing_keys
        rows = (
            await self.session.execute(
                select(sk).where((sk.c.retired_at.is_(None)) | (sk.c.retired_at > now))
                .order_by(sk.c.created_at.desc())
            )
        ).all()
        return [SigningKey(r.kid, r.private_pem, r.public_jwk, r.created_at, r.active, r.retired_at) for r in rows]

    async def add_active(self, key: SigningKey) -> None:
        await self.session.execute(
            update(tables.signing_keys).where(tables.signing_keys.c.active.is_(True)).values(active=False)
        )
        await self.session.execute(
            insert(tables.signing_keys).values(
                kid=key.kid, private_pem=key.private_pem, public_jwk=key.public_jwk,
                created_at=key.created_at, active=True,
            )
        )

    async def retire_inactive(self, retire_at: datetime) -> None:
        sk = tables.signing_keys
        await self.session.execute(
            update(sk).where(sk.c.active.is_(False), sk.c.retired_at.is_(None)).values(retired_at=retire_at)
        )
