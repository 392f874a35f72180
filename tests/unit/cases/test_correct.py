"""Correcting a record: given participant events, when correct, then an event of the coarse
attributes given, none for personal fields only, or a refusal."""

from __future__ import annotations

from datetime import date

from contracts.participants import CorrectionReason, ParticipantCorrected
from services.cases import correct
from tests.support.deciders import then_only, then_refused, when
from tests.unit.cases.givens import NOW, STAFF, person, registered


def test_correct_changes_only_what_is_given_and_personal_only_is_no_event() -> None:
    command = correct.CorrectParticipant(
        CorrectionReason.DOCUMENT_VERIFIED, STAFF, NOW, born_on=date(1994, 4, 2)
    )
    then_only(
        correct.decide(command, person(registered())),
        ParticipantCorrected,
        birth_year_month="1994-04",
        sex=None,
    )
    nothing = correct.CorrectParticipant(CorrectionReason.DATA_ENTRY_ERROR, STAFF, NOW)
    assert correct.decide(nothing, person(registered())) == []
    then_refused(when(correct.decide, command, person()), "participant_not_found")
