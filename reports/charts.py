"""The report's charts as PNG files: plan issuance by level, household registration by district, models by
group and, once several half-years are built, the trend of the key rates. Each chart answers one question
and its caption is the document's (`![Biểu đồ N. ...]` in the template): no title inside the image.

The rules, here as plain functions so that tests and readers can check them without drawing:

- rows are ranked, highest first (ties in catalogue or register order, rows without a rate last);
- a chart of rates picks its axis from the data (`rate_axis`): when the rates shown lie within
  `ZOOM_SPAN_POINTS` percentage points of each other, a dot plot on a zoomed axis (the axis label says
  where it starts, since it is not 0); otherwise bars from 0 to 100%, whose lengths compare honestly;
- the trend's lines are read by their slopes, so their axis always starts from the data (`line_axis`);
  the lines differ in colour, marker and line style, and are labelled at their ends, labels nudged apart
  (`spread`) and tied to their line by a thin leader;
- the province figure is a dashed reference line labelled "Toàn tỉnh: 90,30%";
- numbers are written as the document writes them (reports/vn_format.py), in the document's serif face.

The drawing itself, with matplotlib, is in reports/chart_drawing.py, imported only when charts are drawn:
importing this module (for its file names or DPI) does not import matplotlib."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

from reports import vn_format
from reports.report_context import FigureView, figure_view
from reports.report_data import ReportData

FILES = {
    "plan_levels": "ke_hoach_theo_cap.png",
    "households": "ho_gia_dinh_theo_huyen.png",
    "models": "mo_hinh_theo_nhom.png",
    "trend": "xu_huong_cac_ky.png",
}
DPI = 150
MAX_DISTRICT_BARS = 30  # rows of the households-by-district chart
ZOOM_SPAN_POINTS = Decimal(20)  # rates closer than this (max - min, in points) are drawn as dots on a zoomed axis
HOUSEHOLDS = "safe_registered.households"

_MAX_TICK_INTERVALS = 6
_ZOOM_STEPS = tuple(Decimal(s) for s in ("0.1", "0.2", "0.5", "1", "2", "5", "10", "20"))
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RateAxis:
    """The value axis of a chart of rates, in percent."""

    kind: str  # "bars" (from 0) | "dots" | "lines"
    lo: Decimal
    hi: Decimal
    ticks: tuple[Decimal, ...]
    places: int  # decimals of the tick labels

    @property
    def from_zero(self) -> bool:
        return self.lo == 0

    def tick_label(self, value: Decimal) -> str:
        """ "89,5%", "90%": the document's decimal comma."""
        return vn_format.decimal(value, self.places) + "%"

    def note(self, axis_name: str) -> str:
        """What the reader must know about an axis that does not start at 0 ("" when it does)."""
        if self.from_zero:
            return ""
        return f"Lưu ý: {axis_name} bắt đầu từ {self.tick_label(self.lo)}, không bắt đầu từ 0%"


def rate_axis(values: Sequence[Decimal | None]) -> RateAxis:
    """Bars from 0 to 100%, or dots on a zoomed axis when the rates lie within ZOOM_SPAN_POINTS."""
    shown = [v for v in values if v is not None]
    if not shown or max(shown) - min(shown) >= ZOOM_SPAN_POINTS:
        return RateAxis("bars", Decimal(0), _HUNDRED, tuple(Decimal(t) for t in range(0, 101, 20)), 0)
    span = max(shown) - min(shown)
    return _zoomed("dots", shown, pad=max(span / 10, Decimal("0.2")))


def line_axis(values: Sequence[Decimal | None]) -> RateAxis:
    """The trend's axis: from a round value below the lowest rate to just above the highest."""
    shown = [v for v in values if v is not None] or [Decimal(0), _HUNDRED]
    span = max(shown) - min(shown)
    return _zoomed("lines", shown, pad=max(span / 10, Decimal(1)))


def _zoomed(kind: str, shown: list[Decimal], pad: Decimal) -> RateAxis:
    low, high = min(shown) - pad, max(shown) + pad
    for step in _ZOOM_STEPS:  # the finest round step that needs at most _MAX_TICK_INTERVALS intervals
        lo = (low / step).to_integral_value(ROUND_FLOOR) * step
        hi = (high / step).to_integral_value(ROUND_CEILING) * step
        if (hi - lo) / step <= _MAX_TICK_INTERVALS:
            break
    lo = max(lo, Decimal(0))
    if hi > _HUNDRED:  # no tick above 100%, only room for a dot or a marker at 100%
        hi = max(_HUNDRED, high)
    count = int((min(hi, _HUNDRED) - lo) / step)
    places = max(0, -step.normalize().as_tuple().exponent)
    return RateAxis(kind, lo, hi, tuple(lo + i * step for i in range(count + 1)), places)


def ranked(items: Sequence, value) -> list:
    """`items` highest `value` first; a None value last; ties keep their given order (catalogue, register)."""
    return sorted(items, key=lambda item: (value(item) is None, -(value(item) or 0)))


def district_rows(data: ReportData) -> tuple[list[tuple[str, FigureView]], str]:
    """The households chart's rows (district name, figure), ranked, and a note when only the
    MAX_DISTRICT_BARS lowest are shown: one row per district would grow the figure without bound and no
    longer be readable (the annexes list every district)."""
    rows = [(d.name, figure_view(d.figures[HOUSEHOLDS])) for d in data.districts]
    note = ""
    if len(rows) > MAX_DISTRICT_BARS:
        lowest = sorted(range(len(rows)), key=lambda i: (rows[i][1].rate_value is None, rows[i][1].rate_value or 0))
        rows = [rows[i] for i in sorted(lowest[:MAX_DISTRICT_BARS])]
        note = (
            f"{MAX_DISTRICT_BARS} huyện có tỷ lệ thấp nhất trong tổng số {vn_format.number(len(data.districts))} huyện"
        )
    return ranked(rows, lambda r: r[1].rate_value), note


def spread(values: Sequence[float], heights: Sequence[float], lo: float, hi: float) -> list[float]:
    """Centres for labels wanted at `values`, each `heights[i]` tall, that do not overlap and stay within
    [lo, hi] when they fit: pushed up from the lowest, then back down from `hi` if the top spilled over.
    Close values move apart the least needed; labels already apart stay where they are."""
    order = sorted(range(len(values)), key=lambda i: (values[i], i))
    placed = [0.0] * len(values)
    below = None
    for i in order:
        floor = lo + heights[i] / 2 if below is None else placed[below] + (heights[below] + heights[i]) / 2
        placed[i] = max(values[i], floor)
        below = i
    above = None
    for i in reversed(order):
        ceiling = hi - heights[i] / 2 if above is None else placed[above] - (heights[above] + heights[i]) / 2
        placed[i] = min(placed[i], ceiling)
        above = i
    return placed


def figures(data: ReportData) -> dict:
    """The charts as matplotlib Figures (None: no data for that chart), built in `style()`."""
    from reports import chart_drawing

    return chart_drawing.figures(data)


def style():
    """The context the charts are built and saved in (fonts, sizes): a matplotlib rc_context."""
    from reports import chart_drawing

    return chart_drawing.style()


def write_charts(data: ReportData, charts_dir: Path) -> dict[str, Path | None]:
    """Write every chart that has data; a chart without data (no districts, a single half-year) is None.
    The same data gives the same bytes: Agg canvas, no date or software version in the PNG."""
    charts_dir = Path(charts_dir)
    charts_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path | None] = {}
    with style():
        for key, fig in figures(data).items():
            path = charts_dir / FILES[key]
            if fig is None:
                path.unlink(missing_ok=True)  # a chart of an earlier build that no longer applies
                out[key] = None
                continue
            fig.savefig(path, dpi=DPI, metadata={"Software": None})
            out[key] = path
    return out
