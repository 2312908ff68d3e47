"""Vietnamese number, rate and date formatting (reports/vn_format.py) and the report Markdown reader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reports import vn_format
from reports.markdown_blocks import escape, inline, parse


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0"),
        (8, "8"),
        (10, "10"),
        (999, "999"),
        (1000, "1.000"),
        (299882, "299.882"),
        (1234567, "1.234.567"),
        (-1234, "-1.234"),
    ],
)
def test_number(n, text):
    assert vn_format.number(n) == text


@pytest.mark.parametrize(
    "n, text", [(0, "0"), (1, "01"), (8, "08"), (9, "09"), (10, "10"), (22, "22"), (1000, "1.000"), (299882, "299.882")]
)
def test_count_pads_below_ten(n, text):
    assert vn_format.count(n) == text


@pytest.mark.parametrize(
    "achieved, total, text",
    [
        (168, 195, "86,15%"),
        (299882, 332093, "90,30%"),
        (124, 124, "100,00%"),
        (0, 10, "0,00%"),
        (1, 3, "33,33%"),
        (2, 3, "66,67%"),  # half-up, not banker's rounding
        (1, 8, "12,50%"),
        (99999, 100000, "99,99%"),  # 99,999% would round to 100,00%: it is not all
        (199999, 200000, "99,99%"),  # 99,9995% likewise
        (9999, 10000, "99,99%"),
        (1, 100000, "0,01%"),  # 0,001% would round to 0,00%: it is not none
        (5, 0, "—"),  # no denominator
        (5, None, "—"),
    ],
)
def test_rate(achieved, total, text):
    assert vn_format.rate(achieved, total) == text


def test_rate_is_100_only_when_all():
    for total in (1, 7, 1000, 20001, 332093):
        assert vn_format.rate(total, total) == "100,00%"
        assert vn_format.rate(total - 1, total) != "100,00%"
        if total > 1:
            assert vn_format.rate(1, total) != "0,00%"


def test_rate_value_is_the_printed_rate():
    assert vn_format.rate_value(168, 195) == Decimal("86.15")
    assert vn_format.rate_value(99999, 100000) == Decimal("99.99")
    assert vn_format.rate_value(3, 0) is None


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("8.71"), "8,71"),
        (Decimal("1234.5"), "1.234,50"),
        (Decimal("-0.5"), "-0,50"),
        (0, "0,00"),
        (Decimal("-0.001"), "0,00"),
    ],
)
def test_decimal(value, text):
    assert vn_format.decimal(value) == text


def test_ratio_and_signed():
    assert vn_format.ratio(299882, 332093) == "299.882/332.093"
    assert vn_format.ratio(986, None) == "986"
    assert vn_format.signed(92) == "+92"
    assert vn_format.signed(-1500) == "-1.500"
    assert vn_format.signed(0) == "0"
    assert vn_format.signed_points(Decimal("8.71")) == "+8,71"
    assert vn_format.signed_points(Decimal("-3.20")) == "-3,20"


@pytest.mark.parametrize(
    "day, text",
    [
        (dt.date(2021, 7, 2), "ngày 02 tháng 7 năm 2021"),
        (dt.date(2021, 1, 15), "ngày 15 tháng 01 năm 2021"),
        (dt.date(2021, 2, 5), "ngày 05 tháng 02 năm 2021"),
        (dt.date(2021, 12, 31), "ngày 31 tháng 12 năm 2021"),
    ],
)
def test_date(day, text):
    assert vn_format.date(day) == text


def test_markdown_blocks():
    blocks = parse(
        "<!-- bảng: không viền -->\n<!-- cột: 40 60 -->\n| a | **b** |\n| :---: | ---: |\n| c<br>d | e |\n\n"
        "# BÁO CÁO\n\n<!-- căn: giữa -->\n**Tên** và *nghiêng*\ndòng tiếp\n\n- một\n- hai\n\n"
        "![Biểu đồ 1](charts/a.png)\n\n<!-- trang: ngang -->\n## Phụ lục\n"
    )
    kinds = [b.kind for b in blocks]
    assert kinds == ["table", "heading", "paragraph", "bullet", "bullet", "image", "section", "heading"]
    table = blocks[0]
    assert table.borderless and table.column_percent == [40.0, 60.0]
    assert table.column_align == ["center", "right"]
    assert [[c and c[0].text for c in row] for row in table.rows] == [["a", "b"], ["c", "e"]]
    assert table.rows[0][1][0].bold and table.rows[1][0][1].line_break
    assert blocks[2].align == "center" and blocks[2].text == "Tên và nghiêng dòng tiếp"
    assert blocks[2].runs[0].bold and blocks[2].runs[2].italic
    assert (blocks[5].path, blocks[5].caption) == ("charts/a.png", "Biểu đồ 1")
    assert blocks[6].orientation == "landscape"


def test_escaped_data_text_stays_literal():
    name = '=HYPERLINK("x|y") *Xã* [1]\nmới'
    runs = inline(escape(name))
    assert [(r.text, r.bold, r.italic) for r in runs] == [('=HYPERLINK("x|y") *Xã* [1] mới', False, False)]
    table = parse(f"| {escape('a|b')} | c |\n| --- | --- |\n")[0]
    assert [c[0].text for c in table.rows[0]] == ["a|b", "c"]
