"""Settings of CPython's cycle collector for a service process.

The default thresholds (700, 10, 10) start a young-generation collection every 700 net
allocations. A projection applying a 2,000-event batch, or a service answering concurrent
requests, allocates that many in well under a millisecond, and each collection walks the
batch's live objects again. `python -m bench` times the collector during its rebuilds of
100,000 events: 1.90 s of 6.6 s with the defaults, 0.05 s of 5.3 s with these settings
(`BENCHMARKS.md`, benchmark 2). Reference counting frees nearly every object these processes
make; the cycle collector only has to run now and then.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

SERVICE_THRESHOLDS = (50_000, 20, 100)
"""Young collections every 50,000 net allocations; older generations rarely, relative to it."""

_frozen = False


def tune() -> None:
    """Use the service thresholds in this process."""
    gc.set_threshold(*SERVICE_THRESHOLDS)


def freeze_start_up() -> None:
    """Once per process: collect, then keep what start-up built out of every later collection.

    Modules, models and schemas live as long as the process; frozen, a full collection no
    longer walks them.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


@contextlib.contextmanager
def tuned() -> Iterator[None]:
    """The service thresholds inside the block, the previous ones after (benchmarks)."""
    before = gc.get_threshold()
    gc.set_threshold(*SERVICE_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
