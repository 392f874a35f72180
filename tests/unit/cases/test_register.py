"""Registering a participant: given participant events, when register, then the event (the
birth month only) or a refusal."""

from __future__ import annotations

from datetime import date, timedelta

from contracts.participants import ParticipantRegistered
from contracts.people import Sex
from services.cases import register
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
