"""The service layer for people: each command is one transaction of rules, events, data, audit.

Each function loads the person's stream, decides with its use case, appends, keeps the read
tables, the sealed personal data and the audit log through `ports`, and returns what happened
(`services.cases.results`); a refusal is `Refused` with its kind. The routes shape the answer.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from access.actors import actor_id
from access.blind_index import Kind
from access.late_entry import late_entry_note
from access.principal import Principal
from contracts.participants import ParticipantRegistered
from eventkit.aggregate import execute
from eventkit.field_time import configured
from eventkit.ids import new_id
from services.cases import correct, erase, merge, register
from services.cases.participant import Participant, evolve
from services.cases.participant_requests import (
    CorrectRequest,
    MergeRequest,
    RegisterRequest,
    born_on,
)
from services.cases.ports import DuplicateLookup, PersonalDataStore, Ports
from services.cases.results import Erased, Merged, PersonChanged, Registered

_PERSONAL = ("given_names", "family_names", "document_type", "document_number", "phone")


def _personal(body: RegisterRequest | CorrectRequest) -> dict[str, str]:
    """The personal fields given, as text to seal (vulnerabilities and exact birth date too)."""
    fields = {name: str(getattr(body, name)) for name in _PERSONAL if getattr(body, name)}
    if body.birth_date is not None:
        fields["birth_date"] = body.birth_date.isoformat()
    if body.vulnerabilities is not None:
        fields["vulnerabilities"] = ",".join(sorted(body.vulnerabilities))
    return fields


async def register_in(
    ports: Ports,
    personal: PersonalDataStore,
    lookup: DuplicateLookup,
    body: RegisterRequest,
    principal: Principal,
    now: datetime,
) -> Registered:
    """A new record: the event carries coarse attributes only; the rest is sealed and indexed.
    The result names records sharing a document or phone number (`possible_duplicates`)."""
    rules = configured()
    late = late_entry_note(principal, body.occurred_at, now, rules)
    participant_id = new_id()
    on = (body.occurred_at or now).date()  # an estimated age is as of the registration
    birth, estimated = born_on(body.birth_date, body.estimated_age_years, on)
    rule = register.RegisterParticipant(
        participant_id, body.sex, birth, estimated, body.nationality, body.region,
        actor_id(principal), now, body.occurred_at, rules, body.population_type,
        body.attributes,
    )  # fmt: skip
    decided = await execute(
        ports.store, str(participant_id), evolve, Participant(),
        lambda s: register.decide(rule, s), now=now
    )  # fmt: skip
    numbers = {Kind.DOCUMENT: body.document_number, Kind.PHONE: body.phone}
    duplicates = await lookup.possible_duplicates(numbers, participant_id)
    event = decided.events[0]
    assert isinstance(event, ParticipantRegistered)
    await personal.keep(event, _personal(body), numbers, decided.appended.version)
    await ports.audit.done(principal, "participant.register", ("participant", participant_id), late)
    return Registered(participant_id, decided.appended.version, decided.position, duplicates)


async def correct_in(
    ports: Ports,
    personal: PersonalDataStore,
    participant_id: uuid.UUID,
    body: CorrectRequest,
    principal: Principal,
    expected: int | None,
    now: datetime,
) -> PersonChanged:
    """Coarse attributes give a `participant.corrected` event; personal fields are resealed in
    place (no event) and changed numbers indexed again. Dated when recorded."""
    birth = None
    if body.birth_date or body.estimated_age_years is not None:
        birth = born_on(body.birth_date, body.estimated_age_years, now.date())
    rule = correct.CorrectParticipant(
        body.reason, actor_id(principal), now, body.sex,
        birth[0] if birth else None, birth[1] if birth else None, body.nationality,
        body.region, body.population_type, body.attributes,
    )  # fmt: skip
    decided = await execute(
        ports.store, str(participant_id), evolve, Participant(),
        lambda s: correct.decide(rule, s), expected, now=now
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    fields = _personal(body)
    if fields:
        await personal.reseal(participant_id, fields)
    kinds = {Kind.DOCUMENT: "document_number", Kind.PHONE: "phone"}
    changed = {k: getattr(body, f) for k, f in kinds.items() if f in body.model_fields_set}
    await personal.reindex(participant_id, changed)
    await ports.audit.done(principal, "participant.correct", ("participant", participant_id))
    version = await ports.views.version(participant_id)
    return PersonChanged(participant_id, version, decided.position)


async def merge_into(
    ports: Ports,
    participant_id: uuid.UUID,
    body: MergeRequest,
    principal: Principal,
    expected: int | None,
    now: datetime,
) -> Merged:
    """The duplicate's stream ends in a merge into the surviving record."""
    rules = configured()
    late = late_entry_note(principal, body.occurred_at, now, rules)
    surviving = await ports.participant(body.into_participant_id)
    rule = merge.MergeParticipant(
        surviving, body.reason, actor_id(principal), now, body.occurred_at, rules
    )
    decided = await execute(
        ports.store, str(participant_id), evolve, Participant(),
        lambda s: merge.decide(rule, s), expected, now=now
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, "participant.merge", ("participant", participant_id), late)
    return Merged(
        participant_id, decided.appended.version, decided.position, body.into_participant_id
    )


async def erase_in(
    ports: Ports,
    personal: PersonalDataStore,
    participant_id: uuid.UUID,
    basis: str,
    principal: Principal,
    now: datetime,
) -> Erased:
    """Announce the erasure and shred: the person's data key, lookups and ciphertexts go; the
    basis stays in the audit record only. `position` is the `participant.erased` event other
    services' copies wait for."""
    rule = erase.EraseParticipant(actor_id(principal), now)
    decided = await execute(
        ports.store, str(participant_id), evolve, Participant(),
        lambda s: erase.decide(rule, s), now=now,
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    await personal.erase(participant_id, now)
    await ports.audit.done(principal, "participant.erase", ("participant", participant_id), basis)
    return Erased(participant_id, decided.appended.version, decided.position)
