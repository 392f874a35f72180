"""Who sees exact counts, and the rule every other caller's counts go through."""

from __future__ import annotations

import pytest

from access.disclosure import SMALL, published, sees_exact, shown_as, small_cell
from access.principal import Principal, Role


@pytest.mark.parametrize("role", list(Role))
def test_only_me_officers_and_administrators_see_exact_counts(role: Role) -> None:
    principal = Principal(subject="u", organization_id="ngo", role=role)
    assert sees_exact(principal) is (role in (Role.ME_OFFICER, Role.ADMINISTRATOR))


def test_anonymous_callers_do_not_see_exact_counts() -> None:
    assert sees_exact(None) is False


def test_every_shown_count_is_small_or_the_multiple_of_five_at_or_below_it() -> None:
    for n in range(0, 2_000):
        shown = published(n)
        if n < 5:
            assert shown == SMALL
        else:
            assert isinstance(shown, int) and shown % 5 == 0 and n - 4 <= shown <= n and shown >= 5
        first, last = shown_as(shown)
        assert first <= n <= last and last - first == 4  # five counts, always the same way


@pytest.mark.parametrize(
    ("count", "min_cell", "exact", "mark"),
    [
        (1, 1, True, None),
        (3, 5, True, "<5"),
        (5, 5, True, None),
        (9, 10, True, "<10"),
        (3, 1, False, SMALL),
        (4, 5, False, SMALL),
        (9, 10, False, "<10"),
        (10, 10, False, None),
        (7, 2, False, None),
    ],
)
def test_a_small_cell_shows_a_mark_instead_of_its_figures(
    count: int, min_cell: int, exact: bool, mark: str | None
) -> None:
    assert small_cell(count, min_cell, exact=exact) == mark
