"""The machine a run measured: hardware, software versions and how busy it was."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import asyncpg

from deploy.local.kafka import KAFKA_VERSION

LIBRARIES = ("asyncpg", "aiokafka", "fastapi", "uvicorn", "uvloop", "eventsourcing", "psycopg")


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory_gib: float
    system: str
    python: str
    postgres: str
    kafka: str
    libraries: str

    def lines(self) -> list[str]:
        return [
            f"CPU: {self.cpu}, {self.cores} cores",
            f"Memory: {self.memory_gib:.1f} GiB",
            f"System: {self.system}",
            f"Python: {self.python}",
            f"PostgreSQL: {self.postgres}",
            f"Kafka: {self.kafka}",
            f"Libraries: {self.libraries}",
        ]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


async def describe(postgres_url: str) -> Machine:
    conn = await asyncpg.connect(postgres_url)
    try:
        server = str(await conn.fetchval("SHOW server_version"))
        fsync = str(await conn.fetchval("SHOW fsync"))
    finally:
        await conn.close()
    return Machine(
        cpu=_cpu(),
        cores=os.cpu_count() or 0,
        memory_gib=_memory_gib(),
        system=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        postgres=f"{server} (fsync={fsync}, local cluster started by the suite)",
        kafka=f"Apache Kafka {KAFKA_VERSION} (KRaft, single node, started by the suite)",
        libraries=", ".join(f"{name} {version(name)}" for name in LIBRARIES),
    )
