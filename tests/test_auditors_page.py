"""The auditors' page kiem_tra_du_lieu.html (reports/auditors_page.py and its Jinja template): what it holds,
that it is safe with hostile text, and that it works offline in headless Chromium (Debian's `chromium`,
installed by .ci/run): it renders, filters by district through the address (#huyen=...), searches and
sorts, and asks nothing of the network. Three Chromium runs in all (1-3 s each); marked `rendering`."""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest

import catalog
from reports import auditors, auditors_page

PERIOD = "2021-H1"
HOSTILE = "=1+2 <script>alert(1)</script> </div><b>x"
rendering = pytest.mark.rendering


def page_document(page: str) -> dict:
    """The JSON the page's script reads, as the browser would read it (the element's text)."""
    found = re.search(r'<div id="du-lieu" hidden>(.*?)</div>', page, re.S)
    assert found, "no embedded data"
    return json.loads(html.unescape(found.group(1)))


def tiny_report(**extra) -> dict:
    """A report dict as collect() returns it, by hand: two districts, three findings, one hostile."""
    findings = []
    for i, (district, commune, severity) in enumerate(
        [("593", "22915", "error"), ("593", "22918", "warning"), ("594", "23231", "warning")]
    ):
        findings.append(
            {
                "period": PERIOD,
                "check_code": "HOUSEHOLDS_REGISTERED_EXCEED_TOTAL",
                "severity": severity,
                "org_unit_code": commune,
                "source_file": f"{PERIOD}/x{commune}.xlsx",
                "sheet_name": "Thôn, khu phố",
                "row_number": 3 + i,
                "value_raw": HOSTILE if i == 0 else "812",
                "params": None,
                "district_code": district,
                "commune_code": commune,
                "message": f"Thông điệp {i}",
                "finding_key": f"{i:064x}",
                "first_seen_at": dt.datetime(2021, 7, 21, 8, 0),
                "times_seen": 2,
                "district_name": f"Huyện {district}",
                "commune_name": f"Xã {commune}",
                "unit_name": f"Xã {commune}",
                "column": "Số hộ đăng ký",
                "link": f"../../inbox/{PERIOD}/x{commune}.xlsx",
                "row_cells": [["Mã thôn", f"{commune}001"], ["Số hộ đăng ký", HOSTILE if i == 0 else "812"]],
            }
        )
    submission = {
        "source_file": f"{PERIOD}/x22915.xlsx",
        "reporter_level": "commune",
        "reporter_code": "22915",
        "reporter_name": HOSTILE,
        "version": 1,
        "created_on": dt.date(2021, 7, 2),
        "on_time": True,
        "submission_status": "winner",
        "rows_read": 3,
        "rows_counted": 3,
        "rows_excluded": 0,
        "summary_rows_read": 0,
        "findings": {"error": 1, "warning": 0, "info": 0},
        "rejection_check": None,
        "rejection_reason": None,
        "winner_file": f"{PERIOD}/x22915.xlsx",
        "link": f"../../inbox/{PERIOD}/x22915.xlsx",
    }
    report = {
        "period": PERIOD,
        "period_label": "6 tháng đầu năm 2021",
        "inbox_link": "../../inbox",
        "generated_at": dt.datetime(2021, 7, 25, 9, 0),
        "deadline": dt.date(2021, 7, 20),
        "findings": findings,
        "checks": auditors.check_summary(findings),
        "submissions": [submission],
        "completeness": [
            {
                "code": "60",
                "name": "Tỉnh",
                "level": "province",
                "expected": 3,
                "received": 2,
                "on_time": 1,
                "late": 1,
                "missing": ["Xã 23231 (23231)"],
            },
        ],
        "gx": None,
        "by_severity": {"error": 1, "warning": 2, "info": 0},
        "communes": [
            {
                "code": "22915",
                "name": "Xã 22915",
                "district_code": "593",
                "district_name": "Huyện 593",
                "received": True,
                "on_time": True,
                "created_on": dt.date(2021, 7, 2),
                "source_file": "a.xlsx",
            },
            {
                "code": "23231",
                "name": "Xã 23231",
                "district_code": "594",
                "district_name": "Huyện 594",
                "received": False,
                "on_time": False,
                "created_on": None,
                "source_file": None,
            },
        ],
    }
    report.update(extra)
    return report


# ------------------------------------------------------------------------------ the template alone


def test_template_escapes_and_embeds_every_finding():
    page = auditors_page.render(tiny_report())
    # no text of a submission opens a tag or closes the data element or a script
    assert "<script>alert" not in page and "</div><b>x" not in page
    assert page.count("<script>") == 1 and "src=" not in page
    assert html.escape(HOSTILE, quote=False) in page  # written as text, escaped
    doc = page_document(page)
    rows = doc["f"]
    assert len(rows) == 3
    first = rows[0]
    assert first[9] == HOSTILE and doc["texts"][first[8]] == "Số hộ đăng ký" and first[7] == 3
    assert doc["files"][first[6]] == [f"{PERIOD}/x22915.xlsx"] and doc["inbox"] == "../../inbox"  # link made
    assert dict(zip(doc["heads"][first[18]], first[19])) == {"Mã thôn": "22915001", "Số hộ đăng ký": HOSTILE}
    assert {r[2] for r in rows} == {"593", "594"} and doc["places"]["593"] == "Huyện 593"
    assert [c[1] for c in doc["com"]] == ["22915", "23231"] and doc["com"][1][3] == -1  # missing
    # the summary: counts by severity, completeness; no review or approval block without their keys
    assert "1 lỗi, 2 cảnh báo, 0 thông tin" in page and "2/3 báo cáo" in page
    assert "Theo kết luận" not in page and "Kỳ này chưa được phê duyệt." in page


def test_template_shows_review_state_and_approvals():
    report = tiny_report(
        review_counts={"open": 1, "explained": 1, "must_fix": 1},
        resolved_findings=[
            {
                "finding_key": "f" * 64,
                "check_code": "INVALID_VALUE",
                "org_unit_code": "22915",
                "unit_name": "Xã A",
                "source_file": "old.xlsx",
                "sheet_name": "S",
                "row_number": 4,
                "value_raw": "x",
                "review_state": "resolved",
                "decision": "must_fix",
                "decided_by": "Kiểm tra viên",
                "decision_note": None,
                "resolved_in": "run-7",
            }
        ],
        approvals=[
            {
                "action": "approve",
                "by": "Trưởng phòng",
                "at": "2021-07-26T10:00:00",
                "release": 3,
                "manifest_sha256": "ab" * 32,
                "reason": None,
            },
            {
                "action": "reopen",
                "by": "Trưởng phòng",
                "at": "2021-07-27T08:00:00",
                "release": 3,
                "manifest_sha256": "ab" * 32,
                "reason": "Xã gửi lại <b>",
            },
        ],
    )
    report["findings"][1].update(
        review_state="explained", decided_by="Cán bộ <X>", decision_note="đã giải trình", review_file="huyen_1.xlsx"
    )
    report["findings"][2].update(review_state="must_fix", decided_by="Cán bộ Y", decision_note=None)
    page = auditors_page.render(report)
    states = catalog.review_states()
    assert "1 " + states["explained"]["label_vi"].lower() in page and "Theo kết luận" in page
    resolved = page.split('id="da-khac-phuc"', 1)[1].split("</section>", 1)[0]
    assert "run-7" in resolved and states["must_fix"]["label_vi"] in resolved and "Kiểm tra viên" in resolved
    assert "Mở lại" in page and "Xã gửi lại &lt;b&gt;" in page and "abababababababab" in page
    doc = page_document(page)
    assert [doc["states"][r[14]][0] for r in doc["f"]] == ["open", "explained", "must_fix"]
    assert doc["texts"][doc["f"][1][15]] == "Cán bộ <X>" and doc["f"][1][16] == "đã giải trình"
    assert doc["texts"][doc["f"][1][20]] == "huyen_1.xlsx" and doc["f"][0][20] == 0  # 0: ""


# ----------------------------------------------------------------------------- from the demo build


@pytest.fixture(scope="module")
def demo_report(demo_build, tmp_path_factory):
    """collect() on a copy of the demo's warehouse (a DuckDB file is opened by one process at a time)."""
    tmp = tmp_path_factory.mktemp("auditors_page")
    warehouse = tmp / "warehouse.duckdb"
    shutil.copyfile(demo_build["warehouse"], warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = demo_build["out"] / PERIOD
        report = auditors.collect(con, PERIOD, out, demo_build["inbox"])
        raw = con.execute(
            "select source_file, sheet_name, row_number, village_code_raw, households_registered_raw "
            "from raw.villages order by source_file, row_number limit 1"
        ).fetchone()
        cover = con.execute("select source_file, code_raw from raw.files where level = 'commune' limit 1").fetchone()
        probe = [
            {"source_file": raw[0], "sheet_name": raw[1], "row_number": raw[2]},
            {"source_file": cover[0], "sheet_name": catalog.workbook()["cover"]["sheet"], "row_number": None},
        ]
        auditors_page._attach_row_cells(con, probe)
    finally:
        con.close()
    return {"report": report, "tmp": tmp, "raw": raw, "probe": probe[0], "cover": (cover, probe[1])}


def test_a_finding_carries_its_submitted_row(demo_report):
    """The cells of the row as read from the raw table, under the catalogue's header words."""
    raw, cells = demo_report["raw"], dict(demo_report["probe"]["row_cells"])
    headers = {c["header"] for c in catalog.workbook()["sheets"]["villages"]["columns"].values()}
    assert set(cells) == headers
    assert cells["Mã thôn"] == raw[3] and cells["Số hộ đăng ký"] == raw[4]
    # a finding on the cover: the cover's fields of the workbook's level
    (_source, code), probe = demo_report["cover"]
    fields = dict(probe["row_cells"])
    assert fields["Mã đơn vị"] == code and "BCĐ huyện ban hành kế hoạch" not in fields


def test_demo_page_completeness_by_commune(demo_report, demo_build):
    report = demo_report["report"]
    communes = report["communes"]
    assert len(communes) == 124 and all(c["received"] and c["on_time"] for c in communes)
    assert len({c["district_code"] for c in communes}) == 10
    page = (demo_build["out"] / PERIOD / auditors.HTML_NAME).read_text(encoding="utf-8")
    assert "124/124 xã (100,00%)" in page
    # no absolute path of the build machine: links are relative
    for folder in (demo_build["tmp"], Path.cwd(), Path.home()):
        assert str(folder) not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", page)


# -------------------------------------------------------------------------------------- Chromium


def _chromium(url: str, tmp: Path, net_log: Path | None = None) -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "headless Chromium is missing: .ci/run installs Debian's chromium"
    args = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=5000",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={tmp / 'profile'}",
    ]
    if net_log:
        args.append(f"--log-net-log={net_log}")
    done = subprocess.run([*args, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _rows(dom: str) -> list[dict]:
    body = dom.split('id="bang-phat-hien"', 1)[1].split("</table>", 1)[0]
    return [
        dict(re.findall(r'data-(huyen|xa|muc)="([^"]*)"', tr)) for tr in re.findall(r"<tr [^>]*data-huyen[^>]*>", body)
    ]


@rendering
def test_demo_page_renders_offline(demo_build, tmp_path):
    page = demo_build["out"] / PERIOD / auditors.HTML_NAME
    net_log = tmp_path / "net.json"
    dom = _chromium(page.resolve().as_uri(), tmp_path, net_log)
    assert re.search(r'data-first-render="\d+"', dom) and re.search(r'data-ready="\d+"', dom)
    findings = page_document(page.read_text(encoding="utf-8"))["f"]
    assert len(_rows(dom)) == len(findings) >= 1
    assert 'id="bang-xa"' in dom and dom.count("Đúng hạn</span>") >= 1  # the commune table drawn
    # every request the browser made was for a local file
    # the links the script drew (findings, workbooks) open the inbox files from the public folder
    hrefs = [h for h in re.findall(r'<a href="([^"#]+\.xlsx)"', dom) if "/" in h]
    assert len(hrefs) >= 50  # a page of the workbook table, and the findings
    for href in hrefs:
        target = Path(os.path.normpath(page.parent / unquote(html.unescape(href))))
        assert target.is_file() and target.is_relative_to(demo_build["inbox"]), href
    assert not _page_requests_off_the_machine(net_log)


def _page_requests_off_the_machine(net_log: Path) -> list[str]:
    """URLs the page asked for that are not local files. In the net log a request the page makes has an
    origin as initiator ("null" for a file:// page); Chromium's own (update and time checks, blocked here
    by the resolver rule) have "not an origin"."""
    log = json.loads(net_log.read_text(encoding="utf-8", errors="replace"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requests = [e["params"] for e in log["events"] if e["type"] == start and "url" in e.get("params", {})]
    assert requests, "the net log recorded no request at all"
    return sorted(
        r["url"]
        for r in requests
        if r.get("initiator") != "not an origin" and not r["url"].startswith(("file:", "data:", "blob:"))
    )


@pytest.fixture
def many_findings(demo_report, tmp_path):
    """The demo's report with its finding repeated at every commune of the register (several districts),
    rendered into tmp_path."""
    report = copy.deepcopy(demo_report["report"])
    model = report["findings"][0]
    report["findings"] = []
    for i, c in enumerate(report["communes"]):
        report["findings"].append(
            {
                **model,
                "org_unit_code": c["code"],
                "district_code": c["district_code"],
                "commune_code": c["code"],
                "district_name": c["district_name"],
                "commune_name": c["name"],
                "unit_name": c["name"],
                "row_number": i + 2,
                "value_raw": f"giá trị {i}",
                "finding_key": f"{i:064x}",
            }
        )
    path = auditors_page.write(report, tmp_path / "page.html")
    return {"report": report, "path": path}


@rendering
def test_filter_by_district_from_the_address(many_findings, tmp_path):
    report = many_findings["report"]
    district = report["communes"][-1]["district_code"]
    expected = sum(1 for f in report["findings"] if f["district_code"] == district)
    assert 0 < expected < len(report["findings"])
    dom = _chromium(many_findings["path"].resolve().as_uri() + f"#huyen={district}", tmp_path)
    rows = _rows(dom)
    assert len(rows) == expected and all(r["huyen"] == district for r in rows)
    assert f'data-shown="{expected}"' in dom


@rendering
def test_search_and_sort_from_the_address(many_findings, tmp_path):
    # "gia tri 1" without tone marks finds "giá trị 1", "giá trị 10".. "giá trị 19", "giá trị 100".. ; sorted
    # by sheet, row and column (column 5), descending
    report = many_findings["report"]
    wanted = [f for f in report["findings"] if f["value_raw"].startswith("giá trị 1")]
    dom = _chromium(many_findings["path"].resolve().as_uri() + "#q=gia%20tri%201&sx=5&nguoc=1", tmp_path)
    assert f'data-shown="{len(wanted)}"' in dom
    body = dom.split('id="bang-phat-hien"', 1)[1].split("</table>", 1)[0]
    rows = [int(n.replace(".", "")) for n in re.findall(r"dòng <b>([\d.]+)</b>", body)]
    assert rows == sorted((f["row_number"] for f in wanted), reverse=True)
