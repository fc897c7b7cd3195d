"""Security questions (ID-03): three distinct questions from the catalogue, answers stored hashed.

Answers are compared case- and whitespace-insensitively, so the normalised
form is what gets hashed: "  New  York " and "newyork" are the same answer.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from servicekit.errors import FieldError

QUESTION_CATALOGUE: dict[int, str] = {
    1: "What was the name of your first pet?",
    2: "In what city were you born?",
    3: "What is your mother's maiden name?",
    4: "What was the make of your first car?",
    5: "What was the name of your elementary school?",
    6: "What is the name of the street you grew up on?",
    7: "What was your childhood nickname?",
    8: "In what city did your parents meet?",
    9: "What is the middle name of your oldest sibling?",
    10: "What was the first concert you attended?",
    11: "What was your first employer's name?",
    12: "What is your favorite book?",
}
REQUIRED_QUESTIONS = 3
MIN_ANSWER_LENGTH = 2
MAX_ANSWER_LENGTH = 200


def normalise_answer(answer: str) -> str:
    folded = unicodedata.normalize("NFKC", answer).casefold()
    return "".join(folded.split())


@dataclass(frozen=True)
class ChosenQuestion:
    question_id: int
    answer: str


def question_choice_errors(choices: list[ChosenQuestion], field_name: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(choices) != REQUIRED_QUESTIONS:
        return [FieldError(field_name, f"exactly {REQUIRED_QUESTIONS} security questions are required")]
    ids = [c.question_id for c in choices]
    if len(set(ids)) != len(ids):
        errors.append(FieldError(field_name, "the three security questions must be different"))
    for index, choice in enumerate(choices):
        if choice.question_id not in QUESTION_CATALOGUE:
            errors.append(FieldError(f"{field_name}.{index}.question_id", "is not a known question"))
        answer_field = f"{field_name}.{index}.answer"
        if len(normalise_answer(choice.answer)) < MIN_ANSWER_LENGTH:
            errors.append(FieldError(answer_field, f"must have at least {MIN_ANSWER_LENGTH} characters"))
        if len(choice.answer) > MAX_ANSWER_LENGTH:
            errors.append(FieldError(answer_field, f"must have at most {MAX_ANSWER_LENGTH} characters"))
    return errors
