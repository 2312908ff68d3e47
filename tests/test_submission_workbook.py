"""The submission-workbook writer: layout, cell types, dropdowns and determinism, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import pytest

import catalog
from workbook_format.writer import LISTS_SHEET, write_submission

WB = catalog.workbook()
SHEETS = WB["sheets"]
COVER = WB["cover"]
YES, NO = WB["vocab"]["yesno"][True][0], WB["vocab"]["yesno"][False][0]


def _cover(**extra):
    base = {"code": "00123", "name": "Xã Thử", "period": "2021-H1", "created_on": dt.date(2021, 7, 3), "version": 1}
    base.update(extra)
    return base


def _header_cells(ws, layout_id):
    """Header text -> column letter, found within the catalogue's header search rows."""
    wanted = {c["header"] for c in SHEETS[layout_id]["columns"].values()}
    for row in ws.iter_rows(max_row=WB["header_search_rows"]):
        texts = {c.value: c.column_letter for c in row if c.value is not None}
        if wanted <= set(texts):
            return row[0].row, texts
    raise AssertionError(f"no header row in {ws.title}")


def _cover_values(ws):
    return {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}


def _validations_covering(ws, coordinate):
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


@pytest.fixture
def commune_book(tmp_path):
    path = write_submission(
        tmp_path / "x.xlsx",
        level="commune",
        title="Báo cáo thử",
        cover=_cover(commune_steering_plan=True, commune_safe=False, preparer="=HYPERLINK(1)"),
        sheets={
            "villages": [
                {
                    "village_code": "00123001",
                    "village_name": "=1+2",
                    "plan_issued": True,
                    "safe_registered": False,
                    "households_total": 1234,
                    "households_registered": 1000,
                },
                {
                    "village_code": "00123002",
                    "village_name": "+84 912",
                    "plan_issued": None,
                    "safe_registered": True,
                    "households_total": 150,
                    "households_registered": 150,
                },
                {
                    "village_code": "00123003",
                    "village_name": "-Thôn 3",
                    "plan_issued": "x",
                    "safe_registered": True,
                    "households_total": "1.234",
                    "households_registered": 7,
                },
                {
                    "village_code": "00123004",
                    "village_name": "@Thôn 4\tx",
                    "plan_issued": True,
                    "safe_registered": True,
                    "households_total": 300,
                    "households_registered": 200,
                },
            ],
            "commune_models": [
                {"model_name": "Camera an ninh", "model_group": "6", "unit_code": "00123001", "founded_year": 2019}
            ],
            "force_support": [{"person_name": "Nguyễn Văn A", "support_type": "visit", "amount_vnd": 500000}],
            "awards": [
                {
                    "recipient_kind": "individual",
                    "recipient_name": "Lê Thị B",
                    "award_type": "medal",
                    "decision_no": "12/QĐ-BCA",
                }
            ],
        },
    )
    return openpyxl.load_workbook(path)


def test_codes_keep_leading_zeros_as_text(commune_book):
    cover = _cover_values(commune_book[COVER["sheet"]])
    code = cover[COVER["fields"]["code"]["label"]]
    assert code.value == "00123" and code.data_type == "s" and code.number_format == "@"
    ws = commune_book[SHEETS["villages"]["sheet"]]
    header_row, cols = _header_cells(ws, "villages")
    cell = ws[f"{cols[SHEETS['villages']['columns']['village_code']['header']]}{header_row + 1}"]
    assert cell.value == "00123001" and cell.data_type == "s" and cell.number_format == "@"


def test_formula_looking_text_stays_text(commune_book):
    ws = commune_book[SHEETS["villages"]["sheet"]]
    header_row, cols = _header_cells(ws, "villages")
    col = cols[SHEETS["villages"]["columns"]["village_name"]["header"]]
    cells = [ws[f"{col}{header_row + i}"] for i in range(1, 5)]
    assert [c.value for c in cells] == ["=1+2", "+84 912", "-Thôn 3", "@Thôn 4\tx"]
    assert all(c.data_type == "s" for c in cells)
    preparer = _cover_values(commune_book[COVER["sheet"]])[COVER["fields"]["preparer"]["label"]]
    assert preparer.value == "=HYPERLINK(1)" and preparer.data_type == "s"


def test_value_conversion(commune_book):
    ws = commune_book[SHEETS["villages"]["sheet"]]
    header_row, cols = _header_cells(ws, "villages")
    columns = SHEETS["villages"]["columns"]
    first = header_row + 1

    def at(cid, row):
        return ws[f"{cols[columns[cid]['header']]}{row}"]

    assert at("plan_issued", first).value == YES
    assert at("safe_registered", first).value == NO
    assert at("plan_issued", first + 1).value is None  # None stays blank
    assert at("plan_issued", first + 2).value == "x"  # literal words pass through
    total = at("households_total", first)
    assert total.value == 1234 and total.data_type == "n" and total.number_format == "#,##0"
    assert at("households_total", first + 2).value == "1.234"  # text stays text

    support = commune_book[SHEETS["force_support"]["sheet"]]
    header_row, cols = _header_cells(support, "force_support")
    kind = support[f"{cols[SHEETS['force_support']['columns']['support_type']['header']]}{header_row + 1}"]
    assert kind.value == WB["vocab"]["support_type"]["visit"][0]

    awards = commune_book[SHEETS["awards"]["sheet"]]
    header_row, cols = _header_cells(awards, "awards")
    acols = SHEETS["awards"]["columns"]
    assert (
        awards[f"{cols[acols['recipient_kind']['header']]}{header_row + 1}"].value
        == WB["vocab"]["recipient"]["individual"][0]
    )
    assert (
        awards[f"{cols[acols['award_type']['header']]}{header_row + 1}"].value == WB["vocab"]["award_type"]["medal"][0]
    )

    cover = _cover_values(commune_book[COVER["sheet"]])
    fields = COVER["fields"]
    created = cover[fields["created_on"]["label"]]
    assert created.is_date and created.value.date() == dt.date(2021, 7, 3)
    assert created.number_format == "dd/mm/yyyy"
    assert cover[fields["level"]["label"]].value == WB["levels"]["commune"][0]
    assert cover[fields["commune_steering_plan"]["label"]].value == YES
    assert cover[fields["commune_safe"]["label"]].value == NO
    assert cover[fields["version"]["label"]].value == 1


def test_cover_has_exactly_the_fields_of_its_level(tmp_path):
    for level in WB["levels"]:
        path = write_submission(tmp_path / f"{level}.xlsx", level=level, cover=_cover(), sheets={})
        labels = set(_cover_values(openpyxl.load_workbook(path)[COVER["sheet"]]))
        expected = {f["label"] for f in COVER["fields"].values() if level in f.get("levels", [level])}
        assert labels == expected


def test_header_row_with_and_without_title(tmp_path, commune_book):
    ws = commune_book[SHEETS["villages"]["sheet"]]
    assert _header_cells(ws, "villages")[0] == 3
    assert ws["A1"].value == "Báo cáo thử" and ws["A1"].font.b
    assert ws.freeze_panes == "A4"
    path = write_submission(tmp_path / "plain.xlsx", level="commune", cover=_cover(), sheets={})
    plain = openpyxl.load_workbook(path)[SHEETS["villages"]["sheet"]]
    assert _header_cells(plain, "villages")[0] == 1
    assert plain.freeze_panes == "A2"
    assert plain.max_row == 1  # required sheet written with its header only


def test_dropdowns_on_yesno_and_enum_cells(commune_book):
    ws = commune_book[SHEETS["villages"]["sheet"]]
    header_row, cols = _header_cells(ws, "villages")
    columns = SHEETS["villages"]["columns"]
    for cid in ("plan_issued", "safe_registered"):
        col = cols[columns[cid]["header"]]
        for row in (header_row + 1, header_row + 1000):
            (dv,) = _validations_covering(ws, f"{col}{row}")
            assert dv.type == "list" and dv.formula1 == f'"{YES},{NO}"'
    assert not _validations_covering(ws, f"{cols[columns['village_name']['header']]}{header_row + 1}")

    cover_ws = commune_book[COVER["sheet"]]
    cover = _cover_values(cover_ws)
    for fid in ("commune_steering_plan", "commune_safe", "level"):
        assert _validations_covering(cover_ws, cover[COVER["fields"][fid]["label"]].coordinate)

    # a list with commas cannot be inline: it lives on the hidden list sheet
    models = commune_book[SHEETS["commune_models"]["sheet"]]
    header_row, cols = _header_cells(models, "commune_models")
    col = cols[SHEETS["commune_models"]["columns"]["model_group"]["header"]]
    (dv,) = _validations_covering(models, f"{col}{header_row + 1}")
    assert dv.formula1.startswith(f"'{LISTS_SHEET}'!")
    lists = commune_book[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    assert commune_book.sheetnames[-1] == LISTS_SHEET
    rng = dv.formula1.split("!")[1].replace("$", "")
    listed = [c.value for (c,) in lists[rng]]
    for words in WB["vocab"]["model_group"].values():
        assert set(words) <= set(listed)
    assert LISTS_SHEET not in {s["sheet"] for s in SHEETS.values()} | {COVER["sheet"]}


def test_only_layouts_of_the_level(tmp_path):
    with pytest.raises(ValueError):
        write_submission(tmp_path / "a.xlsx", level="commune", cover=_cover(), sheets={"agencies": []})
    with pytest.raises(ValueError):
        write_submission(tmp_path / "b.xlsx", level="district", cover=_cover(), sheets={"villages": []})
    with pytest.raises(ValueError):
        write_submission(tmp_path / "c.xlsx", level="province", cover=_cover(), sheets={"commune_models": []})
    with pytest.raises(ValueError):
        write_submission(tmp_path / "d.xlsx", level="commune", cover=_cover(), sheets={"no_such_layout": []})
    with pytest.raises(ValueError):
        write_submission(tmp_path / "e.xlsx", level="commune", cover=_cover(district_steering_plan=True), sheets={})
    with pytest.raises(ValueError):
        write_submission(tmp_path / "f.xlsx", level="village", cover=_cover(), sheets={})
    with pytest.raises(ValueError):
        write_submission(
            tmp_path / "g.xlsx", level="commune", cover=_cover(), sheets={"villages": [{"no_such_column": 1}]}
        )


def test_sheets_written_per_level(tmp_path):
    for level in WB["levels"]:
        allowed = catalog.sheet_specs_for(level)
        optional = [lid for lid, spec in allowed.items() if spec["levels"][level] != "required"]
        path = write_submission(
            tmp_path / f"{level}.xlsx", level=level, cover=_cover(), sheets={lid: [] for lid in optional}
        )
        names = openpyxl.load_workbook(path).sheetnames
        expected = [COVER["sheet"]] + [s["sheet"] for s in allowed.values()]
        assert [n for n in names if n != LISTS_SHEET] == expected
        assert all(len(n) <= 31 for n in names)
        required_only = write_submission(tmp_path / f"{level}_req.xlsx", level=level, cover=_cover(), sheets={})
        assert [n for n in openpyxl.load_workbook(required_only).sheetnames if n != LISTS_SHEET] == [COVER["sheet"]] + [
            s["sheet"] for s in allowed.values() if s["levels"][level] == "required"
        ]


def test_district_agencies_and_summary(tmp_path):
    path = write_submission(
        tmp_path / "d.xlsx",
        level="district",
        cover=_cover(code="593", district_steering_plan=True),
        sheets={
            "agencies": [
                {
                    "agency_code": "CQ-593-001",
                    "agency_name": "Phòng Tư pháp",
                    "agency_kind": "co_quan",
                    "plan_issued": True,
                    "safe_registered": False,
                }
            ],
            "district_summary": [{"summary_item": "models", "achieved": 12, "total": None}],
        },
    )
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEETS["agencies"]["sheet"]]
    header_row, cols = _header_cells(ws, "agencies")
    kind_col = cols[SHEETS["agencies"]["columns"]["agency_kind"]["header"]]
    assert ws[f"{kind_col}{header_row + 1}"].value == WB["vocab"]["agency_kind"]["co_quan"][0]
    assert _validations_covering(ws, f"{kind_col}{header_row + 1}")
    summary = wb[SHEETS["district_summary"]["sheet"]]
    header_row, cols = _header_cells(summary, "district_summary")
    item_col = cols[SHEETS["district_summary"]["columns"]["summary_item"]["header"]]
    assert summary[f"{item_col}{header_row + 1}"].value == WB["vocab"]["summary_item"]["models"][0]


def test_output_is_byte_identical_and_stamped(tmp_path):
    kwargs = dict(
        level="commune",
        cover=_cover(commune_steering_plan=True),
        sheets={
            "villages": [
                {
                    "village_code": "00123001",
                    "village_name": "Thôn 1",
                    "households_total": 10,
                    "households_registered": 5,
                }
            ]
        },
    )
    a = write_submission(tmp_path / "a.xlsx", **kwargs)
    b = write_submission(tmp_path / "b.xlsx", **kwargs)
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    props = openpyxl.load_workbook(a).properties
    assert props.created == props.modified
    assert props.created.date() == dt.date(2021, 7, 3)


def test_a_blank_template_carries_the_marker_and_only_prefilled_cells(tmp_path):
    """Issue 14: `blank_template` marks the workbook with the catalogue's custom document property
    (value: the period); a submission has none; a template may not carry an answer."""
    prop = WB["blank_template"]["property"]
    identity = {"code": "00123", "name": "Xã Thử", "period": "2021-H1"}
    listed = {"villages": [{"village_code": "00123001", "village_name": "Thôn 1"}]}
    template = write_submission(
        tmp_path / "t.xlsx", level="commune", cover=identity, sheets=listed, blank_template="2021-H1"
    )
    marks = {p.name: p.value for p in openpyxl.load_workbook(template).custom_doc_props}
    assert marks == {prop: "2021-H1"}
    plain = write_submission(tmp_path / "s.xlsx", level="commune", cover=_cover(), sheets=listed)
    assert len(openpyxl.load_workbook(plain).custom_doc_props) == 0
    with pytest.raises(ValueError, match="created_on"):
        write_submission(
            tmp_path / "x.xlsx",
            level="commune",
            cover={**identity, "created_on": dt.date(2021, 7, 3)},
            sheets={},
            blank_template="2021-H1",
        )
    with pytest.raises(ValueError, match="households_total"):
        write_submission(
            tmp_path / "y.xlsx",
            level="commune",
            cover=identity,
            blank_template="2021-H1",
            sheets={"villages": [{"village_code": "00123001", "households_total": 5}]},
        )
