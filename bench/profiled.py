"""`python -m bench.profiled <module> <stats file>`: run a service with a CPU profiler on call.

SIGUSR1 starts cProfile (timing CPU, not waiting); SIGUSR2 stops it and writes the stats file,
so a profile covers exactly a load and not the service's start-up. Read the stats with
`bench.diagnostics.top_functions` and `top_packages`.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
import time


def main() -> None:
    module, stats_file = sys.argv[1], sys.argv[2]
    sys.argv = [module]
    profiler = cProfile.Profile(time.process_time)

    def start(*_: object) -> None:
        profiler.enable()

    def stop(*_: object) -> None:
        profiler.disable()
        profiler.dump_stats(stats_file)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
