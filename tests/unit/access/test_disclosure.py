"""Who sees exact counts, and the rule every other caller's counts go through."""

from __future__ import annotations

import pytest

from access.disclosure import SMALL, published, sees_exact
from access.principal import Principal, Role


@pytest.mark.parametrize("role", list(Role))
def test_only_me_officers_and_administrators_see_exact_counts(role: Role) -> None:
    principal = Principal(subject="u", organization_id="ngo", role=role)
    assert sees_exact(principal) is (role in (Role.ME_OFFICER, Role.ADMINISTRATOR))


def test_anonymous_callers_do_not_see_exact_counts() -> None:
    assert sees_exact(None) is False


def test_every_shown_count_is_small_or_a_multiple_of_five_near_the_exact_one() -> None:
    for n in range(0, 2_000):
        shown = published(n)
        if n < 5:
            assert shown == SMALL
        else:
            assert isinstance(shown, int) and shown % 5 == 0 and abs(shown - n) <= 2 and shown >= 5
