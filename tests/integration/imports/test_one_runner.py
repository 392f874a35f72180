"""One process runs an import job at a time: a replica that starts while another runs the job
leaves it alone, and takes it once that one is gone (real PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest

from deploy.imports.store import JobStore, open_pool

pytestmark = pytest.mark.integration


async def test_a_job_is_run_by_one_process_at_a_time(database: str) -> None:
    first, second = JobStore(await open_pool(database)), JobStore(await open_pool(database))
    job = uuid.uuid4()
    try:
        async with first.running_alone(job) as mine:
            assert mine is True
            async with second.running_alone(job) as theirs:
                assert theirs is False  # the other replica leaves it alone
            async with second.running_alone(uuid.uuid4()) as other:
                assert other is True  # another job is free
        async with second.running_alone(job) as taken:
            assert taken is True  # the first is done with it: the job may be resumed
    finally:
        await first.pool.close()
        await second.pool.close()
