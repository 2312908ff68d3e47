"""Progress of long steps (reading thousands of workbooks, writing templates): a counter on the
terminal when there is one, and a log line at every tenth, so that CI logs and run logs get ten lines,
never one per file. Plain Python: the `antq template` command uses it without Dagster.

Inside a Dagster step, stderr is captured into the step's log file, so the terminal is not fd 2 there:
`antq build` hands the ingestion asset a duplicate of its terminal's descriptor through TERMINAL_FD_ENV.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import contextmanager

TERMINAL_FD_ENV = "ANTQ_PROGRESS_FD"
REDRAW_EVERY_S = 0.1  # at most ten terminal redraws a second


def terminal_fd() -> int | None:
    """The descriptor of the terminal to draw on: the one `antq build` handed over, else stderr
    when it is a terminal, else None."""
    handed = os.environ.get(TERMINAL_FD_ENV)
    for fd in ([int(handed)] if handed and handed.isdigit() else []) + [2]:
        try:
            if os.isatty(fd):
                return fd
        except OSError:
            continue
    return None


def reporter(message: str, log: Callable[[str], None] | None = None, fd: int | None = -1) -> Callable[[int, int], None]:
    """progress(done, total) for `message`, a format string with {done} and {total} (e.g.
    "Đang đọc {done}/{total} tệp"): redrawn on the terminal `fd` (default: terminal_fd(); None: no
    terminal), and passed to `log` each time another tenth is done (the last at 100 %)."""
    fd = terminal_fd() if fd == -1 else fd
    state = {"tenth": -1, "drawn": 0.0}

    def progress(done: int, total: int) -> None:
        text = message.format(done=done, total=total)
        finished = done >= total
        if fd is not None:
            now = time.monotonic()
            if finished or now - state["drawn"] >= REDRAW_EVERY_S:
                state["drawn"] = now
                os.write(fd, ("\r" + text + ("\n" if finished else "")).encode("utf-8"))
        tenth = (10 * done) // max(total, 1)
        if log is not None and tenth != state["tenth"]:
            state["tenth"] = tenth
            log(text)

    return progress


@contextmanager
def hand_terminal_to_steps():
    """For `antq build`: when stderr is a terminal, let the steps draw on it (see module docstring)."""
    if not os.isatty(2):
        yield
        return
    fd = os.dup(2)
    previous = os.environ.get(TERMINAL_FD_ENV)
    os.environ[TERMINAL_FD_ENV] = str(fd)
    try:
        yield
    finally:
        os.close(fd)
        if previous is None:
            os.environ.pop(TERMINAL_FD_ENV, None)
        else:
            os.environ[TERMINAL_FD_ENV] = previous
