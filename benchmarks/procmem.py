"""Memory of a whole process tree, sampled from a thread while the tree runs.

The tree is the root plus every descendant (dbt subprocesses, parser workers). Each sample holds the
sum of their RSS and, on Linux, of their PSS (proportional set size). The RSS sum counts a page shared
by several processes once per process: a fork (a worker pool starting, a subprocess about to exec)
briefly shows its parent's whole RSS twice. The PSS sum splits shared pages between their sharers, so
it is what the tree really holds. Both are read from /proc (smaps_rollup, about 0.5 ms a process);
psutil, when installed, is used only where /proc cannot be read, and then gives RSS only.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

try:  # optional: not in requirements.lock
    import psutil
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None

HAVE_PROC = Path("/proc/self/smaps_rollup").is_file()
SOURCE = "/proc smaps_rollup" if HAVE_PROC else ("psutil (RSS only)" if psutil else "none")


def _children(pid: int) -> list[int]:
    """Direct children of `pid` from /proc/PID/task/*/children (every thread may have forked)."""
    kids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tasks:
        try:
            kids += [int(x) for x in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
        except (OSError, ValueError):
            continue
    return kids


def _rss_pss(pid: int) -> tuple[int, int]:
    """(RSS, PSS) bytes of one process from /proc/PID/smaps_rollup; zeros when it is gone."""
    rss = pss = 0
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    for line in text.splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith("Pss:"):
            pss = int(line.split()[1]) * 1024
    return rss, pss


def tree_memory(pid: int) -> tuple[int, int | None]:
    """(RSS, PSS or None) bytes held by `pid` and all its descendants now; (0, None) when gone."""
    if HAVE_PROC:
        rss = pss = 0
        todo, seen = [pid], set()
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            r, s = _rss_pss(p)
            rss, pss = rss + r, pss + s
            todo += _children(p)
        return rss, pss
    if psutil is None:
        return 0, None
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, None
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total, None


class TreeSampler:
    """Samples (epoch seconds, tree RSS, tree PSS) of `pid` every `interval` seconds until stopped."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int, int | None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"memory-{pid}", daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.time()
            rss, pss = tree_memory(self.pid)
            if rss:
                self.samples.append((now, rss, pss))
            self._stop.wait(self.interval)
