"""`manage.py serve` keeps its processes running: whichever exits is started again with
backoff, and the log says so (issue 10, defect 2)."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from cchc.ops.supervisor import Child, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


@pytest.fixture
def supervisor() -> object:
    made: list[Supervisor] = []

    def make(*children: Child, **options: float) -> Supervisor:
        s = Supervisor(children, min_delay=0.1, max_delay=0.8, **options)
        made.append(s)
        return s

    yield make
    for s in made:
        s.terminate(timeout=5)


def test_a_killed_worker_is_started_again_and_the_log_says_so(
    supervisor: object, caplog: pytest.LogCaptureFixture
) -> None:
    worker = Child("job worker", SLEEPER)
    s = supervisor(worker, Child("web server", SLEEPER))  # type: ignore[operator]
    for child in s.children:
        s.spawn(child)
    first = worker.process.pid  # type: ignore[union-attr]
    caplog.set_level("INFO")

    os.kill(first, signal.SIGKILL)

    def restarted() -> bool:
        s.check()
        return len(worker.pids) == 2

    wait_for(restarted)
    assert worker.process.poll() is None and worker.pids[1] != first  # type: ignore[union-attr]
    assert s.children[1].pids == s.children[1].pids[:1]  # the other one was left alone
    assert f"job worker (pid {first}) killed by SIGKILL" in caplog.text
    assert "starting it again in 0 s (restart 1)" in caplog.text or "restart 1" in caplog.text


def test_a_process_that_keeps_failing_is_started_with_growing_delays(supervisor: object) -> None:
    crasher = Child("job worker", CRASHER)
    s = supervisor(crasher, healthy_after=60.0)  # type: ignore[operator]
    s.spawn(crasher)
    delays: list[float] = []
    deadline = time.monotonic() + 10
    while len(delays) < 5 and time.monotonic() < deadline:
        before = crasher.restarts
        s.check()
        if crasher.restarts != before:
            delays.append(crasher.delay)
        time.sleep(0.02)
    assert delays == [0.1, 0.2, 0.4, 0.8, 0.8]


def test_after_a_healthy_run_the_delay_starts_small_again(supervisor: object) -> None:
    crasher = Child("job worker", CRASHER)
    s = supervisor(crasher, healthy_after=60.0)  # type: ignore[operator]
    s.spawn(crasher)
    crasher.process.wait()  # type: ignore[union-attr]
    crasher.delay = 0.8  # it had been failing…
    crasher.started_at = time.monotonic() - 120  # …then ran two minutes before this exit
    s.check()
    assert crasher.delay == 0.1


def test_stopping_ends_every_child(supervisor: object) -> None:
    children = [Child("job worker", SLEEPER), Child("web server", SLEEPER)]
    s = supervisor(*children)  # type: ignore[operator]
    for child in children:
        s.spawn(child)
    s.stop()
    s.check()  # a stopping supervisor starts nothing again
    s.terminate(timeout=5)
    assert all(c.process.poll() is not None for c in children)  # type: ignore[union-attr]
    assert all(len(c.pids) == 1 for c in children)
