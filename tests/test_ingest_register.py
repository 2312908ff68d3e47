"""load_register: the register CSVs (contract section 2) checked whole and loaded into raw tables."""

from __future__ import annotations

import datetime as dt
import unicodedata

import duckdb
import pytest

from ingestion.normalize import text_key
from ingestion.register import RegisterError, load_register

ORG_HEADER = "code,name,level,parent_code,valid_from,valid_to"
AGENCY_HEADER = "code,name,kind,managed_by,district_code,valid_from,valid_to"
ORG_UNITS = [
    "60,Tỉnh Bình Thuận,province,,,",
    "593,Thành phố Phan Thiết,district,60,,",
    "22915,Phường Mũi Né,commune,593,,",
    "22916,Xã Hàm Hiệp,commune,60,2025-07-01,",  # a commune directly under the province
    "22915001,Khu phố 1,village,22915,2015-01-01,2030-12-31",
]
AGENCIES = [
    "CQT001,Sở Nội vụ,co_quan,province,,2015-01-01,",
    "CQ-593-001,Phòng Nội vụ,co_quan,district,593,,",
    "DN-593-001,Công ty A,doanh_nghiep,district,593,,",
    "NT-593-001,Trường THCS B,nha_truong,district,593,,",
]


def write_register(folder, org_units=ORG_UNITS, agencies=AGENCIES, org_header=ORG_HEADER, agency_header=AGENCY_HEADER):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "org_units.csv").write_text("\n".join([org_header, *org_units]) + "\n", encoding="utf-8")
    (folder / "agencies.csv").write_text("\n".join([agency_header, *agencies]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def test_register_loads(con, tmp_path):
    counts = load_register(con, write_register(tmp_path / "reg"))
    assert counts == {
        "register_org_units": 5,
        "register_agencies": 4,
        "org_units_by_level": {"province": 1, "district": 1, "commune": 2, "village": 1},
        "agencies_by_managed_by": {"province": 1, "district": 3},
        "register_crosswalk": 0,  # no crosswalk.csv: optional
        "crosswalk_findings": [],
    }
    units = {r[0]: r for r in con.execute("select * from raw.register_org_units").fetchall()}
    assert units["60"] == ("60", "Tỉnh Bình Thuận", "tỉnh bình thuận", "province", None, None, None)
    assert units["22916"][4:] == ("60", dt.date(2025, 7, 1), None)
    assert units["22915001"][4:] == ("22915", dt.date(2015, 1, 1), dt.date(2030, 12, 31))
    agencies = {r[0]: r for r in con.execute("select * from raw.register_agencies").fetchall()}
    assert agencies["CQT001"][3:6] == ("co_quan", "province", None)
    assert agencies["DN-593-001"][3:6] == ("doanh_nghiep", "district", "593")


def test_codes_that_lost_their_zeros_are_padded_and_names_normalised(con, tmp_path):
    org_units = [
        "2,Tỉnh A,province,,,",
        "27,Huyện B,district,2,,",
        f"781,{unicodedata.normalize('NFD', 'Xã  Vũ Hoà')},commune,27,,",
        "781001,Thôn 1,village,781,,",
    ]
    agencies = ["CQ1,Cơ quan 1,co_quan,district,27,,"]
    load_register(con, write_register(tmp_path / "reg", org_units, agencies))
    rows = con.execute("select code, name, name_key, parent_code from raw.register_org_units order by code").fetchall()
    assert rows == [
        ("00781", "Xã Vũ Hoà", text_key("xã vũ hòa"), "027"),
        ("00781001", "Thôn 1", "thôn 1", "00781"),
        ("02", "Tỉnh A", "tỉnh a", None),
        ("027", "Huyện B", "huyện b", "02"),
    ]
    assert con.execute("select district_code from raw.register_agencies").fetchall() == [("027",)]


def test_reloading_replaces_the_register(con, tmp_path):
    load_register(con, write_register(tmp_path / "reg"))
    load_register(con, write_register(tmp_path / "reg2", ORG_UNITS[:2], AGENCIES[:1]))
    assert con.execute("select count(*) from raw.register_org_units").fetchone() == (2,)
    assert con.execute("select count(*) from raw.register_agencies").fetchone() == (1,)


@pytest.mark.parametrize(
    "org_units, agencies, message",
    [
        (ORG_UNITS + ["99,Tỉnh X,tinh,,,"], AGENCIES, "unknown level 'tinh'"),
        (ORG_UNITS + ["593,Trùng,district,60,,"], AGENCIES, "line 7: code 593 is also on line 3"),
        (ORG_UNITS + ["594,Huyện Y,district,,,"], AGENCIES, "parent '' of 594 is missing"),
        (ORG_UNITS + ["22999,Xã Z,commune,599,,"], AGENCIES, "parent '599' of 22999 is missing"),
        (ORG_UNITS + ["22999001,Thôn Z,village,593,,"], AGENCIES, "parent '593' of 22999001 is missing"),
        (ORG_UNITS + ["61,Tỉnh Y,province,60,,"], AGENCIES, "province 61 must have an empty parent_code"),
        (ORG_UNITS + ["22999,,commune,593,,"], AGENCIES, "line 7: name is empty"),
        (ORG_UNITS + ["22999,Xã Q,commune,593,01/07/2021,"], AGENCIES, "valid_from '01/07/2021' is not an ISO date"),
        (ORG_UNITS + ["22999,Xã Q,commune,593,2022-01-01,2021-01-01"], AGENCIES, "valid_from is after valid_to"),
        (ORG_UNITS, AGENCIES + ["X1,Hội,hoi,province,,,"], "unknown kind 'hoi'"),
        (ORG_UNITS, AGENCIES + ["X1,Hội,co_quan,commune,,,"], "unknown managed_by 'commune'"),
        (ORG_UNITS, AGENCIES + ["CQT001,Sở Nội vụ,co_quan,province,,,"], "duplicate code CQT001"),
        (ORG_UNITS, AGENCIES + ["X1,Ban A,co_quan,province,593,,"], "district_code must be set exactly when"),
        (ORG_UNITS, AGENCIES + ["X1,Ban A,co_quan,district,,,"], "district_code must be set exactly when"),
        (ORG_UNITS, AGENCIES + ["X1,Ban A,co_quan,district,22915,,"], "district '22915' is not a district"),
    ],
)
def test_invalid_register_raises_one_line_reason(con, tmp_path, org_units, agencies, message):
    with pytest.raises(RegisterError) as error:
        load_register(con, write_register(tmp_path / "reg", org_units, agencies))
    text = str(error.value)
    assert message in text and "\n" not in text
    assert " / " in text  # Vietnamese / English


# contract section 2 allows a code on several rows: Vietnam's reform of 01/07/2025 re-used the codes of the
# province (68) and of former communes for the new units
REFORM = [
    "68,Tỉnh Lâm Đồng,province,,,2025-06-30",
    "672,Thành phố Đà Lạt,district,68,,2025-06-30",
    "24778,Phường 1,commune,672,,2025-06-30",
    "24778001,Khu phố 1,village,24778,,2025-06-30",
    "68,Tỉnh Lâm Đồng,province,,2025-07-01,",
    "24778,Phường Xuân Hương - Đà Lạt,commune,68,2025-07-01,",
    "24778001,Khu phố 1,village,24778,2025-07-01,",
]


def test_a_code_reused_with_validity_that_does_not_overlap(con, tmp_path):
    """The former and the new unit of one code both load; each row's parent is the parent code's row valid
    during it (the new commune 24778 under the 68 of since 01/07/2025, the former one under its district)."""
    load_register(con, write_register(tmp_path / "reg", REFORM, ["CQT001,Sở Nội vụ,co_quan,province,,,"]))
    rows = con.execute(
        "select code, level, parent_code, valid_from, valid_to from raw.register_org_units"
        " order by code, valid_from nulls first"
    ).fetchall()
    before, after = (None, dt.date(2025, 6, 30)), (dt.date(2025, 7, 1), None)
    assert rows == [
        ("24778", "commune", "672", *before),
        ("24778", "commune", "68", *after),
        ("24778001", "village", "24778", *before),
        ("24778001", "village", "24778", *after),
        ("672", "district", "68", *before),
        ("68", "province", None, None, dt.date(2025, 6, 30)),
        ("68", "province", None, *after),
    ]


@pytest.mark.parametrize(
    "extra, message",
    [
        # validity overlapping the former row's (30/06/2025 is in both)
        ("68,Tỉnh Lâm Đồng,province,,2025-06-30,", "line 9: code 68 is also on line 2"),
        ("24778,Phường 1,commune,672,,", "line 9: code 24778 is also on line 4"),  # open: overlaps both
        ("24778,Xã Q,district,68,2026-01-01,", "line 9: code 24778 is also on line 4"),  # another level
        # a child whose validity spans both rows of its parent's code
        ("24778002,Khu phố 2,village,24778,,", "line 9: 24778 is on several rows (lines 4, 7)"),
    ],
)
def test_a_reused_code_must_not_overlap(con, tmp_path, extra, message):
    with pytest.raises(RegisterError) as error:
        load_register(con, write_register(tmp_path / "reg", [*REFORM, extra], ["CQT001,Sở,co_quan,province,,,"]))
    text = str(error.value)
    assert message in text and "org_units.csv dòng 9" in text and "\n" not in text


def test_missing_folder_file_or_column(con, tmp_path):
    with pytest.raises(RegisterError, match="register folder not found"):
        load_register(con, tmp_path / "nowhere")
    folder = write_register(tmp_path / "reg")
    (folder / "agencies.csv").unlink()
    with pytest.raises(RegisterError, match="register file not found"):
        load_register(con, folder)
    folder = write_register(tmp_path / "reg2", org_header="code,name,level,parent")
    with pytest.raises(RegisterError, match="lacks columns parent_code, valid_from, valid_to"):
        load_register(con, folder)


def test_a_failed_load_keeps_the_previous_register(con, tmp_path):
    load_register(con, write_register(tmp_path / "reg"))
    with pytest.raises(RegisterError):
        load_register(con, write_register(tmp_path / "bad", ORG_UNITS + ["x,,province,,,"]))
    assert con.execute("select count(*) from raw.register_org_units").fetchone() == (5,)


# contract section 2: agencies.csv's optional province_code column
TWO_PROVINCES = ORG_UNITS + ["61,Tỉnh Ninh Thuận,province,,,", "582,Thành phố Phan Rang,district,61,,"]
AGENCY_HEADER_P = AGENCY_HEADER + ",province_code"


def test_province_code_is_derived_when_absent(con, tmp_path):
    load_register(con, write_register(tmp_path / "reg"))
    rows = dict(con.execute("select code, province_code from raw.register_agencies").fetchall())
    assert rows == {"CQT001": "60", "CQ-593-001": "60", "DN-593-001": "60", "NT-593-001": "60"}


def test_province_code_of_a_register_of_several_provinces(con, tmp_path):
    org_units = TWO_PROVINCES + ["2,Tỉnh Hai,province,,,"]
    agencies = [
        "CQT001,Sở Nội vụ,co_quan,province,,2015-01-01,,60",
        "CQT101,Sở Tư pháp,co_quan,province,,,,61",
        "CQ-593-001,Phòng Nội vụ,co_quan,district,593,,,",  # blank: its district's province
        "CQ-582-001,Phòng Tư pháp,co_quan,district,582,,,61",
        "CQT201,Sở Y tế,co_quan,province,,,,2",
    ]  # a code that lost its zero: 02
    load_register(con, write_register(tmp_path / "reg", org_units, agencies, agency_header=AGENCY_HEADER_P))
    rows = dict(con.execute("select code, province_code from raw.register_agencies").fetchall())
    assert rows == {"CQT001": "60", "CQT101": "61", "CQ-593-001": "60", "CQ-582-001": "61", "CQT201": "02"}


@pytest.mark.parametrize(
    "org_units, agencies, header, message",
    [
        # a province-managed row of a register of several provinces must name its province ...
        (
            TWO_PROVINCES,
            ["CQT001,Sở Nội vụ,co_quan,province,,,,"],
            AGENCY_HEADER_P,
            "line 2: a province-managed agency needs a province_code when org_units.csv holds several "
            "provinces (60, 61)",
        ),
        # ... also when the file has no province_code column at all
        (
            TWO_PROVINCES,
            ["CQ-593-001,Phòng Nội vụ,co_quan,district,593,,", "CQT001,Sở Nội vụ,co_quan,province,,,"],
            AGENCY_HEADER,
            "line 3: a province-managed agency needs a province_code",
        ),
        # the merger recorded with validity dates is a register of two provinces too
        (
            ["60,Tỉnh Cũ,province,,,2025-06-30", "70,Tỉnh Mới,province,,2025-07-01,"],
            ["CQT001,Sở Nội vụ,co_quan,province,,,,"],
            AGENCY_HEADER_P,
            "needs a province_code",
        ),
        (
            TWO_PROVINCES,
            ["CQT001,Sở Nội vụ,co_quan,province,,,,62"],
            AGENCY_HEADER_P,
            "line 2: province_code '62' is not a province in org_units.csv",
        ),
        (
            TWO_PROVINCES,
            ["CQT001,Sở Nội vụ,co_quan,province,,,,593"],
            AGENCY_HEADER_P,
            "province_code '593' is not a province",
        ),  # a district, not a province
        (
            TWO_PROVINCES,
            ["CQ-593-001,Phòng Nội vụ,co_quan,district,593,,,61"],
            AGENCY_HEADER_P,
            "line 2: province_code 61 is not the province (60) of district 593",
        ),
        (
            ORG_UNITS,
            ["CQ-593-001,Phòng Nội vụ,co_quan,district,593,,,61"],
            AGENCY_HEADER_P,
            "province_code '61' is not a province",
        ),
    ],
)
def test_invalid_province_code_raises_one_line_reason(con, tmp_path, org_units, agencies, header, message):
    with pytest.raises(RegisterError) as error:
        load_register(con, write_register(tmp_path / "reg", org_units, agencies, agency_header=header))
    text = str(error.value)
    assert message in text and "\n" not in text
    assert " / " in text and "agencies.csv dòng" in text  # Vietnamese / English, file and line
