"""Where inside its region an act took place: its optional admin2 territory (a province).

Events carry `region` (the level the program records acts at) and, when the worker gives it,
`admin2`: a territory of the level below, which must lie inside that region. Each service that
owns such an act checks it in its decider (cases: deliveries and reaches; referrals: requests;
vouchers: issues). The R4V 5W's Admin2 column is filled from it
(`services/indicators/reports/r4v.py`).
"""

from __future__ import annotations

from eventkit.decider import RefusalKind, Refused
from program.load import current_program


def check_admin2(admin2: str | None, region: str) -> None:
    """Refuse an admin2 the program does not list, or one outside the act's region."""
    if admin2 is None:
        return
    program = current_program()
    if admin2 not in program.codes("admin2"):
        raise Refused("admin2_unknown", f"unknown admin2 territory {admin2!r}", RefusalKind.INVALID)
    if not program.admin2_within(admin2, region):
        raise Refused(
            "admin2_outside_region",
            f"admin2 territory {admin2!r} is not inside region {region!r}",
            RefusalKind.INVALID,
        )
