"""The C-TPAT Security Model aggregate: business types, entity identifiers, company profile, status.

CT-01 an application starts from a Trade Account with a business type whose
eligibility questions decide eligibility and the exact sub-type; CT-02 each
type's entity identifiers, checked for format, and IOR, SCAC and MID changed
only by the SCSS once entered; CT-03 one model holds one or more business
types with identical procedures, each with its own C-TPAT account number;
CT-04 company profile addresses from the Trade Account, exactly one Primary
and at least one Mailing; CT-05 contacts from the Trade Account's users, one
Primary POC who is no Consultant, and a Company Officer; CT-14 a status whose
history is only ever appended to (who, when, why), each change emitted as
`StatusChanged`.

Who may do what is in `ctpat.domain.policies`; this module holds the rules
of the model's own data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from ctpat.catalogue import BusinessType, Catalogue
from ctpat.domain.actors import Actor
from ctpat.domain.annual_review import AnnualReview, ReviewState, next_due_date, window_opens
from ctpat.domain.trade_accounts import KnownTradeAccount
from portal_events.ctpat import (
    AgreementRevoked,
    AgreementSigned,
    AnnualReviewWindowOpened,
    CompanyProfileAddress,
    CompanyProfileAddressesChanged,
    ContactEntry,
    ContactsChanged,
    ScssAssigned,
    SecurityModelCreated,
    SecurityModelMoved,
    StatusChanged,
)
from servicekit.aggregate import RecordsEvents
from servicekit.errors import Conflict, FieldError, FieldErrors, Forbidden, NotFound, ValidationFailed


class Status(StrEnum):
    """CT-14's lifecycle."""

    APPLICANT = "applicant"
    UNDER_REVIEW = "under_review"
    CERTIFIED = "certified"
    CERTIFIED_VALIDATED = "certified_validated"  # Tier II, importers
    CERTIFIED_EXCEEDING = "certified_exceeding"  # Tier III, importers
    CERTIFIED_NON_IMPORTER_VALIDATED = "certified_non_importer_validated"
    SUSPENDED = "suspended"
    REMOVED = "removed"
    WITHDRAWN = "withdrawn"

    @property
    def is_certified(self) -> bool:
        return self in CERTIFIED_OR_ABOVE


CERTIFIED_OR_ABOVE = frozenset({
    Status.CERTIFIED, Status.CERTIFIED_VALIDATED, Status.CERTIFIED_EXCEEDING, Status.CERTIFIED_NON_IMPORTER_VALIDATED,
})
CLOSED = frozenset({Status.REMOVED, Status.WITHDRAWN})


class ContactType(StrEnum):
    OFFICER = "officer"
    EMPLOYEE = "employee"
    CONSULTANT = "consultant"


class AddressDesignation(StrEnum):
    PRIMARY = "primary"
    MAILING = "mailing"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class ModelBusinessType:
    """One business type of the model (CT-03): its sub-type, its own account number, the answers that chose it."""

    code: str
    sub_type: str
    account_number: str
    eligibility_answers: Mapping[str, str]


@dataclass(frozen=True)
class EntityIdentifier:
    kind: str
    value: str


@dataclass(frozen=True)
class Contact:
    member_id: uuid.UUID
    type: ContactType
    primary_poc: bool = False


@dataclass(frozen=True)
class ProfileAddress:
    """A Trade Account address the model uses; `mailing` may go with Primary or stand alone (CT-04)."""

    address_id: uuid.UUID
    primary: bool
    mailing: bool

    @property
    def designation(self) -> AddressDesignation:
        if self.primary:
            return AddressDesignation.PRIMARY
        return AddressDesignation.MAILING if self.mailing else AddressDesignation.SECONDARY


@dataclass(frozen=True)
class StatusEntry:
    """One line of the append-only history (CT-14): never rewritten, never removed."""

    status: Status
    previous: Status | None
    at: datetime
    by: uuid.UUID
    reason: str
    anniversary_date: date | None = None


class AgreementKind(StrEnum):
    """CT-06: the agreements a Company Officer signs electronically."""

    PARTNER = "partner"
    SVI = "svi"
    EXPORTER = "exporter"
    NEEC = "neec"
    MUTUAL_RECOGNITION = "mutual_recognition"


# The text each signature refers to, by version: a new text is a new version, and a signature keeps its own.
AGREEMENT_VERSIONS = {kind: "2026.1" for kind in AgreementKind}


@dataclass(frozen=True)
class Signature:
    """An electronic signature (CT-11): who, when, which version of which agreement; kept for good."""

    agreement: AgreementKind
    agreement_version: str
    signed_by: uuid.UUID
    signer_name: str
    signed_at: datetime
    revoked_by: uuid.UUID | None = None
    revoked_at: datetime | None = None

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None


def identifier_errors(
    business_types: Iterable[BusinessType], catalogue: Catalogue, given: Mapping[str, Iterable[str]],
    *, field_name: str = "identifiers",
) -> tuple[list[EntityIdentifier], FieldErrors]:
    """CT-02: every required kind has a value, every value is of a kind these types use and has its format."""
    types = list(business_types)
    allowed = {code for t in types for code in t.identifier_codes}
    required = {code for t in types for code in t.identifiers}
    errors = FieldErrors()
    found: list[EntityIdentifier] = []
    for kind_code, values in given.items():
        kind = catalogue.identifier_kinds.get(kind_code)
        if kind is None or kind_code not in allowed:
            names = ", ".join(sorted(allowed))
            errors.add(f"{field_name}.{kind_code}", f"is not an identifier of this business type (use: {names})")
            continue
        for i, value in enumerate(values):
            problem = kind.problem(value)
            if problem:
                errors.add(f"{field_name}.{kind_code}[{i}]", problem)
            else:
                entry = EntityIdentifier(kind_code, kind.normalise(value))
                if entry not in found:
                    found.append(entry)
    for kind_code in sorted(required):
        if not any(e.kind == kind_code for e in found) and not any(
            e.field.startswith(f"{field_name}.{kind_code}") for e in errors
        ):
            errors.add(f"{field_name}.{kind_code}",
                       f"is required: a {catalogue.identifier_kinds[kind_code].name} for this business type")
    return found, errors


@dataclass
class SecurityModel(RecordsEvents):
    id: uuid.UUID
    trade_account_id: uuid.UUID
    catalogue_version: int
    business_types: list[ModelBusinessType]
    identifiers: list[EntityIdentifier]
    addresses: list[ProfileAddress]
    contacts: list[Contact]
    status: Status
    history: list[StatusEntry]
    created_at: datetime
    created_by: uuid.UUID
    scss_user_id: uuid.UUID | None = None
    signatures: list[Signature] = field(default_factory=list)
    anniversary_date: date | None = None  # of certification: the annual review is due by it (CT-13)
    # Submitted and waiting for the SCSS (an application, or a certified partner's update): not editable.
    profile_submitted: bool = False
    reviews: list[AnnualReview] = field(default_factory=list)  # CT-13, one per year, oldest first
    earmarked_for_withdrawal: bool = False  # CT-17: a model extracted from another
    next_review_opens: date | None = None  # when the scheduler opens the next annual review window
    version: int = 0
    events: list[Any] = field(default_factory=list)

    # --- CT-01, CT-02, CT-03: the application starts ---------------------------------------

    @classmethod
    def apply(
        cls, *, model_id: uuid.UUID, account: KnownTradeAccount, actor: Actor, catalogue: Catalogue,
        business_type: str, eligibility_answers: Mapping[str, str], identifiers: Mapping[str, list[str]],
        applicant_contact_type: ContactType, account_number: str, now: datetime,
    ) -> SecurityModel:
        member = account.active_member(actor.user_id)
        if member is None or actor.roles:
            raise Forbidden("Only a user of this Trade Account starts a C-TPAT application for it.")
        spec = catalogue.business_type(business_type)
        if spec is None:
            raise ValidationFailed.on("business_type", f"must be one of: {', '.join(catalogue.business_types)}")
        errors = FieldErrors()
        if applicant_contact_type is ContactType.CONSULTANT:
            # The applicant becomes the Primary POC, which a Consultant may never be (CT-05).
            errors.add("applicant_contact_type", "must be officer or employee: the applicant is the Primary POC")
        found, identifier_problems = identifier_errors([spec], catalogue, identifiers)
        errors.extend(identifier_problems)
        eligibility = spec.assess(eligibility_answers)  # raises a 422 naming each unanswered question
        errors.raise_if_any()
        if not eligibility.eligible:
            raise Ineligible(spec, eligibility.reasons, eligibility_answers)
        model = cls(
            id=model_id, trade_account_id=account.trade_account_id, catalogue_version=catalogue.version,
            business_types=[ModelBusinessType(spec.code, eligibility.sub_type or spec.code, account_number,
                                              dict(eligibility_answers))],
            identifiers=found, addresses=[],
            contacts=[Contact(member.member_id, applicant_contact_type, primary_poc=True)],
            status=Status.APPLICANT, history=[], created_at=now, created_by=actor.user_id,
        )
        model._bump()
        model.events.append(SecurityModelCreated(
            security_model_id=model.id, trade_account_id=model.trade_account_id, occurred_at=now,
            business_types=model.business_type_codes, version=model.version,
        ))
        model._contacts_changed(now)
        model._change_status(Status.APPLICANT, actor.user_id, "Application started.", now)
        return model

    @property
    def business_type_codes(self) -> list[str]:
        return [t.code for t in self.business_types]

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    # --- CT-02: identifiers after entry ----------------------------------------------------

    def replace_identifiers(
        self, actor: Actor, catalogue: Catalogue, identifiers: Mapping[str, list[str]], *, is_scss: bool,
        now: datetime,
    ) -> None:
        """The whole set of identifiers; IOR, SCAC and MID already entered stay as they are unless the SCSS acts."""
        self._ensure_open()
        specs = [catalogue.business_type(t.code) for t in self.business_types]
        found, errors = identifier_errors([s for s in specs if s], catalogue, identifiers)
        errors.raise_if_any()
        if not is_scss:
            protected = {code for code, kind in catalogue.identifier_kinds.items() if kind.scss_only_after_entry}
            before = {e for e in self.identifiers if e.kind in protected}
            after = {e for e in found if e.kind in protected}
            locked = sorted({e.kind for e in before ^ after if any(b.kind == e.kind for b in before)})
            if locked:
                names = ", ".join(catalogue.identifier_kinds[k].name for k in locked)
                raise Forbidden(f"{names} numbers, once entered, are added, changed or removed only by your SCSS.")
        if found != self.identifiers:
            self.identifiers = found
            self._bump()

    # --- CT-04: company profile addresses ----------------------------------------------------

    def replace_addresses(self, account: KnownTradeAccount, addresses: list[ProfileAddress], now: datetime) -> None:
        self._ensure_open()
        errors = FieldErrors()
        seen: set[uuid.UUID] = set()
        for i, address in enumerate(addresses):
            if address.address_id not in account.addresses:
                errors.add(f"addresses[{i}].address_id",
                           "is not an address of this Trade Account: add it to the Organization Profile first")
            if address.address_id in seen:
                errors.add(f"addresses[{i}].address_id", "is listed twice")
            seen.add(address.address_id)
        primaries = sum(a.primary for a in addresses)
        if primaries != 1:
            errors.add("addresses", f"must have exactly one Primary address (has {primaries})")
        if not any(a.mailing for a in addresses):
            errors.add("addresses", "must have at least one Mailing address")
        errors.raise_if_any()
        if addresses == self.addresses:
            return
        self.addresses = list(addresses)
        self._bump()
        self.events.append(CompanyProfileAddressesChanged(
            security_model_id=self.id, trade_account_id=self.trade_account_id, occurred_at=now,
            addresses=[CompanyProfileAddress(address_id=a.address_id, designation=a.designation.value)
                       for a in self.addresses],
            version=self.version,
        ))

    # --- CT-05: contacts ------------------------------------------------------------------

    def replace_contacts(
        self, account: KnownTradeAccount, contacts: list[Contact], now: datetime, *, by: Contact,
    ) -> None:
        """`by`: the contact making the change. Once the model has an Officer only an Officer changes the
        contacts, or an Employee could name themselves Officer, then submit and sign (CT-06)."""
        if by.type is not ContactType.OFFICER and any(c.type is ContactType.OFFICER for c in self.contacts):
            raise Forbidden("Only a Company Officer changes the contacts once the Security Model has one.")
        self._ensure_open()
        errors = FieldErrors()
        seen: set[uuid.UUID] = set()
        for i, contact in enumerate(contacts):
            member = account.members.get(contact.member_id)
            if member is None:
                errors.add(f"contacts[{i}].member_id",
                           "is not a user of this Trade Account: add them to the Organization Profile first")
            if contact.member_id in seen:
                errors.add(f"contacts[{i}].member_id", "is listed twice")
            seen.add(contact.member_id)
            if contact.primary_poc and contact.type is ContactType.CONSULTANT:
                errors.add(f"contacts[{i}].primary_poc", "a Consultant cannot be the Primary POC")
        pocs = sum(c.primary_poc for c in contacts)
        if pocs != 1:
            errors.add("contacts", f"must have exactly one Primary POC (has {pocs})")
        if not any(c.type is ContactType.OFFICER for c in contacts):
            errors.add("contacts", "must include at least one Company Officer")
        errors.raise_if_any()
        if contacts == self.contacts:
            return
        self.contacts = list(contacts)
        self._contacts_changed(now)

    def company_profile_problems(self, account: KnownTradeAccount | None) -> FieldErrors:
        """CT-04, CT-05 as they stand now (the Trade Account may have removed what the model used)."""
        errors = FieldErrors()
        addresses = account.addresses if account else {}
        members = account.members if account else {}
        if sum(a.primary for a in self.addresses) != 1:
            errors.add("addresses", "must have exactly one Primary address")
        if not any(a.mailing for a in self.addresses):
            errors.add("addresses", "must have at least one Mailing address")
        if any(a.address_id not in addresses for a in self.addresses):
            errors.add("addresses", "name an address the Trade Account no longer has")
        if sum(c.primary_poc for c in self.contacts) != 1:
            errors.add("contacts", "must have exactly one Primary POC")
        if not any(c.type is ContactType.OFFICER for c in self.contacts):
            errors.add("contacts", "must include at least one Company Officer")
        if any(c.member_id not in members for c in self.contacts):
            errors.add("contacts", "name a user the Trade Account no longer has")
        return errors

    # --- CT-06, CT-11: submitting the application, signing the Partner Agreement -----------

    def submit_profile(
        self, officer: Contact, account: KnownTradeAccount | None, profile_gaps: list[Any], *, signer_name: str,
        agreement_version: str, signed_by: uuid.UUID, now: datetime,
    ) -> Signature:
        """An Officer submits the Security Profile: an application (Applicant -> Under Review) or a certified
        partner's update. Every submission is signed against the Partner Agreement in force (CT-11)."""
        if officer.type is not ContactType.OFFICER:
            raise Forbidden("Only a Company Officer submits the Security Profile and signs the Partner Agreement.")
        self._ensure_open()
        if self.profile_submitted:
            raise Conflict("The Security Profile was already submitted and waits for your SCSS.")
        if self.status is Status.SUSPENDED:
            raise Conflict("A suspended Security Model submits nothing until CBP lifts the suspension.")
        current = AGREEMENT_VERSIONS[AgreementKind.PARTNER]
        if agreement_version != current:
            raise ValidationFailed.on("agreement_version", f"must be the Partner Agreement in force, {current}")
        errors = self.company_profile_problems(account)
        for gap in profile_gaps:
            errors.add(f"profile.{gap.criterion_id}", gap.message)
        if errors:
            raise Incomplete(list(errors))
        signature = Signature(AgreementKind.PARTNER, current, signed_by, signer_name, now)
        signed_before = any(s.agreement is AgreementKind.PARTNER and s.agreement_version == current and s.in_force
                            for s in self.signatures)
        self.profile_submitted = True
        if not signed_before:
            self.signatures.append(signature)
            self._bump()
            self.events.append(AgreementSigned(
                security_model_id=self.id, trade_account_id=self.trade_account_id, occurred_at=now,
                agreement=signature.agreement.value, agreement_version=current, signed_by=signed_by,
                version=self.version,
            ))
        if self.status is Status.APPLICANT:
            self._change_status(Status.UNDER_REVIEW, signed_by, "Application submitted for review.", now)
        elif signed_before:
            self._bump()  # an update: the row changes (submitted), no public event
        return signature

    # --- CT-07: the International tab's agreements -------------------------------------------

    def signature_in_force(self, agreement: AgreementKind) -> Signature | None:
        return next((s for s in reversed(self.signatures) if s.agreement is agreement and s.in_force), None)

    def sign_agreement(
        self, officer: Contact, agreement: AgreementKind, unavailable_because: str | None, *, agreement_version: str,
        signer_name: str, signed_by: uuid.UUID, now: datetime,
    ) -> Signature:
        if officer.type is not ContactType.OFFICER:
            raise Forbidden("Only a Company Officer signs agreements.")
        self._ensure_open()
        if agreement is AgreementKind.PARTNER:
            raise Conflict("The Partner Agreement is signed when the Security Profile is submitted.")
        if unavailable_because:
            raise Conflict(f"This program is {unavailable_because}.")
        current = AGREEMENT_VERSIONS[agreement]
        if agreement_version != current:
            raise ValidationFailed.on("agreement_version", f"must be the agreement version in force, {current}")
        if self.signature_in_force(agreement) is not None:
            raise Conflict("This agreement is already signed and in force.")
        signature = Signature(agreement, current, signed_by, signer_name, now)
        self.signatures.append(signature)
        self._bump()
        self.events.append(AgreementSigned(
            security_model_id=self.id, trade_account_id=self.trade_account_id, occurred_at=now,
            agreement=agreement.value, agreement_version=current, signed_by=signed_by, version=self.version,
        ))
        return signature

    def revoke_agreement(self, officer: Contact, agreement: AgreementKind, *, by: uuid.UUID, now: datetime) -> None:
        """The signature stays on record; who revoked it and when are added to it (SV-02 follows the event)."""
        if officer.type is not ContactType.OFFICER:
            raise Forbidden("Only a Company Officer revokes agreements.")
        if agreement is AgreementKind.PARTNER:
            raise Conflict("The Partner Agreement ends only with the Security Model's withdrawal.")
        signature = self.signature_in_force(agreement)
        if signature is None:
            raise Conflict("This agreement is not signed.")
        index = len(self.signatures) - 1 - self.signatures[::-1].index(signature)
        self.signatures[index] = replace(signature, revoked_by=by, revoked_at=now)
        self._bump()
        self.events.append(AgreementRevoked(
            security_model_id=self.id, trade_account_id=self.trade_account_id, occurred_at=now,
            agreement=agreement.value, revoked_by=by, version=self.version,
        ))

    # --- CT-16..CT-19: Security Model operations ------------------------------------------------

    def add_business_type(self, entry: ModelBusinessType, identifiers: list[EntityIdentifier], now: datetime) -> None:
        """CT-16 (approved): the type joins; its unique criteria now need answers (the profile shows them as gaps)."""
        self._ensure_open()
        if entry.code in self.business_type_codes:
            raise Conflict(f"The Security Model already holds {entry.code}.")
        self.business_types.append(entry)
        self.identifiers += [i for i in identifiers if i not in self.identifiers]
        self._bump()

    def separate(
        self, leaving: list[str], *, new_id: uuid.UUID, catalogue: Catalogue, by: uuid.UUID, reason: str,
        earmark: bool, now: datetime,
    ) -> SecurityModel:
        """CT-17, CT-18 (approved): the leaving types become a model of their own, with copies of the company
        profile and the same status; this model keeps the rest."""
        self._ensure_open()
        moving = [t for t in self.business_types if t.code in leaving]
        staying = [t for t in self.business_types if t.code not in leaving]
        kinds = {k for t in moving for k in (catalogue.business_type(t.code).identifier_codes
                                             if catalogue.business_type(t.code) else ())}
        new = SecurityModel(
            id=new_id, trade_account_id=self.trade_account_id, catalogue_version=self.catalogue_version,
            business_types=moving, identifiers=[i for i in self.identifiers if i.kind in kinds],
            addresses=list(self.addresses), contacts=list(self.contacts), status=self.status, history=[],
            created_at=now, created_by=by, scss_user_id=self.scss_user_id,
            anniversary_date=self.anniversary_date, next_review_opens=self.next_review_opens,
            earmarked_for_withdrawal=earmark,
        )
        new._bump()
        new.events.append(SecurityModelCreated(
            security_model_id=new.id, trade_account_id=new.trade_account_id, occurred_at=now,
            business_types=new.business_type_codes, version=new.version,
        ))
        new._contacts_changed(now)
        if new.addresses:
            new._bump()
            new.events.append(CompanyProfileAddressesChanged(
                security_model_id=new.id, trade_account_id=new.trade_account_id, occurred_at=now,
                addresses=[CompanyProfileAddress(address_id=a.address_id, designation=a.designation.value)
                           for a in new.addresses], version=new.version,
            ))
        new._change_status(self.status, by, f"Separated from Security Model {self.id}: {reason}", now)
        self.business_types = staying
        remaining = {k for t in staying for k in (catalogue.business_type(t.code).identifier_codes
                                                  if catalogue.business_type(t.code) else ())}
        self.identifiers = [i for i in self.identifiers if i.kind in remaining]
        self._bump()
        return new

    def absorb(self, other: SecurityModel, *, by: uuid.UUID, reason: str, now: datetime) -> None:
        """CT-19 (approved): the other model's types join this one, and the other is withdrawn as merged."""
        self._ensure_open()
        other._ensure_open()
        if other.trade_account_id != self.trade_account_id:
            raise Conflict("Only Security Models of the same Trade Account merge.")
        overlap = set(self.business_type_codes) & set(other.business_type_codes)
        if overlap:
            raise Conflict(f"Both Security Models hold {', '.join(sorted(overlap))}; a model holds a type once.")
        self.business_types += other.business_types
        self.identifiers += [i for i in other.identifiers if i not in self.identifiers]
        self._bump()
        other.business_types = []
        other.profile_submitted = False
        other._change_status(Status.WITHDRAWN, by, f"Merged into Security Model {self.id}: {reason}", now)

    def move_to(self, trade_account_id: uuid.UUID, now: datetime) -> None:
        """TA-13, TA-14: a Trade Account split or merge moved the model; its addresses and users came along
        under the same ids (trade-accounts copies or remaps them)."""
        if trade_account_id == self.trade_account_id:
            return
        previous, self.trade_account_id = self.trade_account_id, trade_account_id
        self._bump()
        self.events.append(SecurityModelMoved(
            security_model_id=self.id, from_trade_account_id=previous, to_trade_account_id=trade_account_id,
            occurred_at=now, version=self.version,
        ))

    def remap_contacts(self, renamed: Mapping[uuid.UUID, uuid.UUID], now: datetime) -> None:
        """After a Trade Account merge a person keeps the survivor's membership: contacts follow the new ids."""
        contacts = [replace(c, member_id=renamed.get(c.member_id, c.member_id)) for c in self.contacts]
        if contacts != self.contacts:
            self.contacts = contacts
            self._contacts_changed(now)

    # --- CT-12: the CBP side -----------------------------------------------------------------

    def assign_scss(self, scss_user_id: uuid.UUID, now: datetime) -> None:
        self._ensure_open()
        if self.scss_user_id == scss_user_id:
            return
        self.scss_user_id = scss_user_id
        self._bump()
        self.events.append(ScssAssigned(
            security_model_id=self.id, trade_account_id=self.trade_account_id, scss_user_id=scss_user_id,
            occurred_at=now, version=self.version,
        ))

    def approve(self, scss_user_id: uuid.UUID, now: datetime) -> None:
        """The SCSS approves the submitted profile; approving an application certifies (and sets the anniversary)."""
        if not self.profile_submitted:
            raise Conflict("Only a submitted Security Profile is approved; nothing waits for review.")
        self.profile_submitted = False
        if self.status is Status.UNDER_REVIEW:
            if self.anniversary_date is None:
                self.anniversary_date = now.date()
                self._plan_next_review(now.date())
            self._change_status(Status.CERTIFIED, scss_user_id, "Security Profile approved by the SCSS.", now,
                                anniversary_date=self.anniversary_date)
        else:
            self._bump()

    def return_to_partner(self, scss_user_id: uuid.UUID, reason: str, now: datetime) -> None:
        if not self.profile_submitted:
            raise Conflict("Only a submitted Security Profile is returned; nothing waits for review.")
        self.profile_submitted = False
        if self.status is Status.UNDER_REVIEW:
            self._change_status(Status.APPLICANT, scss_user_id, f"Returned by the SCSS: {reason}", now)
        else:
            self._bump()

    # --- CT-14: the lifecycle as CBP moves it ----------------------------------------------

    def change_status(
        self, status: Status, *, by: uuid.UUID, reason: str, catalogue: Catalogue, management: bool, now: datetime,
    ) -> None:
        """CBP moves the lifecycle (tiers after a validation, suspension, reinstatement, removal), with the why."""
        if not reason.strip():
            raise ValidationFailed.on("reason", "is required: every status change says why")
        self._ensure_open()
        if status is self.status:
            raise Conflict(f"The Security Model is already {status.value.replace('_', ' ')}.")
        allowed = self._cbp_transitions(catalogue)
        if status not in allowed:
            names = ", ".join(sorted(s.value for s in allowed)) or "none"
            raise Conflict(f"A {self.status.value.replace('_', ' ')} Security Model cannot become "
                           f"{status.value.replace('_', ' ')} (allowed: {names}).")
        if status is Status.REMOVED and not management:
            raise Forbidden("Only C-TPAT Management removes a Security Model from the program.")
        self._change_status(status, by, reason.strip(), now)

    def _cbp_transitions(self, catalogue: Catalogue) -> set[Status]:
        specs = [catalogue.business_type(t.code) for t in self.business_types]
        importer = any(s is not None and s.validated_tiers for s in specs)
        non_importer = any(s is not None and not s.validated_tiers for s in specs)
        if self.status is Status.SUSPENDED:
            before = next((e.previous for e in reversed(self.history) if e.status is Status.SUSPENDED), None)
            return {before, Status.REMOVED} - {None}
        if self.status in CERTIFIED_OR_ABOVE:
            tiers = set()
            if importer:
                tiers |= {Status.CERTIFIED, Status.CERTIFIED_VALIDATED, Status.CERTIFIED_EXCEEDING}
            if non_importer:
                tiers |= {Status.CERTIFIED, Status.CERTIFIED_NON_IMPORTER_VALIDATED}
            return tiers | {Status.SUSPENDED, Status.REMOVED}
        return {Status.REMOVED}  # an applicant, under review or not

    def withdraw(self, officer: Contact, reason: str, now: datetime, by: uuid.UUID) -> None:
        """The partner leaves the program: an Officer's decision, recorded with why."""
        if officer.type is not ContactType.OFFICER:
            raise Forbidden("Only a Company Officer withdraws the Security Model from C-TPAT.")
        if not reason.strip():
            raise ValidationFailed.on("reason", "is required: say why the company withdraws")
        self._ensure_open()
        self.profile_submitted = False
        self._change_status(Status.WITHDRAWN, by, reason.strip(), now)

    def change_anniversary(self, anniversary: date, *, by: uuid.UUID, reason: str, now: datetime) -> None:
        """CT-14: a date change is history too: appended with who and why, and emitted, never overwritten."""
        if not reason.strip():
            raise ValidationFailed.on("reason", "is required: every date change says why")
        self._ensure_open()
        if self.anniversary_date is None:
            raise Conflict("The Security Model has no certification anniversary yet; it is set on certification.")
        if anniversary == self.anniversary_date:
            raise Conflict("That is already the certification anniversary.")
        self.anniversary_date = anniversary
        self._plan_next_review(now.date())
        self._change_status(self.status, by, reason.strip(), now, anniversary_date=anniversary)

    # --- CT-13: annual reviews ---------------------------------------------------------------

    def _plan_next_review(self, today: date) -> None:
        after = today
        if self.reviews:  # never a second window for a year that already has one
            after = max(after, self.reviews[-1].due_date + timedelta(days=1))
        self.next_review_opens = window_opens(next_due_date(self.anniversary_date, after))

    def open_annual_review(self, today: date, now: datetime) -> AnnualReview | None:
        """Opens the window 90 days before the anniversary, once per year; None when none is due today."""
        if self.status not in CERTIFIED_OR_ABOVE or self.anniversary_date is None:
            return None
        if self.next_review_opens is None or today < self.next_review_opens:
            return None
        after = self.reviews[-1].due_date + timedelta(days=1) if self.reviews else today
        due = next_due_date(self.anniversary_date, max(today, after))
        review = AnnualReview(due.year, window_opens(due), due)
        self.reviews.append(review)
        self._plan_next_review(today)
        self._bump()
        self.events.append(AnnualReviewWindowOpened(
            security_model_id=self.id, trade_account_id=self.trade_account_id, occurred_at=now,
            review_year=review.review_year, opens_on=review.opens_on, due_date=review.due_date,
            version=self.version,
        ))
        return review

    def annual_review(self, year: int) -> AnnualReview:
        review = next((r for r in self.reviews if r.review_year == year), None)
        if review is None:
            raise NotFound(f"No annual review for {year}.")
        return review

    def submit_annual_review(
        self, officer: Contact, year: int, unaffirmed: list[str], *, by: uuid.UUID, now: datetime,
    ) -> AnnualReview:
        """CT-13: an Officer submits, inside the window, once every statement is affirmed."""
        if officer.type is not ContactType.OFFICER:
            raise Forbidden("Only a Company Officer submits the annual review.")
        self._ensure_open()
        review = self.annual_review(year)
        if review.state is not ReviewState.OPEN:
            raise Conflict(f"The {year} annual review was already submitted.")
        if not review.window_open_on(now.date()):
            raise Conflict(f"The {year} annual review window closed on {review.due_date.isoformat()}; "
                           "a review submitted now does not satisfy the year.")
        if unaffirmed:
            raise Incomplete([FieldError(f"affirmations.{c}", "is not affirmed yet") for c in unaffirmed])
        review.state, review.submitted_at, review.submitted_by = ReviewState.SUBMITTED, now, by
        self._bump()
        return review

    def approve_annual_review(self, year: int, *, by: uuid.UUID, now: datetime) -> AnnualReview:
        review = self.annual_review(year)
        if review.state is not ReviewState.SUBMITTED:
            raise Conflict(f"The {year} annual review is {review.state.value}; only a submitted one is approved.")
        review.state, review.approved_at, review.approved_by = ReviewState.APPROVED, now, by
        self._bump()
        return review

    def contact_for(self, user_id: uuid.UUID, account: KnownTradeAccount | None) -> Contact | None:
        """The caller's contact entry, through their active membership of the model's Trade Account."""
        if account is None:
            return None
        for contact in self.contacts:
            member = account.members.get(contact.member_id)
            if member is not None and member.user_id == user_id and member.is_active:
                return contact
        return None

    @property
    def primary_poc(self) -> Contact | None:
        return next((c for c in self.contacts if c.primary_poc), None)

    # --- CT-14: status -------------------------------------------------------------------

    def _change_status(
        self, status: Status, by: uuid.UUID, reason: str, now: datetime, anniversary_date: date | None = None,
    ) -> None:
        previous = self.history[-1].status if self.history else None
        self.history.append(StatusEntry(status, previous, now, by, reason, anniversary_date))
        self.status = status
        self._bump()
        self.events.append(StatusChanged(
            security_model_id=self.id, trade_account_id=self.trade_account_id, occurred_at=now,
            status=status.value, previous_status=previous.value if previous else None,
            certified=status.is_certified, changed_by=by, reason=reason,
            business_types=self.business_type_codes, anniversary_date=self.anniversary_date, version=self.version,
        ))

    def _contacts_changed(self, now: datetime) -> None:
        self._bump()
        self.events.append(ContactsChanged(
            security_model_id=self.id, trade_account_id=self.trade_account_id, occurred_at=now,
            contacts=[ContactEntry(member_id=c.member_id, contact_type=c.type.value, primary_poc=c.primary_poc)
                      for c in self.contacts],
            version=self.version,
        ))

    def ensure_profile_editable(self) -> None:
        """CT-08: contacts answer while the profile is theirs; once submitted it waits for the SCSS."""
        self._ensure_open()
        if self.profile_submitted:
            raise Conflict("The Security Profile is under review by your SCSS; it can change again once returned "
                           "or approved.")

    def _ensure_open(self) -> None:
        if not self.is_open:
            raise Conflict(f"This Security Model is {self.status.value.replace('_', ' ')}; it can no longer change.")


class Incomplete(Conflict):
    """What still keeps the application from being submitted, each named (CT-08, CT-04, CT-05)."""

    slug = "incomplete"
    title = "Not complete"

    def __init__(self, errors) -> None:
        super().__init__(f"The application is not complete: {len(errors)} things remain.", errors)


class Ineligible(ValidationFailed):
    """CT-01: the answers make the company ineligible as this business type; each reason names its question."""

    slug = "ineligible"
    title = "Not eligible"

    def __init__(self, spec: BusinessType, reasons: tuple[str, ...], answers: Mapping[str, str]) -> None:
        errors = FieldErrors()
        for question in spec.questions:
            choice = question.choice(answers.get(question.id, ""))
            if choice is not None and choice.ineligible:
                errors.add(f"eligibility_answers.{question.id}", choice.ineligible)
        super().__init__(f"Not eligible for C-TPAT as {spec.name}: " + " ".join(reasons), list(errors))
