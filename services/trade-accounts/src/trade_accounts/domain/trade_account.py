"""The Trade Account aggregate: company information, addresses and users, with their rules.

TA-01 creator becomes the first Company Administrator; TA-02 the company name
is changed only by CBP; TA-04 users are added with a confirmed email and a
type, and the account always keeps a Company Administrator; TA-05 and ID-02
a person is invited until they have registered with that email and completed
their user profile, and only then becomes an active user (whatever type an
administrator chose). Every membership of a person shows them as identity
last described them: email, salutation, names, title and phone follow
identity's events.

TA-16 across the hierarchy: a Security Model only ever uses addresses and
users of the Trade Account that holds it. An address's or user's id names it
within its Trade Account (the same id may name copies in two accounts).

- Split (TA-13) copies: every address and user that a moving Security Model
  uses is copied into the new account under the same id (the requester, its
  first Company Administrator, keeps their id too), so the model's references
  stay valid there without renaming. The source keeps its own; those no
  other model uses can be removed from it afterwards.
- Merge (TA-14) remaps: the merged account's addresses and users join the
  survivor under their ids; a person listed in both keeps the survivor's
  membership (with the stronger role), and a model that used the merged
  membership now uses the survivor's one (`absorb` returns that renaming; the
  events already tell it: same email, same person). An address already in the
  survivor under the same id (a split's copy) is not added twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from portal_events import EventPayload
from portal_events.trade_accounts import (
    AddressData,
    CompanyInformationChanged,
    CompanyInformationData,
    MemberData,
    TradeAccountAddressAdded,
    TradeAccountAddressChanged,
    TradeAccountAddressRemoved,
    TradeAccountCreated,
    TradeAccountsDelinked,
    TradeAccountsLinked,
    TradeAccountsMerged,
    TradeAccountsSplit,
    TradeAccountUserAdded,
    TradeAccountUserChanged,
    TradeAccountUserRemoved,
)
from servicekit.aggregate import RecordsEvents
from servicekit.auth import StaffRole
from servicekit.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from trade_accounts.domain.actors import Actor, KnownUser
from trade_accounts.domain.addresses import Address


class MemberType(StrEnum):
    COMPANY_ADMINISTRATOR = "company_administrator"
    USER = "user"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    INVITED = "invited"


@dataclass(frozen=True)
class CompanyInformation:
    company_name: str
    doing_business_as: str | None = None
    number_of_employees: int | None = None
    business_start_date: date | None = None
    brief_history: str | None = None

    def data(self) -> CompanyInformationData:
        return CompanyInformationData(**self.__dict__)


@dataclass(frozen=True)
class PersonDetails:
    salutation: str
    first_name: str
    last_name: str
    title: str
    phone: str


@dataclass(frozen=True)
class Member:
    id: uuid.UUID
    email: str
    user_id: uuid.UUID | None
    details: PersonDetails
    type: MemberType
    status: MemberStatus

    @property
    def is_active_admin(self) -> bool:
        return self.type is MemberType.COMPANY_ADMINISTRATOR and self.status is MemberStatus.ACTIVE

    def data(self) -> MemberData:
        return MemberData(
            member_id=self.id, user_id=self.user_id, email=self.email, type=self.type.value,
            status=self.status.value, **self.details.__dict__,
        )


def _address_data(address: Address) -> AddressData:
    return AddressData(
        address_id=address.id, type=address.type.value, street_line_1=address.street_line_1,
        street_line_2=address.street_line_2, city=address.city, country=address.country,
        state=address.state, postal_code=address.postal_code,
    )


@dataclass(frozen=True)
class ProfileWarning:
    """Advice on an Organization Profile that breaks no rule (the manual's 'should')."""

    code: str
    message: str


SINGLE_USER = ProfileWarning(
    "single_user",
    "This Trade Account has a single user. Every Trade Account should have more than one, so that it can still "
    "be managed when someone is away or leaves: add another user, ideally a second Company Administrator.",
)


@dataclass(frozen=True)
class UsedEntries:
    """The addresses and users some Security Models use (TA-16)."""

    address_ids: frozenset[uuid.UUID] = frozenset()
    member_ids: frozenset[uuid.UUID] = frozenset()


@dataclass
class TradeAccount(RecordsEvents):
    id: uuid.UUID
    company: CompanyInformation
    created_at: datetime
    created_by: uuid.UUID
    addresses: list[Address] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    parent_id: uuid.UUID | None = None
    # Whether a C-TPAT Security Model of this account has an SCSS (known from ctpat's events).
    assigned_scss_ids: frozenset[uuid.UUID] = frozenset()
    # Addresses and users a C-TPAT Security Model uses (TA-16): they stay while used.
    used_address_ids: frozenset[uuid.UUID] = frozenset()
    used_member_ids: frozenset[uuid.UUID] = frozenset()
    # Set when this account was merged into another (TA-14): it is closed from then on.
    merged_into: uuid.UUID | None = None
    version: int = 1
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    # --- creation ---------------------------------------------------------

    @classmethod
    def create(cls, creator: KnownUser, company: CompanyInformation, now: datetime) -> TradeAccount:
        """TA-01: a signed-in user with a completed profile; they become its first Company Administrator."""
        return cls._founded(creator, company, now, first_member_id=uuid.uuid4())

    @classmethod
    def _founded(
        cls, creator: KnownUser, company: CompanyInformation, now: datetime, *, first_member_id: uuid.UUID
    ) -> TradeAccount:
        if not creator.profile_complete or creator.details is None:
            raise Forbidden(
                "Complete your user profile before creating a Trade Account.",
                [FieldError("profile", "salutation, names, title and phone are required first")],
            )
        _require_company_name(company)
        account = cls(id=uuid.uuid4(), company=company, created_at=now, created_by=creator.user_id)
        account.events.append(
            TradeAccountCreated(
                trade_account_id=account.id, version=account.version, occurred_at=now,
                company_information=company.data(), created_by=creator.user_id,
            )
        )
        first_admin = Member(
            id=first_member_id, email=creator.email, user_id=creator.user_id, details=creator.details,
            type=MemberType.COMPANY_ADMINISTRATOR, status=MemberStatus.ACTIVE,
        )
        account.members.append(first_admin)
        account._bump()
        account.events.append(
            TradeAccountUserAdded(trade_account_id=account.id, version=account.version, occurred_at=now,
                                  member=first_admin.data())
        )
        return account

    @property
    def warnings(self) -> list[ProfileWarning]:
        """The manual: "Every Trade Account ... should have more than one user"; invitations not yet accepted
        do not count."""
        active = [m for m in self.members if m.status is MemberStatus.ACTIVE]
        return [SINGLE_USER] if len(active) < 2 else []

    # --- who may do what ----------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.merged_into is None

    def member_for(self, user_id: uuid.UUID) -> Member | None:
        return next((m for m in self.members if m.user_id == user_id and m.status is MemberStatus.ACTIVE), None)

    def can_read(self, actor: Actor) -> bool:
        if not self.is_open:
            return False
        return self.member_for(actor.user_id) is not None or actor.is_cbp_oversight

    def ensure_can_read(self, actor: Actor) -> None:
        if not self.can_read(actor):
            # Not 403: a stranger learns nothing, not even that the account exists.
            raise NotFound("No such Trade Account.")

    def ensure_member(self, actor: Actor) -> Member:
        self.ensure_can_read(actor)
        member = self.member_for(actor.user_id)
        if member is None:
            raise Forbidden("Only users of this Trade Account can change it.")
        return member

    def ensure_company_administrator(self, actor: Actor) -> Member:
        member = self.ensure_member(actor)
        if member.type is not MemberType.COMPANY_ADMINISTRATOR:
            raise Forbidden("Only a Company Administrator of this Trade Account can manage its users.")
        return member

    # --- Company Information (TA-02) ----------------------------------------------

    def may_change_company_name(self, actor: Actor) -> bool:
        """The SCSS of a linked C-TPAT account, or Management where no SCSS is assigned."""
        if self.assigned_scss_ids:
            return actor.has_role(StaffRole.SCSS) and actor.user_id in self.assigned_scss_ids
        return actor.has_role(StaffRole.MANAGEMENT)

    def update_company_information(self, actor: Actor, company: CompanyInformation, now: datetime) -> None:
        self.ensure_can_read(actor)
        _require_company_name(company)
        name_changes = company.company_name != self.company.company_name
        if name_changes and not self.may_change_company_name(actor):
            raise Forbidden(
                "Only your assigned SCSS (or C-TPAT Management, where none is assigned) can change the company name.",
                [FieldError("company_name", "can be changed only by CBP; contact your SCSS")],
            )
        others_change = replace(company, company_name=self.company.company_name) != self.company
        if others_change:
            self.ensure_member(actor)
        if company == self.company:
            return
        self.company = company
        self._bump()
        self.events.append(
            CompanyInformationChanged(trade_account_id=self.id, version=self.version, occurred_at=now,
                                      company_information=company.data(), changed_by=actor.user_id)
        )

    # --- Addresses (TA-03) -------------------------------------------------------

    def add_address(self, actor: Actor, fields: dict, now: datetime) -> Address:
        # Who may, before what is wrong with the fields: a stranger learns nothing from validation.
        self.ensure_member(actor)
        address = Address.from_fields(fields)
        self.addresses.append(address)
        self._bump()
        self.events.append(TradeAccountAddressAdded(trade_account_id=self.id, version=self.version,
                                                    occurred_at=now, address=_address_data(address)))
        return address

    def change_address(self, actor: Actor, address_id: uuid.UUID, fields: dict, now: datetime) -> Address:
        self.ensure_member(actor)
        index = self._address_index(address_id)
        address = Address.from_fields(fields, address_id)
        if self.addresses[index] == address:
            return address
        self.addresses[index] = address
        self._bump()
        self.events.append(TradeAccountAddressChanged(trade_account_id=self.id, version=self.version,
                                                      occurred_at=now, address=_address_data(address)))
        return address

    def remove_address(self, actor: Actor, address_id: uuid.UUID, now: datetime) -> None:
        self.ensure_member(actor)
        index = self._address_index(address_id)
        if address_id in self.used_address_ids:
            raise Conflict(
                "A C-TPAT Security Model uses this address; take it out of the Company Profile first.",
                [FieldError("address_id", "is used by a C-TPAT Security Model's Company Profile")],
            )
        del self.addresses[index]
        self._bump()
        self.events.append(TradeAccountAddressRemoved(trade_account_id=self.id, version=self.version,
                                                      occurred_at=now, address_id=address_id))

    def _address_index(self, address_id: uuid.UUID) -> int:
        for index, address in enumerate(self.addresses):
            if address.id == address_id:
                return index
        raise NotFound("No such address in this Trade Account.")

    # --- Users (TA-04, TA-05) ------------------------------------------------------

    def add_member(
        self, actor: Actor, *, email: str, confirm_email: str, details: PersonDetails, type: MemberType,
        existing_user: KnownUser | None, now: datetime,
    ) -> Member:
        self.ensure_company_administrator(actor)
        email = email.strip().lower()
        if email != confirm_email.strip().lower():
            raise ValidationFailed.on("confirm_email", "must match the email")
        if any(m.email == email for m in self.members):
            raise Conflict("email: this person is already a user of the Trade Account",
                           [FieldError("email", "is already a user of this Trade Account")])
        # TA-05, ID-02: active only for a person with a login and a completed profile, whose
        # details are then theirs; anyone else is invited until both are done.
        ready = existing_user is not None and existing_user.details is not None
        member = Member(
            id=uuid.uuid4(), email=email,
            user_id=existing_user.user_id if existing_user else None,
            details=existing_user.details if ready else details,  # type: ignore[union-attr]
            type=type,
            status=MemberStatus.ACTIVE if ready else MemberStatus.INVITED,
        )
        self.members.append(member)
        self._bump()
        self.events.append(TradeAccountUserAdded(trade_account_id=self.id, version=self.version,
                                                 occurred_at=now, member=member.data()))
        return member

    def change_member(
        self, actor: Actor, member_id: uuid.UUID, *, details: PersonDetails, type: MemberType, now: datetime
    ) -> Member:
        self.ensure_company_administrator(actor)
        index = self._member_index(member_id)
        current = self.members[index]
        changed = replace(current, details=details, type=type)
        if changed == current:
            return current
        demoted = current.is_active_admin and not changed.is_active_admin
        self._ensure_an_admin_remains(without=current if demoted else None)
        return self._replace_member(index, changed, now)

    def remove_member(self, actor: Actor, member_id: uuid.UUID, now: datetime) -> None:
        self.ensure_company_administrator(actor)
        index = self._member_index(member_id)
        member = self.members[index]
        if member_id in self.used_member_ids:
            raise Conflict(
                "This user is a contact of a C-TPAT Security Model; take them off its Contacts first.",
                [FieldError("member_id", "is a contact of a C-TPAT Security Model")],
            )
        self._ensure_an_admin_remains(without=member if member.is_active_admin else None)
        del self.members[index]
        self._bump()
        self.events.append(TradeAccountUserRemoved(trade_account_id=self.id, version=self.version,
                                                   occurred_at=now, member_id=member.id, user_id=member.user_id))

    def follow_user(self, user: KnownUser, now: datetime) -> bool:
        """Every membership of this person shows them as identity knows them now.

        TA-05, ID-02: an invitation to their email becomes theirs when they register,
        and active once their profile is complete. ID-09 and profile changes: the
        email and the details (salutation, names, title, phone) of each membership
        follow the person's own. True when anything changed.
        """
        changed = False
        for index, member in enumerate(self.members):
            invitation = member.user_id is None and member.status is MemberStatus.INVITED and member.email == user.email
            if member.user_id != user.user_id and not invitation:
                continue
            followed = replace(member, user_id=user.user_id, email=user.email)
            if user.details is not None:
                followed = replace(followed, details=user.details, status=MemberStatus.ACTIVE)
            if followed != member:
                self._replace_member(index, followed, now)
                changed = True
        return changed

    def _replace_member(self, index: int, member: Member, now: datetime) -> Member:
        self.members[index] = member
        self._bump()
        self.events.append(TradeAccountUserChanged(trade_account_id=self.id, version=self.version,
                                                   occurred_at=now, member=member.data()))
        return member

    def _ensure_an_admin_remains(self, without: Member | None) -> None:
        """TA-04: a Trade Account always keeps at least one active Company Administrator."""
        if without is None:
            return
        if not any(m.is_active_admin and m.id != without.id for m in self.members):
            raise Conflict(
                "The last Company Administrator cannot be removed or demoted; make another user "
                "Company Administrator first.",
                [FieldError("type", "the Trade Account must keep at least one Company Administrator")],
            )

    def _member_index(self, member_id: uuid.UUID) -> int:
        for index, member in enumerate(self.members):
            if member.id == member_id:
                return index
        raise NotFound("No such user in this Trade Account.")

    # --- the Trade Organization hierarchy (effects of approved requests) ------------------

    def link_under(self, parent_id: uuid.UUID, request_id: uuid.UUID, now: datetime) -> None:
        self.parent_id = parent_id
        self._bump()
        self.events.append(TradeAccountsLinked(trade_account_id=self.id, version=self.version, occurred_at=now,
                                               parent_trade_account_id=parent_id, request_id=request_id))

    def delink(self, request_id: uuid.UUID, now: datetime) -> None:
        former, self.parent_id = self.parent_id, None
        self._bump()
        self.events.append(TradeAccountsDelinked(trade_account_id=self.id, version=self.version, occurred_at=now,
                                                 former_parent_trade_account_id=former, request_id=request_id))

    def split_off(
        self, requester: Member, new_company_name: str, moved_security_model_ids: list[uuid.UUID],
        used_by_moving: UsedEntries, request_id: uuid.UUID, now: datetime,
    ) -> TradeAccount:
        """TA-13: a new account at the same place, administered by the requester, holding copies (same ids)
        of the addresses and users the moving Security Models use (TA-16)."""
        new = TradeAccount._founded(
            KnownUser(requester.user_id, requester.email, requester.details),  # type: ignore[arg-type]
            CompanyInformation(new_company_name), now, first_member_id=requester.id,
        )
        new.parent_id = self.parent_id
        for address in self.addresses:
            if address.id in used_by_moving.address_ids:
                new._append_address(address, now)
        for member in self.members:
            if member.id in used_by_moving.member_ids and member.id != requester.id:
                new._append_member(member, now)
        self._bump()
        self.events.append(TradeAccountsSplit(trade_account_id=self.id, version=self.version, occurred_at=now,
                                              new_trade_account_id=new.id,
                                              moved_security_model_ids=moved_security_model_ids,
                                              request_id=request_id))
        return new

    def absorb(
        self, merged: TradeAccount, moved_security_model_ids: list[uuid.UUID], request_id: uuid.UUID, now: datetime
    ) -> dict[uuid.UUID, uuid.UUID]:
        """TA-14: the merged account's addresses and users join this one (a person listed in both keeps
        the stronger role); the merged account is closed.

        Returns the merged memberships that are now called by another id here (a person listed in both),
        for what the moved Security Models use (TA-16).
        """
        renamed: dict[uuid.UUID, uuid.UUID] = {}
        for address in merged.addresses:
            if all(a.id != address.id for a in self.addresses):
                self._append_address(address, now)
        for member in merged.members:
            index = next((i for i, m in enumerate(self.members) if m.email == member.email or m.id == member.id),
                         None)
            if index is None:
                self._append_member(member, now)
                continue
            if self.members[index].id != member.id:
                renamed[member.id] = self.members[index].id
            if member.is_active_admin and not self.members[index].is_active_admin:
                self._replace_member(index, replace(self.members[index], type=MemberType.COMPANY_ADMINISTRATOR), now)
        merged.addresses, merged.members, merged.merged_into = [], [], self.id
        merged._bump()
        self._bump()
        self.events.append(TradeAccountsMerged(trade_account_id=self.id, version=self.version, occurred_at=now,
                                               merged_trade_account_id=merged.id,
                                               moved_security_model_ids=moved_security_model_ids,
                                               request_id=request_id))
        return renamed

    def _append_address(self, address: Address, now: datetime) -> None:
        self.addresses.append(address)
        self._bump()
        self.events.append(TradeAccountAddressAdded(trade_account_id=self.id, version=self.version,
                                                    occurred_at=now, address=_address_data(address)))

    def _append_member(self, member: Member, now: datetime) -> None:
        self.members.append(member)
        self._bump()
        self.events.append(TradeAccountUserAdded(trade_account_id=self.id, version=self.version,
                                                 occurred_at=now, member=member.data()))


def _require_company_name(company: CompanyInformation) -> None:
    if not company.company_name.strip():
        raise ValidationFailed.on("company_name", "is required")
