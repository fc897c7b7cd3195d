"""The International tab (CT-07): the programs related to C-TPAT open to a model, by status and business type.

A Company Officer signs a program's agreement electronically (CT-06); the
signature is kept like the Partner Agreement's (who, when, which version) and
emitted as `AgreementSigned`. Revoking one (e.g. the SVI agreement, SV-02) keeps
the signature and adds who revoked it and when, emitted as `AgreementRevoked`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ctpat.domain.security_model import CERTIFIED_OR_ABOVE, AgreementKind, SecurityModel


@dataclass(frozen=True)
class Program:
    agreement: AgreementKind
    name: str
    description: str
    business_types: frozenset[str] | None  # None: every business type
    requires_certified: bool

    def unavailable_because(self, model: SecurityModel) -> str | None:
        """Why the model may not sign this program's agreement now (None when it may)."""
        if self.requires_certified and model.status not in CERTIFIED_OR_ABOVE:
            return "open to Security Models that are Certified or above"
        if self.business_types is not None and not self.business_types & set(model.business_type_codes):
            names = ", ".join(sorted(self.business_types))
            return f"open to Security Models of these business types: {names}"
        return None


PROGRAMS: tuple[Program, ...] = (
    Program(AgreementKind.SVI, "Status Verification Interface",
            "Lets business partners monitor your C-TPAT status, and you theirs.", None, True),
    Program(AgreementKind.EXPORTER, "C-TPAT Exporter Entity",
            "The security agreement of exporters shipping from the United States.", frozenset({"exporter"}), False),
    Program(AgreementKind.NEEC, "NEEC (Nuevo Esquema de Empresas Certificadas)",
            "Mexico's Authorized Economic Operator program, harmonised with C-TPAT for cross-border trade.",
            frozenset({"highway_carrier", "foreign_manufacturer"}), True),
    Program(AgreementKind.MUTUAL_RECOGNITION, "Mutual Recognition",
            "Shares your certification with customs administrations whose programs CBP mutually recognises.",
            frozenset({"importer", "exporter", "sea_carrier", "air_carrier", "foreign_manufacturer"}), True),
)

PROGRAM_BY_AGREEMENT = {p.agreement: p for p in PROGRAMS}
