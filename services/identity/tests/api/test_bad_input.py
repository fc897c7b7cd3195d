"""No input to any identity route gives a 500; every refusal is problem+json and changes nothing (PL-07).

servicekit.testing.junk makes the junk from each route's OpenAPI description;
here is only a signed-in caller and the valid bodies it makes wrong one field at a time.
"""

from __future__ import annotations

import pytest

from identity.api import helpdesk_routes, routes
from servicekit.health import health_router
from servicekit.testing import junk

OPERATIONS = junk.operations(routes.router, helpdesk_routes.router, health_router())


def valid_body(operation: junk.Operation, api, email: str) -> dict | None:
    """A body the route would take, so that each junk field is the only thing wrong."""
    password, questions = api.password, api.questions()
    new_password = "Quay#Lantern77"
    profile = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Compliance Officer",
               "phone": "+1 202 555 0100"}
    return {
        ("POST", "/users"): {"email": api.new_email(), "password": password, "security_questions": questions},
        ("PUT", "/me/profile"): profile,
        ("POST", "/sessions"): {"email": email, "password": password},
        ("POST", "/me/password"): {"current_password": password, "new_password": new_password},
        ("PUT", "/me/security-questions"): {"current_answers": [{"question_id": q["question_id"], "answer": q["answer"]}
                                                               for q in questions], "security_questions": questions},
        ("POST", "/me/email"): {"new_email": api.new_email(), "current_password": password},
        ("POST", "/password-resets"): {"email": email},
        ("PUT", "/me/new-security-questions"): {"security_questions": questions},
        ("POST", "/helpdesk/actions"): {"email": email, "action": "unlock_sign_in", "reason": "Called the helpdesk"},
    }.get((operation.method, operation.path))


@pytest.mark.req("PL-07")
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
async def test_junk_input_never_gives_a_500_and_changes_nothing(api, client, app, fingerprint, operation):
    email, tokens = await api.new_user()
    await junk.check(client, app, operation, headers=api.bearer(tokens), body=valid_body(operation, api, email),
                     fingerprint=fingerprint)


def test_every_route_is_checked(app):
    assert junk.unlisted(app, OPERATIONS) == set()
