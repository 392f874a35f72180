"""`python -m reliability [--soak] [pytest args]`: run the reliability suite; write RELIABILITY.md.

The short form is what `make test` runs; `--soak` runs the same tests longer and harder (more
clients, longer phases, the fault sequence repeated, more races and generated inputs).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

from reliability.profile import PROFILE_VARIABLE, REPORT_VARIABLE

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability", description=__doc__)
    parser.add_argument("--soak", action="store_true", help="the long form (make soak)")
    args, rest = parser.parse_known_args(argv)
    os.environ[PROFILE_VARIABLE] = "soak" if args.soak else "short"
    os.environ.setdefault(REPORT_VARIABLE, str(ROOT / "RELIABILITY.md"))
    os.chdir(ROOT)
    timeout = ["-o", "timeout=3600"] if args.soak else []
    return int(pytest.main(["tests/reliability", "-q", "-p", "no:cacheprovider", *timeout, *rest]))


if __name__ == "__main__":
    sys.exit(main())
