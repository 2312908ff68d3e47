"""Since 1 July 2025 Vietnam has no district level: communes directly under the province must build, and
every document of such a period speaks of the two-level structure only (README, "Cấu trúc hai cấp")."""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata

import docx
import openpyxl
import pytest
from build_helpers import build, findings, indicators, submission, write_register

import catalog
from orchestration import cli
from reports import auditors, narrative, xlsx_report
from reports.report_context import settings
from reports.report_data import Completeness, Figure, ReportData, UnitFigures

P = "2025-H2"
# the indicators that count the district level itself (catalog/indicators.csv, district_level)
DISTRICT_LEVEL = [i["indicator"] for i in catalog.indicators() if i["district_level"]]


def _fold(text: str) -> str:
    """Lower case without tones or marks ("Huyện" -> "huyen"), đ as d."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _names_district(text: str) -> bool:
    """The word "huyện" in any case or tone, as a word ("chuyển", "chuyên" are other words)."""
    return re.search(r"\bhuyen\b", _fold(text)) is not None


def _docx_text(path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def two_level(tmp_path_factory):
    """One build of a tiny two-level province (its register has no district), shared by every test here."""
    tmp_path = tmp_path_factory.mktemp("two_level")
    register = write_register(
        tmp_path / "register",
        [
            ("98", "Tỉnh Hai Cấp", "province", ""),
            ("98001", "Phường Một", "commune", "98"),
            ("98002", "Xã Hai", "commune", "98"),
            ("98001001", "Khu phố 1", "village", "98001"),
            ("98002001", "Thôn 1", "village", "98002"),
            ("98002002", "Thôn 2", "village", "98002"),
        ],
        [
            ("T1", "Sở Một", "co_quan", "province", ""),
        ],
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    created = dt.date(2026, 1, 5)
    submission(
        inbox,
        "tinh.xlsx",
        "province",
        "98",
        "Tỉnh Hai Cấp",
        P,
        created_on=created,
        sheets={
            "agencies": [
                {
                    "agency_code": "T1",
                    "agency_name": "Sở Một",
                    "agency_kind": "co_quan",
                    "plan_issued": True,
                    "safe_registered": True,
                }
            ]
        },
    )
    submission(
        inbox,
        "p1.xlsx",
        "commune",
        "98001",
        "Phường Một",
        P,
        created_on=created,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                {
                    "village_code": "98001001",
                    "village_name": "Khu phố 1",
                    "plan_issued": True,
                    "safe_registered": True,
                    "households_total": 300,
                    "households_registered": 280,
                }
            ],
            "commune_models": [{"model_name": "Camera an ninh", "model_group": "6"}],
        },
    )
    submission(
        inbox,
        "x2.xlsx",
        "commune",
        "98002",
        "Xã Hai",
        P,
        created_on=created,
        commune_steering_plan=False,
        commune_safe=True,
        sheets={
            "villages": [
                {
                    "village_code": "98002001",
                    "village_name": "Thôn 1",
                    "plan_issued": False,
                    "safe_registered": True,
                    "households_total": 120,
                    "households_registered": 100,
                },
                {
                    "village_code": "98002002",
                    "village_name": "Thôn 2",
                    "plan_issued": True,
                    "safe_registered": False,
                    "households_total": 80,
                    "households_registered": 0,
                },
            ]
        },
    )
    out = build(tmp_path, P, inbox, register)
    return {"tmp": tmp_path, "out": out, "register": register}


def test_two_level_province_builds(two_level):
    out = two_level["out"]
    figures = indicators(out)
    assert {code for code, _ in figures} == {"98"}  # no district rows in a two-level province
    assert figures[("98", "plan_issued.district_steering_committees")] == (0, 0)
    assert figures[("98", "plan_issued.commune_steering_committees")] == (1, 2)
    assert figures[("98", "plan_issued.village_boards")] == (2, 3)
    assert figures[("98", "safe_registered.communes")] == (2, 2)
    assert figures[("98", "safe_registered.households")] == (380, 500)
    assert figures[("98", "models.communes_covered")] == (1, 2)
    assert figures[("98", "plan_issued.province_agencies")] == (1, 1)
    assert not [f for f in findings(out) if f["severity"] in ("error", "warning")]


def _register(folder, org_units: list[tuple], agencies: list[tuple]):
    """A register whose agencies.csv has contract section 2's optional province_code column (last)."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (
        ("org_units.csv", ["code", "name", "level", "parent_code", "valid_from", "valid_to"], org_units),
        (
            "agencies.csv",
            ["code", "name", "kind", "managed_by", "district_code", "valid_from", "valid_to", "province_code"],
            agencies,
        ),
    ):
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
    return folder


def _province_agencies(prefix: str, province: str, n: int, valid_from: str = "", valid_to: str = "") -> list[tuple]:
    return [
        (f"{prefix}{i:03d}", f"Cơ quan {prefix} {i}", "co_quan", "province", "", valid_from, valid_to, province)
        for i in range(1, n + 1)
    ]


def _listed(codes: list[str], achieved: int) -> list[dict]:
    """Agency rows of a province workbook: the first `achieved` issued a plan and registered."""
    return [
        {
            "agency_code": code,
            "agency_name": f"Cơ quan {code[:2]} {int(code[2:])}",
            "agency_kind": "co_quan",
            "plan_issued": i < achieved,
            "safe_registered": i < achieved,
        }
        for i, code in enumerate(codes)
    ]


def test_two_provinces_each_count_their_own_province_agencies(tmp_path):
    """Two provinces in one register (and one warehouse): each province row counts its own province-managed
    agencies (the seed's 168/195 for the first), never 0/0 and never the other's."""
    a_agencies = _province_agencies("TA", "60", 195)
    b_agencies = _province_agencies("TB", "61", 12)
    register = _register(
        tmp_path / "register",
        [
            ("60", "Tỉnh An", "province", "", "", ""),
            ("601", "Huyện An Một", "district", "60", "", ""),
            ("60101", "Xã An", "commune", "601", "", ""),
            ("60101001", "Thôn An", "village", "60101", "", ""),
            ("61", "Tỉnh Bình", "province", "", "", ""),
            ("611", "Huyện Bình Một", "district", "61", "", ""),
            ("61101", "Xã Bình", "commune", "611", "", ""),
            ("61101001", "Thôn Bình", "village", "61101", "", ""),
        ],
        a_agencies
        + b_agencies
        + [
            ("DA1", "Phòng An", "co_quan", "district", "601", "", "", ""),  # province from its district
            ("DB1", "Phòng Bình", "co_quan", "district", "611", "", "", "61"),
        ],
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    created = dt.date(2021, 7, 5)
    submission(
        inbox,
        "tinh_an.xlsx",
        "province",
        "60",
        "Tỉnh An",
        "2021-H1",
        created_on=created,
        sheets={"agencies": _listed([a[0] for a in a_agencies], 168)},
    )
    submission(
        inbox,
        "tinh_binh.xlsx",
        "province",
        "61",
        "Tỉnh Bình",
        "2021-H1",
        created_on=created,
        sheets={"agencies": _listed([b[0] for b in b_agencies], 9)},
    )
    submission(
        inbox,
        "huyen_binh.xlsx",
        "district",
        "611",
        "Huyện Bình Một",
        "2021-H1",
        created_on=created,
        district_steering_plan=True,
        sheets={
            "agencies": [
                {
                    "agency_code": "DB1",
                    "agency_name": "Phòng Bình",
                    "agency_kind": "co_quan",
                    "plan_issued": True,
                    "safe_registered": True,
                }
            ]
        },
    )
    out = build(tmp_path, "2021-H1", inbox, register)
    figures = indicators(out)
    assert figures[("60", "plan_issued.province_agencies")] == (168, 195)
    assert figures[("60", "safe_registered.province_agencies")] == (168, 195)
    assert figures[("61", "plan_issued.province_agencies")] == (9, 12)
    assert figures[("61", "safe_registered.province_agencies")] == (9, 12)
    assert figures[("60", "plan_issued.district_agencies")] == (0, 1)
    assert figures[("61", "plan_issued.district_agencies")] == (1, 1)
    assert figures[("611", "plan_issued.district_agencies")] == (1, 1)
    found = findings(out)
    # neither province workbook is expected to list, nor may list, the other province's agencies
    assert not [f for f in found if f["check"] in ("UNKNOWN_ORG_UNIT", "MISSING_UNIT_ROW")]
    # one report per province
    assert len(list(out.glob("bao_cao_*.docx"))) == 2


def test_merged_province_counts_in_the_periods_it_is_valid(tmp_path):
    """The 1 July 2025 merger recorded with validity dates: the old province (valid to 30/06/2025) counts its
    province-managed agencies in 2025-H1, the new one (valid from 01/07/2025) its own in 2025-H2."""
    import duckdb

    old_agencies = _province_agencies("CU", "60", 4)  # open validity: the province ends
    new_agencies = _province_agencies("MO", "70", 3, valid_from="2025-07-01")
    register = _register(
        tmp_path / "register",
        [
            ("60", "Tỉnh Cũ", "province", "", "", "2025-06-30"),
            ("601", "Huyện Cũ", "district", "60", "", "2025-06-30"),
            ("60101", "Xã Cũ", "commune", "601", "", "2025-06-30"),
            ("60101001", "Thôn Cũ", "village", "60101", "", "2025-06-30"),
            ("70", "Tỉnh Mới", "province", "", "2025-07-01", ""),
            ("70001", "Xã Mới", "commune", "70", "2025-07-01", ""),
            ("70001001", "Thôn Mới", "village", "70001", "2025-07-01", ""),
        ],
        old_agencies
        + new_agencies
        + [
            ("DC1", "Phòng Cũ", "co_quan", "district", "601", "", "", ""),  # its district ends too
        ],
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    submission(
        inbox,
        "tinh_cu.xlsx",
        "province",
        "60",
        "Tỉnh Cũ",
        "2025-H1",
        created_on=dt.date(2025, 7, 5),
        sheets={"agencies": _listed([a[0] for a in old_agencies], 3)},
    )
    submission(
        inbox,
        "tinh_moi.xlsx",
        "province",
        "70",
        "Tỉnh Mới",
        "2025-H2",
        created_on=dt.date(2026, 1, 5),
        sheets={"agencies": _listed([a[0] for a in new_agencies], 2)},
    )
    out = build(tmp_path, "2025-H2", inbox, register)
    figures = indicators(out)
    assert {code for code, _ in figures} == {"70"}
    assert figures[("70", "plan_issued.province_agencies")] == (2, 3)
    assert figures[("70", "safe_registered.province_agencies")] == (2, 3)
    assert figures[("70", "plan_issued.district_agencies")] == (0, 0)  # the old district's agency ended with it
    assert not [f for f in findings(out) if f["check"] in ("UNKNOWN_ORG_UNIT", "MISSING_UNIT_ROW")]
    # 2025-H1 is built too (its workbook is in the inbox): the old province's figures
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        h1 = {
            (code, ind): (a, t)
            for code, ind, a, t in con.execute(
                "select org_unit_code, indicator, achieved, total from main.mart_indicators where period = '2025-H1'"
            ).fetchall()
        }
    finally:
        con.close()
    assert {code for code, _ in h1} == {"60", "601"}
    assert h1[("60", "plan_issued.province_agencies")] == (3, 4)
    assert h1[("60", "plan_issued.district_agencies")] == (0, 1)


# --- the documents of a two-level period --------------------------------------------------------------------


def test_report_speaks_of_two_levels_only(two_level):
    """The narrative (Markdown and Word) names no district: the two-level wording of bao_cao.yaml, no district
    annex, and the district-level indicators neither in the sentences nor as 0/0 in the table."""
    out = two_level["out"]
    markdown = (out / f"bao_cao_{P}.md").read_text(encoding="utf-8")
    text = _docx_text(out / f"bao_cao_{P}.docx")
    words = settings()["structure"]
    for document in (markdown, text):
        assert not _names_district(document)
        assert words["two_level"]["steering_addressees"] in document
        assert words["three_level"]["steering_addressees"] not in document
        assert "0/0" not in document  # a figure of a level the period has not
    annexes = re.findall(r"^## PHỤ LỤC (\d+)\. (.*)$", markdown, flags=re.M)
    assert [n for n, _ in annexes] == ["1", "2"]  # figures and charts, then sources: no annex by district
    labels = {i["indicator"]: i["label_vi"] for i in catalog.indicators()}
    assert not [code for code in DISTRICT_LEVEL if labels[code] in markdown]
    # what the body does say: the communes directly under the province, by the register
    assert "cấp xã: 2/2" in markdown


def test_workbook_has_no_district_sheet_and_shows_not_applicable(two_level):
    out = two_level["out"]
    wb = openpyxl.load_workbook(out / f"bao_cao_{P}.xlsx")
    assert xlsx_report.SHEETS["annex"] not in wb.sheetnames
    assert not [name for name in wb.sheetnames if _names_district(name)]
    summary = wb[xlsx_report.SHEETS["summary"]]
    rows = {r[1]: r[2:5] for r in summary.iter_rows(values_only=True) if r[1]}
    labels = {i["indicator"]: i["label_vi"] for i in catalog.indicators()}
    for code in DISTRICT_LEVEL:  # the indicators.csv rows (0/0 by contract) read "Không áp dụng", never 0
        assert rows[labels[code]] == (settings()["not_applicable"], None, None)
    assert rows[labels["plan_issued.commune_steering_committees"]][:2] == (1, 2)


def test_auditors_files_have_no_district_section(two_level):
    """Completeness and timeliness by commune directly under the province; no district column or filter."""
    out = two_level["out"]
    wb = openpyxl.load_workbook(out / auditors.XLSX_NAME)
    header = [c for c in next(wb["Phát hiện"].iter_rows(max_row=1, values_only=True)) if c]
    assert "Huyện" not in header and "Xã" in header
    completeness = [r for r in wb["Đầy đủ, đúng hạn"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert [r[:4] for r in completeness] == [
        ("98", "Tỉnh Hai Cấp", 3, 3),
        ("98001", "Phường Một", 1, 1),
        ("98002", "Xã Hai", 1, 1),
    ]
    page = (out / auditors.HTML_NAME).read_text(encoding="utf-8")
    assert "Theo huyện" not in page and "các huyện" not in page
    assert "Theo xã (trực thuộc tỉnh)" in page
    assert re.search(r"<label hidden>Huyện <select", page)  # the district filters are not shown


def test_blank_templates_of_a_two_level_province(two_level, tmp_path):
    """`antq template`: the province and its communes (in the province's folder), no district workbook."""
    assert cli.main(["template", P, "--register", str(two_level["register"]), "--out", str(tmp_path)]) == 0
    folder = tmp_path / P
    with open(folder / "danh_sach_bieu_mau.csv", encoding="utf-8", newline="") as fh:
        index = list(csv.DictReader(fh))
    assert [(r["level"], r["code"], r["parent_code"]) for r in index] == [
        ("province", "98", ""),
        ("commune", "98001", "98"),
        ("commune", "98002", "98"),
    ]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.xlsx")) == [
        "98/98001_Phường_Một.xlsx",
        "98/98002_Xã_Hai.xlsx",
        "98_Tỉnh_Hai_Cấp.xlsx",
    ]
    for path in folder.rglob("*.xlsx"):  # no district sheet, cover field or instruction
        wb = openpyxl.load_workbook(path)
        assert not [name for name in wb.sheetnames if _names_district(name)]
        cells = [v for ws in wb for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
        assert not [v for v in cells if _names_district(v)], path.name


def _unit(code: str, name: str, level: str, figures: dict[str, tuple[int, int | None]]) -> UnitFigures:
    return UnitFigures(code, name, level, {k: Figure(k, a, t) for k, (a, t) in figures.items()})


def test_first_two_level_half_year_against_a_three_level_one():
    """2025-H2 after 2025-H1: the district-level indicators read "Không áp dụng" beside the previous half-year's
    figures and their change is "Không so sánh được", never a fall to 0; the charts leave them out."""
    from reports import chart_drawing, charts

    every = {i["indicator"]: (5, 10 if i["has_total"] else None) for i in catalog.indicators()}
    now = _unit("70", "Tỉnh Mới", "province", {**every, **{code: (0, 0) for code in DISTRICT_LEVEL}})
    before = _unit("70", "Tỉnh Mới", "province", {**every, **{code: (8, 10) for code in DISTRICT_LEVEL}})
    data = ReportData(
        period=P,
        period_label="6 tháng cuối năm 2025",
        period_year=2025,
        period_end=dt.date(2025, 12, 31),
        data_date=dt.date(2026, 1, 5),
        province=now,
        previous_period="2025-H1",
        previous_label="6 tháng đầu năm 2025",
        previous_province=before,
        districts=[],
        trend=[("2025-H1", "6 tháng đầu năm 2025", before), (P, "6 tháng cuối năm 2025", now)],
        model_rows=[],
        completeness=Completeness({"province": 1, "commune": 1}, {"province": 1, "commune": 1}, {}, {}),
        district_level=False,
    )
    markdown = narrative.render(data, {key: None for key in charts.FILES})
    labels = {i["indicator"]: i["label_vi"] for i in catalog.indicators()}
    for code in DISTRICT_LEVEL:
        row = next(line for line in markdown.splitlines() if f"| {labels[code]} |" in line)
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2:] == [settings()["not_applicable"], "8/10<br>(80,00%)", settings()["not_comparable"]]
    assert "0/0" not in markdown
    with charts.style():
        drawn = chart_drawing.figures(data)
        plan_rows = [label.get_text().replace("\n", " ") for label in drawn["plan_levels"].axes[0].get_yticklabels()]
        trend_texts = [t.get_text().replace("\n", " ") for t in drawn["trend"].axes[0].texts]
    assert plan_rows and not [r for r in plan_rows if _names_district(r)]
    assert trend_texts and not [t for t in trend_texts if _names_district(t)]
