"""An act's optional admin2 (its province): carried into the event when it lies inside the act's
region, refused with a 422 naming the field or the rule when the program does not list it there,
and absent when not given."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from contracts.cases import ServiceDelivered
from contracts.outreach import DeliveryMode, MessageReached
from contracts.vocabulary import MessageChannel, MessageTopic
from eventkit.decider import RefusalKind, Refused
from eventkit.http import REFUSAL_STATUS
from services.cases import deliver_service, record_reach
from services.cases.acts_requests import OutreachRequest, ReachRequest
from services.cases.case_requests import DeliverRequest
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import Region, ServiceType
from tests.unit.cases.givens import CONSENTING, NOW, STAFF, a_case, opened, person, registered


def _deliver(admin2: str | None) -> deliver_service.DeliverService:
    return deliver_service.DeliverService(
        uuid.uuid4(), CONSENTING, ServiceType.DIGNITY_KIT, 1, None, NOW, STAFF,
        NOW + timedelta(days=1), admin2=admin2,
    )  # fmt: skip


def _reach(admin2: str | None) -> record_reach.RecordReach:
    return record_reach.RecordReach(
        uuid.uuid4(), MessageTopic.HEALTH_SERVICES, MessageChannel.FAIR, DeliveryMode.IN_PERSON,
        Region.TUMBES, NOW, NOW, admin2=admin2,
    )  # fmt: skip


def test_a_province_inside_the_act_s_region_is_carried_and_none_is_fine() -> None:
    case = a_case(opened())  # in Lima y Callao
    then_only(deliver_service.decide(_deliver("callao_callao"), case), ServiceDelivered,
              admin2="callao_callao")  # fmt: skip
    then_only(deliver_service.decide(_deliver(None), case), ServiceDelivered, admin2=None)
    someone = person(registered())
    then_only(record_reach.decide(_reach("tumbes_zarumilla"), someone), MessageReached,
              admin2="tumbes_zarumilla")  # fmt: skip


def test_a_province_of_another_region_or_none_of_the_program_is_refused() -> None:
    case = a_case(opened())
    then_refused(when(deliver_service.decide, _deliver("piura_paita"), case),
                 "admin2_outside_region")  # fmt: skip
    then_refused(when(deliver_service.decide, _deliver("atlantis"), case), "admin2_unknown")
    someone = person(registered())
    then_refused(when(record_reach.decide, _reach("lima_lima"), someone), "admin2_outside_region")
    with pytest.raises(Refused) as refused:
        record_reach.check_reach(_reach("piura_sullana"))
    assert refused.value.kind is RefusalKind.INVALID
    assert REFUSAL_STATUS[refused.value.kind] == 422


@pytest.mark.parametrize("model", [DeliverRequest, ReachRequest, OutreachRequest])
def test_the_api_refuses_an_unknown_code_naming_the_field(model: type[BaseModel]) -> None:
    extra: Any = model.model_config.get("json_schema_extra")
    example: dict[str, Any] = extra["examples"][0]
    given = model.model_validate({**example, "admin2": None})
    assert given.model_dump()["admin2"] is None
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**example, "admin2": "atlantis"})
    (error,) = refused.value.errors()
    assert error["loc"] == ("admin2",)
    assert "unknown admin2 code 'atlantis'" in error["msg"]
    assert "piura_paita" in error["msg"]  # the program's codes are listed
