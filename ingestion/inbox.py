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
import re
import stat
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyarrow as pa

from ingestion.digest import sha256_of
from ingestion.reasons import reason
from ingestion.schema import CELL_ISSUES, FILES, submission_tables
from ingestion.warehouse import arrow_table, delete_source_files, ensure_raw_tables, insert_arrow
from ingestion.workbook import INGESTED, UNREADABLE_FILE, ParsedFile, parse_many

SERIAL_BELOW = 32  # smaller batches are parsed in this process: a pool costs more than it saves
MAX_CHUNK = 32  # files per worker task at most; smaller tasks even out the workers' ends
LOCK_FILE_PREFIX = "~$"
Progress = Callable[[int, int], None]
Task = tuple[str, str, str | None]  # (path, source_file, sha256)


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
    source_file: str  # relative to the inbox, "/" separators
    size_bytes: int | None
    modified_at: dt.datetime | None  # UTC, naive
    sha256: str | None = None
    rejection: str | None = None  # decided by the walk, before any parsing


def ingest_inbox(
    con,
    inbox_dir: str | os.PathLike,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    reparse: bool = False,
    row_limits: dict[str, int] | None = None,
) -> IngestSummary:
    """Ingest the inbox folder `inbox_dir` (searched recursively) into the raw tables of `con`.

    `workers`: parser processes (default: the usable cores; batches under SERIAL_BELOW files are
    parsed in this process). `progress(done, total)` is called as files are parsed. `reparse` parses
    every file again, even unchanged ones (after a parser or catalogue change). `row_limits`: rows
    read at most per sheet (ingestion.workbook.register_row_limits; default the catalogue's floors)."""
    started = time.perf_counter()
    inbox = Path(inbox_dir)
    if not inbox.is_dir():
        raise NotADirectoryError(f"inbox folder not found: {inbox}")
    ensure_raw_tables(con)
    previous = dict(con.execute(f"SELECT source_file, file_sha256 FROM raw.{FILES}").fetchall())

    entries = walk(inbox)
    summary = IngestSummary(files_seen=len(entries))
    seen = {e.source_file for e in entries}
    unchanged = {
        e.source_file
        for e in entries
        if not reparse and e.sha256 is not None and previous.get(e.source_file) == e.sha256
    }
    todo = [e for e in entries if e.source_file not in unchanged]
    tasks = [(str(e.path), e.source_file, e.sha256) for e in todo if e.rejection is None]

    outcomes: dict[str, ParsedFile] = {}
    arrow: dict[str, list[pa.Table]] = {}
    for chunk in _parse_all(tasks, workers, progress, row_limits=row_limits):
        outcomes.update((p.source_file, p) for p in chunk.files)
        for table, rows in chunk.tables.items():
            arrow.setdefault(table, []).append(rows)
    files = _file_rows(todo, outcomes)
    if files:  # an unchanged inbox builds no table (the first Arrow conversion imports pandas: ~1 s)
        arrow[FILES] = [arrow_table(FILES, files)]

    stale = sorted(source for source in previous if source not in unchanged)
    summary.rows_by_table = _replace_rows(con, stale, arrow)
    summary.parsed = len(tasks)
    summary.unchanged = len(unchanged)
    summary.ingested = sum(row["status"] == INGESTED for row in files)
    summary.rejected = len(files) - summary.ingested
    summary.removed = len(set(previous) - seen)
    summary.seconds = time.perf_counter() - started
    return summary


def _file_rows(todo: list[_Entry], outcomes: dict[str, ParsedFile]) -> list[dict]:
    """raw.files rows of this run's new and changed files, parsed or rejected by the walk."""
    ingested_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = []
    for entry in todo:
        outcome = outcomes.get(entry.source_file) or ParsedFile(entry.source_file, entry.sha256).reject(
            UNREADABLE_FILE, entry.rejection
        )
        rows.append(
            {
                "source_file": entry.source_file,
                "file_sha256": outcome.file_sha256,
                "size_bytes": entry.size_bytes,
                "modified_at": entry.modified_at,
                "status": outcome.status,
                "check_code": outcome.check_code,
                "reason": outcome.reason,
                "ingested_at": ingested_at,
                **outcome.cover,
            }
        )
    return rows


def _replace_rows(con, stale: list[str], arrow: dict[str, list[pa.Table]]) -> dict[str, int]:
    """In one transaction, delete the rows of `stale` source files from every submission table and
    insert the new ones; return the rows inserted per table."""
    inserted = {}
    con.begin()
    try:
        for table in submission_tables():
            delete_source_files(con, table, stale)
            batches = arrow.get(table)
            inserted[table] = insert_arrow(con, table, pa.concat_tables(batches)) if batches else 0
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return inserted


@dataclass
class ParsedChunk:
    """The answer for a batch of files: each file's outcome and cover (its rows moved out), and the
    rows of every raw table as Arrow, which crosses the process boundary as buffers, not objects."""

    files: list[ParsedFile]
    tables: dict[str, pa.Table]


def parse_chunk(tasks: list[Task], row_limits: dict[str, int] | None = None) -> ParsedChunk:
    """Parse (path, source_file, sha256) tasks: the unit of work of a worker process."""
    return _as_chunk(parse_many(tasks, row_limits))


def _as_chunk(results: list[ParsedFile]) -> ParsedChunk:
    rows: dict[str, list[dict]] = {}
    for result in results:
        for table, table_rows in result.rows.items():
            rows.setdefault(table, []).extend(table_rows)
        rows.setdefault(CELL_ISSUES, []).extend(result.cell_issues)
        result.rows, result.cell_issues = {}, []
    return ParsedChunk(results, {table: arrow_table(table, r) for table, r in rows.items() if r})


def walk(inbox: Path) -> list[_Entry]:
    """Every entry of the inbox, sorted, with its SHA-256 when it is a regular file."""
    entries: list[_Entry] = []
    for dirpath, dirnames, filenames in os.walk(inbox, followlinks=False):
        dirnames.sort()
        linked_dirs = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(filenames + linked_dirs):
            path = Path(dirpath, name)
            entries.append(_entry(path, source_name(path.relative_to(inbox).as_posix())))
    entries.sort(key=lambda e: e.source_file)
    return entries


def source_name(relative: str) -> str:
    """The source_file of a path relative to the inbox: the path itself when its name is valid UTF-8.

    A name that is not (a Windows zip with Vietnamese names unpacked on Linux leaves its bytes in the
    old code page) reaches Python with lone surrogates, which no UTF-8 table, CSV or log accepts. Its
    undecodable bytes are written as \\xNN escapes and the rest decoded: unlike U+FFFD, this keeps
    two such names apart, gives the same text at every build (so the unchanged-file check holds) and
    can be turned back into the bytes (real_path). The file itself is always opened by its real path."""
    try:
        relative.encode("utf-8")
        return relative
    except UnicodeEncodeError:
        return os.fsencode(relative).decode("utf-8", "backslashreplace")


_ESCAPED_BYTE = re.compile(rb"\\x([0-9a-f]{2})")


def real_path(path: str | os.PathLike) -> Path:
    """The file that the inbox folder joined with a source_file names (source_name undone): the path as
    written when it exists, else with its \\xNN escapes turned back into the bytes they stand for."""
    path = Path(path)
    if "\\x" not in str(path) or os.path.lexists(path):
        return path
    return Path(os.fsdecode(_ESCAPED_BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), os.fsencode(path))))


def _entry(path: Path, source_file: str) -> _Entry:
    try:
        info = path.lstat()
    except OSError as exc:
        return _Entry(path, source_file, None, None, rejection=reason("os_error", error=type(exc).__name__))
    entry = _Entry(
        path, source_file, info.st_size, dt.datetime.fromtimestamp(info.st_mtime, dt.UTC).replace(tzinfo=None)
    )
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


def _parse_all(
    tasks: list[Task],
    workers: int | None,
    progress: Progress | None,
    parse: Callable[[list[Task]], ParsedChunk] = parse_chunk,
    row_limits: dict[str, int] | None = None,
) -> list[ParsedChunk]:
    """Every task parsed: in this process for small batches, else in chunks across worker processes."""
    if row_limits is not None:
        parse = partial(parse, row_limits=row_limits)  # picklable: it goes to the workers
    workers = workers or _usable_cores()
    total = len(tasks)
    if workers <= 1 or total < SERIAL_BELOW:
        results = []
        for done, task in enumerate(tasks, 1):
            results.extend(parse_many([task], row_limits))
            if progress:
                progress(done, total)
        return [_as_chunk(results)]

    size = max(1, min(MAX_CHUNK, -(-total // (workers * 8))))
    batches = [tasks[i : i + size] for i in range(0, total, size)]
    # pyarrow imports pandas the first time it converts Python objects; doing it once here, before
    # the workers are forked, spares each of them the import
    arrow_table(CELL_ISSUES, [])
    context = _mp_context()
    out: list[ParsedChunk] = []
    broken: list[list[Task]] = []
    done = 0
    with ProcessPoolExecutor(max_workers=min(workers, len(batches)), mp_context=context) as pool:
        with _forking():
            futures = {pool.submit(parse, batch): batch for batch in batches}
        for future in as_completed(futures):
            batch = futures[future]
            try:
                out.append(future.result())
            except BrokenProcessPool:
                broken.append(batch)  # a worker died: find the culprit file by file below
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                out.append(
                    _as_chunk([_failed(task, reason("parser_error", error=type(exc).__name__)) for task in batch])
                )
            done += len(batch)
            if progress:
                progress(done, total)
    for batch in broken:
        for chunk in _parse_isolated(batch, context, parse):
            out.append(chunk)
            done += 1
            if progress:
                progress(done, total)
    return out


def _parse_isolated(tasks: list[Task], context, parse) -> list[ParsedChunk]:
    """Parse one file at a time in a single worker, so that a file killing its worker process (which
    no `except` can catch) is the only one recorded as unreadable; a new worker takes over."""
    out: list[ParsedChunk] = []
    pool = None
    try:
        for task in tasks:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            try:
                with _forking():
                    future = pool.submit(parse, [task])
                out.append(future.result())
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = None
                out.append(_as_chunk([_failed(task, reason("worker_crash"))]))
    finally:
        if pool is not None:
            pool.shutdown()
    return out


def _failed(task: Task, why: str) -> ParsedFile:
    _, source_file, sha = task
    return ParsedFile(source_file, sha).reject(UNREADABLE_FILE, why)


def _usable_cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def _forking():
    """Submitting to a pool forks its workers: Python 3.12+ warns on every fork of a threaded
    process, which _mp_context explains is safe here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning)
        yield


def _mp_context():
    """Workers are forked where the platform allows it (Linux): they start in milliseconds with the
    parser already imported, and they never re-import the caller's main module, which a fork server
    or spawned worker does (a Dagster or `antq` process would import Dagster again in every worker).
    A forked worker only runs the parser: it never touches the caller's DuckDB connection or threads,
    whose locks are the usual hazard of forking a threaded process."""
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
