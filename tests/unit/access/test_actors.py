"""One caseworker is one actor in every service's events."""

from __future__ import annotations

import uuid

import services.cases.case_commands
import services.cases.consent_commands
import services.cases.participant_acts
import services.cases.participant_commands
import services.referrals.commands
import services.vouchers.commands
from access.actors import actor_id
from access.principal import Principal, Role
from tests.support.peru import Region

CASEWORKER = Principal("cw-7", "ngo-pe", Role.CASEWORKER, frozenset({Region.PIURA}))


def test_the_same_principal_is_the_same_actor_in_cases_referrals_and_vouchers() -> None:
    in_each = {
        module.__name__: module.actor_id(CASEWORKER)
        for module in (
            services.cases.case_commands,
            services.cases.consent_commands,
            services.cases.participant_acts,
            services.cases.participant_commands,
            services.referrals.commands,
            services.vouchers.commands,
        )
    }
    assert set(in_each.values()) == {actor_id(CASEWORKER)}, in_each


def test_the_id_is_the_one_case_and_voucher_events_always_carried() -> None:
    cases_namespace = uuid.UUID("6c1f4a4e-8d1b-4d8e-9a57-3f9a4c2b1e70")
    assert actor_id(CASEWORKER) == uuid.uuid5(cases_namespace, "ngo-pe/cw-7")


def test_another_organisations_subject_of_the_same_name_is_another_actor() -> None:
    other = Principal("cw-7", "ngo-ec", Role.CASEWORKER, frozenset({Region.PIURA}))
    assert actor_id(other) != actor_id(CASEWORKER)
