"""Schemathesis hooks for the contract run (loaded through SCHEMATHESIS_HOOKS in the `st` process only).

Three things a schema-driven client cannot know:

1. **Who it is.** `PortalBearer` signs in as a registered user with a
   completed profile (from the default address, with the right password, so
   never a failure), again every four minutes (access tokens live five), and
   registers a new user when fuzzed credential checks have locked one out.

2. **Its own client address.** Identity counts failed sign-ins per client
   address (ID-12) and the gateway rate-limits per address. Fuzzing sign-in
   sends hundreds of wrong passwords; from 127.0.0.1 that would throttle every
   other test signing in from there. With `PORTAL_CONTRACT_SOURCE_ADDRESS`
   (another loopback address, 127.0.0.2) the fuzzer's failures are its own.

3. **Rules JSON Schema cannot state.** A schema-valid request may still be
   refused with a 422 when the refusal depends on stored state (the current
   password, the security answers), compares two values (confirm_email, three
   *different* questions), or consults a list or a table (leaked passwords,
   the last eight passwords, a country's states and postal code format). Every
   refusal that is not one of those, listed below by field and message, is still
   a failure of "schema-valid request rejected".
"""

from __future__ import annotations

import os
import uuid

import requests.adapters
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

SOURCE_ADDRESS = os.environ.get("PORTAL_CONTRACT_SOURCE_ADDRESS")

_init_poolmanager = requests.adapters.HTTPAdapter.init_poolmanager


class _DefaultAddressAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        return _init_poolmanager(self, *args, **kwargs)


if SOURCE_ADDRESS:

    def _init_bound_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (SOURCE_ADDRESS, 0)
        return _init_poolmanager(self, *args, **kwargs)

    requests.adapters.HTTPAdapter.init_poolmanager = _init_bound_poolmanager


PASSWORD = "Harbor#Crane42"
PROFILE = {"salutation": "Ms.", "first_name": "Contract", "last_name": "Tester", "title": "QA",
           "phone": "+1 202 555 0100"}


def _gateway() -> requests.Session:
    session = requests.Session()
    session.mount("http://", _DefaultAddressAdapter())
    return session


def register_user(gateway_url: str) -> str:
    """A trade user with a completed profile, registered through the gateway; its email."""
    email = f"contract-{uuid.uuid4().hex[:12]}@example.com"
    questions = [{"question_id": i, "answer": f"answer {i}"} for i in (1, 2, 3)]
    with _gateway() as http:
        created = http.post(f"{gateway_url}/api/identity/users", timeout=30,
                            json={"email": email, "password": PASSWORD, "security_questions": questions})
        created.raise_for_status()
        token = _sign_in(http, gateway_url, email)
        http.put(f"{gateway_url}/api/identity/me/profile", json=PROFILE, timeout=30,
                 headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    return email


def _sign_in(http: requests.Session, gateway_url: str, email: str) -> str:
    response = http.post(f"{gateway_url}/api/identity/sessions", json={"email": email, "password": PASSWORD},
                         timeout=30)
    response.raise_for_status()
    return response.json()["access_token"]


@schemathesis.auth(refresh_interval=240)
class PortalBearer:
    """Signs the contract user in again every four minutes (access tokens live five).

    The fuzzer sends wrong current passwords to the credential endpoints, which
    lock the account (ID-12); then a new user is registered and used instead.
    """

    def __init__(self) -> None:
        self.gateway_url = os.environ["PORTAL_GATEWAY_URL"]
        self.email = os.environ.get("PORTAL_CONTRACT_EMAIL") or register_user(self.gateway_url)

    def get(self, case, ctx):
        with _gateway() as http:
            try:
                return _sign_in(http, self.gateway_url, self.email)
            except requests.HTTPError:
                self.email = register_user(self.gateway_url)
                return _sign_in(http, self.gateway_url, self.email)

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


# (field, start of the message): refusals that depend on what JSON Schema cannot see.
BEYOND_JSON_SCHEMA: tuple[tuple[str, str], ...] = (
    # stored state
    ("current_password", "is not your current password"),
    ("current_answers", "do not match your security answers"),
    ("answers", "do not match the security answers of this account"),
    ("answers", "the security questions have not been answered"),
    ("new_password", "may not repeat any of your last"),
    ("new_email", "is the same as the current email"),
    # one value against another
    ("security_questions", "the three security questions must be different"),
    ("confirm_email", "must match the email"),
    # the password's character classes (ID-04): described, not a pattern (see identity's NewPassword)
    ("password", "must contain "),
    ("new_password", "must contain "),
    # lists and tables
    ("password", "is too common"),
    ("new_password", "is too common"),
    ("state", "is required for addresses in"),
    ("state", "is not a state or province of"),
    ("postal_code", "must be"),
    ("postal_code", "is required"),  # where the country has postal codes
    # ctpat: the catalogue (a business type's questions, answers and identifiers; CT-01, CT-02)
    ("eligibility_answers.", "must be answered"),
    ("eligibility_answers.", "must be one of"),
    ("eligibility_answers.", "is not a question for"),
    ("identifiers.", "is not a valid"),
    ("identifiers.", "is required"),
    ("identifiers.", "is not an identifier of this business type"),
    ("applicant_contact_type", "must be officer or employee"),
    # ctpat: one value against another (a company profile's addresses and contacts; CT-04, CT-05, CT-08)
    ("addresses", "must have exactly one Primary"),
    ("addresses", "must have at least one Mailing"),
    ("contacts", "must have exactly one Primary POC"),
    ("contacts", "must include at least one Company Officer"),
    ("reason", "is required when the response is"),
    ("reason", "is given only with"),
    ("response", "is required"),
    # documents: one field against another, or against the library in the path (DOC-04, DOC-05)
    ("security_model_id", "is required for the C-TPAT Partner Library"),
    ("security_model_id", "is only for the C-TPAT Partner Library"),
    ("uploaded_for", "is only for the C-TPAT Partner Library"),
    ("uploaded_for", "a Security Profile criterion has no validation or item"),
    ("uploaded_for.criterion_id", "is required for a Security Profile criterion"),
    ("uploaded_for.item_id", "a Validation Response item needs validation_id and item_id"),
    ("uploaded_for_kind", "is required with criterion_id, validation_id or item_id"),
    ("tags", "at most "),  # after tags that differ only in case or spaces are made one
)


def _beyond_json_schema(error: dict) -> bool:
    field, message = str(error.get("field", "")), str(error.get("message", ""))
    # A field ending in "." names a family: eligibility_answers.<question id>, identifiers.<kind>[i].
    return any((field == f or (f.endswith(".") and field.startswith(f))) and message.startswith(m)
               for f, m in BEYOND_JSON_SCHEMA)


def _problem(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@schemathesis.check
def positive_data_acceptance_beyond_json_schema(ctx, response, case):
    """`positive_data_acceptance`, except for a 422 whose every named error is in BEYOND_JSON_SCHEMA."""
    if response.status_code == 415 and case.meta is not None and case.meta.generation.mode.is_positive:
        # documents (DOC-05): what a file is, is read from its bytes; no schema can say which bytes are a PDF.
        errors = _problem(response).get("errors") or []
        if errors and all(e.get("field") == "file" for e in errors):
            return None
    if response.status_code == 422 and case.meta is not None and case.meta.generation.mode.is_positive:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        errors = problem.get("errors") or []
        if errors and all(_beyond_json_schema(e) for e in errors):
            return None
        if str(problem.get("type", "")).endswith("/ineligible"):
            return None  # ctpat (CT-01): the catalogue's eligibility answers refuse, each with its own reason
    return positive_data_acceptance(ctx, response, case)
