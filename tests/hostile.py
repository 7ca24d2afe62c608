"""Running the CLI as a hostile user would: in its own process (group), with resource limits,
measuring wall time, CPU time and peak memory, and checking the answer is one line."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

SECONDS = 5.0  # the bound on any hostile run
MEGABYTES = 500.0


@dataclass
class Run:
    code: int
    out: str
    err: str
    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss_mb: float  # peak resident memory of the process

    def refused(self) -> str:
        """Assert the run was a clean refusal (non-zero, one line, no traceback, bounded); its line.

        A chart's problems are one line each (``file:line:column: error: …``); its first is returned."""
        assert self.code not in (0, -signal.SIGKILL), (self.code, self.err)
        self.bounded()
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert "Traceback" not in self.err, self.err
        assert len(lines) == 1 or all(re.match(r".+:\d+:\d+: error: ", line) for line in lines), self.err
        return lines[0]

    def bounded(self) -> None:
        assert "Traceback" not in self.err, self.err
        assert self.wall < SECONDS and self.cpu < SECONDS, (self.wall, self.cpu)
        assert self.rss_mb < MEGABYTES, self.rss_mb


def run_cli(args: list[str], cwd: str | None = None, fsize: int | None = None, timeout: float = 30.0,
            env: dict[str, str] | None = None, stdin: int | None = subprocess.DEVNULL,
            before: Callable[[], None] | None = None) -> Run:
    """``backline ARGS`` in a new session; ``fsize`` caps the size of any file it writes (RLIMIT_FSIZE).

    The process is killed after ``timeout`` (a hang shows as a long wall time and SIGKILL).
    """

    def limits() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        if before is not None:
            before()

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        p = subprocess.Popen([sys.executable, "-m", "backline", *args], stdout=out, stderr=err, stdin=stdin,
                             cwd=cwd, env={**os.environ, **(env or {})}, preexec_fn=limits, start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(p.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Run(p.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def tree(folder: str) -> dict[str, int]:
    """Every file under ``folder`` (relative path -> size): what a run left behind."""
    found = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            found[os.path.relpath(path, folder)] = os.path.getsize(path)
    return found
