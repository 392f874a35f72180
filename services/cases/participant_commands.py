"""The service layer for people: each command is one transaction of rules, events, data, audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from access.actors import actor_id
from access.blind_index import Kind
from access.late_entry import late_entry_note
from access.principal import Principal
from access.settings import PersonalDataKeys
from contracts.participants import ParticipantRegistered
from eventkit.aggregate import Decided, execute
from eventkit.clock import Now
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import configured
from eventkit.idempotency import Answer, Command
from eventkit.ids import new_id
from eventkit.store import Connection
from services.cases import correct, erase, merge, personal_data, register, views
from services.cases.audit import audit
from services.cases.participant import Participant, evolve
from services.cases.participant_requests import (
    CorrectRequest,
    MergeRequest,
    RegisterRequest,
    born_on,
)
from services.cases.ports import DuplicateLookup, PersonalDataStore, Ports, PostgresPersonalData

_PERSONAL = ("given_names", "family_names", "document_type", "document_number", "phone")


def _personal(body: RegisterRequest | CorrectRequest) -> dict[str, str]:
    """The personal fields given, as text to seal (vulnerabilities and exact birth date too)."""
    fields = {name: str(getattr(body, name)) for name in _PERSONAL if getattr(body, name)}
    if body.birth_date is not None:
        fields["birth_date"] = body.birth_date.isoformat()
    if body.vulnerabilities is not None:
        fields["vulnerabilities"] = ",".join(sorted(body.vulnerabilities))
    return fields


def done(participant_id: uuid.UUID, decided: Decided[Any]) -> dict[str, object]:
    return {
        "participant_id": str(participant_id),
        "version": decided.appended.version,
        "position": decided.position,
    }


def register_participant(
    body: RegisterRequest, principal: Principal, keys: PersonalDataKeys, *, clock: Now
) -> Command:
    async def run(conn: Connection) -> Answer:
        personal = PostgresPersonalData(conn, keys)
        return await register_in(Ports.postgres(conn), personal, personal, body, principal, clock())

    return run


async def register_in(
    ports: Ports,
    personal: PersonalDataStore,
    lookup: DuplicateLookup,
    body: RegisterRequest,
    principal: Principal,
    now: datetime,
) -> Answer:
    """A new record: the event carries coarse attributes only; the rest is sealed and indexed.
    The answer names records sharing a document or phone number (`possible_duplicates`)."""
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
        lambda s: register.decide(rule, s),
    )  # fmt: skip
    numbers = {Kind.DOCUMENT: body.document_number, Kind.PHONE: body.phone}
    duplicates = await lookup.possible_duplicates(numbers, participant_id)
    event = decided.events[0]
    assert isinstance(event, ParticipantRegistered)
    await personal.keep(event, _personal(body), numbers, decided.appended.version)
    await ports.audit.done(principal, "participant.register", ("participant", participant_id), late)
    return Answer(
        201,
        {
            "participant_id": str(participant_id),
            "version": decided.appended.version,
            "position": decided.position,
            "possible_duplicates": duplicates,
        },
    )


def correct_participant(
    participant_id: uuid.UUID,
    body: CorrectRequest,
    principal: Principal,
    keys: PersonalDataKeys,
    expected: int | None,
    *,
    clock: Now,
) -> Command:
    async def run(conn: Connection) -> Answer:
        birth, now = None, clock()
        if body.birth_date or body.estimated_age_years is not None:
            birth = born_on(body.birth_date, body.estimated_age_years, now.date())
        rule = correct.CorrectParticipant(
            body.reason, actor_id(principal), now, body.sex,
            birth[0] if birth else None, birth[1] if birth else None, body.nationality,
            body.region, body.population_type, body.attributes,
        )  # fmt: skip
        decided = await execute(
            conn, str(participant_id), evolve, Participant(),
            lambda s: correct.decide(rule, s), expected,
        )  # fmt: skip
        await views.record(conn, decided.events, decided.appended.version)
        personal = _personal(body)
        if personal:
            await _reseal(conn, keys, participant_id, personal)
        changed = {
            f: getattr(body, f) for f in ("document_number", "phone") if f in body.model_fields_set
        }
        kinds = {Kind.DOCUMENT: "document_number", Kind.PHONE: "phone"}
        await personal_data.index(
            conn, participant_id,
            {k: changed[f] for k, f in kinds.items() if f in changed},
            keys.blind_index_secret(),
        )  # fmt: skip
        await audit(conn, principal, "participant.correct", ("participant", participant_id))
        version = await conn.fetchval(
            "SELECT version FROM participants WHERE participant_id = $1", participant_id
        )
        return Answer(200, {"participant_id": str(participant_id), "version": version,
                            "position": decided.position})  # fmt: skip

    return run


async def _reseal(
    conn: Connection, keys: PersonalDataKeys, participant_id: uuid.UUID, fields: dict[str, str]
) -> None:
    erased = await conn.fetchval(
        "SELECT erased_at FROM participants WHERE participant_id = $1", participant_id
    )
    if erased is not None:
        raise Refused(
            "personal_data_erased",
            "this participant's personal data was erased",
            RefusalKind.CONFLICT,
        )
    sealed = await personal_data.cipher(conn, keys).encrypt(str(participant_id), fields)
    await conn.execute(
        "UPDATE participants SET personal = personal || $2 WHERE participant_id = $1",
        participant_id,
        sealed,
    )


def merge_participant(
    participant_id: uuid.UUID,
    body: MergeRequest,
    principal: Principal,
    expected: int | None,
    *,
    clock: Now,
) -> Command:
    async def run(conn: Connection) -> Answer:
        return await merge_into(Ports.postgres(conn), participant_id, body, principal, expected,
                                clock())  # fmt: skip

    return run


async def merge_into(
    ports: Ports,
    participant_id: uuid.UUID,
    body: MergeRequest,
    principal: Principal,
    expected: int | None,
    now: datetime,
) -> Answer:
    """The duplicate's stream ends in a merge into the surviving record."""
    rules = configured()
    late = late_entry_note(principal, body.occurred_at, now, rules)
    surviving = await ports.participant(body.into_participant_id)
    rule = merge.MergeParticipant(
        surviving, body.reason, actor_id(principal), now, body.occurred_at, rules
    )
    decided = await execute(
        ports.store, str(participant_id), evolve, Participant(),
        lambda s: merge.decide(rule, s), expected,
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, "participant.merge", ("participant", participant_id), late)
    answer = done(participant_id, decided)
    return Answer(200, {**answer, "merged_into": str(body.into_participant_id)})


def erase_personal_data(
    participant_id: uuid.UUID,
    basis: str,
    principal: Principal,
    keys: PersonalDataKeys,
    *,
    clock: Now,
) -> Command:
    async def run(conn: Connection) -> Answer:
        rule = erase.EraseParticipant(actor_id(principal), clock())
        decided = await execute(
            conn, str(participant_id), evolve, Participant(), lambda s: erase.decide(rule, s)
        )
        await views.record(conn, decided.events, decided.appended.version)
        await personal_data.erase(conn, keys, participant_id)
        await audit(conn, principal, "participant.erase", ("participant", participant_id), basis)
        # `position`: the `participant.erased` event other services' copies wait for.
        return Answer(200, {**done(participant_id, decided), "erased": True})

    return run
