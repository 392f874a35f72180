"""Fakes of the cases service layer's ports (`services.cases.ports`): read tables and audit kept
in memory, beside a `MemoryEventStore`, so commands run without PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from access.blind_index import Kind
from access.principal import Principal, Role
from contracts.cases import CaseOpened
from contracts.event import Event
from contracts.participants import ParticipantMerged, ParticipantRegistered
from contracts.people import Sex
from eventkit.aggregate import execute
from eventkit.decider import RefusalKind, Refused
from eventkit.memory_store import MemoryEventStore
from services.cases import register
from services.cases.participant import Participant, evolve
from services.cases.personal_data import Note
from services.cases.ports import Ports
from tests.support.peru import Region
from tests.unit.cases.givens import NOW, STAFF

CASEWORKER = Principal("cw-1", "ngo-pe", Role.CASEWORKER, frozenset({Region.LIMA_CALLAO}))
SUPERVISOR = Principal("sv-1", "ngo-pe", Role.SUPERVISOR, frozenset({Region.LIMA_CALLAO}))


@dataclass
class FakeViews:
    store: MemoryEventStore = field(default_factory=MemoryEventStore)
    """The store the commands append to: a person's version is their stream's."""
    recorded: list[tuple[str, int]] = field(default_factory=list)
    merged_into: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    case_of: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)

    async def record(self, events: Sequence[Event], version: int) -> None:
        for event in events:
            self.recorded.append((event.event_type, version))
            if isinstance(event, ParticipantMerged):
                self.merged_into[event.merged_participant_id] = event.surviving_participant_id
            if isinstance(event, CaseOpened):
                self.case_of[event.case_id] = event.participant_id

    async def surviving(self, participant_id: uuid.UUID) -> uuid.UUID:
        while participant_id in self.merged_into:
            participant_id = self.merged_into[participant_id]
        return participant_id

    async def case_participant(self, case_id: uuid.UUID) -> uuid.UUID | None:
        return self.case_of.get(case_id)

    async def version(self, participant_id: uuid.UUID) -> int:
        stream = await self.store.load(str(participant_id))
        return stream[-1].stream_version if stream else 0


@dataclass
class FakeAudit:
    actions: list[tuple[str, str, str]] = field(default_factory=list)
    purposes: list[str | None] = field(default_factory=list)  # one per action (late entries)

    async def done(
        self,
        principal: Principal,
        action: str,
        resource: tuple[str, uuid.UUID | str],
        purpose: str | None = None,
    ) -> None:
        self.actions.append((principal.subject, action, f"{resource[0]}:{resource[1]}"))
        self.purposes.append(purpose)


@dataclass
class FakePersonalData:
    """Personal data kept in the clear, by person, and looked up by exact number; an erased
    person's fields and numbers are gone, and nothing more is sealed for them."""

    fields: dict[uuid.UUID, dict[str, str]] = field(default_factory=dict)
    numbers: dict[tuple[Kind, str], set[uuid.UUID]] = field(default_factory=dict)
    notes: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=dict)
    """By note id: the case, the person, the text."""
    erased: set[uuid.UUID] = field(default_factory=set)

    async def keep(
        self,
        registered: ParticipantRegistered,
        fields: Mapping[str, str],
        numbers: Mapping[Kind, str | None],
        version: int,
    ) -> None:
        self.fields[registered.participant_id] = dict(fields)
        await self.reindex(registered.participant_id, numbers)

    async def reseal(self, participant_id: uuid.UUID, fields: Mapping[str, str]) -> None:
        if participant_id in self.erased:
            raise Refused("personal_data_erased", "erased", RefusalKind.CONFLICT)
        self.fields.setdefault(participant_id, {}).update(fields)

    async def reindex(self, participant_id: uuid.UUID, numbers: Mapping[Kind, str | None]) -> None:
        for kind, value in numbers.items():
            for (held, _), ids in self.numbers.items():
                if held is kind:
                    ids.discard(participant_id)
            if value:
                self.numbers.setdefault((kind, value), set()).add(participant_id)

    async def erase(self, participant_id: uuid.UUID, at: datetime) -> None:
        self.erased.add(participant_id)
        self.fields.pop(participant_id, None)
        for ids in self.numbers.values():
            ids.discard(participant_id)
        for note_id, (case_id, person, _) in list(self.notes.items()):
            if person == participant_id:
                self.notes[note_id] = (case_id, person, "")

    async def keep_note(self, note: Note) -> None:
        if note.participant_id in self.erased:
            raise Refused("participant_erased", "erased", RefusalKind.CONFLICT)
        self.notes[note.note_id] = (note.case_id, note.participant_id, note.text)

    async def possible_duplicates(
        self, numbers: Mapping[Kind, str | None], excluding: uuid.UUID
    ) -> list[str]:
        found = {
            str(pid)
            for kind, value in numbers.items()
            if value
            for pid in self.numbers.get((kind, value), set())
            if pid != excluding
        }
        return sorted(found)


@dataclass
class InMemory:
    """The event store and the fakes a test looks into, and the ports the commands take."""

    store: MemoryEventStore = field(default_factory=MemoryEventStore)
    views: FakeViews = field(init=False)
    audit: FakeAudit = field(default_factory=FakeAudit)
    personal: FakePersonalData = field(default_factory=FakePersonalData)

    def __post_init__(self) -> None:
        self.views = FakeViews(self.store)

    @property
    def ports(self) -> Ports:
        return Ports(self.store, self.views, self.audit)


async def registered_person(ports: Ports) -> uuid.UUID:
    """A person on the store, registered by the decider (registering needs personal data)."""
    person = uuid.uuid4()
    command = register.RegisterParticipant(
        person, Sex.WOMAN, NOW.date().replace(year=1994), False, "VEN",
        Region.LIMA_CALLAO, STAFF, NOW,
    )  # fmt: skip
    await execute(
        ports.store,
        str(person),
        evolve,
        Participant(),
        lambda s: register.decide(command, s),
        now=NOW,
    )
    return person
