"""Identity's HTTP request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

# Bounded so a body cannot make us hash megabytes; the policy's own limit is lower.
Secret = Annotated[str, Field(min_length=1, max_length=4096)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionAnswer(Strict):
    question_id: int = Field(ge=1)
    answer: Annotated[str, Field(min_length=1, max_length=200)]


class RegisterRequest(Strict):
    email: EmailStr = Field(max_length=254)
    password: Secret
    security_questions: list[QuestionAnswer] = Field(min_length=1, max_length=10)


class ProfileRequest(Strict):
    salutation: Literal["Mr.", "Ms.", "Mrs.", "Miss", "Dr.", "Mx."]
    first_name: ShortText
    last_name: ShortText
    title: ShortText
    phone: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=7, max_length=30, pattern=r"^\+?[0-9 ()./-]{7,30}$")
    ]


class ProfileBody(BaseModel):
    salutation: str
    first_name: str
    last_name: str
    title: str
    phone: str


class UserBody(BaseModel):
    id: UUID
    email: str
    kind: str
    roles: list[str]
    profile_complete: bool
    profile: ProfileBody | None
    password_expires_at: datetime
    password_expired: bool


class SignInRequest(Strict):
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Secret


class RefreshRequest(Strict):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class TokensBody(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    password_expired: bool


class ChangePasswordRequest(Strict):
    current_password: Secret
    new_password: Secret


class ChangeSecurityQuestionsRequest(Strict):
    current_answers: list[QuestionAnswer] = Field(min_length=1, max_length=10)
    security_questions: list[QuestionAnswer] = Field(min_length=1, max_length=10)


class ChangeEmailRequest(Strict):
    current_password: Secret
    new_email: EmailStr = Field(max_length=254)


class ForgotPasswordRequest(Strict):
    email: Annotated[str, Field(min_length=1, max_length=254)]


class ResetAnswersRequest(Strict):
    answers: list[QuestionAnswer] = Field(min_length=1, max_length=10)


class ResetPasswordRequest(Strict):
    new_password: Secret


class QuestionBody(BaseModel):
    question_id: int
    text: str


class AcceptedBody(BaseModel):
    status: str = "accepted"
    detail: str
