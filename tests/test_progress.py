"""Progress of long steps: a counter redrawn on a terminal, ten log lines whatever the count, nothing
per file where there is no terminal."""

from __future__ import annotations

import os
import pty

from orchestration import progress

MESSAGE = "Đang đọc {done}/{total} tệp"


def _read_all(fd: int) -> str:
    out = b""
    os.set_blocking(fd, False)
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return out.decode("utf-8")
        if not chunk:
            return out.decode("utf-8")
        out += chunk


def test_the_log_gets_a_line_per_tenth_whatever_the_count():
    lines: list[str] = []
    report = progress.reporter(MESSAGE, log=lines.append, fd=None)
    for done in range(1, 11001):
        report(done, 11000)
    assert len(lines) == 11  # the start, then each tenth up to 100 %
    assert lines[0] == "Đang đọc 1/11000 tệp" and lines[-1] == "Đang đọc 11000/11000 tệp"
    assert "Đang đọc 1100/11000 tệp" in lines


def test_a_terminal_gets_a_counter_redrawn_in_place_and_ended_by_a_newline():
    master, terminal = pty.openpty()
    try:
        report = progress.reporter(MESSAGE, fd=terminal)
        for done in range(1, 201):
            report(done, 200)
        shown = _read_all(master)
    finally:
        os.close(terminal)
        os.close(master)
    frames = shown.replace("\r\n", "\n").split("\r")[1:]
    assert frames[0] == "Đang đọc 1/200 tệp"
    assert frames[-1] == "Đang đọc 200/200 tệp\n"
    assert "\n" not in "".join(frames[:-1])  # one line, redrawn
    assert len(frames) <= 200


def test_no_terminal_means_no_counter(monkeypatch):
    monkeypatch.delenv(progress.TERMINAL_FD_ENV, raising=False)
    read_end, write_end = os.pipe()
    try:
        monkeypatch.setenv(progress.TERMINAL_FD_ENV, str(write_end))  # a pipe handed over is not a terminal
        assert progress.terminal_fd() in (None, 2) and progress.terminal_fd() != write_end
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_terminal_handed_over_by_the_cli_is_used(monkeypatch):
    master, terminal = pty.openpty()
    try:
        monkeypatch.setenv(progress.TERMINAL_FD_ENV, str(terminal))
        assert progress.terminal_fd() == terminal
    finally:
        os.close(terminal)
        os.close(master)
