"""The User aggregate: a trade user or a CBP staff member, with credentials and profile.

Hashing is a port (`SecretHasher`): the aggregate decides, the adapter hashes
(argon2id, off the event loop). Every change bumps `version` and records the
public event it causes; the use case hands those to the outbox.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from identity.domain.password_policy import PasswordPolicy
from identity.domain.security_questions import QUESTION_CATALOGUE, normalise_answer
from portal_events import EventPayload
from portal_events.identity import UserEmailChanged, UserProfileUpdated, UserRegistered
from servicekit.aggregate import RecordsEvents
from servicekit.auth import StaffRole
from servicekit.errors import Conflict, FieldError, FieldErrors, ValidationFailed


class SecretHasher(Protocol):
    # A hash of nothing anyone knows: verifying against it when a user does not
    # exist costs the same time as a real check, so timing reveals no emails.
    dummy_hash: str

    async def hash(self, secret: str) -> str: ...

    async def verify(self, hashed: str, secret: str) -> bool: ...


@dataclass(frozen=True)
class Profile:
    salutation: str
    first_name: str
    last_name: str
    title: str
    phone: str


@dataclass(frozen=True)
class SecurityAnswer:
    question_id: int
    answer_hash: str


@dataclass
class User(RecordsEvents):
    id: uuid.UUID
    email: str
    kind: Literal["trade", "cbp"]
    password_hash: str
    password_set_at: datetime
    security_answers: list[SecurityAnswer]
    created_at: datetime
    roles: list[StaffRole] = field(default_factory=list)
    profile: Profile | None = None
    # Hashes of earlier passwords, newest first (the current one is password_hash).
    password_history: list[str] = field(default_factory=list)
    version: int = 1
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    # --- creation ---------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        email: str,
        password_hash: str,
        security_answers: list[SecurityAnswer],
        now: datetime,
        kind: Literal["trade", "cbp"] = "trade",
        roles: list[StaffRole] | None = None,
    ) -> User:
        user = cls(
            id=uuid.uuid4(),
            email=normalise_email(email),
            kind=kind,
            roles=sorted(set(roles or [])),
            password_hash=password_hash,
            password_set_at=now,
            security_answers=security_answers,
            created_at=now,
        )
        user.events.append(
            UserRegistered(
                user_id=user.id, version=user.version, occurred_at=now, email=user.email,
                kind=kind, staff_roles=list(user.roles),
            )
        )
        return user

    # --- queries ----------------------------------------------------------

    @property
    def profile_complete(self) -> bool:
        return self.profile is not None

    @property
    def security_questions_required(self) -> bool:
        """A trade user whose questions the C-TPAT Helpdesk cleared must choose new ones before anything else."""
        return self.kind == "trade" and not self.security_answers

    def password_expired(self, policy: PasswordPolicy, now: datetime) -> bool:
        return policy.is_expired(self.password_set_at, now)

    def recent_password_hashes(self, policy: PasswordPolicy) -> list[str]:
        """The current password and the ones before it that a new password may not repeat."""
        return [self.password_hash, *self.password_history][: policy.history_depth]

    # --- commands ---------------------------------------------------------

    def complete_profile(self, profile: Profile, now: datetime) -> None:
        self.profile = profile
        self._bump()
        self.events.append(
            UserProfileUpdated(
                user_id=self.id, version=self.version, occurred_at=now,
                salutation=profile.salutation, first_name=profile.first_name,
                last_name=profile.last_name, title=profile.title, phone=profile.phone,
            )
        )

    def set_password(self, new_hash: str, policy: PasswordPolicy, now: datetime) -> None:
        """Replaces the password; reuse has been ruled out by `ensure_password_not_reused`."""
        self.password_history = [self.password_hash, *self.password_history][: policy.history_depth]
        self.password_hash = new_hash
        self.password_set_at = now
        self._bump()

    def ensure_security_questions_to_change(self) -> None:
        """Checked before the current answers are: a user without questions (CBP staff) has nothing to give,
        and a guess at answers that do not exist must not count as a failed credential check (ID-12)."""
        if not self.security_answers:
            raise Conflict("You have no security questions to change.")

    def chosen_questions(self) -> list[tuple[int, str]]:
        """Each question the user answered, with its text (none after the helpdesk cleared them)."""
        return [(a.question_id, QUESTION_CATALOGUE[a.question_id]) for a in self.security_answers]

    def replace_security_answers(self, answers: list[SecurityAnswer]) -> None:
        """ID-07: the caller has checked the current answers."""
        self.security_answers = answers
        self._bump()

    def clear_security_questions(self) -> None:
        """The C-TPAT Helpdesk's answer to "I forgot my security answers": new ones are chosen at the next sign-in."""
        if not self.security_answers:
            raise Conflict("This user has no security questions to clear.")
        self.security_answers = []
        self._bump()

    def choose_security_answers(self, answers: list[SecurityAnswer]) -> None:
        """New questions without the old answers: only after the Helpdesk cleared them."""
        if not self.security_questions_required:
            raise Conflict(
                "Your security questions are set; change them by giving the current answers "
                "(PUT /me/security-questions)."
            )
        self.security_answers = answers
        self._bump()

    def change_email(self, new_email: str, now: datetime) -> None:
        new_email = normalise_email(new_email)
        if new_email == self.email:
            raise ValidationFailed.on("new_email", "is the same as the current email")
        old = self.email
        self.email = new_email
        self._bump()
        self.events.append(
            UserEmailChanged(
                user_id=self.id, version=self.version, occurred_at=now,
                old_email=old, new_email=new_email,
            )
        )



def normalise_email(email: str) -> str:
    """The email is the user name; uniqueness ignores case (ID-01)."""
    return email.strip().lower()


# --- rules that need the hasher ----------------------------------------------


async def ensure_password_acceptable(
    policy: PasswordPolicy, password: str, *, email: str, field_name: str
) -> None:
    FieldErrors(policy.violations(password, field_name=field_name, email=email)).raise_if_any()


async def ensure_password_not_reused(
    user: User, policy: PasswordPolicy, hasher: SecretHasher, password: str, *, field_name: str
) -> None:
    """ID-05: not equal to any of the previous passwords (the current one included)."""
    for old_hash in user.recent_password_hashes(policy):
        if await hasher.verify(old_hash, password):
            raise ValidationFailed(
                f"{field_name}: may not repeat any of your last {policy.history_depth} passwords",
                [FieldError(field_name, f"may not repeat any of your last {policy.history_depth} passwords")],
            )


async def answers_match(user: User, hasher: SecretHasher, answers: dict[int, str]) -> bool:
    """All three stored answers must match; compared in normalised form (ID-03)."""
    if set(answers) != {a.question_id for a in user.security_answers}:
        return False
    results = [
        await hasher.verify(stored.answer_hash, normalise_answer(answers[stored.question_id]))
        for stored in user.security_answers
    ]
    return all(results)


async def hash_answers(hasher: SecretHasher, answers: dict[int, str]) -> list[SecurityAnswer]:
    return [
        SecurityAnswer(question_id, await hasher.hash(normalise_answer(answer)))
        for question_id, answer in answers.items()
    ]


def ensure_email_free(existing: User | None, email: str, field_name: str = "email") -> None:
    if existing is not None:
        raise Conflict(
            f"{field_name}: an account with this email already exists",
            [FieldError(field_name, "an account with this email already exists")],
        )
