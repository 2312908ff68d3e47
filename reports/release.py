"""Reproducible releases of a period's published files.

Each publication of a period is compared with the period's latest release. When its inputs (the inbox
files with their SHA-256, the register), its figures (indicators.csv) or its documents differ, it
becomes release n+1 under OUT/PERIOD/releases/<n>/ (manifest.json, a copy of indicators.csv and
dq_findings.csv, changes.md and changes.json against release n); an identical publication adds no
release. OUT/PERIOD/manifest.json, changes.md and changes.json are always those of the latest release.

The documents carry no clock time (their dates derive from the inputs), so the same inputs give the
same bytes and an unchanged period stays at the same release; the manifest's `build_time` is the only
wall-clock value, and it belongs to the release that first published those files.

A new release's manifest (and its changes) also lists the period's sign-off so far (reports.approvals):
approved releases and the reopenings that let this one replace them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import catalog
from catalog import REPO
from ingestion.digest import sha256_of
from reports import vn_format

REGISTER_FILES = ("org_units.csv", "agencies.csv")
MANIFEST, CHANGES_MD, CHANGES_JSON = "manifest.json", "changes.md", "changes.json"
RELEASES = "releases"
KEPT_FILES = ("indicators.csv", "dq_findings.csv")  # copied into each release, for the next comparison


@dataclass(frozen=True)
class Release:
    number: int
    is_new: bool  # False: this publication equals the latest release, which stays current
    folder: Path
    manifest: dict
    changes: dict


def input_files(con, period: str) -> list[dict]:
    """The inbox files of the period as the import summary (main.mart_submissions) lists them: those whose
    cover names the period, and those whose cover could not be read (listed in every period)."""
    cur = con.execute(
        "select source_file, file_sha256, size_bytes, file_status from main.mart_submissions "
        "where period = ? order by source_file",
        [period],
    )
    return [
        {"source_file": f, "sha256": sha, "size_bytes": size, "status": status}
        for f, sha, size, status in cur.fetchall()
    ]


def unit_names(con, period: str) -> dict[str, str]:
    """Names of the province and districts with published figures, for the changes file."""
    return dict(
        con.execute(
            "select distinct org_unit_code, org_unit_name from main.mart_indicators where period = ?", [period]
        ).fetchall()
    )


def register_version(register_dir: Path) -> dict:
    """The register's version: SHA-256 of its two CSV files, and one SHA-256 over both."""
    files = {name: sha256_of(Path(register_dir) / name) for name in REGISTER_FILES}
    combined = hashlib.sha256("".join(f"{name} {sha}\n" for name, sha in files.items()).encode()).hexdigest()
    return {"sha256": combined, "files": files}


def code_version() -> dict:
    """The git commit of the code (and whether the working tree differs from it), else the package version."""
    out = {"git_commit": None, "git_modified": None, "package_version": None}
    try:
        out["package_version"] = importlib.metadata.version("antq")
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if head.returncode == 0:
            out["git_commit"] = head.stdout.strip()
            diff = subprocess.run(
                ["git", "-C", str(REPO), "diff", "--quiet", "HEAD", "--"], capture_output=True, timeout=30
            )
            out["git_modified"] = diff.returncode == 1
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def publish(
    period_dir: Path,
    period: str,
    *,
    inputs: list[dict],
    register_dir: Path,
    outputs: list[Path],
    names: dict[str, str] | None = None,
    now: dt.datetime | None = None,
    office_files: list[Path] = (),
    approvals: list[dict] = (),
) -> Release:
    """Record this publication of `period` (files already written in `period_dir`) as a release.
    `outputs` are the published files besides the CSVs (documents, charts), listed with their SHA-256;
    `office_files` the office's own words merged into the report (nhan_dinh/PERIOD.md), an input too;
    `approvals` the period's sign-off history so far (reports.approvals), written into a new release's
    manifest but not part of its fingerprint: an approval or reopening changes no published figure, so a
    rebuild with unchanged content stays the same release (and a renewed approval names the same
    manifest bytes)."""
    period_dir = Path(period_dir)
    for name in KEPT_FILES:
        if not (period_dir / name).is_file():
            raise FileNotFoundError(f"chưa có tệp {name} của kỳ {period} trong {period_dir}")
    published = {name: sha256_of(period_dir / name) for name in KEPT_FILES}
    published.update({Path(p).relative_to(period_dir).as_posix(): sha256_of(p) for p in outputs})
    content = {
        "inputs": inputs,
        "register": register_version(register_dir),
        "office_text": {Path(f).name: sha256_of(f) for f in sorted(office_files)},
        "outputs": dict(sorted(published.items())),
    }
    fingerprint = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    releases = period_dir / RELEASES
    previous = _latest(releases)
    previous_manifest = _read_json(releases / str(previous) / MANIFEST) if previous else None
    if previous_manifest and previous_manifest.get("fingerprint") == fingerprint:
        folder = releases / str(previous)
        changes = _read_json(folder / CHANGES_JSON)
        _make_current(period_dir, folder)
        return Release(previous, False, folder, previous_manifest, changes)

    number = (previous or 0) + 1
    manifest = {
        "period": period,
        "release": number,
        "build_time": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "code_version": code_version(),
        **content,
        "fingerprint": fingerprint,
        "approvals": list(approvals),
    }
    old_rows = _indicator_rows(releases / str(previous) / "indicators.csv") if previous else {}
    changes = _changes(
        period, manifest, previous_manifest, old_rows, _indicator_rows(period_dir / "indicators.csv"), names or {}
    )
    if approvals:
        changes["approvals"] = list(approvals)
    staging = releases / f".tmp-{number}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in KEPT_FILES:
        shutil.copyfile(period_dir / name, staging / name)
    _write_json(staging / MANIFEST, manifest)
    _write_json(staging / CHANGES_JSON, changes)
    (staging / CHANGES_MD).write_text(changes_markdown(changes), encoding="utf-8", newline="\n")
    folder = releases / str(number)
    os.replace(staging, folder)
    _make_current(period_dir, folder)
    return Release(number, True, folder, manifest, changes)


def _latest(releases: Path) -> int | None:
    numbers = (
        [int(p.name) for p in releases.glob("*") if p.is_dir() and p.name.isdigit() and (p / MANIFEST).is_file()]
        if releases.is_dir()
        else []
    )
    return max(numbers, default=None)


def _read_json(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _write_json(path: Path, value: dict) -> None:
    path.write_text(
        json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8", newline="\n"
    )


def _make_current(period_dir: Path, folder: Path) -> None:
    for name in (MANIFEST, CHANGES_MD, CHANGES_JSON):
        shutil.copyfile(folder / name, period_dir / name)


def _indicator_rows(path: Path) -> dict[tuple[str, str], tuple[int, int | None]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {
            (r["org_unit_code"], r["indicator"]): (int(r["achieved"]), int(r["total"]) if r["total"] else None)
            for r in csv.DictReader(fh)
        }


def _changes(
    period: str, manifest: dict, previous: dict | None, old_rows: dict, new_rows: dict, names: dict[str, str]
) -> dict:
    out = {
        "period": period,
        "release": manifest["release"],
        "first_release": previous is None,
        "previous_release": previous["release"] if previous else None,
        "previous_build_time": previous["build_time"] if previous else None,
    }
    out.update(input_count=len(manifest["inputs"]), new_register_sha256=manifest["register"]["sha256"])
    if previous is None:
        return {
            **out,
            "figures": [],
            "inputs": {"added": [], "changed": [], "removed": []},
            "register_changed": False,
            "outputs_changed": [],
        }
    order = {i["indicator"]: i["sort_order"] for i in catalog.indicators()}
    labels = {i["indicator"]: i["label_vi"] for i in catalog.indicators()}
    figures = []
    for key in sorted(set(old_rows) | set(new_rows), key=lambda k: (len(k[0]), k[0], order.get(k[1], 999), k[1])):
        old, new = old_rows.get(key), new_rows.get(key)
        if old != new:
            code, indicator = key
            figures.append(
                {
                    "org_unit_code": code,
                    "org_unit_name": names.get(code),
                    "indicator": indicator,
                    "label": labels.get(indicator, indicator),
                    "old_achieved": old[0] if old else None,
                    "old_total": old[1] if old else None,
                    "new_achieved": new[0] if new else None,
                    "new_total": new[1] if new else None,
                }
            )
    old_inputs = {f["source_file"]: f["sha256"] for f in previous["inputs"]}
    new_inputs = {f["source_file"]: f["sha256"] for f in manifest["inputs"]}
    inputs = {
        "added": [{"source_file": f, "sha256": new_inputs[f]} for f in sorted(set(new_inputs) - set(old_inputs))],
        "changed": [
            {"source_file": f, "old_sha256": old_inputs[f], "new_sha256": new_inputs[f]}
            for f in sorted(set(new_inputs) & set(old_inputs))
            if new_inputs[f] != old_inputs[f]
        ],
        "removed": [{"source_file": f, "sha256": old_inputs[f]} for f in sorted(set(old_inputs) - set(new_inputs))],
    }
    old_out, new_out = previous.get("outputs", {}), manifest["outputs"]
    return {
        **out,
        "figures": figures,
        "inputs": inputs,
        "register_changed": previous["register"]["sha256"] != manifest["register"]["sha256"],
        "old_register_sha256": previous["register"]["sha256"],
        "code_changed": previous.get("code_version") != manifest["code_version"],
        "outputs_changed": sorted(k for k in set(old_out) | set(new_out) if old_out.get(k) != new_out.get(k)),
    }


def _code(text: str) -> str:
    """A file name as a Markdown code span: shown literally, underscores and all."""
    text = " ".join(str(text).split())
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _cell(text: str) -> str:
    """Text inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _figure_text(achieved: int | None, total: int | None) -> str:
    if achieved is None:
        return "(không có)"
    return vn_format.ratio(achieved, total)


def changes_markdown(changes: dict) -> str:
    """changes.json as a page people read."""
    period, number = changes["period"], changes["release"]
    lines = [f"# Kỳ {period}: lần phát hành số {number}", ""]
    if changes["first_release"]:
        lines += [
            f"Đây là lần phát hành đầu tiên của kỳ {period}: chưa có lần phát hành nào trước để so sánh.",
            f"Tệp đầu vào: {changes['input_count']}; danh mục đơn vị SHA-256 {changes['new_register_sha256']} "
            "(chi tiết trong manifest.json).",
            "",
        ]
        return "\n".join(lines)
    lines += [f"So với lần phát hành số {changes['previous_release']} (lập lúc {changes['previous_build_time']}).", ""]
    figures = changes["figures"]
    lines += [f"## Số liệu thay đổi: {len(figures)}", ""]
    if figures:
        lines += ["| Đơn vị | Chỉ tiêu | Trước | Sau |", "| --- | --- | ---: | ---: |"]
        for f in figures:
            unit = f"{_cell(f['org_unit_name'])} ({f['org_unit_code']})" if f["org_unit_name"] else f["org_unit_code"]
            lines.append(
                f"| {unit} | {_cell(f['label'])} ({f['indicator']}) | "
                f"{_figure_text(f['old_achieved'], f['old_total'])} | "
                f"{_figure_text(f['new_achieved'], f['new_total'])} |"
            )
    else:
        lines.append("Không có số liệu nào thay đổi.")
    lines.append("")
    inputs = changes["inputs"]
    lines += ["## Tệp đầu vào", ""]
    if not any(inputs.values()):
        lines.append("Không có tệp nào được thêm, thay đổi hay bỏ đi.")
    for f in inputs["added"]:
        lines.append(f"- Thêm: {_code(f['source_file'])} (SHA-256 {f['sha256']})")
    for f in inputs["changed"]:
        lines.append(f"- Thay đổi: {_code(f['source_file'])} (SHA-256 {f['old_sha256']} → {f['new_sha256']})")
    for f in inputs["removed"]:
        lines.append(f"- Bỏ đi: {_code(f['source_file'])} (SHA-256 {f['sha256']})")
    lines += ["", "## Danh mục đơn vị", ""]
    lines.append(
        f"Đã thay đổi (SHA-256 {changes['old_register_sha256']} → {changes['new_register_sha256']})."
        if changes["register_changed"]
        else "Không thay đổi."
    )
    if changes["outputs_changed"]:
        lines += ["", "## Tệp công bố có nội dung khác", ""]
        lines += [f"- {_code(name)}" for name in changes["outputs_changed"]]
    if changes.get("code_changed"):
        lines += ["", "Phiên bản mã nguồn của lần này khác lần trước (xem manifest.json)."]
    if changes.get("approvals"):
        from reports.approvals import describe

        lines += ["", "## Phê duyệt trước lần phát hành này", ""]
        lines += [f"- Đã {_cell(describe(e))}" for e in changes["approvals"]]
    lines.append("")
    return "\n".join(lines)
