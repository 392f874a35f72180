"""Given events, when a decider, then events or a refusal: the one shape of decider tests.

    given = Given(evolve, Voucher())
    events = then(when(redeem, redeem_cmd("80.00"), given(issued())), VoucherRedeemed)
    then_refused(when(redeem, redeem_cmd("0.00"), given(issued())), "amount_not_positive")

`when` takes the decider and its arguments in whatever order the decider wants them, so the
same helpers serve `redeem(command, state)` and `approve(state, by, now)`; a guard that only
refuses (returns None) decides no events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from contracts.event import Event
from eventkit.decider import Refused, fold

S = TypeVar("S")
E = TypeVar("E", bound=Event)

Outcome = list[Event] | Refused
"""What a decider did: the events it decided, or the refusal it raised."""


@dataclass(frozen=True)
class Given(Generic[S]):
    """Given: the state of one aggregate after `events`, folded with its `evolve`."""

    evolve: Callable[[S, Event], S]
    initial: S

    def __call__(self, *events: Event) -> S:
        return fold(self.evolve, self.initial, events)


def when(decide: Callable[..., Iterable[Event] | None], *args: Any, **kwargs: Any) -> Outcome:
    """When: the decider called with these arguments; its events, or its refusal."""
    try:
        return list(decide(*args, **kwargs) or ())
    except Refused as refused:
        return refused


def then(outcome: Sequence[Event] | Refused, *kinds: type[Event]) -> list[Event]:
    """Then: events were decided (of these kinds in this order, when named); they are returned."""
    assert not isinstance(outcome, Refused), f"refused {outcome.rule}: {outcome.message}"
    if kinds:
        assert [type(e) for e in outcome] == list(kinds), outcome
    return list(outcome)


def then_only(outcome: Sequence[Event] | Refused, kind: type[E], **expected: Any) -> E:
    """Then: exactly one event of `kind`, with these field values; it is returned."""
    events = then(outcome)
    assert len(events) == 1 and isinstance(events[0], kind), events
    for name, value in expected.items():
        assert getattr(events[0], name) == value, name
    return events[0]


def then_refused(outcome: Outcome, rule: str) -> Refused:
    """Then: the command was refused with `rule` (and nothing decided); the refusal is returned."""
    assert isinstance(outcome, Refused), f"decided {outcome} instead of refusing {rule}"
    assert outcome.rule == rule, outcome.message
    return outcome
