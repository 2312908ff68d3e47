"""Brings the raw tables in line with the inbox folder: every file found is recorded in raw.files
(ingested or rejected), new and changed files are parsed (in parallel for large batches), and the
rows of changed and removed files are replaced in one transaction.

Nothing in the inbox is skipped silently. Excel's lock files (`~$name.xlsx`, left while a workbook is
open), symbolic links (never followed: only real files inside the inbox are read) and anything that
is not a regular file are recorded as rejected (UNREADABLE_FILE) with their own reason, like a .txt
or a corrupt workbook. Dotfiles are treated as any other file.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import stat
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.reasons import reason
from ingestion.schema import CELL_ISSUES, FILES, submission_tables
from ingestion.warehouse import delete_source_files, ensure_raw_tables, insert_rows
from ingestion.workbook import INGESTED, UNREADABLE_FILE, ParsedFile, parse_many, sha256_of

SERIAL_BELOW = 32            # smaller batches are parsed in this process: a pool costs more than it saves
MAX_CHUNK = 64               # files per worker task
LOCK_FILE_PREFIX = "~$"
Progress = Callable[[int, int], None]
Task = tuple[str, str, str]  # (path, source_file, sha256)


@dataclass
class IngestSummary:
    """What one run did. `parsed` files were opened by the parser; `ingested` and `rejected` count
    this run's new or changed files by outcome (a lock file or symlink is rejected without being
    parsed); `unchanged` files kept their rows; `removed` files left the inbox and took their rows."""
    files_seen: int = 0
    parsed: int = 0
    unchanged: int = 0
    ingested: int = 0
    rejected: int = 0
    removed: int = 0
    rows_by_table: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class _Entry:
    path: Path
    source_file: str                   # relative to the inbox, "/" separators
    size_bytes: int | None
    modified_at: dt.datetime | None    # UTC, naive
    sha256: str | None = None
    rejection: str | None = None       # decided by the walk, before any parsing


def ingest_inbox(con, inbox_dir: str | os.PathLike, *, workers: int | None = None,
                 progress: Progress | None = None, reparse: bool = False) -> IngestSummary:
    """Ingest the inbox folder `inbox_dir` (searched recursively) into the raw tables of `con`.

    `workers`: parser processes (default os.cpu_count(); batches under SERIAL_BELOW files are parsed
    in this process). `progress(done, total)` is called as files are parsed. `reparse` parses every
    file again even when unchanged (after a parser or catalogue change)."""
    started = time.perf_counter()
    inbox = Path(inbox_dir)
    if not inbox.is_dir():
        raise NotADirectoryError(f"inbox folder not found: {inbox}")
    ensure_raw_tables(con)
    previous = dict(con.execute(f"SELECT source_file, file_sha256 FROM raw.{FILES}").fetchall())

    entries = _walk(inbox)
    summary = IngestSummary(files_seen=len(entries))
    seen = {e.source_file for e in entries}
    unchanged = {e.source_file for e in entries
                 if not reparse and e.sha256 is not None and previous.get(e.source_file) == e.sha256}
    todo = [e for e in entries if e.source_file not in unchanged]
    tasks = [(str(e.path), e.source_file, e.sha256) for e in todo if e.rejection is None]
    parsed = {p.source_file: p for p in _parse_all(tasks, workers, progress)}

    ingested_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows: dict[str, list[dict]] = {table: [] for table in submission_tables()}
    for entry in todo:
        result = parsed.get(entry.source_file) or ParsedFile(entry.source_file, entry.sha256).reject(
            UNREADABLE_FILE, entry.rejection)
        rows[FILES].append({
            "source_file": entry.source_file, "file_sha256": result.file_sha256,
            "size_bytes": entry.size_bytes, "modified_at": entry.modified_at,
            "status": result.status, "check_code": result.check_code, "reason": result.reason,
            "ingested_at": ingested_at, **result.cover,
        })
        for table, table_rows in result.rows.items():
            rows[table].extend(table_rows)
        rows[CELL_ISSUES].extend(result.cell_issues)
        if result.status == INGESTED:
            summary.ingested += 1
        else:
            summary.rejected += 1

    stale = sorted(source for source in previous if source not in unchanged)
    con.begin()
    try:
        for table in submission_tables():
            delete_source_files(con, table, stale)
        for table, table_rows in rows.items():
            summary.rows_by_table[table] = insert_rows(con, table, table_rows)
        con.commit()
    except BaseException:
        con.rollback()
        raise

    summary.parsed = len(tasks)
    summary.unchanged = len(unchanged)
    summary.removed = len(set(previous) - seen)
    summary.seconds = time.perf_counter() - started
    return summary


def _walk(inbox: Path) -> list[_Entry]:
    """Every entry of the inbox, sorted, with its SHA-256 when it is a regular file."""
    entries: list[_Entry] = []
    for dirpath, dirnames, filenames in os.walk(inbox, followlinks=False):
        dirnames.sort()
        linked_dirs = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(filenames + linked_dirs):
            path = Path(dirpath, name)
            entries.append(_entry(path, path.relative_to(inbox).as_posix()))
    entries.sort(key=lambda e: e.source_file)
    return entries


def _entry(path: Path, source_file: str) -> _Entry:
    try:
        info = path.lstat()
    except OSError as exc:
        return _Entry(path, source_file, None, None, rejection=reason("os_error", error=type(exc).__name__))
    entry = _Entry(path, source_file, info.st_size,
                   dt.datetime.fromtimestamp(info.st_mtime, dt.timezone.utc).replace(tzinfo=None))
    if stat.S_ISLNK(info.st_mode):
        entry.rejection = reason("symlink")
        return entry
    if not stat.S_ISREG(info.st_mode):
        entry.rejection = reason("not_regular")
        return entry
    try:
        entry.sha256 = sha256_of(path)
    except OSError as exc:
        entry.rejection = reason("os_error", error=type(exc).__name__)
        return entry
    if path.name.startswith(LOCK_FILE_PREFIX):
        entry.rejection = reason("lock_file")
    return entry


def _parse_all(tasks: list[Task], workers: int | None, progress: Progress | None,
               parse: Callable[[list[Task]], list[ParsedFile]] = parse_many) -> list[ParsedFile]:
    """ParsedFile of every task, in this process for small batches, else across worker processes."""
    workers = workers or os.cpu_count() or 1
    total = len(tasks)
    if workers <= 1 or total < SERIAL_BELOW:
        out = []
        for done, task in enumerate(tasks, 1):
            out.extend(parse([task]))
            if progress:
                progress(done, total)
        return out

    size = max(1, min(MAX_CHUNK, -(-total // (workers * 4))))
    chunks = [tasks[i:i + size] for i in range(0, total, size)]
    context = _mp_context()
    out: list[ParsedFile] = []
    broken: list[list[Task]] = []
    done = 0
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=context) as pool:
        futures = {pool.submit(parse, chunk): chunk for chunk in chunks}
        for future in as_completed(futures):
            chunk = futures[future]
            try:
                out.extend(future.result())
            except BrokenProcessPool:
                broken.append(chunk)       # a worker died: find the culprit file by file below
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                out.extend(_failed(task, reason("parser_error", error=type(exc).__name__))
                           for task in chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    for chunk in broken:
        for result in _parse_isolated(chunk, context, parse):
            out.append(result)
            done += 1
            if progress:
                progress(done, total)
    return out


def _parse_isolated(tasks: list[Task], context, parse) -> list[ParsedFile]:
    """Parse one file at a time in a single worker, so that a file killing its worker process (which
    no `except` can catch) is the only one recorded as unreadable."""
    out: list[ParsedFile] = []
    pool = None
    try:
        for task in tasks:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            try:
                out.extend(pool.submit(parse, [task]).result())
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = None
                out.append(_failed(task, reason("worker_crash")))
    finally:
        if pool is not None:
            pool.shutdown()
    return out


def _failed(task: Task, why: str) -> ParsedFile:
    _, source_file, sha = task
    return ParsedFile(source_file, sha).reject(UNREADABLE_FILE, why)


def _mp_context():
    """Workers come from a fork server that has imported only the parser: no copy of the caller's
    threads or open database, and no per-worker interpreter start-up after the first."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ingestion.workbook"])
    return context
