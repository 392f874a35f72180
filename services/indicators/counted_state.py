"""The counted state in PostgreSQL: every subject's candidates, kept with the facts.

`read_model.record` calls `recount` in the batch's transaction, after storing the facts: the
subjects the batch can affect are found from its facts (and from the rows they replace),
their facts are read back, and their candidates (`candidates.candidates`, from the same
order-free rules as `attainment`) replace the ones stored, by difference: only rows that
differ are written, and the cells change by what the changed subjects count in now minus what
they counted in before (`cells`). Affected, as in `standing`:

- an act, new or replaced: its subject, and the replaced act's (for a person, in the act's
  indicator only, for every record of the person's merge group);
- a revocation: the subjects of every act it revokes;
- an attribute or a merge: every record of the merged group (the connected records of the
  merges, before and after) in each people indicator, and every case with an act by one of
  them. A whole group is recounted, so merge chains resolve as `people.People` resolves them.

The tables live in the logframe version's schema (created by `read_model.ddl`) and are dropped
and rebuilt with it on a replay.
"""

# Identifiers are the logframe's schema name (a safe identifier); values are bind parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import orjson

from eventkit.store import Connection
from services.indicators.attainment import Filters, Totals, window
from services.indicators.candidates import NATIONAL, Candidate, candidates
from services.indicators.cells import Cell, counted_cells
from services.indicators.dimensions import dimensions_of
from services.indicators.facts import Act, AttributeSet, Fact, Merge, Revocation
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe, Unit
from services.indicators.people import People
from services.indicators.periods import published_periods


def ddl(schema: str, logframe: Logframe) -> str:
    """The candidates, the published periods and their cells, and the indexes recounting
    needs on the fact tables."""
    s = schema
    periods = ", ".join(
        f"('{p.label}', '{p.start.isoformat()}', '{p.end.isoformat()}')"
        for p in published_periods(logframe)
    )
    return f"""
CREATE TABLE IF NOT EXISTS {s}.candidates (
    indicator text NOT NULL, subject text NOT NULL, scope text NOT NULL,
    occurred_at timestamptz NOT NULL, event_id uuid NOT NULL, day date NOT NULL,
    sex text NOT NULL, age_group text NOT NULL, region text NOT NULL,
    dims text[] NOT NULL DEFAULT '{{}}',
    PRIMARY KEY (indicator, subject, scope, occurred_at, event_id)
);
CREATE INDEX IF NOT EXISTS acts_participant ON {s}.acts (participant_id);
CREATE INDEX IF NOT EXISTS acts_act_key ON {s}.acts (act_key);
CREATE INDEX IF NOT EXISTS acts_subject ON {s}.acts (indicator, subject);
CREATE INDEX IF NOT EXISTS merges_surviving ON {s}.merges (surviving_id);
CREATE TABLE IF NOT EXISTS {s}.periods (
    label text PRIMARY KEY, first date NOT NULL, last date NOT NULL
);
INSERT INTO {s}.periods VALUES {periods} ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS {s}.cells (
    scope text NOT NULL, period text NOT NULL, indicator text NOT NULL, sex text NOT NULL,
    age_group text NOT NULL, region text NOT NULL, month text NOT NULL, n bigint NOT NULL,
    dims text[] NOT NULL DEFAULT '{{}}',
    PRIMARY KEY (scope, period, indicator, sex, age_group, region, month, dims)
);
{_dims_upgrade(s)}"""


def _dims_upgrade(s: str) -> str:
    """Give a read model made before program dimensions their column: its logframe had none,
    so every row's value is the empty one, and the cells' key gains the column."""
    return f"""
ALTER TABLE {s}.candidates ADD COLUMN IF NOT EXISTS dims text[] NOT NULL DEFAULT '{{}}';
ALTER TABLE {s}.cells ADD COLUMN IF NOT EXISTS dims text[] NOT NULL DEFAULT '{{}}';
DO $$ BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint k JOIN pg_attribute a
          ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
        WHERE k.conrelid = '{s}.cells'::regclass AND k.contype = 'p' AND a.attname = 'dims'
    ) THEN
        ALTER TABLE {s}.cells DROP CONSTRAINT IF EXISTS cells_pkey;
        ALTER TABLE {s}.cells
            ADD PRIMARY KEY (scope, period, indicator, sex, age_group, region, month, dims);
    END IF;
END $$;
"""


@dataclass(frozen=True)
class Held:
    """Which of the rarer facts the read model holds at all: a recount skips looking up merges
    or revocations it has none of (`recount_all` asks once)."""

    merges: bool = True
    revocations: bool = True


@dataclass
class Seeds:
    """Where a batch's effects start: participant records, cases, revoked act keys.

    `participants` are the records whose every figure may change (an attribute, a merge, an
    act on a case); `acted` the (people indicator, record) pairs of acts: such an act changes
    only what that indicator counts for the record's person.
    """

    participants: set[str] = field(default_factory=set)
    acted: set[tuple[str, str]] = field(default_factory=set)
    cases: set[tuple[str, str]] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)


async def seeds(conn: Connection, schema: str, logframe: Logframe, facts: Sequence[Fact]) -> Seeds:
    """The batch's seeds, with the rows it may replace (read before the facts are stored)."""
    cases = {i.id for i in logframe.all_indicators if i.unit is Unit.CASES}
    found = Seeds()
    keys: list[tuple[str, int, str]] = []
    merged: list[str] = []
    for fact in facts:
        if isinstance(fact, Act):
            keys.append(fact.key)
            _seed_act(found, cases, fact.indicator, fact.subject, fact.participant_id)
        elif isinstance(fact, Revocation):
            found.revoked.add(fact.act_key)
        elif isinstance(fact, AttributeSet):
            found.participants.add(fact.participant_id)
        else:
            merged.append(fact.merged_id)
            found.participants.update((fact.merged_id, fact.surviving_id))
    if keys:
        rows = await conn.fetch(
            f"""SELECT a.indicator, a.subject, a.participant_id FROM {schema}.acts a
            JOIN jsonb_array_elements($1::text::jsonb) AS k
              ON a.indicator = k->>0 AND a.requirement = (k->>1)::int AND a.act_key = k->>2""",
            orjson.dumps(keys).decode(),
        )
        for r in rows:
            _seed_act(found, cases, r[0], r[1], r[2])
    if merged:
        rows = await conn.fetch(
            f"SELECT surviving_id FROM {schema}.merges WHERE merged_id = ANY($1::text[])", merged
        )
        found.participants.update(r[0] for r in rows)
    return found


def _seed_act(found: Seeds, cases: set[str], indicator: str, subject: str, pid: str) -> None:
    if indicator in cases:
        found.cases.add((indicator, subject))
        found.participants.add(pid)
    else:
        found.acted.add((indicator, pid))


async def recount(conn: Connection, schema: str, logframe: Logframe, found: Seeds) -> None:
    """Replace the candidates of every subject the seeds can affect (facts already stored)."""
    s = schema
    pairs, cases, ledger = await _affected(conn, s, logframe, found)
    rows = set(_candidates_of(logframe, ledger, pairs, cases))
    case_keys = orjson.dumps(sorted(cases)).decode()
    affected = _Affected(sorted(pairs), case_keys if cases else None)
    stored = await _stored(conn, s, affected)
    removed, added = stored - rows, rows - stored
    if not removed and not added:
        return
    changed = {(c.indicator, c.subject) for c in (*removed, *added)}
    periods = published_periods(logframe)
    delta = counted_cells((c for c in rows if (c.indicator, c.subject) in changed), periods)
    delta.subtract(
        counted_cells((c for c in stored if (c.indicator, c.subject) in changed), periods)
    )
    if removed:
        await conn.execute(
            f"""DELETE FROM {s}.candidates c
            USING unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::uuid[])
                AS k (indicator, subject, scope, occurred_at, event_id)
            WHERE (c.indicator, c.subject, c.scope, c.occurred_at, c.event_id)
                = (k.indicator, k.subject, k.scope, k.occurred_at, k.event_id)""",
            *(list(column) for column in zip(*(c[:5] for c in removed), strict=True)),
        )
    if added:
        await _insert(conn, s, added)
    await _add_cells(conn, s, delta)


async def _add_cells(conn: Connection, s: str, delta: Counter[Cell]) -> None:
    """Add each cell's count (a difference, or a whole count) to the `cells` table."""
    cells = [(*cell, n) for cell, n in delta.items() if n]
    if cells:
        await conn.execute(
            f"""INSERT INTO {s}.cells AS t
                (scope, period, indicator, sex, age_group, region, month, dims, n)
            SELECT e->>0, e->>1, e->>2, e->>3, e->>4, e->>5, e->>6,
                ARRAY(SELECT jsonb_array_elements_text(e->7)), (e->>8)::bigint
            FROM jsonb_array_elements($1::text::jsonb) AS e
            ON CONFLICT (scope, period, indicator, sex, age_group, region, month, dims)
            DO UPDATE SET n = t.n + EXCLUDED.n""",
            orjson.dumps(cells).decode(),
        )


WHOLE_CHUNK = 5_000
"""Participant records recounted together by `recount_all` (their facts are held at once)."""


async def recount_all(conn: Connection, schema: str, logframe: Logframe) -> None:
    """Make the candidates and cells anew from every fact stored, a chunk of records at a time.

    For a replay into an empty read model (`deferred`): nothing is stored to diff against, so
    no seed is kept while it runs and no stored candidate is read back. The records of acts
    are taken in id order, `WHOLE_CHUNK` at a time; each chunk recounts, as `recount` would,
    the subjects its records can affect, and writes those it owns: a subject belongs to the
    chunk whose id range holds the lowest record id among its live acts (its merge group's, for
    a person), so each subject is written exactly once, whichever chunks it reaches. The cells
    are summed over the chunks and written at the end.
    """
    s = schema
    await conn.execute(f"DELETE FROM {s}.candidates")
    await conn.execute(f"DELETE FROM {s}.cells")
    row = await conn.fetchrow(
        f"SELECT EXISTS (SELECT FROM {s}.merges), EXISTS (SELECT FROM {s}.revocations)"
    )
    assert row is not None  # a SELECT without FROM returns one row
    held = Held(bool(row[0]), bool(row[1]))
    periods = published_periods(logframe)
    cells: Counter[Cell] = Counter()
    after = ""
    while ids := [
        r[0]
        for r in await conn.fetch(
            f"""SELECT DISTINCT participant_id FROM {s}.acts WHERE participant_id > $1
            ORDER BY participant_id LIMIT $2""",
            after,
            WHOLE_CHUNK,
        )
    ]:
        last = ids[-1] if len(ids) == WHOLE_CHUNK else None  # the last chunk is open above
        found = Seeds(participants=set(ids))
        pairs, cases, ledger = await _affected(conn, s, logframe, found, held)
        rows = _candidates_of(logframe, ledger, pairs, cases, owned=(after, last))
        if rows:
            await _insert(conn, s, rows)
            cells.update(counted_cells(rows, periods))
        after = ids[-1]
    await _add_cells(conn, s, cells)


async def _insert(conn: Connection, s: str, rows: Iterable[Candidate]) -> None:
    """Store new candidates (by COPY: storing them as JSON, as facts travel, cost PostgreSQL
    several times what COPY costs this process)."""
    await conn.copy_records_to_table(
        "candidates", schema_name=s, columns=Candidate._fields, records=rows
    )


async def _affected(
    conn: Connection, s: str, logframe: Logframe, found: Seeds, held: Held = Held()
) -> tuple[set[tuple[str, str]], set[tuple[str, str]], Ledger]:
    """The subjects the seeds can affect (people indicator and record pairs, cases) and the
    stored facts their candidates need."""
    people_ids = [i.id for i in logframe.all_indicators if i.unit is Unit.PEOPLE]
    case_ids = [i.id for i in logframe.all_indicators if i.unit is Unit.CASES]
    if found.revoked:
        for r in await conn.fetch(
            f"SELECT indicator, subject, participant_id FROM {s}.acts"
            " WHERE act_key = ANY($1::text[])",
            list(found.revoked),
        ):
            _seed_act(found, set(case_ids), r[0], r[1], r[2])
    group = await _connected(conn, s, found.participants, held.merges)
    cases = set(found.cases)
    if case_ids and group:
        cases.update(
            (r[0], r[1])
            for r in await conn.fetch(
                f"SELECT DISTINCT indicator, subject FROM {s}.acts"
                " WHERE participant_id = ANY($1::text[]) AND indicator = ANY($2::text[])",
                list(group),
                case_ids,
            )
        )
    case_keys = orjson.dumps(sorted(cases)).decode()
    if cases:
        others = {
            r[0]
            for r in await conn.fetch(
                f"""SELECT DISTINCT a.participant_id FROM {s}.acts a
                JOIN jsonb_array_elements($1::text::jsonb) AS k
                  ON a.indicator = k->>0 AND a.subject = k->>1""",
                case_keys,
            )
        }
        group |= await _connected(conn, s, others - group, held.merges)
    # Every people indicator of the group's records; an act's indicator for its record's
    # merge group (whose root is the person it counts for).
    pairs = {(i, m) for i in people_ids for m in group}
    components = await _components(conn, s, {pid for _, pid in found.acted} - group, held.merges)
    for indicator, pid in found.acted:
        pairs.update((indicator, m) for m in components.get(pid, (pid,)))
    members = group.union(*components.values())
    ledger = await _facts_of(conn, s, members, pairs, case_keys if cases else None, held)
    return pairs, cases, ledger


@dataclass(frozen=True)
class _Affected:
    """The subjects recounted: the group's records in each people indicator, and the cases."""

    people: list[tuple[str, str]]
    """(People indicator, person record) pairs."""
    case_keys: str | None

    def clauses(self) -> list[tuple[str, tuple[object, ...]]]:
        """Clauses on `candidates c` (a join, a `WHERE`) selecting them, with their arguments."""
        found: list[tuple[str, tuple[object, ...]]] = []
        if self.people:
            found.append((
                "JOIN unnest($1::text[], $2::text[]) AS k (indicator, subject)"
                " ON c.indicator = k.indicator AND c.subject = k.subject",
                tuple(list(column) for column in zip(*self.people, strict=True)),
            ))  # fmt: skip
        if self.case_keys is not None:
            found.append((
                "WHERE (c.indicator, c.subject) IN"
                " (SELECT k->>0, k->>1 FROM jsonb_array_elements($1::text::jsonb) AS k)",
                (self.case_keys,),
            ))  # fmt: skip
        return found


async def _stored(conn: Connection, s: str, affected: _Affected) -> set[Candidate]:
    """The candidates stored for the affected subjects, as `candidates` makes them."""
    found: set[Candidate] = set()
    for where, args in affected.clauses():
        for r in await conn.fetch(
            "SELECT c.indicator, c.subject, c.scope, c.occurred_at, c.event_id::text, c.day,"
            f" c.sex, c.age_group, c.region, c.dims FROM {s}.candidates c {where}",
            *args,
        ):
            found.add(Candidate(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], tuple(r[9])))
    return found


async def _components(
    conn: Connection, s: str, ids: Iterable[str], merged: bool = True
) -> dict[str, set[str]]:
    """Each record's connected records by merges (either way), itself included."""
    start = list(ids)
    if (
        not start
        or not merged
        or not await conn.fetchval(
            f"""SELECT EXISTS (SELECT FROM {s}.merges
            WHERE merged_id = ANY($1::text[]) OR surviving_id = ANY($1::text[]))""",
            start,
        )
    ):
        return {i: {i} for i in start}
    found: dict[str, set[str]] = {}
    for seed, member in await conn.fetch(
        f"""WITH RECURSIVE g(seed, id) AS (
            SELECT x, x FROM unnest($1::text[]) AS x
            UNION
            SELECT g.seed,
                CASE WHEN m.merged_id = g.id THEN m.surviving_id ELSE m.merged_id END
            FROM {s}.merges m JOIN g ON m.merged_id = g.id OR m.surviving_id = g.id
        ) SELECT seed, id FROM g""",
        start,
    ):
        found.setdefault(seed, set()).add(member)
    return found


async def _connected(conn: Connection, s: str, ids: Iterable[str], merged: bool = True) -> set[str]:
    """The records connected to `ids` by merges (either way), `ids` included (only `ids` if
    the read model holds no merge: `merged` false)."""
    start = list(ids)
    if not start or not merged:
        return set(start)
    rows = await conn.fetch(
        f"""WITH RECURSIVE g(id) AS (
            SELECT unnest($1::text[])
            UNION
            SELECT CASE WHEN m.merged_id = g.id THEN m.surviving_id ELSE m.merged_id END
            FROM {s}.merges m JOIN g ON m.merged_id = g.id OR m.surviving_id = g.id
        ) SELECT id FROM g""",
        start,
    )
    return {r[0] for r in rows}


async def _facts_of(
    conn: Connection,
    s: str,
    group: set[str],
    pairs: set[tuple[str, str]],
    case_keys: str | None,
    held: Held,
) -> Ledger:
    """The stored facts the group's people and the cases need: the acts of each (people
    indicator, record) pair and of the cases, revocations of those acts, the group's
    attributes and merges."""
    members = list(group)
    act_rows = []
    columns = "indicator, requirement, act_key, subject, participant_id, occurred_at, region"
    if pairs:
        act_rows += [
            r
            for r in await conn.fetch(
                f"SELECT {columns}, event_id::text FROM {s}.acts"
                " WHERE participant_id = ANY($1::text[]) AND indicator = ANY($2::text[])",
                list({m for _, m in pairs}),
                list({i for i, _ in pairs}),
            )
            if (r[0], r[4]) in pairs
        ]
    if case_keys is not None:
        act_rows += await conn.fetch(
            f"""SELECT {columns}, a.event_id::text FROM {s}.acts a
            JOIN jsonb_array_elements($1::text::jsonb) AS k
              ON a.indicator = k->>0 AND a.subject = k->>1""",
            case_keys,
        )
    # Each table holds one row per key, so its rows are the ledger's entries as they are.
    ledger = Ledger()
    ledger.acts = {(r[0], r[1], r[2]): Act(*r) for r in act_rows}
    keys = list({a.act_key for a in ledger.acts.values()})
    if keys and held.revocations:
        ledger.revocations = {
            r[0]: Revocation(*r)
            for r in await conn.fetch(
                f"SELECT act_key, occurred_at, event_id::text FROM {s}.revocations"
                " WHERE act_key = ANY($1::text[])",
                keys,
            )
        }
    if members:
        ledger.attributes = {
            (r[0], r[1]): AttributeSet(*r)
            for r in await conn.fetch(
                "SELECT participant_id, attribute, value, set_at, event_id::text"
                f" FROM {s}.person_attributes WHERE participant_id = ANY($1::text[])",
                members,
            )
        }
    if members and held.merges:
        ledger.merges = {
            r[0]: Merge(*r)
            for r in await conn.fetch(
                "SELECT merged_id, surviving_id, merged_at, event_id::text"
                f" FROM {s}.merges WHERE merged_id = ANY($1::text[])",
                members,
            )
        }
    return ledger


def _candidates_of(
    logframe: Logframe,
    ledger: Ledger,
    pairs: set[tuple[str, str]],
    cases: set[tuple[str, str]],
    owned: tuple[str, str | None] | None = None,
) -> list[Candidate]:
    """The candidates of the pairs' persons in their people indicators, and of the cases.

    With `owned` (`recount_all`'s chunk: after, last), only of the subjects whose lowest record
    id among their live acts lies in (after, last] (no upper bound if last is None).
    """
    people, zone, dims = People(ledger), logframe.zone, dimensions_of(logframe)
    indicators = {i.id: i for i in logframe.all_indicators}
    acts: dict[tuple[str, str], list[Act]] = {}
    lowest: dict[tuple[str, str], str] = {}
    for act in ledger.live_acts():
        if indicators[act.indicator].unit is Unit.PEOPLE:
            if (act.indicator, act.participant_id) not in pairs:
                continue
            key = (act.indicator, people.person(act.participant_id))
        else:
            key = (act.indicator, act.subject)
            if key not in cases:
                continue
        acts.setdefault(key, []).append(act)
        if owned is not None:
            pid = act.participant_id
            if (kept := lowest.get(key)) is None or pid < kept:
                lowest[key] = pid
    if owned is not None:
        after, last = owned
        acts = {
            key: mine
            for key, mine in acts.items()
            if after < lowest[key] and (last is None or lowest[key] <= last)
        }
    rows: list[Candidate] = []
    for (indicator, subject), mine in sorted(acts.items()):
        rows += candidates(indicators[indicator], subject, mine, people, zone, dims)
    return rows


async def totals(
    conn: Connection, schema: str, logframe: Logframe, filters: Filters
) -> dict[str, Totals]:
    """Each indicator's counted subjects summed per cell under `filters`, by the database.

    A published period (the whole period, a quarter, a month) is read from its kept cells;
    any other window from the candidates: per subject, its first candidate in the window.
    """
    start, end = window(logframe, filters)
    scope = filters.region or NATIONAL
    label = next(
        (p.label for p in published_periods(logframe) if (p.start, p.end) == (start, end)), None
    )
    if label is not None:
        rows = await conn.fetch(
            f"""SELECT indicator, sex, age_group, region, month, n, dims FROM {schema}.cells
            WHERE scope = $1 AND period = $2 AND n <> 0""",
            scope,
            label,
        )
    else:
        rows = await conn.fetch(
            f"""SELECT indicator, sex, age_group, region, to_char(day, 'YYYY-MM'), count(*), dims
            FROM (SELECT DISTINCT ON (indicator, subject)
                      indicator, sex, age_group, region, day, dims
                  FROM {schema}.candidates WHERE scope = $1 AND day BETWEEN $2 AND $3
                  ORDER BY indicator, subject, occurred_at, event_id) AS first
            GROUP BY 1, 2, 3, 4, 5, 7""",
            scope,
            start,
            end,
        )
    found = {i.id: Totals() for i in logframe.all_indicators}
    for indicator, sex, age_group, region, month, n, dims in rows:
        t = found.get(indicator)
        if t is None:
            continue
        t.value += n
        t.cells[(sex, age_group)] += n
        t.regions[region] += n
        t.sex_regions[(sex, region)] += n
        t.months[month] += n
        for place, value in enumerate(dims):
            t.dims[(place, sex, value)] += n
    return found
