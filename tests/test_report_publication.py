"""The report for the provincial office, built from the demo through `antq build` (real Dagster, dbt and
DuckDB): the narrative in the seed's sentences, the Excel workbook, the charts, text that stays text,
reproducible releases and the changes file of a re-release.

One module fixture builds three times and publishes once more, keeping a copy of OUT/2021-H1 after each
of the last three steps:
  first    `antq build` 2020-H2 then 2021-H1: the first release of 2021-H1, with a previous half-year;
  again    the publication assets of 2021-H1 materialised again in-process, same inputs and warehouse:
           no new release, the same bytes (full rebuilds give the same indicators.csv: test_build_demo);
  changed  one commune's workbook edited and a workbook named "=HYPERLINK(...)" added, `antq build`
           2021-H1: release 2 and its changes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path
from zipfile import ZipFile

import docx
import duckdb
import openpyxl
import pytest
from build_helpers import build, copy_build, submission

import catalog
from orchestration.defaults import DEMO_REGISTER
from reports import vn_format

PREVIOUS, PERIOD = "2020-H2", "2021-H1"
STEM = f"bao_cao_{PERIOD}"
HYPERLINK = '=HYPERLINK("#A1","Xã lạ")'  # a file name too: no '/' in it
SEED_PHRASES = [
    "Có 168/195 cơ quan, doanh nghiệp, nhà trường cấp tỉnh quản lý; 562/632 cơ quan, doanh nghiệp, nhà trường "
    "cấp huyện quản lý; 10/10 Ban Chỉ đạo phong trào toàn dân bảo vệ an ninh Tổ quốc và phòng chống tội phạm, "
    "tệ nạn xã hội cấp huyện; 124/124 Ban Chỉ đạo cấp xã; 496/689 Ban điều hành thôn, khu phố ban hành kế hoạch "
    "công tác xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc; có 168/195 cơ quan, doanh nghiệp, nhà trường "
    "cấp tỉnh quản lý; 555/632 cơ quan, doanh nghiệp, nhà trường cấp huyện quản lý; 124/124 xã, phường, thị trấn; "
    "689/689 thôn, khu phố; 299.882/332.093 hộ gia đình đăng ký đạt tiêu chuẩn “An toàn về an ninh trật tự” năm 2021.",
    "299.882/332.093 hộ gia đình đăng ký đạt tiêu chuẩn “An toàn về an ninh trật tự” năm 2021",
    "986 mô hình, được chia thành 06 nhóm (",
    "22 trường hợp",
    "08 trường hợp",
    "36 cá nhân",
    "04 tập thể và 19 cá nhân",
]


def _snapshot(out: Path, tmp: Path, name: str) -> Path:
    target = tmp / "snapshots" / name
    shutil.copytree(out / PERIOD, target)
    return target


def _lower_one_household(inbox: Path) -> str:
    """Register one household fewer in the first village of a 2021-H1 commune workbook; its path."""
    path = sorted((inbox / PERIOD).glob("*/*.xlsx"))[0]
    wb = openpyxl.load_workbook(path)
    ws = wb["Thôn, khu phố"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if any(c.value == "Số hộ đăng ký" for c in r))
    column = next(c.column for c in header if c.value == "Số hộ đăng ký")
    cell = ws.cell(row=header[0].row + 1, column=column)
    assert int(cell.value) > 0
    cell.value = int(cell.value) - 1
    wb.save(path)
    return path.relative_to(inbox).as_posix()


def _publish_again(inbox: Path, out: Path, warehouse: Path) -> None:
    """The publication group of 2021-H1 materialised again through Dagster, in-process."""
    import dagster as dg

    from orchestration import groups
    from orchestration.definitions import ASSET_MODULES, resources

    with dg.DagsterInstance.get() as instance:
        result = dg.materialize(
            dg.load_assets_from_modules(ASSET_MODULES),
            selection=dg.AssetSelection.groups(groups.PUBLICATION),
            partition_key=PERIOD,
            resources=resources(inbox=inbox, register=DEMO_REGISTER, out=out, warehouse_path=warehouse),
            instance=instance,
        )
    assert result.success
    assert result.asset_materializations_for_node("period_release")[0].metadata["new_release"].value is False


@pytest.fixture(scope="module")
def stages(tmp_path_factory, demo_build):
    tmp = tmp_path_factory.mktemp("report")
    copy = copy_build(demo_build, tmp)  # the demo built for 2020-H2 then 2021-H1, ours to change
    inbox, out, warehouse = copy["inbox"], copy["out"], copy["warehouse"]
    first = _snapshot(out, tmp, "first")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        winners, data_date = con.execute(
            "select count(*), max(created_on) from main.mart_submissions where period = ? and "
            "submission_status = 'winner'",
            [PERIOD],
        ).fetchone()
        severities = dict(
            con.execute(
                "select severity, count(*) from main.mart_dq_findings where period = ? group by 1", [PERIOD]
            ).fetchall()
        )
    finally:
        con.close()
    _publish_again(inbox, out, warehouse)
    again = _snapshot(out, tmp, "again")
    edited = _lower_one_household(inbox)
    submission(
        inbox, f"{HYPERLINK}.xlsx", "commune", "99999", HYPERLINK, PERIOD, commune_steering_plan=True, commune_safe=True
    )
    build(tmp, PERIOD, inbox, DEMO_REGISTER, out, warehouse)
    changed = _snapshot(out, tmp, "changed")
    return {
        "first": first,
        "again": again,
        "changed": changed,
        "inbox": inbox,
        "out": out,
        "edited": edited,
        "winners": winners,
        "data_date": data_date,
        "severities": severities,
    }


def _indicators(folder: Path) -> dict[tuple[str, str], tuple[int, int | None]]:
    with open(folder / "indicators.csv", encoding="utf-8", newline="") as fh:
        return {
            (r["org_unit_code"], r["indicator"]): (int(r["achieved"]), int(r["total"]) if r["total"] else None)
            for r in csv.DictReader(fh)
        }


def _province(figures) -> str:
    return min((code for code, _ in figures), key=len)


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the narrative ----------------------------------------------------------------------------------------


def test_narrative_has_the_seed_sentences(stages):
    markdown = (stages["first"] / f"{STEM}.md").read_text(encoding="utf-8")
    word = _docx_text(stages["first"] / f"{STEM}.docx")
    for phrase in SEED_PHRASES:
        assert phrase in markdown, phrase
        assert phrase in word, phrase
    # the six group names, from the catalogue, each with its count
    figures = _indicators(stages["first"])
    province = _province(figures)
    for spec in catalog.indicators():
        if spec["indicator"].startswith("models.group_"):
            label = spec["label_vi"][0].lower() + spec["label_vi"][1:]
            count = vn_format.count(figures[(province, spec["indicator"])][0])
            assert f"{label}: {count} mô hình" in markdown


def test_narrative_adds_rates_change_and_completeness(stages):
    markdown = (stages["first"] / f"{STEM}.md").read_text(encoding="utf-8")
    figures = _indicators(stages["first"])
    province = _province(figures)
    for spec in catalog.indicators():
        if spec["section"] in ("plan_issued", "safe_registered"):
            achieved, total = figures[(province, spec["indicator"])]
            assert f"{vn_format.ratio(achieved, total)} ({vn_format.rate(achieved, total)})" in markdown
    assert "6 tháng cuối năm 2020" in markdown  # the previous half-year is compared
    previous = _indicators(stages["out"] / PREVIOUS)
    delta = figures[(province, "models.total")][0] - previous[(province, "models.total")][0]
    assert f"tổng số mô hình tăng {vn_format.count(delta)} mô hình" in markdown
    expected = (
        1
        + figures[(province, "plan_issued.district_steering_committees")][1]
        + figures[(province, "plan_issued.commune_steering_committees")][1]
    )
    assert f"từ báo cáo của {stages['winners']}/{expected} đơn vị phải báo cáo" in markdown
    # counts one way (01 … 09, as in the body); a severity with no finding is "không có …", never "0 …"
    quality = markdown.split("Kiểm tra dữ liệu ", 1)[1].split("\n", 1)[0]
    for severity in ("error", "warning", "info"):
        n, word = stages["severities"].get(severity, 0), catalog.severity_label(severity).lower()
        if n:
            assert f"{vn_format.count(n)} {word}" in quality
        else:
            assert f"0 {word}" not in quality and re.search(f"không (có|phát hiện) [^.]*{word}", quality)
    assert f"Bình Thuận, {vn_format.date(stages['data_date'])}" in markdown  # the latest "Ngày lập" of the period


# --- the workbook -----------------------------------------------------------------------------------------


def test_workbook_sheets_and_figures_match_indicators_csv(stages):
    figures = _indicators(stages["first"])
    province = _province(figures)
    wb = openpyxl.load_workbook(stages["first"] / f"{STEM}.xlsx")
    assert wb.sheetnames == [
        "Tổng hợp",
        "Phụ lục theo huyện",
        "Mô hình theo nhóm",
        "Chất lượng dữ liệu",
        "Danh sách phát hiện",
        "Tệp đã nhận",
        "Biểu đồ",
    ]
    labels = {i["label_vi"]: i["indicator"] for i in catalog.indicators()}

    summary = wb["Tổng hợp"]
    seen = 0
    for row in summary.iter_rows(values_only=True):
        if isinstance(row[1], str) and row[1] in labels:
            achieved, total = figures[(province, labels[row[1]])]
            assert (row[2], row[3]) == (achieved, total)
            if total:
                assert f"{row[4] * 100:.2f}".replace(".", ",") + "%" == vn_format.rate(achieved, total)
            seen += 1
    assert seen == len(labels)

    annex = wb["Phụ lục theo huyện"]
    header = next(r for r in annex.iter_rows() if r[0].value == "STT")
    columns = {cell.value: cell.column for cell in header if cell.value in labels}
    rows = {r[1].value: r for r in annex.iter_rows(min_row=header[0].row + 2) if r[1].value}
    assert set(rows) == {code for code, _ in figures}
    for (code, indicator), (achieved, total) in figures.items():
        cells = rows[code]
        col = columns[next(label for label, key in labels.items() if key == indicator)]
        assert cells[col - 1].value == achieved, (code, indicator)
        if total is not None:
            assert cells[col].value == total, (code, indicator)
    assert annex.freeze_panes is not None and annex.page_setup.orientation == "landscape"
    assert str(annex.page_setup.paperSize) == annex.PAPERSIZE_A4


def test_models_sheet_adds_up_to_the_published_groups(stages):
    figures = _indicators(stages["first"])
    province = _province(figures)
    ws = openpyxl.load_workbook(stages["first"] / f"{STEM}.xlsx")["Mô hình theo nhóm"]
    total = next(r for r in ws.iter_rows(values_only=True) if r[1] == "Toàn tỉnh")
    groups = [i["indicator"] for i in catalog.indicators() if i["indicator"].startswith("models.group_")]
    assert list(total[2 : 2 + len(groups)]) == [figures[(province, g)][0] for g in groups]
    assert total[2 + len(groups)] == figures[(province, "models.total")][0]


def test_charts_saved_and_embedded(stages):
    charts = sorted((stages["first"] / "charts").glob("*.png"))
    assert len(charts) == 4  # the trend chart too: two half-years are built
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in charts)
    assert len(docx.Document(str(stages["first"] / f"{STEM}.docx")).inline_shapes) == 4
    with ZipFile(stages["first"] / f"{STEM}.xlsx") as z:
        assert len([n for n in z.namelist() if n.startswith("xl/media/")]) == 4


# --- text from submissions stays text ---------------------------------------------------------------------


def test_formula_like_names_stay_text(stages):
    folder = stages["changed"]
    wb = openpyxl.load_workbook(folder / f"{STEM}.xlsx")
    files = wb["Tệp đã nhận"]
    cells = [c for row in files.iter_rows() for c in row if c.value in (HYPERLINK, f"{HYPERLINK}.xlsx")]
    assert {c.value for c in cells} == {HYPERLINK, f"{HYPERLINK}.xlsx"}  # the name and the file name
    assert all(c.data_type == "s" for c in cells)  # openpyxl reads a stored formula back as 'f'
    listed = [c for row in wb["Danh sách phát hiện"].iter_rows() for c in row if c.value == f"{HYPERLINK}.xlsx"]
    assert listed and all(c.data_type == "s" for c in listed)
    with ZipFile(folder / f"{STEM}.xlsx") as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)  # no formula anywhere
    with open(folder / "dq_findings.csv", encoding="utf-8", newline="") as fh:
        sources = {r["source_file"] for r in csv.DictReader(fh)}
    assert f"'{HYPERLINK}.xlsx" in sources and f"{HYPERLINK}.xlsx" not in sources


# --- reproducible releases --------------------------------------------------------------------------------


def test_first_release_manifest(stages):
    folder = stages["first"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == PERIOD and manifest["release"] == 1
    files = {f["source_file"]: f["sha256"] for f in manifest["inputs"]}
    on_disk = {p.relative_to(stages["inbox"]).as_posix() for p in (stages["inbox"] / PERIOD).rglob("*.xlsx")}
    assert on_disk <= set(files)
    one = sorted(on_disk)[1]  # not the file edited later
    assert files[one] == _sha(stages["inbox"] / one)
    register = manifest["register"]
    assert register["files"] == {name: _sha(DEMO_REGISTER / name) for name in ("org_units.csv", "agencies.csv")}
    assert len(register["sha256"]) == 64
    assert manifest["code_version"]["git_commit"] or manifest["code_version"]["package_version"]
    assert manifest["build_time"]
    assert manifest["outputs"]["indicators.csv"] == _sha(folder / "indicators.csv")
    changes = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
    assert changes["first_release"] is True
    assert "lần phát hành đầu tiên" in (folder / "changes.md").read_text(encoding="utf-8")
    assert (folder / "releases" / "1" / "indicators.csv").read_bytes() == (folder / "indicators.csv").read_bytes()


def test_same_inputs_give_the_same_files(stages):
    first, again = stages["first"], stages["again"]
    names = [
        "indicators.csv",
        "dq_findings.csv",
        f"{STEM}.md",
        f"{STEM}.docx",
        f"{STEM}.xlsx",
        *(p.relative_to(first).as_posix() for p in sorted((first / "charts").glob("*.png"))),
    ]
    for name in names:
        assert (again / name).read_bytes() == (first / name).read_bytes(), name
    # publishing the same thing again is not a new release
    assert json.loads((again / "manifest.json").read_text(encoding="utf-8")) == json.loads(
        (first / "manifest.json").read_text(encoding="utf-8")
    )
    assert not (again / "releases" / "2").exists()
    # the documents' dates come from the inputs, not the clock
    props = docx.Document(str(first / f"{STEM}.docx")).core_properties
    assert props.created.date() == stages["data_date"] == props.modified.date()
    assert openpyxl.load_workbook(first / f"{STEM}.xlsx").properties.created.date() == stages["data_date"]


def test_rerelease_names_moved_figures_and_files(stages):
    folder = stages["changed"]
    before, after = _indicators(stages["first"]), _indicators(folder)
    moved = {key for key in after if after[key] != before.get(key)}
    assert moved  # the edit lowers the households registered of one village
    changes = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
    assert changes["release"] == 2 and changes["previous_release"] == 1 and not changes["first_release"]
    listed = {(f["org_unit_code"], f["indicator"]): f for f in changes["figures"]}
    assert set(listed) == moved
    province = _province(after)
    households = listed[(province, "safe_registered.households")]
    old, new = before[(province, "safe_registered.households")], after[(province, "safe_registered.households")]
    assert (households["old_achieved"], households["new_achieved"]) == (old[0], new[0]) and new[0] == old[0] - 1
    edited = stages["edited"]
    assert [f["source_file"] for f in changes["inputs"]["changed"]] == [edited]
    assert changes["inputs"]["changed"][0]["new_sha256"] == _sha(stages["inbox"] / edited)
    assert [f["source_file"] for f in changes["inputs"]["added"]] == [f"{HYPERLINK}.xlsx"]
    assert changes["inputs"]["removed"] == [] and changes["register_changed"] is False
    page = (folder / "changes.md").read_text(encoding="utf-8")
    assert "lần phát hành số 2" in page and edited in page
    assert f"{vn_format.ratio(*old)} | {vn_format.ratio(*new)}" in page
    # the previous release stays, with the figures it published
    assert (folder / "releases" / "1" / "indicators.csv").read_bytes() == (
        stages["first"] / "indicators.csv"
    ).read_bytes()
    assert (folder / "releases" / "2" / "indicators.csv").read_bytes() == (folder / "indicators.csv").read_bytes()
