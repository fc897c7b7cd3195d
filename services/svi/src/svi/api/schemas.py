"""svi's HTTP bodies, in servicekit's vocabulary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StrictBool

from servicekit.schema_types import DomainView, NewEmail, Strict, text
from svi.domain.monitoring import RequestState

SearchText = text(200, min_length=2)
ListedState = Literal["pending", "accepted", "declined", "revoked"]


class SearchResultBody(Strict):
    security_model_id: UUID
    company_name: str
    business_types: list[str]


class MonitoringRequestsRequest(Strict):
    """SV-05: the participants to ask, several in one save; each becomes a pending request."""

    monitoring_model_ids: Annotated[list[UUID], Field(min_length=1, max_length=50)]


class TransitionBody(DomainView):
    state: RequestState
    at: datetime
    by: UUID | None
    note: str | None


class MonitoringRequestBody(DomainView):
    id: UUID
    monitored_model_id: UUID
    monitoring_model_id: UUID
    state: RequestState
    history: list[TransitionBody]


class DecisionRequest(Strict):
    """SV-07: accept or decline a pending request; revoke (decline after accepting) an accepted one."""

    decision: Literal["accept", "decline", "revoke"]


class PointOfContactBody(Strict):
    name: str | None
    email: str | None


class ListRowBody(Strict):
    request_id: UUID
    partner_security_model_id: UUID
    company_name: str
    state: ListedState
    since: datetime
    certified: bool | None = Field(description="Certified or not: shown only while accepted (SV-08), else null")
    tier: str | None = Field(default=None, description="The partner's exact status, when it shares more")
    point_of_contact: PointOfContactBody | None = Field(default=None,
                                                        description="Its Primary POC, when it shares more")


class SettingsBody(Strict):
    # Strict: a JSON true or false, never "false" or 0 read as one (the schema says boolean; so must the server).
    auto_accept: StrictBool = Field(description="As a monitoring partner: accept every request at once")
    share_more: StrictBool = Field(description="As a monitored partner: show your tier and Primary POC to "
                                               "partners who accepted")


class AllModelsRequest(Strict):
    monitoring_model_ids: Annotated[list[UUID], Field(min_length=1, max_length=50)]


class CertificationNoticeRequest(Strict):
    """Beyond the manual: e-mail your certification notice to a company outside C-TPAT."""

    email: NewEmail
    note: text(2000) | None = None
