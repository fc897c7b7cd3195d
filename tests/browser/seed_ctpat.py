"""What the C-TPAT application's browser tests stand on, beyond tests.browser.seed.

- `second_user`: another user of an application's Trade Account (to make a contact of).
"""

from __future__ import annotations

from tests.browser.seed import ANSWERS, PASSWORD, Application, Seed, User, tag

_ORIGIN_RULE = """<CORSRule><AllowedOrigin>{origin}</AllowedOrigin><AllowedMethod>POST</AllowedMethod>\
<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>"""


def second_user(seed: Seed, app: Application, *, first_name: str = "Rafael", last_name: str = "Ortiz") -> User:
    """A second user of the application's Trade Account, already a contact (Employee) of its Security Model:
    ctpat hears of new Trade Account users through events, so this waits until they can see the model."""
    # Invited first, registered after: trade-accounts then links the invitation when it hears of the registration.
    # (Adding someone who registered a moment ago can race trade-accounts' handling of their profile, and leave
    # the membership invited for good; see this area's report.)
    email = f"ctpat-{tag()}@example.com"
    member = seed.call("POST", f"/api/trade-accounts/trade-accounts/{app.account['id']}/users", app.owner, json={
        "email": email, "confirm_email": email, "salutation": "Mr.", "first_name": first_name,
        "last_name": last_name, "title": "Security Manager", "phone": "+1 202 555 0199", "type": "user"})
    created = seed.call("POST", "/api/identity/users",
                        json={"email": email, "password": PASSWORD, "security_questions": ANSWERS})
    user = User(email, created["id"], seed.sign_in(email))
    seed.call("PUT", "/api/identity/me/profile", user, json={
        "salutation": "Mr.", "first_name": first_name, "last_name": last_name, "title": "Security Manager",
        "phone": "+1 202 555 0199"})
    model = seed.call("GET", f"/api/ctpat/security-models/{app.model_id}", app.owner)
    contacts = [{"member_id": c["member_id"], "type": c["type"], "primary_poc": c["primary_poc"]}
                for c in model["contacts"]] + [{"member_id": member["id"], "type": "employee"}]
    path = f"/api/ctpat/security-models/{app.model_id}/contacts"
    seed.until("ctpat to know the new user", lambda: seed.client.put(
        path, json={"contacts": contacts},
        headers={"authorization": f"Bearer {app.owner.token}"}).status_code == 200)
    # An invitation becomes a membership once trade-accounts, then ctpat, hear of the registered user.
    seed.until("the new user to see the Security Model", lambda: seed.client.get(
        f"/api/ctpat/security-models/{app.model_id}",
        headers={"authorization": f"Bearer {user.token}"}).status_code == 200)
    return user


def second_address(seed: Seed, app: Application) -> dict:
    return seed.call("POST", f"/api/trade-accounts/trade-accounts/{app.account['id']}/addresses", app.owner, json={
        "type": "cargo_handling_facility", "street_line_1": f"{tag()[:4]} Dock Road", "city": "El Paso",
        "country": "US", "state": "TX", "postal_code": "79901"})


__all__ = ["PASSWORD", "second_address", "second_user"]
