"""Reliability: the whole system under load, faults and hostile input, with nothing lost.

`stack.py` runs the system as processes on free ports, `load.py` drives mixed commands from
concurrent clients, `faults.py` injects crashes, restarts and stalls, `ledger.py` checks that
every accepted command reached the store, Kafka and the projection exactly once, and
`report.py` writes RELIABILITY.md from the figures a run produced. `python -m reliability`
runs the suite (`--soak` for the longer form).
"""
