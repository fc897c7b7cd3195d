"""What the SVI browser tests stand on: certified importers taking part in SVI, and requests between them.

Company names begin with one tag per test (`Harbor <tag> Birch`), so a search for `Harbor <tag>` finds this
test's companies and no other run's. svi learns of certifications and signatures from ctpat's events, so each
helper waits until svi has caught up before the browser walks the flow.
"""

from __future__ import annotations

from tests.browser.seed import Application, Seed, User, tag


class SviSeed:
    def __init__(self, seed: Seed, staff: tuple[User, User] | None = None) -> None:
        self.seed = seed
        self.tag = tag()
        # (SCSS, Management): made once per test module where it can be, since making staff is slow.
        self._staff = staff

    def name(self, word: str) -> str:
        return f"Harbor {self.tag} {word}"

    @property
    def prefix(self) -> str:
        return f"Harbor {self.tag}"

    def staff(self) -> tuple[User, User]:
        if self._staff is None:
            self._staff = (self.seed.staff("scss"), self.seed.staff("management"))
        return self._staff

    def importer(self, word: str, *, svi: bool = True) -> Application:
        """A certified importer named `Harbor <tag> <word>`, with the SVI agreement signed unless `svi` is False."""
        scss, management = self.staff()
        return self.seed.certified(scss, management, name=self.name(word), svi=svi)

    def found_by(self, searcher: Application, *others: Application) -> None:
        """Waits until svi's search, made as `searcher`, finds each of `others` (they take part in SVI)."""
        path = f"/api/svi/security-models/{searcher.model_id}/partner-search"
        wanted = {o.model_id for o in others}

        def found() -> bool:
            response = self.seed.client.get(path, params={"q": self.prefix},
                                            headers={"authorization": f"Bearer {searcher.owner.token}"})
            return response.status_code == 200 and wanted <= {r["security_model_id"] for r in response.json()}

        self.seed.until("svi to know the participants", found)

    def ask(self, monitored: Application, monitoring: Application) -> dict:
        """`monitored` asks `monitoring` to monitor it: one pending request."""
        self.found_by(monitored, monitoring)
        made = self.seed.call("POST", f"/api/svi/security-models/{monitored.model_id}/monitoring-requests",
                              monitored.owner, json={"monitoring_model_ids": [monitoring.model_id]})
        return made[0]

    def monitoring_you(self, app: Application) -> list[dict]:
        return self.seed.call("GET", f"/api/svi/security-models/{app.model_id}/partners-monitoring-you", app.owner)
