"""What the certified account's life stands on, made through the API: CBP's side of it (an annual review
window opened by moving the anniversary, a recorded validation, a decided operation request).

The trade user's steps are walked in the browser; the SCSS's and Management's steps are API calls here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tests.browser.seed import Application, Seed, User


@dataclass
class Certified:
    app: Application
    scss: User
    management: User

    @property
    def owner(self) -> User:
        return self.app.owner

    @property
    def model_id(self) -> str:
        return self.app.model_id

    @property
    def base(self) -> str:
        return f"/api/ctpat/security-models/{self.app.model_id}"


class LifecycleSeed:
    def __init__(self, seed: Seed) -> None:
        self.seed = seed

    def certified(self, *, svi: bool = False) -> Certified:
        scss, management = self.seed.staff("scss"), self.seed.staff("management")
        return Certified(self.seed.certified(scss, management, svi=svi), scss, management)

    def today(self, who: User, model_id: str) -> date:
        """The portal's today (its clock may not be this machine's): the day of the model's newest history entry
        (certification, or a later date change)."""
        model = self.seed.call("GET", f"/api/ctpat/security-models/{model_id}", who)
        return date.fromisoformat(max(entry["at"] for entry in model["status_history"])[:10])

    def open_annual_review(self, certified: Certified, *, due_in_days: int = 30) -> dict:
        """Management moves the anniversary so that a review falls due in `due_in_days`; its window (90 days
        before) is then open, and ctpat's scheduler (every few seconds) opens it. Returns the open review."""
        today = self.today(certified.management, certified.model_id)
        due = today + timedelta(days=due_in_days)
        if due.month == 2 and due.day == 29:
            due += timedelta(days=1)
        self.seed.call("PUT", f"{certified.base}/anniversary", certified.management, json={
            "anniversary_date": due.replace(year=due.year - 1).isoformat(),
            "reason": "Aligned with the validation date."})
        return self.seed.until("the annual review window to open", lambda: next(
            (r for r in self.seed.call("GET", f"{certified.base}/annual-reviews", certified.owner)
             if r["state"] == "open"), None), timeout=60)

    def affirm_all_but(self, certified: Certified, year: int, left: int) -> list[str]:
        """Affirms every statement but the last `left`; returns the statements left to affirm."""
        profile = self.seed.call("GET", f"{certified.base}/profile", certified.owner)
        statements = [c["id"] for category in profile["categories"] for c in category["criteria"]]
        for criterion_id in statements[:len(statements) - left]:
            self.seed.call("PUT", f"{certified.base}/annual-reviews/{year}/affirmations/{criterion_id}",
                           certified.owner, json={"affirmed": True})
        return statements[len(statements) - left:]

    def record_validation(self, certified: Certified, *, recommendations: list[str] | None = None,
                          actions_required: list[str] | None = None, result: str = "meets") -> dict:
        today = self.today(certified.scss, certified.model_id)
        return self.seed.call("POST", f"{certified.base}/validations", certified.scss, json={
            "validation_date": today.isoformat(), "result": result,
            "report": "Site visit at the Laredo warehouse: seals, access control and IT security reviewed.",
            "recommendations": recommendations if recommendations is not None else [
                "Log every seal number at the loading dock."],
            "actions_required": actions_required if actions_required is not None else [
                "Fix the broken lock on the perimeter gate."],
        })

    def request_operation(self, certified: Certified, body: dict) -> dict:
        return self.seed.call("POST", f"{certified.base}/operations", certified.owner, json=body)

    def decide_operation(self, certified: Certified, operation_id: str, decision: str = "approve",
                         reason: str | None = None) -> dict:
        return self.seed.call("POST", f"/api/ctpat/model-operations/{operation_id}/decision", certified.management,
                              json={"decision": decision, "reason": reason})

