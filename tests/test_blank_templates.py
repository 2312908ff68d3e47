"""Blank templates (`antq template`): what they hold, and the round trip a province lives through:
templates written from the register, filled in by people (here: openpyxl writing into the blank cells),
sent back and built. One commune never answers and its template is left in the inbox unfilled (issue
14): it is no submission (BLANK_TEMPLATE, and the commune's MISSING_SUBMISSION stands). Besides those,
the only finding is the one wrong value the filler typed."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from build_helpers import build, findings, indicators, write_register

import catalog
from ingestion.workbook import parse_workbook
from reports.blank_templates import TEXT_FILE, write_templates

P = "2021-H1"
WB = catalog.workbook()
YES, NO = WB["vocab"]["yesno"][True][0], WB["vocab"]["yesno"][False][0]
COVER_LABELS = {fid: f["label"] for fid, f in WB["cover"]["fields"].items()}
SHEETS = {lid: layout["sheet"] for lid, layout in WB["sheets"].items()}
HEADERS = {lid: {cid: c["header"] for cid, c in layout["columns"].items()} for lid, layout in WB["sheets"].items()}

ORG_UNITS = [
    ("98", "Tỉnh Mẫu", "province", ""),
    ("981", "Huyện Một", "district", "98"),
    ("982", "Huyện Hai", "district", "98"),
    ("98101", "Xã Một A", "commune", "981"),
    ("98102", "Xã Một B", "commune", "981"),
    ("98201", "Xã Hai A", "commune", "982"),
    ("98001", "Xã Trực Thuộc", "commune", "98"),  # since 2025 a commune's parent may be the province
    ("98109", "Xã Đã Sáp Nhập", "commune", "981", "", "2020-12-31"),  # not valid in 2021-H1: no template
    ("98101001", "Thôn Một", "village", "98101"),
    ("98101002", "Thôn Hai", "village", "98101"),
    ("98102001", "Khu phố Hòa Bình", "village", "98102"),
    ("98102002", "Thôn Giải Thể", "village", "98102", "", "2021-03-31"),
    ("98201001", "Thôn Đông", "village", "98201"),
    ("98201002", "Thôn Tây", "village", "98201"),
    ("98201003", "Thôn Nam", "village", "98201"),
    ("98001001", "Thôn Bắc", "village", "98001"),
]
AGENCIES = [
    ("P01", "Sở Mẫu", "co_quan", "province", ""),
    ("P02", "Trường THPT Mẫu", "nha_truong", "province", ""),
    ("D01", "Trường Tiểu học Một", "nha_truong", "district", "981"),
    ("D02", "Công ty Một", "doanh_nghiep", "district", "981"),
    ("D03", "Trạm Y tế Hai", "co_quan", "district", "982"),
    ("D04", "Công ty Cũ", "doanh_nghiep", "district", "982", "", "2019-12-31"),
]
EXPECTED_FILES = {"98", "981", "982", "98101", "98102", "98201", "98001"}
WRONG_AGENCY = "D02"  # the filler types a word outside the yes/no dropdown for this agency
WRONG_WORD = "Chưa rõ"
SILENT = "98001"  # this commune never fills its template in; the blank file sits in the inbox
BLANK = "BLANK_TEMPLATE"


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("templates")
    register = write_register(tmp / "register", ORG_UNITS, AGENCIES)
    summary = write_templates(register, P, tmp / "templates")
    return tmp, register, summary


def _index(summary) -> dict[str, dict]:
    with open(summary.index, encoding="utf-8", newline="") as fh:
        return {r["code"]: r for r in csv.DictReader(fh)}


def _header(ws, layout_id: str) -> tuple[int, dict[str, int]]:
    """(header row, column id -> column number) of a data sheet."""
    wanted = {header: cid for cid, header in HEADERS[layout_id].items()}
    for row in ws.iter_rows(max_row=WB["header_search_rows"]):
        found = {wanted[c.value]: c.column for c in row if c.value in wanted}
        if len(found) == len(wanted):
            return row[0].row, found
    raise AssertionError(f"no header row in {ws.title}")


def _data_rows(ws, layout_id: str):
    header_row, columns = _header(ws, layout_id)
    return [
        (r, columns)
        for r in range(header_row + 1, ws.max_row + 1)
        if any(ws.cell(r, c).value not in (None, "") for c in columns.values())
    ]


def _cover_cells(ws) -> dict[str, object]:
    by_label = {label: fid for fid, label in COVER_LABELS.items()}
    return {
        by_label[ws.cell(r, 1).value]: ws.cell(r, 2)
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, 1).value in by_label
    }


def test_one_template_per_unit_valid_in_the_period(templates):
    _, _, summary = templates
    index = _index(summary)
    assert set(index) == EXPECTED_FILES
    assert summary.by_level == {"province": 1, "district": 2, "commune": 4}
    assert index["98"]["file"] == "98_Tỉnh_Mẫu.xlsx"
    assert index["98101"]["file"].startswith("981/")  # a district's communes sit in its folder
    assert index["98001"]["file"].startswith("98/")  # a commune under the province in the province's
    assert {r["code"]: int(r["rows_listed"]) for r in index.values()} == {
        "98": 2,
        "981": 2,
        "982": 1,
        "98101": 2,
        "98102": 1,
        "98201": 3,
        "98001": 1,
    }
    assert all((summary.folder / r["file"]).is_file() for r in index.values())


def test_a_commune_template_holds_cover_villages_dropdowns_and_instructions(templates):
    _, _, summary = templates
    path = summary.folder / _index(summary)["98102"]["file"]
    wb = openpyxl.load_workbook(path)
    instructions_sheet = TEXT_FILE.read_text(encoding="utf-8").split('sheet: "', 1)[1].split('"', 1)[0]
    assert wb.sheetnames[0] == instructions_sheet and wb.active.title == instructions_sheet
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [instructions_sheet]
    text = "\n".join(str(c.value) for c in wb[instructions_sheet]["A"] if c.value)
    assert "Xã Một B" in text and "6 tháng đầu năm 2021" in text and SHEETS["villages"] in text
    assert "{" not in text  # every placeholder filled

    cover = _cover_cells(wb[WB["cover"]["sheet"]])
    assert (cover["level"].value, cover["code"].value, cover["name"].value) == ("Xã", "98102", "Xã Một B")
    assert cover["period"].value == "6 tháng đầu năm 2021"
    assert cover["created_on"].value is None and cover["commune_safe"].value is None

    ws = wb[SHEETS["villages"]]
    rows = _data_rows(ws, "villages")
    assert len(rows) == 1  # the dissolved village is not listed
    r, cols = rows[0]
    assert (ws.cell(r, cols["village_code"]).value, ws.cell(r, cols["village_name"]).value) == (
        "98102001",
        "Khu phố Hòa Bình",
    )
    blank = [cid for cid in cols if cid not in ("village_code", "village_name")]
    assert all(ws.cell(r, cols[cid]).value is None for cid in blank)
    covered = {
        cid
        for cid in blank
        if any(f"{ws.cell(r, cols[cid]).column_letter}{r}" in dv.sqref for dv in ws.data_validations.dataValidation)
    }
    assert covered == {"plan_issued", "safe_registered"}  # dropdowns on yes/no, numbers typed
    assert ws.column_dimensions[ws.cell(r, cols["households_total"]).column_letter].number_format == "#,##0"
    assert set(wb.sheetnames) >= {SHEETS["commune_models"], SHEETS["force_support"], SHEETS["awards"]}

    parsed = parse_workbook(path, "x.xlsx")  # the instructions sheet is ignored
    assert (parsed.cover["code"], parsed.cover["period"]) == ("98102", P)
    assert (parsed.status, parsed.check_code) == ("rejected", BLANK)  # nothing filled in yet


def test_template_command_does_not_import_dagster(tmp_path, templates):
    _, register, _ = templates
    code = (
        "import sys\nfrom orchestration import cli\n"
        f"rc = cli.main(['template', '{P}', '--out', r'{tmp_path}', '--register', r'{register}'])\n"
        "assert rc == 0, rc\nassert not any(m.split('.')[0] == 'dagster' for m in sys.modules), 'dagster imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "7 biểu mẫu" in done.stdout
    assert "Đang tạo" not in done.stderr  # not a terminal: no counter


def test_template_command_rejects_a_bad_period_and_register(tmp_path, capsys):
    from orchestration import cli

    assert cli.main(["template", "2021-H3", "--out", str(tmp_path)]) == 2
    assert cli.main(["template", P, "--out", str(tmp_path), "--register", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("antq: ") for line in err)


# -- unfilled and filled templates (issue 14) -------------------------------------------------------


def _copy(summary, code: str, dest: Path) -> Path:
    row = _index(summary)[code]
    path = dest / Path(row["file"]).name
    shutil.copyfile(summary.folder / row["file"], path)
    return path


def _resave(path: Path) -> Path:
    """Open and save again with openpyxl, as a program that rewrites the whole package does."""
    openpyxl.load_workbook(path).save(path)
    return path


@pytest.mark.parametrize("code", sorted(EXPECTED_FILES))
def test_an_unfilled_template_is_no_submission(templates, code):
    _, _, summary = templates
    row = _index(summary)[code]
    parsed = parse_workbook(summary.folder / row["file"], row["file"])
    assert (parsed.status, parsed.check_code) == ("rejected", BLANK), parsed.reason
    assert P in parsed.reason  # the reason names the template's period
    assert (parsed.cover["level"], parsed.cover["code"], parsed.cover["period"]) == (row["level"], code, P)
    assert parsed.rows == {} and parsed.cell_issues == []


def test_an_unfilled_template_saved_again_is_still_blank(templates, tmp_path):
    _, _, summary = templates
    parsed = parse_workbook(_resave(_copy(summary, "98102", tmp_path)), "x.xlsx")
    assert (parsed.status, parsed.check_code) == ("rejected", BLANK)


def test_the_marker_is_found_through_the_package_relationships(templates, tmp_path):
    """Another program may name the custom properties part otherwise: it is found as Excel finds it."""
    import zipfile

    _, _, summary = templates
    source = _copy(summary, "98101", tmp_path)
    moved = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                data = data.replace(b"docProps/custom.xml", b"docProps/antq/custom1.xml")
            name = "docProps/antq/custom1.xml" if info.filename == "docProps/custom.xml" else info.filename
            dst.writestr(name, data)
    assert "docProps/custom.xml" not in zipfile.ZipFile(moved).namelist()
    parsed = parse_workbook(moved, "moved.xlsx")
    assert (parsed.status, parsed.check_code) == ("rejected", BLANK)


def _set_cover(field: str, value):
    def edit(wb):
        _cover_cells(wb[WB["cover"]["sheet"]])[field].value = value

    return edit


def _set_cell(layout_id: str, column: str, value, row: int = 0):
    """Write `value` into `column` of the sheet's `row`-th row below its header (0: the first)."""

    def edit(wb):
        ws = wb[SHEETS[layout_id]]
        header_row, cols = _header(ws, layout_id)
        ws.cell(header_row + 1 + row, cols[column]).value = value

    return edit


# one answer is enough for a template to be a submission: the marker never rejects real work
ONE_ANSWER = {
    "Ngày lập": ("98101", _set_cover("created_on", dt.datetime(2021, 7, 5))),
    "Người lập": ("98101", _set_cover("preparer", "Nguyễn Văn Mẫu")),
    "cover yes/no": ("98101", _set_cover("commune_safe", NO)),
    "Phiên bản": ("98101", _set_cover("version", 2)),
    "a village's count": ("98101", _set_cell("villages", "households_total", 0)),
    "a village's yes/no": ("98102", _set_cell("villages", "plan_issued", NO)),
    "a village row added": ("98102", _set_cell("villages", "safe_registered", YES, row=5)),
    "a model": ("98101", _set_cell("commune_models", "model_name", "Tổ tự quản")),
    "an agency's yes/no": ("981", _set_cell("agencies", "safe_registered", NO)),
    "the district's summary": ("982", _set_cell("district_summary", "achieved", 0)),
    "a district cover answer": ("982", _set_cover("district_steering_plan", YES)),
    "a province award": ("98", _set_cell("awards", "recipient_name", "Trần Thị Mẫu")),
    "force support": ("98", _set_cell("force_support", "person_name", "Lê Văn Mẫu")),
}


@pytest.mark.parametrize("case", sorted(ONE_ANSWER))
def test_a_template_with_one_answer_is_a_submission(templates, tmp_path, case):
    _, _, summary = templates
    code, edit = ONE_ANSWER[case]
    path = _copy(summary, code, tmp_path)
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    parsed = parse_workbook(path, "x.xlsx")
    assert (parsed.status, parsed.check_code) == ("ingested", None), parsed.reason
    assert parsed.cover["code"] == code


def test_a_filled_template_saved_again_still_counts(templates, tmp_path):
    _, _, summary = templates
    path = _copy(summary, "98101", tmp_path)
    _fill(path, "commune", "98101", {"villages": 0, "village_plan": 0, "households": (0, 0)})
    first = parse_workbook(path, "x.xlsx")
    again = parse_workbook(_resave(path), "x.xlsx")
    for parsed in (first, again):
        assert (parsed.status, parsed.check_code) == ("ingested", None), parsed.reason
        assert [v["households_total"] for v in parsed.rows["villages"]] == [100, 110]


def test_a_workbook_without_the_template_marker_is_read_as_before(tmp_path):
    """Only antq's templates carry the marker: an unmarked workbook holding nothing beyond a cover's
    identity is still a submission (with its blank-cell findings)."""
    from workbook_format.writer import write_submission

    path = write_submission(
        tmp_path / "x.xlsx",
        level="commune",
        cover={"code": "98101", "name": "Xã Một A", "period": P},
        sheets={"villages": [{"village_code": "98101001", "village_name": "Thôn Một"}]},
    )
    parsed = parse_workbook(path, "x.xlsx")
    assert (parsed.status, parsed.check_code) == ("ingested", None)


# -- the round trip ----------------------------------------------------------------------------------


def _fill(path: Path, level: str, code: str, figures: dict) -> None:
    """Fill a template as a person would: the blank cells only, words from the dropdowns."""
    wb = openpyxl.load_workbook(path)
    cover = _cover_cells(wb[WB["cover"]["sheet"]])
    cover["created_on"].value = dt.datetime(2021, 7, 5)
    cover["preparer"].value = "Nguyễn Văn Mẫu"
    if level == "commune":
        cover["commune_steering_plan"].value = YES
        cover["commune_safe"].value = YES
        ws = wb[SHEETS["villages"]]
        for i, (r, cols) in enumerate(_data_rows(ws, "villages")):
            plan = i % 2 == 0
            total, registered = 100 + 10 * i, 90 + 10 * i
            ws.cell(r, cols["plan_issued"]).value = YES if plan else NO
            ws.cell(r, cols["safe_registered"]).value = YES
            ws.cell(r, cols["households_total"]).value = total
            ws.cell(r, cols["households_registered"]).value = registered
            figures["villages"] += 1
            figures["village_plan"] += plan
            figures["households"] = (figures["households"][0] + registered, figures["households"][1] + total)
        if code == "98101":
            ws = wb[SHEETS["commune_models"]]
            header_row, cols = _header(ws, "commune_models")
            ws.cell(header_row + 1, cols["model_name"]).value = "Tổ tự quản về an ninh trật tự"
            ws.cell(header_row + 1, cols["model_group"]).value = WB["vocab"]["model_group"]["4"][1]
            ws.cell(header_row + 1, cols["unit_code"]).value = "98101001"
    else:
        if level == "district":
            cover["district_steering_plan"].value = YES
        ws = wb[SHEETS["agencies"]]
        for r, cols in _data_rows(ws, "agencies"):
            agency = ws.cell(r, cols["agency_code"]).value
            ws.cell(r, cols["plan_issued"]).value = WRONG_WORD if agency == WRONG_AGENCY else YES
            ws.cell(r, cols["safe_registered"]).value = NO
            if agency == WRONG_AGENCY:
                figures["wrong_row"] = (ws.title, r)
    if level == "province":
        ws = wb[SHEETS["awards"]]
        header_row, cols = _header(ws, "awards")
        ws.cell(header_row + 1, cols["recipient_kind"]).value = WB["vocab"]["recipient"]["individual"][0]
        ws.cell(header_row + 1, cols["recipient_name"]).value = "Trần Thị Mẫu"
        ws.cell(header_row + 1, cols["award_type"]).value = WB["vocab"]["award_type"]["commendation"][0]
    wb.save(path)


def _fill_district_summary(path: Path, communes: list[dict]) -> None:
    """The district's own totals, added up from its communes' workbooks, as the district office does."""
    villages = sum(c["villages"] for c in communes)
    sums = {
        "commune_steering_plan": (len(communes), len(communes)),
        "village_board_plan": (sum(c["village_plan"] for c in communes), villages),
        "commune_safe": (len(communes), len(communes)),
        "village_safe": (villages, villages),
        "household_safe": (sum(c["households"][0] for c in communes), sum(c["households"][1] for c in communes)),
        "models": (sum(c["models"] for c in communes), None),
    }
    words = {entry[0]: key for key, entry in WB["vocab"]["summary_item"].items()}
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEETS["district_summary"]]
    for r, cols in _data_rows(ws, "district_summary"):
        achieved, total = sums[words[ws.cell(r, cols["summary_item"]).value]]
        ws.cell(r, cols["achieved"]).value = achieved
        ws.cell(r, cols["total"]).value = total
    wb.save(path)


@pytest.fixture(scope="module")
def round_trip(templates):
    tmp, register, summary = templates
    index = _index(summary)
    inbox = tmp / "inbox"  # each unit sends its own file back
    figures = {}
    for code, row in index.items():
        (inbox / row["file"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(summary.folder / row["file"], inbox / row["file"])
        figures[code] = {"villages": 0, "village_plan": 0, "households": (0, 0), "models": 1 if code == "98101" else 0}
        if code != SILENT:  # the silent commune's template stays blank
            _fill(inbox / row["file"], row["level"], code, figures[code])
    for code, row in index.items():
        if row["level"] == "district":
            communes = [figures[c] for c, r in index.items() if r["level"] == "commune" and r["parent_code"] == code]
            _fill_district_summary(inbox / row["file"], communes)
    period_dir = build(tmp, P, inbox, register)
    return figures, index, period_dir


def test_filled_templates_build_with_only_the_planted_findings(round_trip):
    figures, index, period_dir = round_trip
    found = findings(period_dir)
    sheet, row = figures["981"]["wrong_row"]
    assert sorted((f["check"], f["org_unit_code"], f["source_file"], f["sheet"], f["row"]) for f in found) == [
        (BLANK, SILENT, index[SILENT]["file"], "", ""),
        ("INVALID_VALUE", WRONG_AGENCY, index["981"]["file"], sheet, str(row)),
        ("MISSING_SUBMISSION", SILENT, "", "", ""),
    ]
    assert WRONG_WORD in next(f["message"] for f in found if f["check"] == "INVALID_VALUE")


def test_an_unfilled_template_in_the_inbox_is_no_submission(round_trip):
    """The silent commune's blank template is reported, contributes nothing, and does not hide the
    commune's missing submission."""
    _, index, period_dir = round_trip
    by_check = {f["check"]: f for f in findings(period_dir) if f["org_unit_code"] == SILENT}
    assert set(by_check) == {BLANK, "MISSING_SUBMISSION"}
    blank = by_check[BLANK]
    assert blank["message"] == "Tệp là biểu mẫu trống (chưa điền số liệu) nên không được tính là báo cáo"
    assert (blank["period"], blank["severity"]) == (P, catalog.checks()[BLANK]["severity"])
    assert index[SILENT]["parent_code"] == "98"  # under the province: its row is the province's
    got = indicators(period_dir)
    assert got[("98", "plan_issued.commune_steering_committees")] == (3, 4)
    assert got[("98", "safe_registered.communes")] == (3, 4)


def test_filled_templates_give_the_figures_typed_in(round_trip):
    figures, index, period_dir = round_trip
    got = indicators(period_dir)
    communes = [f for code, f in figures.items() if len(code) == 5 and code != SILENT]
    villages = sum(c["villages"] for c in communes)
    register_villages = villages + int(index[SILENT]["rows_listed"])  # the silent commune's: not achieved
    assert got[("98", "plan_issued.village_boards")] == (sum(c["village_plan"] for c in communes), register_villages)
    assert got[("98", "safe_registered.villages")] == (villages, register_villages)
    assert got[("98", "safe_registered.households")] == (
        sum(c["households"][0] for c in communes),
        sum(c["households"][1] for c in communes),
    )
    assert got[("98", "plan_issued.commune_steering_committees")] == (3, 4)
    assert got[("98", "plan_issued.district_steering_committees")] == (2, 2)
    assert got[("98", "plan_issued.province_agencies")] == (2, 2)
    assert got[("98", "plan_issued.district_agencies")] == (2, 3)  # the wrong row counts as not achieved
    assert got[("98", "models.group_4")] == (1, None)
    assert got[("98", "awards.commendation_individuals")] == (1, None)
