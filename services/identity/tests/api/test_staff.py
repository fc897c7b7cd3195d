"""CBP staff (SCSS, Management, Admin) come from the admin CLI, never from self-registration."""

from __future__ import annotations

import asyncio
import io
import sys
import uuid

import pytest

from identity.__main__ import main
from servicekit.auth import TokenVerifier


async def test_self_registration_cannot_claim_a_staff_role(api, client):
    response = await client.post(
        "/users",
        json={"email": api.new_email(), "password": api.password, "security_questions": api.questions(),
              "roles": ["admin"], "kind": "cbp"},
    )
    assert response.status_code == 422
    assert {"roles", "kind"} <= {e["field"] for e in response.json()["errors"]}


async def test_the_admin_cli_creates_staff_whose_tokens_carry_their_roles(
    api, client, identity_settings, clock, monkeypatch, capsys
):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", identity_settings.database_url)
    email = f"scss-{uuid.uuid4().hex[:8]}@cbp.example"
    monkeypatch.setattr(sys, "stdin", io.StringIO("Cbp#Staff2026x\n"))
    # the CLI runs its own event loop, so it runs in a thread of its own here
    await asyncio.to_thread(main, ["create-staff", email, "--role", "scss", "--role", "management", "--password-stdin"])
    assert "scss" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO("weak\n"))
    with pytest.raises(SystemExit, match="refused"):
        await asyncio.to_thread(main, ["create-staff", f"other-{email}", "--role", "admin", "--password-stdin"])

    tokens = await api.sign_in(email, "Cbp#Staff2026x")

    async def fetch_jwks() -> dict:
        return (await client.get("/.well-known/jwks.json")).json()

    verifier = TokenVerifier(fetch_jwks, issuer=identity_settings.jwt_issuer, audience=identity_settings.jwt_audience, clock=clock)
    principal = await verifier.principal(tokens["access_token"])
    assert principal.roles == {"scss", "management"} and principal.is_staff
