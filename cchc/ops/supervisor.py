"""A small process supervisor for `manage.py serve`: starts the web server and the job worker,
starts again whichever exits (with backoff: 1 s doubling to 30 s while it keeps failing fast,
back to 1 s once it ran a minute), says so in the log, and stops both on SIGTERM or Ctrl+C.

In production systemd does the same job (`deploy/systemd/*.service`, `Restart=always`); this
is what the embedded platform and a plain `serve` under any other init rely on.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger("cchc.ops.supervisor")


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    env: dict[str, str] | None = None
    cwd: str | None = None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    delay: float = 0.0
    restart_at: float | None = None
    pids: list[int] = field(default_factory=list)


def _how(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


class Supervisor:
    def __init__(
        self,
        children: Sequence[Child],
        *,
        min_delay: float = 1.0,
        max_delay: float = 30.0,
        healthy_after: float = 60.0,
        poll: float = 0.2,
    ) -> None:
        self.children = list(children)
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.healthy_after = healthy_after
        self.poll = poll
        self.stopping = False

    def spawn(self, child: Child) -> None:
        env = {**os.environ, **child.env} if child.env else None
        child.process = subprocess.Popen(list(child.argv), env=env, cwd=child.cwd)
        child.started_at = time.monotonic()
        child.restart_at = None
        child.pids.append(child.process.pid)
        logger.info("serve: %s started (pid %s)", child.name, child.process.pid)

    def check(self, now: float | None = None) -> None:
        """One round: notice exits, schedule restarts, perform those that are due."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            if child.process is None or self.stopping:
                continue
            code = child.process.poll()
            if code is None:
                continue
            if child.restart_at is None:
                ran = now - child.started_at
                child.delay = (
                    self.min_delay
                    if ran >= self.healthy_after or not child.delay
                    else min(child.delay * 2, self.max_delay)
                )
                child.restart_at = now + child.delay
                child.restarts += 1
                logger.error(
                    "serve: %s (pid %s) %s after %.0f s; starting it again in %.0f s (restart %s)",
                    child.name,
                    child.process.pid,
                    _how(code),
                    ran,
                    child.delay,
                    child.restarts,
                )
            elif now >= child.restart_at:
                self.spawn(child)

    def stop(self, *_args: object) -> None:
        self.stopping = True

    def run(self) -> int:
        """Until SIGTERM, SIGINT or SIGHUP; then stop the children (SIGTERM, then SIGKILL)."""
        previous = {
            sig: signal.signal(sig, self._on_signal)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        }
        try:
            for child in self.children:
                self.spawn(child)
            while not self.stopping:
                self.check()
                time.sleep(self.poll)
        finally:
            self.terminate()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        logger.info("serve: %s received, stopping", signal.Signals(signum).name)
        self.stopping = True

    def terminate(self, timeout: float = 20.0) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.error(
                    "serve: pid %s did not stop in %.0f s; killing it", process.pid, timeout
                )
                process.kill()
                process.wait()
