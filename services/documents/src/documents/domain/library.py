"""The three libraries, who reads and writes each (DOC-01..DOC-03), and the document types an upload names (DOC-05).

- Trade Public: every user of any Trade Account reads it (DOC-01).
- C-TPAT Public: every contact of any Security Model reads it (DOC-02).
- A Partner Library per Security Model: its contacts and its SCSS read and write it, nobody else (DOC-03).

Only CBP's administrators upload to the public libraries; CBP staff read them. Existence of a public library is
no secret (a refusal is 403), but a Partner Library, or one of its documents, is: to anyone else it does not
exist (404, the answer an unknown id gets).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from servicekit.auth import StaffRole
from servicekit.errors import Forbidden, NotFound, ValidationFailed


class Library(StrEnum):
    TRADE_PUBLIC = "trade_public"
    CTPAT_PUBLIC = "ctpat_public"
    PARTNER = "partner"


LIBRARY_NAMES = {
    Library.TRADE_PUBLIC: "Trade Public Document Library",
    Library.CTPAT_PUBLIC: "C-TPAT Public Document Library",
    Library.PARTNER: "C-TPAT Partner Library",
}

# DOC-05: the drop-down an upload chooses from (the manual names the list, not its entries; these are the kinds
# of evidence the Minimum Security Criteria ask for, and what CBP publishes).
DOCUMENT_TYPES: dict[str, str] = {
    "policy_procedure": "Policy or procedure",
    "training_record": "Training record",
    "audit_assessment": "Audit or risk assessment",
    "certificate": "Certificate or accreditation",
    "contract_agreement": "Contract or agreement",
    "photograph": "Photograph",
    "security_profile_evidence": "Security Profile evidence",
    "validation_response": "Validation response",
    "corrective_action": "Corrective action",
    "cbp_guidance": "CBP guidance or publication",
    "other": "Other",
}

NO_SUCH_DOCUMENT = "No such document."
PARTNER_LIBRARY_UNNAMED = "is required for the C-TPAT Partner Library"
NO_SUCH_LIBRARY = "No such Partner Library."


@dataclass(frozen=True)
class Caller:
    """Who is asking, as documents' read models know them (memberships and contacts change; tokens do not)."""

    user_id: uuid.UUID
    roles: frozenset[str]
    trade_user: bool  # an active member of some Trade Account
    contact_anywhere: bool  # a contact of some Security Model
    contact_of: frozenset[uuid.UUID]  # the models, among those asked about, whose contact this is
    scss_of: frozenset[uuid.UUID]  # ... and whose assigned SCSS this is

    @property
    def staff(self) -> bool:
        return bool(self.roles)

    @property
    def admin(self) -> bool:
        return StaffRole.ADMIN in self.roles

    def in_partner_library(self, model_id: uuid.UUID | None) -> bool:
        """DOC-03: the model's contacts and its SCSS, only."""
        return model_id is not None and (model_id in self.contact_of or model_id in self.scss_of)

    def may_read(self, library: Library, model_id: uuid.UUID | None) -> bool:
        if library is Library.TRADE_PUBLIC:
            return self.trade_user or self.staff  # DOC-01
        if library is Library.CTPAT_PUBLIC:
            return self.contact_anywhere or self.staff  # DOC-02
        return self.in_partner_library(model_id)  # DOC-03


def partner_library_unnamed(library: Library, model_id: uuid.UUID | None) -> bool:
    """DOC-03, DOC-05: a Partner Library is one Security Model's: asking for one, or putting a document in one,
    names the model."""
    return library is Library.PARTNER and model_id is None


def ensure_library_named(library: Library, model_id: uuid.UUID | None) -> None:
    """Which library is meant is said before anyone can be asked about it (so before any authorization)."""
    if partner_library_unnamed(library, model_id):
        raise ValidationFailed.on("security_model_id", PARTNER_LIBRARY_UNNAMED)


def ensure_may_read_library(caller: Caller, library: Library, model_id: uuid.UUID | None) -> None:
    if caller.may_read(library, model_id):
        return
    if library is Library.PARTNER:
        raise NotFound(NO_SUCH_LIBRARY)
    if library is Library.TRADE_PUBLIC:
        raise Forbidden("The Trade Public Document Library is for users of a Trade Account.")
    raise Forbidden("The C-TPAT Public Document Library is for the contacts of a C-TPAT account.")


def ensure_may_read_document(caller: Caller, library: Library, model_id: uuid.UUID | None) -> None:
    """A document the caller may not read does not exist for them, whichever library holds it."""
    if not caller.may_read(library, model_id):
        raise NotFound(NO_SUCH_DOCUMENT)


def ensure_may_write(caller: Caller, library: Library, model_id: uuid.UUID | None) -> None:
    """DOC-01, DOC-02: only Admin writes the public libraries; DOC-03: a Partner Library's readers write it."""
    if library is Library.PARTNER:
        if not caller.in_partner_library(model_id):
            raise NotFound(NO_SUCH_LIBRARY)
        return
    if not caller.admin:
        raise Forbidden(f"Only CBP's administrators change the {LIBRARY_NAMES[library]}.")
