"""Sign-off of a period: who approved which release, who reopened it and why.

The log of a period is OUT/.approvals/PERIOD.jsonl, beside the published folders: OUT/PERIOD is a link that
every build switches to a new folder (reports.atomic_folder), so nothing kept inside it survives a build,
while OUT/.approvals/ is never touched by a build; and what is approved is the published set in OUT/, not
the warehouse (which can be rebuilt from the inbox at any time), so the record stays with what it is about
and travels with a copy of OUT/. One JSON object a line, appended (one write, fsync) and never rewritten:

    {"action": "approve"|"reopen", "by": NAME, "at": ISO time with the local offset,
     "release": N, "manifest_sha256": SHA-256 of the bytes of OUT/PERIOD/manifest.json, "reason": TEXT|null}

The state of a period is its last event: approved after "approve", open after "reopen" or with no event.
While a period is approved, `period_release` refuses to replace its published set (`check_can_publish`).
Plain Python: the CLI (`antq approve`, `antq reopen`), the release asset and the auditors' page read it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import unicodedata
from pathlib import Path

LOG_DIR = ".approvals"
APPROVE, REOPEN = "approve", "reopen"
MANIFEST = "manifest.json"
LOCK_WAIT_S = 60  # an approval and a publication of one period take turns; each holds the lock briefly


class ApprovalError(Exception):
    """Why `antq approve` / `antq reopen` refused, as one Vietnamese line."""


class PeriodApproved(Exception):
    """A build may not replace the published set of an approved period; the message names the approval."""


def log_path(out_dir: str | os.PathLike, period: str) -> Path:
    return Path(out_dir) / LOG_DIR / f"{period}.jsonl"


@contextlib.contextmanager
def lock(out_dir: str | os.PathLike, period: str):
    """One writer of a period's sign-off at a time: an approval never slips between the release's check
    and its switch of OUT/PERIOD, and two approvals of one release cannot both pass."""
    from filelock import FileLock, Timeout

    folder = Path(out_dir) / LOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(folder / f"{period}.lock"), timeout=LOCK_WAIT_S):
            yield
    except Timeout as exc:
        raise ApprovalError(
            f"nhật ký phê duyệt kỳ {period} đang bị một tiến trình khác giữ quá {LOCK_WAIT_S} giây"
        ) from exc


def history(out_dir: str | os.PathLike, period: str) -> list[dict]:
    """Every event of the period, oldest first ([] before the first approval). A line cut short (the machine
    stopped during its write, so it was never acknowledged) is not an event; any other unreadable line is
    an error, never skipped: skipping an approval would unlock the period."""
    path = log_path(out_dir, period)
    if not path.is_file():
        return []
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    events = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line.decode("utf-8"))
            if event.get("action") not in (APPROVE, REOPEN):
                raise ValueError(event.get("action"))
        except (ValueError, UnicodeDecodeError, AttributeError) as exc:
            if not line.rstrip().endswith(b"}"):
                continue  # an append cut short (every whole event ends with "}"): never acknowledged
            raise ApprovalError(f"nhật ký phê duyệt {path} hỏng ở dòng {number}: sửa hoặc khôi phục tệp này") from exc
        events.append(event)
    return events


def approved(events: list[dict]) -> dict | None:
    """The approval in force (the last event when it is an approval), else None."""
    return events[-1] if events and events[-1]["action"] == APPROVE else None


def describe(event: dict) -> str:
    """An event in one Vietnamese phrase: who, when, which release."""
    verb = "phê duyệt" if event["action"] == APPROVE else "mở lại"
    text = f"{verb} bởi {event['by']} lúc {_time_text(event['at'])} (lần phát hành số {event['release']})"
    return f"{text}, lý do: {event['reason']}" if event.get("reason") else text


def state_text(events: list[dict]) -> str:
    """The period's sign-off state for people: approved / reopened / never approved."""
    if not events:
        return "chưa phê duyệt"
    return ("đã phê duyệt" if events[-1]["action"] == APPROVE else "đã mở lại") + f": {describe(events[-1])}"


def metadata(events: list[dict]) -> dict:
    """The sign-off as plain metadata values (the release asset and the UI's observation)."""
    last = events[-1] if events else {}
    return {
        "approval_state": {APPROVE: "đã phê duyệt", REOPEN: "đã mở lại"}.get(last.get("action"), "chưa phê duyệt"),
        "approval_by": last.get("by") or "",
        "approval_at": last.get("at") or "",
        "approval_release": last.get("release") or 0,
        "approval_reason": last.get("reason") or "",
        "approval_events": len(events),
    }


def markdown(events: list[dict]) -> str:
    """The history as a Markdown table, oldest first."""
    if not events:
        return "Kỳ này chưa được phê duyệt lần nào."
    lines = ["| Việc | Người | Lúc | Lần phát hành | SHA-256 manifest.json | Lý do |", "|---|---|---|---:|---|---|"]
    for e in events:
        cells = [
            "phê duyệt" if e["action"] == APPROVE else "mở lại",
            e["by"],
            _time_text(e["at"]),
            str(e["release"]),
            f"`{e['manifest_sha256'][:12]}…`",
            e.get("reason") or "",
        ]
        lines.append("| " + " | ".join(" ".join(str(c).split()).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def published(out_dir: str | os.PathLike, period: str) -> tuple[int, str]:
    """The release number and the manifest's SHA-256 of the period's published set."""
    path = Path(out_dir) / period / MANIFEST
    if not path.is_file():
        raise ApprovalError(f"kỳ {period} chưa có bộ tệp công bố trong {Path(out_dir)}: chạy antq build {period} trước")
    data = path.read_bytes()
    try:
        number = int(json.loads(data.decode("utf-8"))["release"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ApprovalError(f"không đọc được số lần phát hành trong {path}") from exc
    return number, hashlib.sha256(data).hexdigest()


def approve(out_dir: str | os.PathLike, period: str, by: str, *, now: dt.datetime | None = None) -> dict:
    """Record that `by` approved the published release of `period`; refused when nothing is published or
    the period is already approved."""
    by = _name(by, "--by")
    published(out_dir, period)  # refused before anything is created under OUT
    with lock(out_dir, period):
        release, sha = published(out_dir, period)
        current = approved(history(out_dir, period))
        if current:
            raise ApprovalError(
                f"kỳ {period} đã được {describe(current)}; muốn phê duyệt lại thì chạy antq reopen {period} trước"
            )
        return _append(out_dir, period, _event(APPROVE, by, release, sha, None, now))


def reopen(out_dir: str | os.PathLike, period: str, by: str, reason: str, *, now: dt.datetime | None = None) -> dict:
    """Record that `by` reopened the approved `period` for `reason`: the next build publishes again."""
    by, reason = _name(by, "--by"), _name(reason, "--reason")
    not_approved = f"kỳ {period} chưa được phê duyệt (hoặc đã được mở lại): không có gì để mở lại"
    if not approved(history(out_dir, period)):
        raise ApprovalError(not_approved)  # before anything is created under OUT
    with lock(out_dir, period):
        current = approved(history(out_dir, period))
        if not current:
            raise ApprovalError(not_approved)
        try:
            release, sha = published(out_dir, period)
        except ApprovalError:  # the published folder was removed by hand: the reopening names the approved one
            release, sha = current["release"], current["manifest_sha256"]
        return _append(out_dir, period, _event(REOPEN, by, release, sha, reason, now))


def check_can_publish(out_dir: str | os.PathLike, period: str) -> list[dict]:
    """Called by the release, under `lock`, before it replaces OUT/PERIOD: raises PeriodApproved while the
    period is approved; returns the period's history (for the manifest) otherwise."""
    events = history(out_dir, period)
    current = approved(events)
    if current:
        raise PeriodApproved(
            f"kỳ {period} đã được {describe(current)}: không thay bộ tệp đang công bố "
            f"(kho dữ liệu đã được cập nhật); muốn công bố lại thì chạy "
            f'antq reopen {period} --by "HỌ TÊN" --reason "LÝ DO" rồi chạy lại antq build'
        )
    return events


def for_report(folder: str | os.PathLike, period: str) -> dict:
    """Key `approvals` of the auditors' report (reports.auditors.collect): the period's history. `folder`
    is the run's stage folder OUT/.builds/PERIOD/<run>, the public OUT/PERIOD or OUT itself. A damaged log
    is shown as no history here; the release refuses to publish over it."""
    try:
        return {"approvals": history(out_root(folder, period), period)}
    except ApprovalError:
        return {"approvals": []}


def out_root(folder: str | os.PathLike, period: str) -> Path:
    """OUT, from a folder of the period's files."""
    folder = Path(folder)
    if folder.parent.name == period and folder.parent.parent.name == ".builds":
        return folder.parent.parent.parent
    return folder.parent if folder.name == period else folder


def _name(text: str, option: str) -> str:
    """A name or reason as one clean line (NFC, single spaces); empty is refused."""
    text = " ".join(unicodedata.normalize("NFC", text or "").split())
    if not text:
        raise ApprovalError(f"{option} không được để trống")
    return text


def _event(action: str, by: str, release: int, sha: str, reason: str | None, now: dt.datetime | None) -> dict:
    at = (now or dt.datetime.now()).astimezone().isoformat(timespec="seconds")
    return {"action": action, "by": by, "at": at, "release": release, "manifest_sha256": sha, "reason": reason}


def _append(out_dir: str | os.PathLike, period: str, event: dict) -> dict:
    """One line, one write(2) in append mode, on disk before the command says it is done."""
    path = log_path(out_dir, period)
    line = (json.dumps(event, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and not _ends_with_newline(path, size):
            os.write(fd, b"\n")  # after a cut-short line: this event starts on its own line
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        _sync_dir(path.parent)
    return event


def _ends_with_newline(path: Path, size: int) -> bool:
    with open(path, "rb") as fh:
        fh.seek(size - 1)
        return fh.read(1) == b"\n"


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _time_text(iso: str) -> str:
    """An event's ISO time as people read it: 30/11/2026 10:45."""
    try:
        return dt.datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError):
        return str(iso)
