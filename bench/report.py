"""The table printed after a run, and BENCHMARKS.md, both from one run's results only."""

from __future__ import annotations

from datetime import datetime

from bench.figures import Figure
from bench.machine import Machine
from bench.plan import Plan
from bench.suite import Results

HEADER = ("benchmark", "ours: median (min-max)", "baseline: median (min-max)", "ratio", "target",
          "verdict")  # fmt: skip


def _row(figure: Figure) -> tuple[str, ...]:
    ratio = f"{figure.ratio:.2f}x" if figure.ratio is not None else "-"
    baseline = figure.baseline.summary() if figure.baseline is not None else "-"
    return (figure.benchmark, figure.ours.summary(), baseline, ratio, figure.target,
            figure.verdict)  # fmt: skip


def _ordered(results: Results) -> list[Figure]:
    return sorted(results.figures, key=lambda f: f.benchmark)


def table(results: Results) -> str:
    """A plain-text table for the terminal."""
    rows = [HEADER, *(_row(f) for f in _ordered(results))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for gap in results.missing:
        lines.append(f"{gap.benchmark}: not measured ({gap.reason})")
    return "\n".join(lines)


def _md(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown(
    results: Results,
    plan: Plan,
    machine: Machine,
    command: str,
    started: datetime,
    seconds: float,
    load: tuple[str, str],
) -> str:
    out = [
        "# Benchmarks",
        "",
        f"Produced by `{command}` on {started:%Y-%m-%d %H:%M} UTC ({plan.name} form, "
        f"{seconds / 60:.1f} min). Every figure below comes from that run; rerun the command "
        "to refresh this file. Each figure is the median of the repeats with the spread "
        "(min-max); each ratio is ours / the baseline measured in the same run on the same "
        "servers, alternating with ours.",
        "",
        "## Machine",
        "",
        *(f"- {line}" for line in machine.lines()),
        f"- Load average at start: {load[0]}",
        f"- Load average at end: {load[1]}",
        "",
        "The machine is shared: other work running at the same time slows ours and the "
        "baseline alike only on average, so read the spreads before the medians.",
        "",
        "## Results",
        "",
        _md(HEADER),
        _md(tuple("---" for _ in HEADER)),
        *(_md(_row(f)) for f in _ordered(results)),
        "",
        "## Details per benchmark",
        "",
    ]
    for figure in _ordered(results):
        out.append(f"### {figure.benchmark}")
        out.append("")
        out.append(f"- Measured: {figure.measure}")
        out.append(f"- Baseline: {figure.baseline_name}")
        out.extend(f"- {note}" for note in figure.notes)
        out.append("")
    out += [
        "## How to read the diagnostics",
        "",
        "- *Database sessions*: `pg_stat_activity` of the database under load, sampled every "
        "50 ms; shares of the non-idle sessions. A lock wait names the lock; \"waiting for the "
        "client's next statement\" is a transaction open while the Python process works or waits "
        "for the CPU.",
        "- *Service CPU per request*: the service process's CPU time (from `/proc`) during the "
        "measurement window divided by the requests completed in it. One process runs one "
        "event loop, so 1000 ms divided by it bounds the requests per second that process "
        "can serve.",
        "- *CPU per request or event, by process* (benchmarks 2 and 3): the CPU time of each "
        "process taking part (from `/proc`: the service or this process, and the PostgreSQL "
        "server and Kafka broker with every process they started, exited ones included) over "
        "the window, divided by what completed in it. Their sum, spread over all the machine's "
        "cores with none ever idle, bounds the rate: a figure past that bound cannot be reached "
        "on this machine by running more processes, only by doing less work per request.",
        "- *The projection's CPU work alone* (benchmark 2): the bare consumer's read plus what "
        "the projection does to each event before any write (its data validated against its "
        "contract, its facts derived). A rebuild does this in one Python process, so its rate "
        "bounds a rebuild's whatever the database costs.",
        "- *A redemption's round trips* (benchmark 3): the bare service answers a third "
        "endpoint that makes as many round trips to PostgreSQL as one redemption (trivial "
        "SELECTs and the same INSERT in one transaction) and does nothing else. Its rate is "
        "the most a redemption could reach with that many round trips; what separates it from "
        "the redemptions' rate is the service's own work per request.",
        "- *PostgreSQL per event* (benchmark 5a): cluster-wide counters of `pg_stat_bgwriter` "
        "and `pg_stat_wal` before and after each rebuild, divided by its events. Buffers taken "
        "into the cache are misses of the 128 MB shared cache (or new pages); a full-page image "
        "is a whole page written to the WAL on its first change after a checkpoint. Work per "
        "event that grows with the size of the read model makes a rebuild slower than linear.",
        "- *CPU profiles*: cProfile with a CPU clock (waiting excluded), shares of self time; "
        "cProfile's own overhead inflates Python-heavy code, so read them as a ranking.",
        "",
        "## Resident memory (RSS, MiB)", "", _md(("service", "at rest", "peak under load",
            "load")), _md(("---",) * 4)]  # fmt: skip
    memory = results.memory
    for name, rest in memory.at_rest.items():
        peak = memory.under_load.get(name)
        out.append(_md((name, f"{rest:.0f}", f"{peak:.0f}" if peak else "-",
                        memory.load.get(name, "-"))))  # fmt: skip
    out += [""] + [f"- {line}" for line in results.memory_notes] if results.memory_notes else []
    if results.missing:
        out += ["", "## Not measured", ""]
        out += [f"- {gap.benchmark}: {gap.reason}" for gap in results.missing]
    out += ["", "## Durations", ""]
    out += [f"- {name}: {s:.0f} s" for name, s in results.durations.items()]
    out += [
        "",
        "## Commands",
        "",
        "```sh",
        ".venv/bin/python -m bench           # the full suite (5 repeats; about 15-20 minutes)",
        ".venv/bin/python -m bench --quick   # the quick form CI runs (2 repeats, small sizes)",
        ".venv/bin/python -m bench.first_paint  # benchmark 6 alone (--quick: 300 people)",
        "```",
        "",
        "The suite starts its own PostgreSQL and Kafka on free ports (nothing of `make up` is "
        "touched), runs the services as processes and writes this file.",
        "",
    ]
    return "\n".join(out)
