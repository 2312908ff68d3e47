"""The report's charts answer a question: rows ranked, an axis chosen from the data (dots on a zoomed axis
when rates are close, bars from 0 otherwise), the province marked, trend lines told apart without colour
and labelled at their ends, no title inside the image, nothing past the edge, the document's serif face,
Vietnamese numbers, and the same bytes for the same data. Built from `ReportData` values written here: no
warehouse needed."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
from decimal import Decimal

import pytest
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle
from matplotlib.text import Text

import catalog
from reports import chart_drawing, charts, vn_format
from reports.report_context import settings
from reports.report_data import Completeness, Figure, ReportData, UnitFigures

TOTAL = 10_000  # rates to the hundredth of a point
CLOSE = {  # the demo's spread: 1,4 points between the lowest and the highest district
    "Huyện Tuy Phong": 90.10,
    "Huyện Bắc Bình": 89.95,
    "Huyện Hàm Thuận Bắc": 91.12,
    "Thành phố Phan Thiết": 90.41,
    "Huyện Phú Quí": 89.72,
}
WIDE = {"Huyện Tuy Phong": 45.00, "Huyện Bắc Bình": 92.50, "Huyện Hàm Thuận Bắc": 71.30, "Huyện Phú Quí": 100.00}
# the trend: four rates ending within 0,4 points of each other (the demo: 2,2), plus two apart
TREND_ENDS = [89.9, 90.0, 70.0, 90.2, 100.0, 90.30]  # the last: households, the province rate


def _figure(indicator: str, rate: float | None = None, count: int = 0) -> Figure:
    if rate is None:
        return Figure(indicator, count, None)
    return Figure(indicator, round(rate * TOTAL / 100), TOTAL)


def _unit(rates: dict[str, float], code: str = "60", name: str = "Tỉnh Bình Thuận") -> UnitFigures:
    figures = {}
    for i, spec in enumerate(catalog.indicators()):
        key = spec["indicator"]
        if spec["has_total"]:
            figures[key] = _figure(key, rates.get(key, 60.0 + 2 * i))
        else:
            figures[key] = _figure(key, count=rates.get(key, 10 * (i + 1)))
    return UnitFigures(code, name, "province", figures)


def _data(districts: dict[str, float], province_rate: float = 90.30, trend_ends=TREND_ENDS) -> ReportData:
    trend_keys = settings()["trend_indicators"]
    now = _unit({**dict(zip(trend_keys, trend_ends)), charts.HOUSEHOLDS: province_rate})
    before = _unit({key: end - 8 for key, end in zip(trend_keys, trend_ends)})
    return ReportData(
        period="2021-H1",
        period_label="6 tháng đầu năm 2021",
        period_year=2021,
        period_end=dt.date(2021, 6, 30),
        data_date=dt.date(2021, 7, 10),
        province=now,
        previous_period="2020-H2",
        previous_label="6 tháng cuối năm 2020",
        previous_province=before,
        districts=[
            UnitFigures(f"{593 + i}", name, "district", {charts.HOUSEHOLDS: _figure(charts.HOUSEHOLDS, rate)})
            for i, (name, rate) in enumerate(districts.items())
        ],
        trend=[("2020-H2", "6 tháng cuối năm 2020", before), ("2021-H1", "6 tháng đầu năm 2021", now)],
        model_rows=[],
        completeness=Completeness({}, {}, {}, {}),
    )


@pytest.fixture(scope="module")
def drawn():
    """The four charts of the demo-like data, laid out as they are saved."""
    with charts.style():
        figs = charts.figures(_data(CLOSE))
        for fig in figs.values():
            fig.draw_without_rendering()
        yield figs


def _rows_top_down(ax) -> list[str]:
    ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels()), key=lambda t: -t[0])
    return [label.get_text() for _, label in ticks]


def _rate(text: str) -> Decimal:
    return Decimal(text.split("%")[0].replace(".", "").replace(",", "."))


# --- the rules, without drawing ---------------------------------------------------------------------------


def test_close_rates_get_dots_on_a_zoomed_axis_and_spread_rates_bars_from_zero():
    close = charts.rate_axis([Decimal("89.72"), Decimal("91.12"), None])
    assert close.kind == "dots" and Decimal("89") <= close.lo < Decimal("89.72") and close.hi > Decimal("91.12")
    assert [close.tick_label(t) for t in close.ticks] == ["89,5%", "90,0%", "90,5%", "91,0%", "91,5%"]
    assert close.note("trục hoành") == "Lưu ý: trục hoành bắt đầu từ 89,5%, không bắt đầu từ 0%"
    just_under = charts.rate_axis([Decimal("70"), Decimal("89.99")])
    assert just_under.kind == "dots" and just_under.lo > 0
    at_limit = charts.rate_axis([Decimal("70"), Decimal("90")])  # ZOOM_SPAN_POINTS apart: bars
    assert (at_limit.kind, at_limit.lo, at_limit.hi, at_limit.note("trục hoành")) == ("bars", 0, 100, "")
    assert charts.rate_axis([]).kind == "bars"
    top = charts.rate_axis([Decimal("99.5"), Decimal("100")])  # room for a dot at 100%, no tick past it
    assert top.hi > 100 and max(top.ticks) == 100


def test_the_trend_axis_starts_from_the_data():
    axis = charts.line_axis([Decimal("62.40"), Decimal("100"), None])
    assert 0 < axis.lo < Decimal("62.40") and axis.hi >= 100 and max(axis.ticks) == 100
    assert len(axis.ticks) <= 7 and axis.tick_label(axis.ticks[0]) == "50%"


def test_end_labels_are_spread_apart_in_order_and_only_when_needed():
    values, heights = [88.0, 88.1, 88.2, 70.0, 99.0], [2.0, 3.0, 2.0, 2.0, 2.0]
    placed = charts.spread(values, heights, 50, 100)
    order = sorted(range(len(values)), key=lambda i: values[i])
    assert [placed[i] for i in order] == sorted(placed)  # no label jumps over another
    for a, b in itertools.pairwise(order):
        assert placed[b] - placed[a] >= (heights[a] + heights[b]) / 2 - 1e-9
    assert placed[3] == 70.0  # far from the others: not moved
    assert all(50 + h / 2 <= p <= 100 - h / 2 for p, h in zip(placed, heights))
    crowded_top = charts.spread([99.9, 100.0], [2.0, 2.0], 50, 100)
    assert max(crowded_top) <= 99 and crowded_top[1] - crowded_top[0] >= 2 - 1e-9


def test_rows_are_ranked_highest_first_and_the_cap_keeps_the_lowest():
    assert charts.ranked([("a", 1), ("b", None), ("c", 3), ("d", 3)], lambda r: r[1]) == [
        ("c", 3),
        ("d", 3),
        ("a", 1),
        ("b", None),
    ]
    many = {f"Huyện {i:02d}": 60 + i * 0.5 for i in range(charts.MAX_DISTRICT_BARS + 5)}
    rows, note = charts.district_rows(_data(many))
    assert [name for name, _ in rows] == [f"Huyện {i:02d}" for i in range(charts.MAX_DISTRICT_BARS)][::-1]
    assert note == f"{charts.MAX_DISTRICT_BARS} huyện có tỷ lệ thấp nhất trong tổng số 35 huyện"


# --- the figures ------------------------------------------------------------------------------------------


def test_households_close_rates_are_dots_ranked_with_the_province_marked(drawn):
    ax = drawn["households"].axes[0]
    assert _rows_top_down(ax) == sorted(CLOSE, key=lambda name: -CLOSE[name])
    assert ax.get_xlim()[0] > 89 and "không bắt đầu từ 0" in ax.get_xlabel()
    assert not [p for p in ax.patches if isinstance(p, Rectangle)]  # no bars on a zoomed axis
    (dots,) = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert sorted(dots.get_xdata(), reverse=True) == [CLOSE[name] for name in _rows_top_down(ax)]
    (reference,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert {round(float(x), 2) for seg in reference.get_segments() for x in seg[:, 0]} == {90.30}
    assert "Toàn tỉnh: 90,30%" in [t.get_text() for t in ax.texts]
    column = [t.get_text() for t in ax.child_axes[0].get_yticklabels()]
    assert "91,12% (9.112/10.000 hộ)" in column  # the document's number format


def test_households_spread_rates_are_bars_from_zero_ranked():
    with charts.style():
        fig = charts.figures(_data(WIDE, province_rate=75.0))["households"]
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, 100) and "Lưu ý" not in ax.get_xlabel()
    assert _rows_top_down(ax) == sorted(WIDE, key=lambda name: -WIDE[name])
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sorted((round(b.get_y(), 2), b.get_width()) for b in bars)[::-1] == list(
        zip(sorted((round(y - 0.3, 2) for y in ax.get_yticks()), reverse=True), sorted(WIDE.values(), reverse=True))
    )
    assert "Toàn tỉnh: 75,00%" in [t.get_text() for t in ax.texts]


def test_plan_levels_and_models_are_ranked(drawn):
    plan = drawn["plan_levels"].axes[0]
    column = plan.child_axes[0]  # the figures right of the bars, each beside its bar
    texts = [_rate(t.get_text().split("(")[1]) for t in _ticks_top_down(column)]
    current, previous = texts[0::2], texts[1::2]
    assert current == sorted(current, reverse=True) and len(current) == len(previous) == 5
    data = _data(CLOSE)
    pairs = [
        (vn_format.rate_value(f.achieved, f.total), vn_format.rate_value(p.achieved, p.total))
        for key, f in data.province.figures.items()
        if key.startswith("plan_issued.")
        for p in [data.previous_province.figures[key]]
    ]
    assert sorted(zip(current, previous)) == sorted(pairs)  # each half-year's figure beside its own bar
    bars = [p for p in plan.patches if isinstance(p, Rectangle)]
    assert sorted(round(b.get_y() + b.get_height() / 2, 6) for b in bars) == sorted(
        round(float(y), 6) for y in column.get_yticks()
    )
    models = drawn["models"].axes[0]
    counts = [int(t.get_text().replace(".", "")) for t in sorted(models.texts, key=lambda t: -t.get_position()[1])]
    assert counts == sorted(counts, reverse=True) and len(counts) == 6
    assert "tổng số" in models.get_xlabel()


def _ticks_top_down(ax) -> list[Text]:
    return [label for _, label in sorted(zip(ax.get_yticks(), ax.get_yticklabels()), key=lambda t: -t[0])]


def test_trend_lines_differ_without_colour_and_their_end_labels_do_not_collide(drawn):
    fig = drawn["trend"]
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == len(settings()["trend_indicators"]) == 6
    for a, b in itertools.combinations(lines, 2):
        assert a.get_marker() != b.get_marker()
        # Line2D keeps a dash tuple as "--": its dash pattern is what is drawn
        assert a._unscaled_dash_pattern != b._unscaled_dash_pattern
        assert a.get_color() != b.get_color()
    assert not ax.get_legend() and not fig.legends  # labelled at their ends instead
    labels = ax.texts
    assert sorted(_rate(t.get_text()) for t in labels) == sorted(
        Decimal(str(v)).quantize(Decimal("0.01")) for v in TREND_ENDS
    )
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_no_title_inside_the_images(drawn):
    for fig in drawn.values():
        assert fig._suptitle is None
        assert all(ax.get_title(loc) == "" for ax in fig.axes for loc in ("left", "center", "right"))


def test_nothing_reaches_the_edge(drawn):
    for key, fig in drawn.items():
        inside = fig.get_tightbbox(fig.canvas.get_renderer())  # in inches: every drawn text, tick, legend
        width, height = fig.get_size_inches()
        margin = 0.05  # inches: 7 pixels of the saved PNG
        assert inside.x0 >= margin and inside.y0 >= margin, key
        assert inside.x1 <= width - margin and inside.y1 <= height - margin, key


def test_the_documents_serif_face():
    family = chart_drawing.serif_family()
    assert family in chart_drawing.SERIF_FAMILIES
    with charts.style():
        fig = charts.figures(_data(CLOSE))["households"]
    text = next(t for t in fig.axes[0].texts if t.get_text().startswith("Toàn tỉnh"))
    assert text.get_fontfamily()[0] == family
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    assert chart_drawing._has_vietnamese(FT2Font(font_manager.findfont(text.get_fontproperties())))


def test_same_data_same_bytes(tmp_path):
    first = charts.write_charts(_data(CLOSE), tmp_path / "a")
    second = charts.write_charts(_data(CLOSE), tmp_path / "b")
    assert all(first[k].read_bytes() == second[k].read_bytes() for k in charts.FILES)
    assert len({first[k].read_bytes() for k in charts.FILES}) == len(charts.FILES)  # four real pictures


def test_importing_the_report_does_not_import_matplotlib():
    code = "import sys, reports.period_report, reports.xlsx_report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
