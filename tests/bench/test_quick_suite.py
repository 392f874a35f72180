"""The benchmark suite keeps working: `python -m bench --quick` completes and prints its table.

Only completion and the table's shape are checked, never the targets: figures depend on the
machine and on whatever else runs on it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = (
    "1. event-store appends",
    "2. projection throughput",
    "3. HTTP redemptions",
    "4. freshness",
    "5a. rebuild scaling",
    "5b. dashboard read latency",
    "6. dashboard first paint",
)


@pytest.mark.timeout(900)
def test_the_quick_suite_completes_and_prints_the_table(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--output", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    table = done.stdout.split("ours: median (min-max)", 1)[-1]
    for name in BENCHMARKS:
        assert name in table, f"{name!r} missing from the table:\n{done.stdout[-3000:]}"
    written = report.read_text()
    assert "## Results" in written
    assert "## Machine" in written
    assert "Load average at start" in written
    for name in BENCHMARKS:
        assert f"| {name} |" in written
    # Benchmark 3's third endpoint: a redemption's round trips alone, every answer a 201.
    trips = next(line for line in written.splitlines() if "round trips to PostgreSQL" in line)
    assert "non-201 answers: 0" in trips, trips
    # ... and what a redemption and a bare insert cost each process's CPU.
    for endpoint in ("redemption", "bare insert"):
        line = next(line for line in written.splitlines() if f"CPU per {endpoint}:" in line)
        assert "PostgreSQL" in line and "at most" in line, line
    # Benchmark 5a's server counters were read for both sizes.
    assert written.count("full-page images per event") == 2
    # ... and the large rebuild's rate was timed over its tenths.
    tenths = next(line for line in written.splitlines() if "rate over each tenth" in line)
    rates = tenths.split("grows: ", 1)[1].split(" events/s", 1)[0].split(", ")
    assert len(rates) >= 4 and all(float(r.replace(",", "")) > 0 for r in rates), tenths
    # Benchmark 2's third reader: the projection's CPU work without a database was timed.
    prepared = next(line for line in written.splitlines() if "writing nothing: " in line)
    rate = prepared.split("writing nothing: ", 1)[1].split(" events/s", 1)[0]
    assert float(rate.replace(",", "")) > 0, prepared
    # ... and what each rebuild cost the machine's CPU, per process.
    cpu = next(line for line in written.splitlines() if "CPU per event over whole rebuilds" in line)
    assert "PostgreSQL" in cpu and "at most" in cpu, cpu
    # Benchmark 6 timed the cards' paint in chromium and sized every answer the page read.
    paint = next(line for line in written.splitlines() if "first contentful paint" in line)
    assert "not reported" not in paint, paint
    sizes = next(line for line in written.splitlines() if "answers the page read" in line)
    assert "/attainment?logframe=pana_peru_y2_v1&series=none" in sizes, sizes
