"""Speed of the whole `antq build`, at several province sizes: the one place the speed targets are checked.

    python -m benchmarks.build [--sizes 124,600,2500,10575] [--repeat K] [--no-cold] [--ui | --no-ui]
                               [--cache var/bench] [--json var/bench/build-results.json] [--regenerate]
                               [--timeout-per-build 900] [--keep-scratch]

What is measured, for each size N (communes; benchmarks/province.py writes the province once and keeps it
under --cache, N<size>/, reused while its complete.json marker is there):
  - cold: `antq build 2021-H1` as a subprocess on a new warehouse, out folder and DAGSTER_HOME;
  - warm: the same command again on the same warehouse (same inputs);
  - the floor (benchmarks/floor.py): a calamine read of every sheet of every workbook, one DuckDB insert
    per table and the marts' aggregations in plain SQL - the irreducible work of turning the inbox into
    the figures;
  - at the largest size, incremental: one commune workbook written again with another household figure,
    then the build timed (as a share of the warm build);
  - with the UI run (default: at the smallest size only; --ui: every size; --no-ui: none): `dagster dev`
    on 127.0.0.1, job build_period launched for 2021-H1 through GraphQL, on the warm warehouse, against
    the CLI's warm build.

How to read the table. Per size: the floor; cold and warm totals and their ratios to the floor; then
wall seconds and peak memory (MiB) of each stage of the cold and the warm build. Stages come from the
Dagster instance after the run: each step (register, inbox,
warehouse_models, data_docs, report_documents, ...; steps under 0.3 s at every size are summed as "other
steps"), "startup" (process start to the first step: imports, the register check, loading the
definitions - its "definitions load" part is what the CLI prints - and starting the run), "between/after
steps" and "outside steps" (= total - the steps). Peak memory is the whole process tree's (the antq
process, dbt, the parser workers), sampled every 50 ms and attributed to the step running at the time:
RSS summed over the processes (what the targets were set on; it counts a page shared after a fork
once per process, so a fork shows as a spike) and PSS (shared pages split: what the tree really holds).
Then each stage's growth from one size to the next, next to the data's growth: "!" marks a stage growing
more than 1.07 x the data (superlinear), for stages over 0.5 s at the larger size. Then the targets,
with ✓ / ✗. With --repeat K every figure is the median of K runs (the incremental and the UI run are
measured once). It is a measurement, not a test: it always exits 0. The machine may be shared: read
the load average printed at the top.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from benchmarks import procmem, province
from benchmarks.dagster_ui import UiRunError, ui_run
from benchmarks.floor import measure_floor
from catalog import REPO

PERIOD = province.PERIOD
DEFAULT_SIZES = (124, 600, 2500, 10575)
DEFAULT_CACHE = REPO / "var" / "bench"
MiB = 1024 * 1024
GiB = 1024 * MiB
SHOWN_STEP_S = 0.3  # a step under this at every size is summed into "other steps"
NOISE_S = 0.5  # growth is flagged only for stages over this at the larger size
SUPERLINEAR = 1.07  # flagged when stage growth > this x data growth

STARTUP, DEFINITIONS, OTHER, BETWEEN, OUTSIDE, TOTAL = (
    "startup (to 1st step)",
    "  of which definitions load",
    "other steps",
    "between/after steps",
    "outside steps",
    "total",
)


# --- one build --------------------------------------------------------------------------------------


@dataclass
class Build:
    """One `antq build` subprocess: wall times (s) and peak memory (bytes) per stage."""

    kind: str
    ok: bool = False
    error: str | None = None
    total: float = 0.0
    definitions: float | None = None
    startup: float | None = None
    between: float | None = None
    outside: float | None = None
    steps: dict[str, float] = field(default_factory=dict)
    step_order: list[str] = field(default_factory=list)
    peak_rss: int = 0
    peak_pss: int | None = None
    stage_rss: dict[str, int] = field(default_factory=dict)
    stage_pss: dict[str, int] = field(default_factory=dict)
    run_id: str | None = None


@dataclass
class Scratch:
    """Where one cold+warm pair writes: its own DAGSTER_HOME, out folder and warehouse."""

    root: Path
    inbox: Path
    register: Path

    @property
    def home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "warehouse.duckdb"


def dagster_yaml() -> str:
    """The project's instance settings that shape a run (concurrency, run queue), without telemetry."""
    config: dict = {}
    project = REPO / "dagster_home" / "dagster.yaml"
    if project.is_file():
        loaded = yaml.safe_load(project.read_text(encoding="utf-8")) or {}
        config = {k: v for k, v in loaded.items() if k in ("concurrency", "run_queue", "run_coordinator")}
    config["telemetry"] = {"enabled": False}
    return yaml.safe_dump(config, sort_keys=False)


def new_scratch(parent: Path, inbox: Path, register: Path) -> Scratch:
    parent.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="run-", dir=parent))
    scratch = Scratch(root, inbox, register)
    scratch.home.mkdir(parents=True)
    (scratch.home / "dagster.yaml").write_text(dagster_yaml(), encoding="utf-8")
    return scratch


def antq_command(s: Scratch) -> list[str]:
    script = Path(sys.executable).parent / "antq"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "orchestration.cli"]
    return head + [
        "build",
        PERIOD,
        "--inbox",
        str(s.inbox),
        "--register",
        str(s.register),
        "--out",
        str(s.out),
        "--warehouse",
        str(s.warehouse),
    ]


def _clean_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTQ_")}
    env["DAGSTER_HOME"] = str(home)
    return env


def run_build(kind: str, s: Scratch, timeout: float) -> Build:
    """Run the build, sampling the process tree's memory; then read its steps from the instance."""
    build = Build(kind)
    started_epoch, started = time.time(), time.perf_counter()
    proc = subprocess.Popen(
        antq_command(s),
        cwd=REPO,
        env=_clean_env(s.home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    with procmem.TreeSampler(proc.pid) as sampler:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            build.total = time.perf_counter() - started
            build.error = f"timed out after {timeout:.0f} s: gave up"
            return build
    build.total = time.perf_counter() - started
    if proc.returncode != 0:
        lines = [ln for ln in (stderr or stdout or "").strip().splitlines() if ln.strip()]
        build.error = f"exit {proc.returncode}: " + (lines[-1] if lines else "(no output)")
        return build
    build.ok = True
    found = re.search(r"nạp định nghĩa ([0-9.]+) s", stdout)
    build.definitions = float(found.group(1)) if found else None
    run_prefix = re.search(r"\(run ([0-9a-f]+)\)", stdout)
    build.run_id, windows = step_windows(s.home, run_prefix.group(1) if run_prefix else None)
    attribute(build, windows, started_epoch, sampler.samples)
    return build


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def step_windows(home: Path, run_prefix: str | None) -> tuple[str | None, dict[str, tuple[float, float]]]:
    """The run (the one the CLI named, else the latest in the instance at `home`) and its steps:
    step key -> (start, end) epoch seconds."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(limit=5)
        run = next((r for r in runs if run_prefix and r.run_id.startswith(run_prefix)), runs[0] if runs else None)
        if run is None:
            return None, {}
        return run.run_id, {
            st.step_key: (st.start_time, st.end_time)
            for st in instance.get_run_step_stats(run.run_id)
            if st.start_time and st.end_time
        }


def _union_length(windows: list[tuple[float, float]]) -> float:
    total, end = 0.0, None
    for a, b in sorted(windows):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def attribute(
    build: Build, windows: dict[str, tuple[float, float]], started: float, samples: list[tuple[float, int, int | None]]
) -> None:
    """Stage times from the step windows; each memory sample to the stage running when it was taken."""
    build.steps = {k: b - a for k, (a, b) in windows.items()}
    build.step_order = sorted(windows, key=lambda k: windows[k][0])
    first = min((a for a, _ in windows.values()), default=started + build.total)
    build.startup = first - started
    build.outside = build.total - _union_length(list(windows.values()))
    build.between = build.outside - build.startup
    ordered = sorted(windows.items(), key=lambda kv: kv[1][0])
    for t, rss, pss in samples:
        stage = next((k for k, (a, b) in ordered if a <= t <= b), None)
        stage = stage or (STARTUP if t < first else BETWEEN)
        build.stage_rss[stage] = max(build.stage_rss.get(stage, 0), rss)
        build.peak_rss = max(build.peak_rss, rss)
        if pss is not None:
            build.stage_pss[stage] = max(build.stage_pss.get(stage, 0), pss)
            build.peak_pss = max(build.peak_pss or 0, pss)


def median_build(builds: list[Build]) -> Build | None:
    """The median of each figure over the successful builds (None when none succeeded)."""
    ok = [b for b in builds if b.ok]
    if not ok:
        return None
    if len(ok) == 1:
        return ok[0]

    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    keys = list(dict.fromkeys(k for b in ok for k in b.step_order))
    rss_keys = set(k for b in ok for k in b.stage_rss)
    pss_keys = set(k for b in ok for k in b.stage_pss)
    peak_pss = med(b.peak_pss for b in ok)
    return Build(
        kind=ok[0].kind,
        ok=True,
        total=med(b.total for b in ok),
        definitions=med(b.definitions for b in ok),
        startup=med(b.startup for b in ok),
        between=med(b.between for b in ok),
        outside=med(b.outside for b in ok),
        steps={k: med(b.steps.get(k) for b in ok) for k in keys},
        step_order=keys,
        peak_rss=int(med(b.peak_rss for b in ok)),
        peak_pss=int(peak_pss) if peak_pss is not None else None,
        stage_rss={k: int(med(b.stage_rss.get(k) for b in ok)) for k in rss_keys},
        stage_pss={k: int(med(b.stage_pss.get(k) for b in ok)) for k in pss_keys},
    )


# --- one size ---------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    n: int
    info: dict
    floor: dict | None = None
    cold: list[Build] = field(default_factory=list)
    warm: list[Build] = field(default_factory=list)
    prime: Build | None = None  # the unmeasured first build of --no-cold
    incremental: Build | None = None
    ui: dict | None = None
    gave_up: str | None = None

    @property
    def cold_median(self) -> Build | None:
        return median_build(self.cold)

    @property
    def warm_median(self) -> Build | None:
        return median_build(self.warm)


def link_tree(src: Path, dst: Path) -> None:
    """dst: hard links to every file of src (a copy where linking fails), file times kept."""
    for dirpath, _, filenames in os.walk(src):
        target = dst / Path(dirpath).relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            try:
                os.link(Path(dirpath, name), target / name)
            except OSError:
                shutil.copy2(Path(dirpath, name), target / name)


def remove_stale_scratch(cache: Path) -> None:
    """Scratch folders left by an interrupted benchmark (their process is gone) are removed."""
    for folder in cache.glob("scratch-N*-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _say(text: str) -> None:
    print(text, flush=True)


def _build_line(n: int, b: Build) -> str:
    if not b.ok:
        return f"  N={n} {b.kind}: FAILED after {b.total:.1f} s - {b.error}"
    return (
        f"  N={n} {b.kind}: {b.total:.1f} s (definitions {b.definitions or 0:.1f} s), "
        f"peak RSS {b.peak_rss / MiB:.0f} MiB, PSS {_mib(b.peak_pss, 0).strip()} MiB"
    )


def measure_size(n: int, args, *, largest: bool, smallest: bool) -> SizeResult:
    folder, info = province.ensure_generated(n, args.cache, regenerate=args.regenerate, log=_say)
    result = SizeResult(n, info)
    _say(f"N={n}: {info['workbooks']} workbooks in {folder}")
    work = args.cache / f"scratch-N{n}-{os.getpid()}"
    inbox, register = work / "inbox", folder / "register"
    link_tree(folder / "inbox", inbox)
    try:
        floors = [measure_floor(inbox, register) for _ in range(args.repeat)]
        result.floor = asdict(min(floors, key=lambda f: f.seconds)) | {
            "seconds": statistics.median(f.seconds for f in floors)
        }
        _say(f"  N={n} floor: {result.floor['seconds']:.2f} s")
        scratch = _cold_and_warm(n, args, result, work, inbox, register)
        if scratch is None:
            return result
        want_ui = args.ui if args.ui is not None else smallest
        if want_ui:
            result.ui = _ui(n, args, scratch)
        if largest:
            result.incremental = _incremental(n, args, scratch)
    finally:
        if args.keep_scratch:
            _say(f"  N={n}: warehouses, outputs and Dagster homes kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return result


def _cold_and_warm(n: int, args, result: SizeResult, work: Path, inbox: Path, register: Path) -> Scratch | None:
    """Cold then warm builds (K pairs, or one unmeasured first build then K warm with --no-cold);
    the scratch of the last pair, or None when a build failed or timed out."""
    scratch = None
    for _ in range(1 if args.no_cold else args.repeat):
        scratch = new_scratch(work, inbox, register)
        first = run_build("prime" if args.no_cold else "cold", scratch, args.timeout_per_build)
        _say(_build_line(n, first))
        if args.no_cold:
            result.prime = first
        else:
            result.cold.append(first)
        if not first.ok:
            result.gave_up = f"{first.kind} build: {first.error}"
            return None
        for _ in range(args.repeat if args.no_cold else 1):
            warm = run_build("warm", scratch, args.timeout_per_build)
            _say(_build_line(n, warm))
            result.warm.append(warm)
            if not warm.ok:
                result.gave_up = f"warm build: {warm.error}"
                return None
    return scratch


def _incremental(n: int, args, s: Scratch) -> Build:
    """One commune corrects a household figure (its workbook written again, same path), then a build."""
    register = province.read_register(s.register)
    commune = register.all_communes[len(register.all_communes) // 3]
    province.rewrite_commune(s.register, s.inbox, commune["code"], extra_households=17)
    build = run_build("incremental", s, args.timeout_per_build)
    _say(_build_line(n, build) + f" (commune {commune['code']} changed)")
    return build


def _ui(n: int, args, s: Scratch) -> dict:
    try:
        run = ui_run(
            home=s.home,
            inbox=s.inbox,
            register=s.register,
            out=s.out,
            warehouse=s.warehouse,
            partition=PERIOD,
            log_file=s.root / "dagster_dev.log",
            timeout=args.timeout_per_build,
        )
    except (UiRunError, OSError) as exc:
        _say(f"  N={n} UI run: FAILED - {exc}")
        return {"ok": False, "error": str(exc)}
    _say(
        f"  N={n} UI run: {run.status}, launch to end {run.launch_to_end_s:.1f} s "
        f"(run {run.run_s or 0:.1f} s, queued {run.queued_s or 0:.1f} s; server ready in {run.server_start_s:.1f} s)"
    )
    return {"ok": run.status == "SUCCESS", **asdict(run)}


# --- the report -------------------------------------------------------------------------------------


def _s(v: float | None, width: int = 7) -> str:
    return f"{v:{width}.1f}" if v is not None else " " * (width - 1) + "-"


def _mib(v: int | None, width: int = 8) -> str:
    return f"{v / MiB:{width},.0f}" if v else " " * (width - 1) + "-"


def shown_steps(results: list[SizeResult]) -> list[str]:
    """Steps at or over SHOWN_STEP_S in some build, in the order they ran in the largest build."""
    order: list[str] = []
    big: dict[str, float] = {}
    for r in sorted(results, key=lambda r: -r.n):
        for b in [*r.cold, *r.warm, *([r.incremental] if r.incremental else [])]:
            if b.ok:
                order += [k for k in b.step_order if k not in order]
                for k, v in b.steps.items():
                    big[k] = max(big.get(k, 0.0), v)
    return [k for k in order if big.get(k, 0.0) >= SHOWN_STEP_S]


def stages(b: Build | None, shown: list[str]) -> dict[str, tuple[float | None, int | None, int | None]]:
    """stage -> (seconds, peak RSS, peak PSS) with the small steps summed into OTHER."""
    if b is None:
        return {}

    def peak(table: dict[str, int], keys: list[str]) -> int | None:
        return max((table[k] for k in keys if k in table), default=None)

    def row(seconds, keys):
        return seconds, peak(b.stage_rss, keys), peak(b.stage_pss, keys)

    out = {STARTUP: row(b.startup, [STARTUP]), DEFINITIONS: (b.definitions, None, None)}
    for k in shown:
        out[k] = row(b.steps.get(k), [k])
    others = [k for k in b.steps if k not in shown]
    out[OTHER] = row(sum(b.steps[k] for k in others), others)
    out[BETWEEN] = row(b.between, [BETWEEN])
    out[OUTSIDE] = row(b.outside, [STARTUP, BETWEEN])
    out[TOTAL] = (b.total, b.peak_rss, b.peak_pss)
    return out


def label_width(shown: list[str]) -> int:
    return max(len(name) for name in [STARTUP, DEFINITIONS, *shown, OTHER, BETWEEN, OUTSIDE, TOTAL]) + 1


def size_block(r: SizeResult, shown: list[str]) -> list[str]:
    info = r.info
    lines = [f"N = {r.n:,} communes"]
    if info:
        lines[0] += (
            f": {info['workbooks']:,} workbooks ({info['districts']:,} districts, {info['villages']:,} "
            f"villages, {info['agencies']:,} agencies, {info['resubmissions']} resubmitted)"
        )
    f = r.floor
    if f:
        lines.append(
            f"  floor {f['seconds']:.2f} s (read {f['read_seconds']:.2f} s, insert {f['insert_seconds']:.2f} s, "
            f"SQL {f['sql_seconds']:.2f} s; {f['rows']:,} rows)"
        )
    cold, warm = r.cold_median, r.warm_median
    for label, b in (("cold", cold), ("warm", warm)):
        if b and f:
            lines.append(
                f"  {label} {b.total:7.1f} s = {b.total / f['seconds']:6.1f} x floor, "
                f"peak RSS {b.peak_rss / MiB:,.0f} MiB, PSS {_mib(b.peak_pss, 0).strip()} MiB"
            )
    if r.gave_up:
        lines.append(f"  GAVE UP on this size: {r.gave_up}")
    if not (cold or warm):
        return lines
    lw = label_width(shown)
    lines.append(
        f"  {'stage':{lw}} {'cold s':>7} {'RSS MiB':>8} {'PSS MiB':>8}   {'warm s':>7} {'RSS MiB':>8} {'PSS MiB':>8}"
    )
    cs, ws = stages(cold, shown), stages(warm, shown)
    for stage in dict.fromkeys([*cs, *ws]):
        c, w = cs.get(stage, (None,) * 3), ws.get(stage, (None,) * 3)
        lines.append(f"  {stage:{lw}} {_s(c[0])} {_mib(c[1])} {_mib(c[2])}   {_s(w[0])} {_mib(w[1])} {_mib(w[2])}")
    return lines


def growth_block(results: list[SizeResult], shown: list[str]) -> tuple[list[str], list[dict]]:
    ok = [r for r in results if r.cold_median or r.warm_median]
    if len(ok) < 2:
        return [], []
    pairs = list(zip(ok, ok[1:]))
    rows: list[dict] = []
    lw = label_width(shown)
    head = f"  {'stage':{lw}}" + "".join(f" {f'{a.n}→{b.n} (data x{b.n / a.n:.2f})':>26}" for a, b in pairs)
    sub = f"  {'':{lw}}" + "".join(f" {'cold':>12} {'warm':>13}" for _ in pairs)
    lines = [
        "Growth per stage: time at the larger N / time at the smaller N "
        f"(! = more than {SUPERLINEAR} x the data's growth, stage over {NOISE_S} s at the larger N)",
        head,
        sub,
    ]
    names = [STARTUP, DEFINITIONS, *shown, OTHER, BETWEEN, OUTSIDE, TOTAL]
    for stage in names:
        cells = []
        for a, b in pairs:
            data = b.n / a.n
            for kind in ("cold", "warm"):
                sa = stages(getattr(a, f"{kind}_median"), shown).get(stage, (None,))[0]
                sb = stages(getattr(b, f"{kind}_median"), shown).get(stage, (None,))[0]
                if not sa or sb is None or sa <= 0:
                    cells.append(f"{'-':>12}")
                    continue
                g = sb / sa
                flag = sb > NOISE_S and g > SUPERLINEAR * data
                rows.append(
                    {
                        "stage": stage.strip(),
                        "kind": kind,
                        "from": a.n,
                        "to": b.n,
                        "data_ratio": data,
                        "growth": g,
                        "seconds_from": sa,
                        "seconds_to": sb,
                        "superlinear": flag,
                    }
                )
                cells.append(f"{g:11.2f}{'!' if flag else ' '}")
        lines.append(f"  {stage:{lw}}" + "".join(f" {cells[i]} {cells[i + 1]:>13}" for i in range(0, len(cells), 2)))
    flagged = [r for r in rows if r["superlinear"]]
    lines.append(
        "  superlinear: "
        + (
            ", ".join(
                f"{r['stage']} ({r['kind']}, {r['from']}→{r['to']}: x{r['growth']:.2f} vs data x{r['data_ratio']:.2f})"
                for r in flagged
            )
            or "none"
        )
    )
    return lines, rows


def _target(
    label: str, measured: float | None, limit: float, unit: str, fmt: str = "{:.1f}", missing: str = "not measured"
) -> dict:
    ok = measured is not None and measured <= limit
    shown = (fmt.format(measured) + unit) if measured is not None else missing
    mark = "✓" if ok else ("✗" if measured is not None or missing != "not measured" else "·")
    return {
        "target": label,
        "limit": limit,
        "measured": measured,
        "ok": ok if measured is not None else None,
        "line": f"  {label:44} ≤ {fmt.format(limit) + unit:>10}   measured {shown:>14}  {mark}",
    }


def targets(results: list[SizeResult]) -> list[dict]:
    by_n = {r.n: r for r in results}

    def total(n: int, kind: str) -> float | None:
        r = by_n.get(n)
        b = getattr(r, f"{kind}_median") if r else None
        return b.total if b else None

    def missing(n: int) -> str:
        return "gave up" if by_n.get(n) and by_n[n].gave_up else "not measured"

    out = [
        _target("demo (N=124) cold", total(124, "cold"), 30, " s", missing=missing(124)),
        _target("demo (N=124) warm", total(124, "warm"), 15, " s", missing=missing(124)),
        _target("N=10,575 cold", total(10575, "cold"), 180, " s", missing=missing(10575)),
        _target("N=10,575 warm", total(10575, "warm"), 60, " s", missing=missing(10575)),
    ]
    big = by_n.get(10575)
    builds = [b for b in ([big.cold_median, big.warm_median, big.incremental] if big else []) if b and b.ok]
    rss = [b.peak_rss for b in builds]
    pss = [b.peak_pss for b in builds if b.peak_pss is not None]
    out.append(_target("N=10,575 peak memory, process tree RSS", max(rss) / GiB if rss else None, 2, " GiB", "{:.2f}"))
    out.append(_target("N=10,575 peak memory, process tree PSS", max(pss) / GiB if pss else None, 2, " GiB", "{:.2f}"))
    for kind in ("cold", "warm"):
        a, b = total(2500, kind), total(10575, kind)
        out.append(_target(f"growth 2,500→10,575, {kind} total", b / a if a and b else None, 4.5, " x", "{:.2f}"))
    defs = [b.definitions for r in results for b in (r.cold_median, r.warm_median) if b and b.definitions is not None]
    out.append(_target("definitions load (worst size, median)", max(defs) if defs else None, 3, " s"))
    largest = max(
        (r for r in results if r.incremental and r.incremental.ok and r.warm_median), key=lambda r: r.n, default=None
    )
    share = largest.incremental.total / largest.warm_median.total * 100 if largest else None
    out.append(
        _target(f"incremental republish / warm (N={f'{largest.n:,}' if largest else '?'})", share, 20, " %", "{:.0f}")
    )
    for r in results:
        if r.ui and r.ui.get("ok") and r.warm_median:
            ratio = r.ui["launch_to_end_s"] / r.warm_median.total
            out.append(_target(f"UI-launched run / CLI warm (N={r.n:,})", ratio, 1.5, " x", "{:.2f}"))
        elif r.ui:
            failed = _target(f"UI-launched run / CLI warm (N={r.n})", None, 1.5, " x", "{:.2f}")
            failed["line"] = failed["line"].replace("not measured", "run FAILED").rstrip("·") + "✗"
            out.append(failed)
    return out


def report(results: list[SizeResult], header: list[str]) -> tuple[list[str], dict]:
    shown = shown_steps(results)
    lines = [*header, ""]
    for r in results:
        lines += size_block(r, shown) + [""]
    growth_lines, growth = growth_block(results, shown)
    if growth_lines:
        lines += growth_lines + [""]
    for r in results:
        if r.incremental:
            b, w = r.incremental, r.warm_median
            if b.ok and w:
                lines.append(
                    f"Incremental republish at N={r.n:,} (one commune workbook changed): {b.total:.1f} s "
                    f"= {b.total / w.total * 100:.0f} % of the warm build ({w.total:.1f} s); steps: "
                    + ", ".join(f"{k} {v:.1f}" for k, v in sorted(b.steps.items(), key=lambda kv: -kv[1])[:5])
                )
            else:
                lines.append(f"Incremental republish at N={r.n:,}: FAILED - {b.error}")
        if r.ui and r.ui.get("ok") and r.warm_median:
            u = r.ui
            w = r.warm_median.total
            lines.append(
                f"UI-launched run at N={r.n:,} (dagster dev, GraphQL launchRun): launch to end "
                f"{u['launch_to_end_s']:.1f} s = {u['launch_to_end_s'] / w:.2f} x the CLI warm build "
                f"({w:.1f} s); the run's own start→end {u['run_s'] or 0:.1f} s = {(u['run_s'] or 0) / w:.2f} x, "
                f"after {u['queued_s'] or 0:.1f} s queued/starting; server ready in {u['server_start_s']:.1f} s"
            )
        elif r.ui:
            lines.append(f"UI-launched run at N={r.n:,}: FAILED - {r.ui.get('error') or r.ui.get('status')}")
    checks = targets(results)
    lines += ["", "Targets"] + [c["line"] for c in checks]
    data = {
        "shown_steps": shown,
        "growth": growth,
        "targets": [{k: v for k, v in c.items() if k != "line"} for c in checks],
    }
    return lines, data


def header_lines(args) -> list[str]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        from importlib.metadata import version

        versions = ", ".join(f"{p} {version(p)}" for p in ("dagster", "dbt-core", "dbt-duckdb", "duckdb"))
    except Exception:  # noqa: BLE001 - only informative
        versions = "?"
    return [
        f"antq build benchmark, {PERIOD}: sizes {', '.join(map(str, args.sizes))}; repeat {args.repeat}"
        f"{' (medians)' if args.repeat > 1 else ''}; {cores} cores, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; Python {platform.python_version()}; {versions}; "
        f"memory from {procmem.SOURCE}"
    ]


# --- main -------------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(x.replace("_", "")) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are numbers separated by commas: {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("at least one size, each at least 1")
    return sizes


def parse_args(argv: list[str] | None):
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.build",
        description="Đo thời gian toàn bộ `antq build` ở nhiều cỡ tỉnh (build benchmark)",
    )
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="numbers of communes, comma separated (default 124,600,2500,10575)",
    )
    p.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help="generated provinces are kept here, N<size>/ (default var/bench)",
    )
    p.add_argument("--regenerate", action="store_true", help="write the provinces again even when cached")
    p.add_argument("--json", type=Path, default=None, help="results as JSON (default <cache>/build-results.json)")
    p.add_argument(
        "--no-cold",
        action="store_true",
        help="do not report cold builds: one unmeasured first build per size, then the warm ones",
    )
    p.add_argument(
        "--ui",
        dest="ui",
        action="store_true",
        default=None,
        help="a UI-launched run at every size (default: at the smallest size only)",
    )
    p.add_argument("--no-ui", dest="ui", action="store_false", help="no UI-launched run")
    p.add_argument("--repeat", type=int, default=1, help="runs of each measurement; medians are reported")
    p.add_argument(
        "--timeout-per-build",
        type=float,
        default=900,
        metavar="SECONDS",
        help="give up on a size when one of its builds takes longer (default 900)",
    )
    p.add_argument("--keep-scratch", action="store_true", help="keep the warehouses and outputs (under --cache)")
    args = p.parse_args(argv)
    args.cache = args.cache.resolve()
    args.json = (args.json or args.cache / "build-results.json").resolve()
    args.repeat = max(1, args.repeat)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    header = header_lines(args)
    _say(header[0])
    remove_stale_scratch(args.cache)
    results = []
    for n in args.sizes:
        try:
            result = measure_size(n, args, largest=n == args.sizes[-1], smallest=n == args.sizes[0])
        except Exception as exc:  # noqa: BLE001 - a measurement: report it and go on with the next size
            result = SizeResult(n, {}, gave_up=f"{type(exc).__name__}: {exc}")
            _say(f"  N={n}: gave up - {result.gave_up}")
        results.append(result)
        save_json(args.json, header, results, {})  # what is measured so far survives an interruption
    header = header + [f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}"]
    lines, data = report(results, header)
    _say("\n" + "\n".join(lines))
    save_json(args.json, header, results, data)
    _say(f"\nJSON: {args.json}")
    return 0


def save_json(path: Path, header: list[str], results: list[SizeResult], data: dict) -> None:
    sizes = [
        asdict(r)
        | {
            "cold_median": asdict(r.cold_median) if r.cold_median else None,
            "warm_median": asdict(r.warm_median) if r.warm_median else None,
        }
        for r in results
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"header": header, "sizes": sizes, **data}, indent=2, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    raise SystemExit(main())
