"""Identity's HTTP request and response bodies, in servicekit's vocabulary.

What JSON Schema can say about a rule is said here, so the OpenAPI document
states it: lengths, three questions from the catalogue (ID-03). What it
cannot (three *different* questions, a password not on the leaked list nor
among the last eight) or should not (the password's character classes, see
`NewPassword`) is described, and the domain checks it and names it in a 422.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, ValidationInfo, field_validator

from identity.domain.password_policy import PasswordPolicy
from identity.domain.security_questions import MAX_ANSWER_LENGTH, QUESTION_CATALOGUE, REQUIRED_QUESTIONS
from identity.domain.user import StaffRole
from servicekit.schema_types import (
    DomainView,
    EmailLookup,
    JobTitle,
    NewEmail,
    PersonName,
    Phone,
    Salutation,
    Strict,
    integer,
    text,
)

_POLICY = PasswordPolicy()

# Bounded so a body cannot make us hash megabytes; the policy refuses longer ones anyway.
Password = text(_POLICY.max_length, strip=False)
"""A password to check: any text a password could be."""

NewPassword = Annotated[
    text(_POLICY.max_length, min_length=_POLICY.min_length, strip=False),
    Field(description=(
        f"{_POLICY.min_length} to {_POLICY.max_length} characters with an upper-case letter, a lower-case letter, "
        "a digit and a special character (ID-04); not a leaked password, nor one of your last "
        f"{_POLICY.history_depth} (ID-05)"
    )),
]
"""ID-04: the length is in the schema; the character classes in its description, not a `pattern`: four
lookaheads make schema-driven generators (Schemathesis' coverage phase) take minutes per operation."""

# Two characters besides whitespace: the normalised answer must have two (ID-03).
Answer = text(
    MAX_ANSWER_LENGTH,
    pattern=r"^[^\u0000]*[^\s\u0000][^\u0000]*[^\s\u0000][^\u0000]*$",
    message="must have at least 2 characters besides spaces",
)
QuestionId = integer(ge=min(QUESTION_CATALOGUE), le=max(QUESTION_CATALOGUE))
RefreshToken = text(200, pattern=r"^[A-Za-z0-9_.~+/=-]+$", message="is not a refresh token")


class QuestionAnswer(Strict):
    question_id: QuestionId
    answer: Answer


ThreeAnswers = Annotated[list[QuestionAnswer], Field(min_length=REQUIRED_QUESTIONS, max_length=REQUIRED_QUESTIONS)]


class RegisterRequest(Strict):
    email: NewEmail
    password: NewPassword
    security_questions: ThreeAnswers = Field(description="Three different questions from `GET /security-questions`")


class ProfileRequest(Strict):
    salutation: Salutation
    first_name: PersonName
    last_name: PersonName
    title: JobTitle
    phone: Phone


class ProfileBody(DomainView):
    salutation: Salutation
    first_name: str
    last_name: str
    title: str
    phone: str


class UserBody(DomainView):
    """A user, read from the domain `User`; validate with `context={"password_policy": ..., "now": ...}`."""

    id: UUID
    email: str
    kind: Literal["trade", "cbp"]
    roles: list[StaffRole]
    profile_complete: bool
    profile: ProfileBody | None
    password_expires_at: datetime = Field(validation_alias="password_set_at")
    password_expired: bool = Field(validation_alias="password_set_at")

    @field_validator("password_expires_at", mode="before")
    @classmethod
    def _expires_at(cls, password_set_at: datetime, info: ValidationInfo) -> datetime:
        return info.context["password_policy"].expires_at(password_set_at)

    @field_validator("password_expired", mode="before")
    @classmethod
    def _expired(cls, password_set_at: datetime, info: ValidationInfo) -> bool:
        return info.context["password_policy"].is_expired(password_set_at, info.context["now"])


class SignInRequest(Strict):
    email: EmailLookup
    password: Password


class RefreshRequest(Strict):
    refresh_token: RefreshToken


class TokensBody(DomainView):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    password_expired: bool


class ChangePasswordRequest(Strict):
    current_password: Password
    new_password: NewPassword


class ChangeSecurityQuestionsRequest(Strict):
    current_answers: ThreeAnswers
    security_questions: ThreeAnswers


class ChangeEmailRequest(Strict):
    current_password: Password
    new_email: NewEmail


class ForgotPasswordRequest(Strict):
    email: EmailLookup


class ResetAnswersRequest(Strict):
    answers: ThreeAnswers


class ResetPasswordRequest(Strict):
    new_password: NewPassword


class QuestionBody(DomainView):
    question_id: int
    text: str


class AcceptedBody(DomainView):
    status: Literal["accepted"] = "accepted"
    detail: str
