"""The web client's own small rules: where ?next= may send a browser, how the API's problems are read,
how a typed number is sent, how identifiers are said."""

from __future__ import annotations

import json

import pytest

from web.forms import FormState, as_int
from web.page import safe_next
from web.portal_api import ApiProblem
from web.templating import label, when


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "", None,
    "evil.example", "http:/evil.example", "\\\\evil.example",
])
def test_after_sign_in_the_browser_goes_nowhere_but_this_site(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/account", "/trade-accounts/1/profile/users?sort=-name&page=2"])
def test_a_path_of_this_site_is_kept(target):
    assert safe_next(target) == target


def test_a_problem_document_names_each_field():
    body = json.dumps({
        "type": "https://portal.ctpat.local/problems/validation", "title": "Invalid", "status": 422,
        "detail": "Check the fields.", "errors": [{"field": "state", "message": "is required in US"},
                                                 {"field": "state", "message": "second message ignored"},
                                                 {"message": "no field"}, "junk"]}).encode()
    problem = ApiProblem.from_body(422, "Unprocessable Content", body)
    assert (problem.status, problem.slug, problem.errors) == (422, "validation", {"state": "is required in US"})
    assert FormState(problem=problem).error("state") == "is required in US"


@pytest.mark.parametrize("body", [b"<html>bad gateway</html>", b"", b"[1, 2]", b"null"])
def test_an_answer_that_is_not_a_problem_document_still_reads_as_a_problem(body):
    problem = ApiProblem.from_body(502, "Bad Gateway", body)
    assert problem.status == 502 and problem.errors == {} and problem.title


@pytest.mark.parametrize("typed, sent", [("12", 12), (" 7 ", 7), ("-3", -3), ("12a", "12a"), ("", ""),
                                         ("9" * 40, "9" * 40), ("١٢", "١٢")])
def test_a_typed_number_is_sent_as_a_number_and_anything_else_as_typed(typed, sent):
    assert as_int(typed) == sent


def test_identifiers_and_dates_are_said_as_people_say_them():
    assert label("company_administrator") == "Company administrator"
    assert label("trade_security_poc_office") == "Trade security POC office"
    assert label("scss") == "SCSS"
    assert when("2026-11-29T14:05:00Z", True) == "Nov 29, 2026 14:05 UTC"
    assert when("2026-02-01") == "Feb 01, 2026"
    assert when("not a date") == "not a date"
