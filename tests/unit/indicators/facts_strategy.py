"""Random facts for property tests: a small universe so that keys, people and times collide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from services.indicators.facts import Act, AttributeSet, Fact, Merge, Revocation
from services.indicators.logframe import Logframe, Unit
from tests.support.peru import Region

PEOPLE_IDS = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(6)]
CASE_IDS = [f"00000000-0000-4000-8000-00000000900{n}" for n in range(3)]
EVENT_IDS = [f"{n:08x}-0000-4000-8000-000000000000" for n in range(8)]
ACT_KEYS = [f"voucher.redeemed:{n}" for n in range(3)] + [f"other:{n}" for n in range(3)]
REGIONS = [r.value for r in Region]
# Around the Year-2 period and month ends in Lima time (UTC-5), with exact ties.
INSTANTS = [
    datetime(2022, 8, 31, 23, tzinfo=UTC),
    datetime(2022, 9, 1, 4, 59, tzinfo=UTC),
    datetime(2022, 9, 1, 5, tzinfo=UTC),
    datetime(2022, 10, 15, 12, tzinfo=UTC),
    datetime(2022, 11, 1, 4, tzinfo=UTC),
    datetime(2023, 3, 3, 3, tzinfo=UTC),
    datetime(2023, 8, 31, 23, tzinfo=UTC),
    datetime(2023, 9, 1, 6, tzinfo=UTC) + timedelta(days=3),
]
SEXES = ["woman", "man", "non_binary"]
BIRTHS = ["1950-01", "1990-05", "2004-10", "2010-03", "2022-10", "2024-01"]


def facts(logframe: Logframe) -> st.SearchStrategy[Fact]:
    """Any fact of `logframe`'s read model, from a universe small enough to collide."""
    requirements = [
        (i.id, n, i.unit) for i in logframe.all_indicators for n in range(len(i.requires))
    ]
    people, events, instants = (
        st.sampled_from(PEOPLE_IDS),
        st.sampled_from(EVENT_IDS),
        st.sampled_from(INSTANTS),
    )

    @st.composite
    def act(draw: st.DrawFn) -> Act:
        indicator, number, unit = draw(st.sampled_from(requirements))
        participant = draw(people)
        subject = draw(st.sampled_from(CASE_IDS)) if unit is Unit.CASES else participant
        return Act(
            indicator, number, draw(st.sampled_from(ACT_KEYS)), subject, participant,
            draw(instants), draw(st.sampled_from(REGIONS)), draw(events),
        )  # fmt: skip

    revocation = st.builds(Revocation, st.sampled_from(ACT_KEYS), instants, events)
    sex = st.builds(AttributeSet, people, st.just("sex"), st.sampled_from(SEXES), instants, events)
    birth = st.builds(
        AttributeSet, people, st.just("birth_year_month"), st.sampled_from(BIRTHS), instants, events
    )
    attribute = st.one_of(sex, birth)
    merge = st.builds(Merge, people, people, instants, events)
    return st.one_of(act(), act(), act(), revocation, attribute, merge)
