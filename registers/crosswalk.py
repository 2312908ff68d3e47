"""crosswalk.csv of a 2025 province: each former commune of the former provinces now in it -> its new
commune(s), from vietnamadminunits' converter (registers.sources.crosswalk), with the date it took effect.

A former commune divided between several new communes has one row per destination, `divided` true; its
`village_code` is left empty for the office to fill: one row per village (level=village in org_units.csv)
naming the new commune that village went to. `village_code` empty means the whole former commune."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from ingestion.register import CROSSWALK_COLUMNS
from registers.sources import REFORM_DATE, crosswalk


def crosswalk_rows(province_code: str) -> tuple[list[dict], list[str]]:
    """The rows of crosswalk.csv for the 2025 province, and the former communes the library could not place."""
    moves, problems = crosswalk(province_code)
    rows = [
        {
            "former_code": m.former_code,
            "former_name": m.former_name,
            "new_code": m.new_code,
            "new_name": m.new_name,
            "effective_date": REFORM_DATE.isoformat(),
            "divided": str(m.divided).lower(),
            "default_destination": str(m.default_destination).lower(),
            "village_code": "",
        }
        for m in moves
    ]
    return rows, problems


def write_crosswalk(province_code: str, path: Path) -> dict:
    """Write crosswalk.csv; return what it holds: rows, former and new communes, merged new communes
    (several former -> one), divided former communes (one -> several), and the library's gaps."""
    rows, problems = crosswalk_rows(province_code)
    write_csv(path, CROSSWALK_COLUMNS, rows)
    into = Counter(r["new_code"] for r in rows if r["divided"] == "false")
    return {
        "rows": len(rows),
        "former": len({r["former_code"] for r in rows}),
        "new": len({r["new_code"] for r in rows}),
        "merged": sum(n > 1 for n in into.values()),
        "divided": len({r["former_code"] for r in rows if r["divided"] == "true"}),
        "problems": problems,
    }


def write_csv(path: Path, columns, rows: list[dict]) -> None:
    """UTF-8 CSV with a header, written beside and then moved into place: never half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)
