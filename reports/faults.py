"""Named points where the fault-injection tests kill a build (tests/test_faults.py).

`ANTQ_KILL_AT=<point>` makes the process that reaches that point end at once with SIGKILL, as a power
cut or the OOM killer would: no cleanup, no exception handler, no flushed buffer. Without the variable
a point costs one dictionary lookup."""

from __future__ import annotations

import os
import signal

KILL_AT_ENV = "ANTQ_KILL_AT"


def kill_point(name: str) -> None:
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
