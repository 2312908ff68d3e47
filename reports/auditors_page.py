"""The auditors' page OUT/PERIOD/kiem_tra_du_lieu.html, written from the report dict of
reports.auditors.collect() through the Jinja template reports/templates/kiem_tra_du_lieu.html.j2.

One self-contained file: its style and script are read from beside the template and written inline; it
loads nothing from anywhere. The long lists (findings, workbooks, communes) travel as one compact JSON
document, HTML-escaped inside a hidden element (so no text of a submission can close a tag or a script),
and the page's script draws them a page of rows at a time, with filters, sorting and search; the small
tables (summary, districts, checks, suites) are written as HTML. Everything shown is text: the script
escapes every value it writes.

`for_report` adds what only this page shows to the report dict (called once at the end of collect()):
each finding's submitted row as it was read (`row_cells`: [header, cell as read] pairs, headers in the
catalogue's words) and completeness and timeliness per commune (`communes`).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import jinja2
from markupsafe import Markup

import catalog
from reports import vn_format
from reports.text_cells import visible
from reports.xlsx_sheet import COUNT, WHOLE

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "kiem_tra_du_lieu.html.j2"
PAGE_SIZE = 200  # rows drawn at once in each long table


# ------------------------------------------------------------------------------- data for collect()


def for_report(con, period: str, report: dict) -> dict:
    """The page's own data: `row_cells` on each finding (in place) and the `communes` list."""
    _attach_row_cells(con, report["findings"])
    return {"communes": _communes(con, period)}


def _headers_by_table() -> dict[str, dict[str, dict[str, str]]]:
    """Raw table -> sheet name (normalised) -> {column: header label}, from the catalogue; key "" holds
    the table's first layout, for a sheet spelt otherwise."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for spec in catalog.workbook()["sheets"].values():
        labels = {name: c.get("header", name) for name, c in spec["columns"].items()}
        layouts = out.setdefault(spec["table"], {})
        layouts.setdefault(_key(spec["sheet"]), labels)
        layouts.setdefault("", labels)
    return out


def _attach_row_cells(con, findings: list[dict]) -> None:
    """Each finding with a sheet and row gets the cells of that row as they were read (the `<col>_raw`
    text, main.mart_rows_as_read, under the catalogue's headers); a finding on the cover gets the cover's
    fields. One query, on the files that have such findings."""
    for f in findings:
        f["row_cells"] = None
    cover = catalog.workbook()["cover"]
    cover_sheet = _key(cover["sheet"])
    rows_wanted, covers_wanted = set(), set()
    for f in findings:
        if not (f.get("source_file") and f.get("sheet_name")):
            continue
        if _key(f["sheet_name"]) == cover_sheet:
            covers_wanted.add(f["source_file"])
        elif f.get("row_number") is not None:
            rows_wanted.add((f["source_file"], f["sheet_name"], f["row_number"]))
    files = sorted({k[0] for k in rows_wanted} | covers_wanted)
    if not files:
        return
    layouts_by_table = _headers_by_table()
    cells: dict[tuple, list[list[str]]] = {}
    cover_cells: dict[str, list[list[str]]] = {}
    fields = cover["fields"]
    for table, source_file, sheet, row_number, level, text in con.execute(
        "select source_table, source_file, sheet_name, row_number, reporter_level, cells from main.mart_rows_as_read "
        "where source_file in (select unnest(?::varchar[]))",
        [files],
    ).fetchall():
        read = json.loads(text)
        if table == "files":
            if source_file in covers_wanted:  # the fields of the workbook's level (all when unknown)
                cover_cells[source_file] = [
                    [spec["label"], _text(read.get(f"{name}_raw"))]
                    for name, spec in fields.items()
                    if not (level and spec.get("levels") and level not in spec["levels"])
                ]
            continue
        key = (source_file, sheet, row_number)
        if key in rows_wanted and table in layouts_by_table:
            layouts = layouts_by_table[table]
            labels = layouts.get(_key(sheet), layouts[""])
            cells[key] = [[labels.get(c, c), _text(read.get(f"{c}_raw"))] for c in catalog.raw_table_columns(table)]
    for f in findings:
        if f.get("source_file") and _key(f.get("sheet_name")) == cover_sheet:
            f["row_cells"] = cover_cells.get(f["source_file"])
        else:
            f["row_cells"] = cells.get((f.get("source_file"), f.get("sheet_name"), f.get("row_number")))


def _key(sheet: str | None) -> str:
    return " ".join((sheet or "").split()).casefold()


def _text(value) -> str:
    return "" if value is None else str(value)


def _communes(con, period: str) -> list[dict]:
    """One row per commune that had to report (main.mart_expected_submissions, as reports.auditors counts
    them): received (which file, dated when), on time, or missing."""
    rows = con.execute(
        """
        select e.org_unit_code, e.org_unit_name, e.district_code, d.unit_name, e.received, e.on_time,
               e.created_on, e.source_file
        from main.mart_expected_submissions as e
        left join main.mart_unit_names as d
            on d.period = e.period and d.unit_code = e.district_code and d.unit_level = 'district'
        where e.period = ? and e.org_unit_level = 'commune'
        order by e.district_code nulls last, e.org_unit_code
        """,
        [period],
    ).fetchall()
    return [
        {
            "code": code,
            "name": name or code,
            "district_code": district,
            "district_name": district_name or "",
            "received": bool(received),
            "on_time": bool(received and on_time),
            "created_on": created_on,
            "source_file": source_file,
        }
        for code, name, district, district_name, received, on_time, created_on, source_file in rows
    ]


# ------------------------------------------------------------------------------------------ render


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shown"] = lambda v: visible(str(v)) if v is not None else ""
    return env


def _embedded(document) -> Markup:
    """JSON as the text of an element: &, < and > escaped (quotes need not be in text), so a value can
    neither close the element nor open a tag; the script reads it back with textContent."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str)
    return Markup(html.escape(text, quote=False))


def _inline(name: str) -> Markup:
    # our own files, written as they are: the style and script of the page
    return Markup((TEMPLATES / name).read_text(encoding="utf-8").replace("</", "<\\/"))


def _s(value) -> str:
    """A value as the page shows it: control characters as [U+XXXX] (reports.text_cells)."""
    if type(value) is str:
        return visible(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return visible(str(value))


class _Index:
    """Values listed once, referred to by position (file names, header sets, repeated short texts)."""

    def __init__(self, first=None):
        self.items: list = []
        self.at: dict = {}
        if first is not None:
            self(first)

    def __call__(self, value) -> int:
        key = tuple(value) if isinstance(value, list) else value
        at = self.at.get(key)
        if at is None:
            at = self.at[key] = len(self.items)
            self.items.append(value)
        return at


# Positions in a finding's array (the script reads the same order): T = index into the texts list.
FINDING_FIELDS = (
    "severity",  # 0: index into sev
    "check",  # 1: index into checks
    "district_code",  # 2 (name in places)
    "commune_code",  # 3 (name in places)
    "org_unit_code",  # 4 (name in places)
    "sheet_name",  # 5: T
    "file",  # 6: index into files, -1 none
    "row_number",  # 7
    "column",  # 8: T
    "value_raw",  # 9
    "message",  # 10
    "first_seen_at",  # 11: T
    "times_seen",  # 12
    "finding_key",  # 13: first 12 characters
    "review_state",  # 14: index into states (0: open)
    "decided_by",  # 15: T
    "decision_note",  # 16
    "decided_at",  # 17: T
    "heads",  # 18: index into heads (the submitted row's headers), -1 none
    "cells",  # 19: the submitted row's cells, as read
    "review_file",  # 20: T, the review workbook the decision came from
)


def page_data(report: dict) -> dict:
    """The compact document the script reads: findings as arrays (FINDING_FIELDS), names and repeated
    texts listed once."""
    from reports import auditors

    states = catalog.review_states()
    state_at = {k: i for i, k in enumerate(states)}
    files, headers, texts = _Index(), _Index(), _Index("")
    checks = list(report["checks"].values())
    check_at = {c["code"]: i for i, c in enumerate(checks)}
    places: dict[str, str] = {}
    sev_at = catalog.SEVERITY_ORDER
    file_at: dict = {}
    inbox = report.get("inbox_link")

    def file_index(name, link) -> int:
        """[name] when the link is the inbox folder + the name (the script makes it), else [name, link]."""
        if not name:
            return -1
        got = file_at.get(name)
        if got is None:
            shown = _s(name)
            if inbox and link and shown == name and link == f"{inbox}/{name}":
                entry = [shown]
            else:
                entry = [shown, auditors._url(link) if link else ""]
            got = file_at[name] = files(entry)
        return got

    rows = []
    for f in report["findings"]:
        cells = f.get("row_cells") or []
        for code_key, name_key in (("district_code", "district_name"), ("commune_code", "commune_name")):
            if f.get(code_key) and f[code_key] not in places:
                places[f[code_key]] = _s(f.get(name_key))
        unit = f.get("org_unit_code") or ""
        if unit and unit not in places:
            places[unit] = _s(f.get("unit_name"))
        rows.append(
            [
                sev_at[f["severity"]],
                check_at.get(f["check_code"], -1),
                f.get("district_code") or "",
                f.get("commune_code") or "",
                unit,
                texts(_s(f.get("sheet_name"))),
                file_index(f.get("source_file"), f.get("link")),
                f.get("row_number"),
                texts(_s(f.get("column"))),
                _s(f.get("value_raw")),
                _s(f.get("message")),
                texts(_s(f.get("first_seen_at"))),
                f.get("times_seen"),
                (f.get("finding_key") or "")[:12],
                state_at.get(f.get("review_state") or "open", 0),
                texts(_s(f.get("decided_by"))),
                _s(f.get("decision_note")),
                texts(_s(f.get("decided_at"))),
                headers([_s(h) for h, _ in cells]) if cells else -1,
                [_s(v) for _, v in cells],
                texts(_s(f.get("review_file"))),
            ]
        )
    # workbook table: per column "n" number, "s" text as is (codes, names), "t" index into texts
    columns = auditors.SUBMISSION_COLUMNS[1:]
    kinds = ["n" if c.fmt in (WHOLE, COUNT) else "s" if c.title.startswith(("Mã", "Tên")) else "t" for c in columns]
    submissions = []
    for s in report["submissions"]:
        row = [file_index(s["source_file"], s.get("link"))]
        for c, kind in zip(columns, kinds):
            v = c.get(s)
            row.append(v if kind == "n" else _s(v) if kind == "s" else texts(_s(v)))
        submissions.append(row)
    communes = []
    for c in report.get("communes", []):
        if c["district_code"] and c["district_code"] not in places:
            places[c["district_code"]] = _s(c["district_name"])
        communes.append(
            [
                c["district_code"] or "",
                c["code"],
                _s(c["name"]),
                1 if c["on_time"] else (0 if c["received"] else -1),
                texts(_s(c["created_on"])),
            ]
        )
    return {
        "page": PAGE_SIZE,
        "sev": [[k, catalog.severity_label(k)] for k in catalog.SEVERITY_ORDER],
        "states": [[k, s["label_vi"]] for k, s in states.items()],
        "checks": [[c["code"], _s(c["title_vi"]), _s(c["effect_vi"])] for c in checks],
        "places": places,
        "texts": texts.items,
        "files": files.items,
        "heads": headers.items,
        "f": rows,
        "inbox": auditors._url(inbox) if inbox else "",
        "subCols": [c.title for c in auditors.SUBMISSION_COLUMNS],
        "subKinds": ["f", *kinds],
        "sub": submissions,
        "com": communes,
        "dl": 1 if report.get("district_level", True) else 0,  # 0: no district level, no district column
    }


def embedded(page: str) -> dict:
    """The document embedded in a written page, as its script reads it."""
    start = page.index(_DATA_OPEN) + len(_DATA_OPEN)
    return json.loads(html.unescape(page[start : page.index("</div>", start)]))


def file_links(page: str) -> list[str]:
    """The links to the inbox files the page's script draws, as it draws them (for checks and tests)."""
    from reports import auditors

    doc = embedded(page)
    return [f[1] if len(f) > 1 else f"{doc['inbox']}/{auditors._url(f[0])}" for f in doc["files"] if f[-1]]


_DATA_OPEN = '<div id="du-lieu" hidden>'


def _district_rows(report: dict) -> list[dict]:

    out = []
    for c in report["completeness"]:
        out.append(
            {
                **c,
                "complete": vn_format.rate(c["received"], c["expected"]),
                "timely": vn_format.rate(c["on_time"], c["expected"]),
            }
        )
    return out


def _top_files(report: dict, limit: int = 10) -> list[dict]:
    """The workbooks with the most errors and warnings: where an auditor starts."""
    from reports import auditors

    ranked = [s for s in report["submissions"] if s["findings"]["error"] or s["findings"]["warning"]]
    ranked.sort(key=lambda s: (-s["findings"]["error"], -s["findings"]["warning"], s["source_file"] or ""))
    return [
        {
            "name": _s(s["source_file"]),
            "href": auditors._url(s["link"]) if s.get("link") else None,
            "unit": _s(s.get("reporter_name")),
            "error": s["findings"]["error"],
            "warning": s["findings"]["warning"],
        }
        for s in ranked[:limit]
    ]


def render(report: dict) -> str:
    """The page, as text."""
    from reports import auditors

    counts = report["by_severity"]
    province = next((c for c in report["completeness"] if c["level"] == "province"), None)
    gx = report.get("gx")
    states = catalog.review_states()
    review_counts = report.get("review_counts")
    communes = report.get("communes", [])
    context = {
        "title": f"Kiểm tra dữ liệu báo cáo {report['period_label']} ({report['period']})",
        "r": report,
        "generated_at": _s(report["generated_at"]),
        "deadline": _s(report["deadline"]) or "—",
        "severities": [(k, catalog.severity_label(k), counts.get(k, 0)) for k in catalog.SEVERITY_ORDER],
        "province": province,
        "province_complete": province and vn_format.rate(province["received"], province["expected"]),
        "province_timely": province and vn_format.rate(province["on_time"], province["expected"]),
        "communes_total": len(communes),
        "district_level": report.get("district_level", True),  # False: two levels, no district section
        "communes_received": sum(1 for c in communes if c["received"]),
        "communes_on_time": sum(1 for c in communes if c["on_time"]),
        "communes_complete": vn_format.rate(sum(1 for c in communes if c["received"]), len(communes)),
        "communes_timely": vn_format.rate(sum(1 for c in communes if c["on_time"]), len(communes)),
        "review_counts": (
            [(k, s["label_vi"], review_counts.get(k, 0)) for k, s in states.items()] if review_counts else None
        ),
        "resolved": report.get("resolved_findings") or [],
        "approvals": report.get("approvals") or [],
        "districts": [d for d in _district_rows(report) if d["level"] != "province"],
        "checks": list(report["checks"].values()),
        "gx_rows": auditors._gx_rows(report),
        "gx_failed": [n for n, s in gx["suites"].items() if not s["success"]] if gx else [],
        "top_files": _top_files(report),
        "inbox_note": auditors._inbox_note(report),
        "links": [("dq_findings.csv", "dq_findings.csv"), (auditors.XLSX_NAME, auditors.XLSX_NAME)]
        + ([(auditors.DATA_DOCS_INDEX, "Kết quả kiểm tra tự động (Great Expectations)")] if gx else []),
        "state_label": {k: s["label_vi"] for k, s in states.items()},
        "number": _number,
        "s": _s,
        "when": _when,
        "data": _embedded(page_data(report)),
        "style": _inline("kiem_tra_du_lieu.css"),
        "script": _inline("kiem_tra_du_lieu.js"),
        "page_size": PAGE_SIZE,
    }
    return _environment().get_template(TEMPLATE).render(context)


def _when(value) -> str:
    """An ISO time (the approvals log) as the page shows times: 27/07/2021 08:00."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    return _s(value)


def _number(n) -> str:
    return vn_format.number(n) if isinstance(n, int) else ("" if n is None else str(n))


def write(report: dict, path: Path) -> Path:
    path.write_text(render(report), encoding="utf-8")
    return path
