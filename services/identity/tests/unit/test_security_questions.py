"""Security answers compare case- and whitespace-insensitively (ID-03)."""

from __future__ import annotations

import pytest

from identity.domain.security_questions import ChosenQuestion, normalise_answer, question_choice_errors


@pytest.mark.req("ID-03")
@pytest.mark.parametrize("variant", ["new york", "NEW YORK", "  New   York ", "newyork", "New\tYork"])
def test_answers_match_whatever_their_case_and_spacing(variant):
    assert normalise_answer(variant) == normalise_answer("New York")


@pytest.mark.req("ID-03")
def test_different_answers_stay_different():
    assert normalise_answer("New York") != normalise_answer("New Jersey")


@pytest.mark.req("ID-03")
def test_three_distinct_known_questions_with_answers_are_required():
    good = [ChosenQuestion(1, "Rex"), ChosenQuestion(2, "Paris"), ChosenQuestion(3, "Smith")]
    assert question_choice_errors(good, "q") == []
    assert question_choice_errors(good[:2], "q")[0].message.startswith("exactly 3")
    repeated = [ChosenQuestion(1, "Rex"), ChosenQuestion(1, "Max"), ChosenQuestion(3, "Smith")]
    assert "different" in question_choice_errors(repeated, "q")[0].message
    blank = [ChosenQuestion(1, " "), ChosenQuestion(2, "Paris"), ChosenQuestion(3, "Smith")]
    assert question_choice_errors(blank, "q")[0].field == "q.0.answer"
