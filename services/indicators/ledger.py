"""The read model's facts in memory, with the same conflict rules as the PostgreSQL tables.

The pure counting code (`attainment`) reads a `Ledger`; the service loads one from PostgreSQL
(`read_model.load_ledger`) and unit tests build one by recording facts directly. Because both
resolve a repeated key the same order-free way, unit tests of arrival orders hold for the
database too (and the integration tests check that the two agree).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.indicators.facts import Act, AttributeSet, Fact, Merge, Revocation


@dataclass
class Ledger:
    """Facts by key: acts, revoked act keys, person attributes, merges."""

    acts: dict[tuple[str, int, str], Act] = field(default_factory=dict)
    revocations: dict[str, Revocation] = field(default_factory=dict)
    attributes: dict[tuple[str, str], AttributeSet] = field(default_factory=dict)
    merges: dict[str, Merge] = field(default_factory=dict)

    def record(self, facts: Iterable[Fact]) -> None:
        """Add facts; a repeated key keeps the earliest act or revocation, the latest value."""
        for fact in facts:
            if isinstance(fact, Act):
                kept = self.acts.get(fact.key)
                if kept is None or fact.order < kept.order:
                    self.acts[fact.key] = fact
            elif isinstance(fact, Revocation):
                old = self.revocations.get(fact.act_key)
                if old is None or (fact.occurred_at, fact.event_id) < (
                    old.occurred_at,
                    old.event_id,
                ):
                    self.revocations[fact.act_key] = fact
            elif isinstance(fact, AttributeSet):
                key = (fact.participant_id, fact.attribute)
                was = self.attributes.get(key)
                if was is None or (fact.set_at, fact.event_id) > (was.set_at, was.event_id):
                    self.attributes[key] = fact
            else:
                prior = self.merges.get(fact.merged_id)
                if prior is None or (fact.merged_at, fact.event_id) > (
                    prior.merged_at,
                    prior.event_id,
                ):
                    self.merges[fact.merged_id] = fact

    def facts(self) -> list[Fact]:
        """Every fact kept (recording them into an empty ledger gives this ledger)."""
        return [
            *self.acts.values(),
            *self.revocations.values(),
            *self.attributes.values(),
            *self.merges.values(),
        ]

    def live_acts(self) -> list[Act]:
        """The acts that still count (not revoked), in a stable order."""
        return sorted(
            (a for a in self.acts.values() if a.act_key not in self.revocations),
            key=lambda a: (a.indicator, a.order, a.requirement, a.act_key),
        )
