"""The dbt project as Dagster sees it, and the resource that runs `dbt build` for one half-year.

The manifest is prebuilt (`make setup`: `dagster-dbt project prepare-and-package --file
orchestration/dbt.py`). Importing this module or the definitions never parses dbt nor writes a file:
`require_manifest` only checks that the manifest is there and newer than the dbt sources, and says how to
prepare it otherwise. It is prepared explicitly by `make setup` (and `make ui`, `make test`), by `antq
build` before it loads the definitions (`ensure_manifest`), and under `dagster dev` (Dagster's
`prepare_if_dev` idiom: a model edited while the UI runs shows after "Reload definitions").

Why not dagster-dbt's DbtCliResource: before each invocation it runs `dbt --version` in a subprocess
(about 2.5 s here) and builds a dbt adapter in the calling process by loading every dbt macro (about
1.9 s), both only to offer row counts and column metadata that we take from DuckDB in one query. Running
the same `dbt build` ourselves and reading its run_results.json costs neither; the asset keys and check
keys still come from dagster-dbt's manifest translation (see orchestration/assets/warehouse.py).

The period reaches dbt as the environment variable ANTQ_PERIOD, not as `--vars`: dbt re-parses the whole
project when a var changes (seconds, at every switch between two periods), and only the models that read
an environment variable when that changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtProject

from catalog import REPO

DBT_DIR = REPO / "dbt_project"

# The dbt of this interpreter's environment, whether or not the venv is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

PARTIAL_PARSE = "partial_parse.msgpack"
# The warehouse as dbt sees it: a hard link with this name in a folder of its own (several warehouses of
# one folder share the dbt target folder), where dbt runs. dbt keeps
# its partial parse only while the profile's connection values are unchanged, the database path included;
# one relative name for every warehouse lets each new warehouse start from the prebuilt parse (make
# setup) instead of parsing the whole project again (3-4 s of every first build here).
DBT_WAREHOUSE_NAME = "warehouse.duckdb"
LAST_BUILD = "last_build.json"  # beside dbt's artefacts: the inputs and results of the last good build

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


@dataclass
class DbtBuildResult:
    """What one `dbt build` did: its exit code, run_results.json's results, and its log lines. `reused`:
    dbt did not run, because its inputs are those of the last successful build of this warehouse, whose
    results these are (finished at `built_at`)."""

    returncode: int
    results: list[dict]
    log: list[str]
    reused: bool = False
    built_at: str | None = None

    def first_error(self) -> str | None:
        for r in self.results:
            if r.get("status") in ("error", "fail", "runtime error"):
                message = (r.get("message") or r.get("status") or "").strip().splitlines()
                return f"{r['unique_id']}: {message[0] if message else r['status']}"
        errors = [line for line in self.log if "error" in line.lower()]
        return errors[-1].strip() if errors else None


class DbtBuild(dg.ConfigurableResource):
    """Runs `dbt build` of the project as a subprocess, one line of its log at a time to `echo`."""

    project_dir: str = str(DBT_DIR)
    executable: str = DBT_EXECUTABLE

    def build(
        self,
        period: str,
        target_path: Path,
        warehouse_path: str,
        inputs: DbtInputs | None = None,
        echo: Callable[[str], None] = print,
        meanwhile: Callable[[], None] | None = None,
        run_id: str | None = None,
    ) -> DbtBuildResult:
        """`dbt build` for `period`, unless `inputs` (see dbt_inputs) are those of the last successful
        build in `target_path` and its tables are all there: the models would be rebuilt from the same
        rows by the same SQL, so that build's results stand. `meanwhile` runs in a thread of this
        process while dbt runs in its own. `run_id` is the build findings_history records."""
        target_path = Path(target_path)
        state_file = target_path / f"{Path(warehouse_path).name}.{LAST_BUILD}"  # one per warehouse file
        fingerprint = inputs.fingerprint if inputs else None
        if inputs is not None and inputs.outputs_complete:
            last = _read_json(state_file)
            if last.get("fingerprint") == fingerprint:
                echo(f"dbt: đầu vào không đổi từ lần lập lúc {last['built_at']}; dùng lại kết quả")
                return DbtBuildResult(0, last["results"], [], reused=True, built_at=last["built_at"])
        state_file.unlink(missing_ok=True)  # a killed build must not leave the last state standing
        _seed_partial_parse(target_path)
        run_results = target_path / "run_results.json"
        run_results.unlink(missing_ok=True)
        args = [
            self.executable,
            "build",
            # seeds (the catalogues) are recreated, not truncated and reloaded: a catalogue that gained a
            # column in an upgrade would otherwise fail to load into the old table. The one incremental model,
            # findings_history, is configured full_refresh=false and keeps its rows.
            "--full-refresh",
            # dbt's unit tests check the SQL, not the data: `make test` runs them (tests/test_dbt_unit.py)
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            self.project_dir,
            "--profiles-dir",
            self.project_dir,
            "--target-path",
            str(target_path),
            # the terminal log is kept (by antq build, or in the run's captured stdout); dbt's own
            # debug file log would only repeat it more slowly
            "--log-level-file",
            "none",
        ]
        link_dir = target_path / f"{Path(warehouse_path).name}.dbt"
        linked = _link_for_dbt(Path(warehouse_path).resolve(), link_dir)
        env = {
            **os.environ,
            "ANTQ_PERIOD": period,
            "ANTQ_WAREHOUSE": DBT_WAREHOUSE_NAME if linked else str(Path(warehouse_path).resolve()),
            # the build findings_history records (not part of the fingerprint: see PER_BUILD_ENV)
            "ANTQ_RUN_ID": run_id or "",
            "ANTQ_BUILT_AT": dt.datetime.now().replace(microsecond=0).isoformat(sep=" "),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        log: list[str] = []
        try:
            returncode = self._run(args, link_dir if linked else Path(self.project_dir), env, log, echo, meanwhile)
        finally:
            if linked:
                _unlink_for_dbt(link_dir)
        results = _read_json(run_results).get("results", [])
        if returncode == 0 and fingerprint is not None:
            built_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            state_file.write_text(
                json.dumps({"fingerprint": fingerprint, "built_at": built_at, "results": [_slim(r) for r in results]}),
                encoding="utf-8",
            )
        return DbtBuildResult(returncode, results, log)

    @staticmethod
    def _run(args, cwd: Path, env: dict, log: list[str], echo, meanwhile) -> int:
        with subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        ) as proc:
            if meanwhile is not None:
                threading.Thread(target=meanwhile, name="dbt-meanwhile", daemon=True).start()
            for line in proc.stdout:
                log.append(line.rstrip("\n"))
                echo(line.rstrip("\n"))
        return proc.returncode


def _link_for_dbt(warehouse: Path, link_dir: Path) -> bool:
    """Make LINK_DIR/warehouse.duckdb a hard link to `warehouse` (see DBT_WAREHOUSE_NAME). A write-ahead log
    left there by a killed dbt is dropped: the warehouse file is whole at its last checkpoint, and the
    build state was removed before that dbt started, so the next build runs dbt again. False where a hard
    link cannot be made (another file system): dbt then gets the real path and parses in full."""
    link_dir.mkdir(parents=True, exist_ok=True)
    _unlink_for_dbt(link_dir)
    try:
        os.link(warehouse, link_dir / DBT_WAREHOUSE_NAME)
    except OSError:
        return False
    return True


def _unlink_for_dbt(link_dir: Path) -> None:
    for name in (DBT_WAREHOUSE_NAME, f"{DBT_WAREHOUSE_NAME}.wal"):
        (link_dir / name).unlink(missing_ok=True)


@dataclass(frozen=True)
class DbtInputs:
    fingerprint: str  # of everything a `dbt build` of the period reads
    outputs_complete: bool  # every model and seed has its table or view in the warehouse


def dbt_inputs(con, period: str) -> DbtInputs:
    """The fingerprint of everything a `dbt build` of `period` reads: the raw tables (row count and an
    order-free hash of their rows), the project's files (models, macros, tests, seeds, settings), the
    environment variables they read, and the dbt versions; and whether the warehouse holds every
    model's and seed's table (when one is missing, dbt must run whatever its inputs)."""
    manifest = _read_json(Path(dbt_project.manifest_path))
    expected = {
        n["alias"] or n["name"]
        for n in manifest.get("nodes", {}).values()
        if n.get("resource_type") in ("model", "seed")
    }
    present = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' "
            "union all select view_name from duckdb_views() where schema_name = 'main'"
        ).fetchall()
    }
    complete = bool(expected) and expected <= present
    digest = hashlib.sha256()
    digest.update(json.dumps([period, installed_version("dbt-core"), installed_version("dbt-duckdb")]).encode())
    for path in _project_files():
        text = path.read_bytes()
        digest.update(str(path.relative_to(DBT_DIR)).encode() + b"\0" + text)
        for name in _ENV_VAR.findall(text.decode("utf-8", "replace")):
            if name in PER_BUILD_ENV:
                continue
            digest.update(f"{name}={os.environ.get(name)}".encode())
    tables = [
        r[0]
        for r in con.execute("select table_name from duckdb_tables() where schema_name = 'raw' order by 1").fetchall()
    ]
    for table in tables:
        count, rows_hash = con.execute(f'select count(*), sum(hash(t)) from raw."{table}" t').fetchone()
        digest.update(f"{table}:{count}:{rows_hash}".encode())
    return DbtInputs(digest.hexdigest(), complete)


_ENV_VAR = re.compile(r"""env_var\(\s*['"]([A-Za-z0-9_]+)['"]""")
# Set anew by every build, read by findings_history only: a build whose other inputs are unchanged reuses
# the last results, so it is not counted in the history (it found the same findings).
PER_BUILD_ENV = frozenset({"ANTQ_RUN_ID", "ANTQ_BUILT_AT"})


def _project_files() -> list[Path]:
    files = [DBT_DIR / "dbt_project.yml", DBT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "tests", "seeds"):
        files.extend(p for p in (DBT_DIR / folder).rglob("*") if p.is_file())
    return sorted(files)


def _slim(result: dict) -> dict:
    """What a reused build reports of a node (not its compiled SQL)."""
    return {k: result.get(k) for k in ("unique_id", "status", "execution_time", "failures", "message")}


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _seed_partial_parse(target_path: Path) -> None:
    """A new warehouse starts from the project's prebuilt parse state (make setup), so its first build
    does not parse the whole project again."""
    prebuilt = Path(dbt_project.manifest_path).parent / PARTIAL_PARSE
    if prebuilt.exists() and not (target_path / PARTIAL_PARSE).exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copy2(prebuilt, target_path / PARTIAL_PARSE)


MAKE_SETUP_HINT = (
    "chạy `make setup` (hoặc `antq build ...`, hay `cd dbt_project && dagster-dbt project "
    "prepare-and-package --file ../orchestration/dbt.py`)"
)


class ManifestNotReady(RuntimeError):
    """The dbt manifest is missing or older than the dbt sources, outside the paths that prepare it."""


def _sources_newer_than(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    watched = [DBT_DIR / "dbt_project.yml", *(REPO / "catalog").glob("*.csv")]
    for folder in ("models", "macros", "tests"):
        watched.extend((DBT_DIR / folder).rglob("*"))
    return any(p.is_file() and p.stat().st_mtime > built for p in watched)


def _is_dagster_dev() -> bool:
    """`dagster dev` (and the code servers and run workers it starts) set DAGSTER_IS_DEV_CLI."""
    return bool(os.environ.get("DAGSTER_IS_DEV_CLI"))


def require_manifest() -> Path:
    """The manifest's path, when it is there and up to date; called when the dbt assets are defined.
    Reads file times only, except under `dagster dev`, where a missing or stale manifest is prepared
    (the development path, as dagster-dbt's `DbtProject.prepare_if_dev`). Otherwise a missing or stale
    manifest is an error that says how to prepare it: building assets from a manifest that does not
    match the dbt project would show (and wire) models that dbt no longer builds."""
    manifest = Path(dbt_project.manifest_path)
    if not _sources_newer_than(manifest):
        return manifest
    if _is_dagster_dev():
        return ensure_manifest()
    state = "chưa có" if not manifest.exists() else "cũ hơn mã nguồn dbt (models, macros, tests, catalog)"
    raise ManifestNotReady(f"manifest dbt {manifest} {state}: {MAKE_SETUP_HINT}")


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than its sources (writes
    dbt_project/target/). Explicit: `antq build` calls it before loading the definitions. One parse at a
    time: two builds starting together wait for each other, and the second finds the manifest fresh."""
    from filelock import FileLock

    manifest = Path(dbt_project.manifest_path)
    if not _sources_newer_than(manifest):
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(manifest.parent / "manifest.antq-parse.lock")):
        if _sources_newer_than(manifest):
            done = subprocess.run(
                [DBT_EXECUTABLE, "parse", "--quiet", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)],
                cwd=DBT_DIR,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                # the profile as DbtBuild gives it, so that the parse state is the one every build reuses
                env={**os.environ, "ANTQ_WAREHOUSE": DBT_WAREHOUSE_NAME, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
            )
            if done.returncode != 0:
                lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
                raise ManifestNotReady(f"dbt parse lỗi: {lines[-1].strip() if lines else done.returncode}")
    return manifest
