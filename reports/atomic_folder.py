"""Atomic publication of a period's folder.

OUT/PERIOD is a symbolic link to one complete build folder, OUT/.builds/PERIOD/<run id>/. A build writes
every file of the period into its own folder (`stage`), and the last step switches the link to it in one
rename (`switch`). A reader of OUT/PERIOD sees the old set or the new set, never a mix; a build that fails,
is killed or fills the disk leaves the published set as it was, and its unfinished folder is removed by a
later build. The previous published folder is kept one build longer, for readers that were inside it.

A period folder written by an antq from before this scheme (a real directory) is moved into
OUT/.builds/PERIOD/ at the first switch, never deleted.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from reports.faults import kill_point

BUILDS = ".builds"
IN_PROGRESS = ".in_progress"  # in a folder still being written: the writing process's id
KEPT_PREVIOUS = 1  # published folders kept besides the current one
# `make preview` writes pictures of the documents here (reports.preview); not published, and never carried
# into the next build, whose documents differ from those the pictures show
PREVIEW = "preview"
# folders a run writes whole (reports.feedback's phan_hoi/, expectations.run's data_docs/): a file of the
# previous set missing from them is one the run dropped, not one it did not rebuild
WRITTEN_WHOLE = {"data_docs", "phan_hoi"}


def builds_dir(out_dir: str | os.PathLike, period: str) -> Path:
    return Path(out_dir) / BUILDS / period


def public_dir(out_dir: str | os.PathLike, period: str) -> Path:
    """OUT/PERIOD: where people open the period's files (the link)."""
    return Path(out_dir) / period


def stage(out_dir: str | os.PathLike, period: str, build_id: str) -> Path:
    """The folder this build writes its files into (created on first use)."""
    folder = builds_dir(out_dir, period) / build_id
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / IN_PROGRESS).write_text(str(os.getpid()), encoding="ascii")
    return folder


def current(out_dir: str | os.PathLike, period: str) -> Path | None:
    """The folder OUT/PERIOD shows now, or None before the first publication."""
    link = public_dir(out_dir, period)
    return link.resolve() if link.exists() else None


def carry_forward(folder: Path, previous: Path | None) -> list[str]:
    """Give `folder` the files of the published set it did not write itself (a run that rebuilt only some
    assets publishes them beside the rest of the set). Returns the names carried. Release records under
    releases/ never change once written, so they are hard-linked rather than copied; a preview/ is left
    behind (pictures of the previous documents)."""
    if previous is None or previous == folder.resolve():
        return []
    carried = []
    for path in sorted(previous.rglob("*")):
        if not path.is_file() or path.name == IN_PROGRESS:
            continue
        relative = path.relative_to(previous)
        if relative.parts[0] == PREVIEW or relative.parts[0].startswith(f".{PREVIEW}-"):
            continue
        if relative.parts[0] in WRITTEN_WHOLE and (folder / relative.parts[0]).is_dir():
            continue  # the run wrote this folder whole: a file it did not write is no longer wanted
        target = folder / relative
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.parts[0] == "releases":
            try:
                os.link(path, target)
                continue
            except OSError:
                pass
        shutil.copy2(path, target)
        carried.append(relative.as_posix())
    return carried


def switch(out_dir: str | os.PathLike, period: str, folder: Path) -> None:
    """Make `folder` (complete) the published set of `period` in one atomic rename of the link."""
    out_dir, folder = Path(out_dir), Path(folder)
    _sync_tree(folder)  # the files are on disk before anyone can see them
    link = public_dir(out_dir, period)
    if link.is_dir() and not link.is_symlink():
        _adopt_legacy(out_dir, period)
    kill_point("publish:before_switch")
    temporary = out_dir / f".{period}.link-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(os.path.relpath(folder, out_dir), temporary)
    os.replace(temporary, link)  # rename(2): atomic, replaces the old link
    _sync_dir(out_dir)
    (folder / IN_PROGRESS).unlink(missing_ok=True)
    kill_point("publish:after_switch")
    remove_stale(out_dir, period)


def discard(out_dir: str | os.PathLike, period: str, folder: Path) -> None:
    """Remove a build folder that will not be published (its run was refused publication), and the
    period's other stale folders; the published one is never touched."""
    folder = Path(folder)
    if (
        folder.resolve() != current(out_dir, period)
        and folder.resolve().parent == builds_dir(out_dir, period).resolve()
    ):
        shutil.rmtree(folder, ignore_errors=True)
    remove_stale(out_dir, period)


def remove_stale(out_dir: str | os.PathLike, period: str) -> list[str]:
    """Remove the period's build folders no one needs: unfinished ones whose process is gone, and
    published ones older than the current and the KEPT_PREVIOUS before it."""
    root = builds_dir(out_dir, period)
    if not root.is_dir():
        return []
    live = current(out_dir, period)
    finished, removed = [], []
    for folder in root.iterdir():
        if not folder.is_dir() or folder == live:
            continue
        marker = folder / IN_PROGRESS
        if marker.exists():
            if not _alive(marker):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder.name)
        elif not folder.name.startswith("legacy-"):
            finished.append(folder)
    finished.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in finished[KEPT_PREVIOUS:]:
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder.name)
    return removed


def _adopt_legacy(out_dir: Path, period: str) -> None:
    """A real OUT/PERIOD directory (written in place by an older antq) moves under .builds/ unchanged."""
    root = builds_dir(out_dir, period)
    root.mkdir(parents=True, exist_ok=True)
    n = 1
    while (root / f"legacy-{n}").exists():
        n += 1
    os.rename(public_dir(out_dir, period), root / f"legacy-{n}")


def _alive(marker: Path) -> bool:
    try:
        pid = int(marker.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sync_tree(folder: Path) -> None:
    for root, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_dir(Path(root))


def _sync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot sync a directory
        if exc.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)
