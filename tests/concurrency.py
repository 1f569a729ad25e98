"""Running work at the same moment in separate threads, each with its own database
connection, for tests of what must happen once under concurrency (PostgreSQL, in
`@pytest.mark.django_db(transaction=True)` tests)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

HOLD_SECONDS = 2.0

# Transactions that each commit, on a database whose writers overlap: SQLite takes
# its write lock when a transaction starts (cse.settings), so there they never do.
concurrent = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="writers overlap only on PostgreSQL"
    ),
]


def in_threads(*jobs: Callable[[], object]) -> tuple[list, list[BaseException]]:
    """Run each job in a thread of its own; return their results and errors."""
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job):
        try:
            results.append(job())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a job hung"
    return results, errors


def at_once(*jobs: Callable[[], object]) -> tuple[list, list[BaseException]]:
    """Run each job in its own thread and transaction, all starting together, each
    keeping its transaction open after its work until every other job has done its
    own. So every job makes its checks before any commits: the race a check-then-
    insert loses. A job that waits for another's uncommitted row (a unique index
    does) never gets that far; the others then commit after HOLD_SECONDS."""
    start = threading.Barrier(len(jobs))
    done = threading.Barrier(len(jobs), timeout=HOLD_SECONDS)

    def held(job):
        def run():
            start.wait()
            try:
                with transaction.atomic():
                    result = job()
                    with contextlib.suppress(threading.BrokenBarrierError):
                        done.wait()
                return result
            finally:
                done.abort()

        return run

    return in_threads(*(held(job) for job in jobs))
