"""Registering a participant: given participant events, when register, then the event (the
birth month only) or a refusal."""

from __future__ import annotations

from datetime import date, timedelta

from contracts.participants import CorrectionReason, ParticipantCorrected, ParticipantRegistered
from contracts.people import Sex
from services.cases import correct, register
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import Region
from tests.unit.cases.givens import NOW, PERSON, STAFF, person, registered


def _register(born: date = date(1994, 3, 12)) -> register.RegisterParticipant:
    return register.RegisterParticipant(
        PERSON, Sex.WOMAN, born, False, "VEN", Region.PIURA, STAFF, NOW
    )


def test_register_publishes_the_birth_month_only() -> None:
    then_only(
        register.decide(_register(), person()),
        ParticipantRegistered,
        birth_year_month="1994-03",
        region=Region.PIURA,
    )


def test_register_refuses_an_existing_record_and_impossible_birth_dates() -> None:
    then_refused(when(register.decide, _register(), person(registered())), "already_registered")
    future = NOW.date() + timedelta(days=1)
    then_refused(when(register.decide, _register(future), person()), "birth_date_in_future")
    ancient = date(1800, 1, 1)
    then_refused(when(register.decide, _register(ancient), person()), "birth_date_implausible")


def test_population_type_and_attributes_are_recorded_as_codes_and_corrected_alone() -> None:
    command = register.RegisterParticipant(
        PERSON, Sex.WOMAN, date(1994, 3, 12), False, "VEN", Region.PIURA, STAFF, NOW,
        population_type="in_transit", attributes={"disability": "with_disability"},
    )  # fmt: skip
    then_only(
        register.decide(command, person()),
        ParticipantRegistered,
        population_type="in_transit",
        attributes={"disability": "with_disability"},
    )
    only_attributes = correct.CorrectParticipant(
        CorrectionReason.SELF_IDENTIFICATION_UPDATED, STAFF, NOW, attributes={"lgbtiq": "no"}
    )
    then_only(
        correct.decide(only_attributes, person(registered())),
        ParticipantCorrected,
        attributes={"lgbtiq": "no"},
        population_type=None,
        sex=None,
    )
