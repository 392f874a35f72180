"""Settings of CPython's cycle collector for a service process.

The default thresholds (700, 10, 10) start a young-generation collection every 700 net
allocations. A projection applying a 2,000-event batch, or a service answering concurrent
requests, allocates that many in well under a millisecond, and each collection walks the
batch's live objects again: 1.7-2.1 s of a 9 s rebuild of 100,000 events went to the collector
(timed with `gc.callbacks` around `bench.rebuild.rebuild`). Reference counting frees nearly
every object these processes make; the cycle collector only has to run now and then.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

SERVICE_THRESHOLDS = (50_000, 20, 100)
"""Young collections every 50,000 net allocations (0.07 s of collection in that rebuild);
older generations as rarely, relative to it, as CPython's own defaults make them."""

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
