"""The report's charts drawn with matplotlib: its Agg canvas, no pyplot and no global backend. Imported by
reports/charts.py only when charts are drawn. The rules (order, axes, label placement) live there; this
module draws them, in the document's serif face, readable in black and white."""

from __future__ import annotations

import math
import textwrap
from decimal import Decimal
from functools import cache

from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reports import charts, vn_format
from reports.report_context import figure_view, not_applicable, province_views, settings
from reports.report_data import ReportData, model_groups

# The document is set in Times New Roman; where it is not installed, the same metrics (Liberation Serif),
# then the serif that ships with matplotlib. A face counts only if it has Vietnamese letters.
SERIF_FAMILIES = ("Times New Roman", "Liberation Serif", "DejaVu Serif")
_VIETNAMESE = "ẠạẶặẬậỆệỊịỌọỘộỢợỤụỰựỲỳỴỵỶỷỸỹĐđƠơƯư“”"
WIDTH_IN = 6.5  # the Word page's text width
FONT_PT, LABEL_PT, NOTE_PT = 10, 9, 8.5
_PAD_IN = 0.1  # blank margin around every chart: no label touches the edge
_CURRENT = "#1f5fa8"  # dark: the half-year reported
_BAR = "#7fa6d6"  # mid-tone: single-series bars, under the dark reference line
_PREVIOUS_FILL, _PREVIOUS_EDGE = "#dbe5f2", "#3d5f8f"  # light and hatched: the half-year before
_REFERENCE = "#9b1c1c"
_GUIDE = "0.8"
_LABEL_X = 1.1  # the trend's end labels, in axes widths: room for their leaders
# The trend's lines (colour, marker, filled marker, dash pattern): each differs from every other in all
# four, so that a black-and-white print still tells them apart. Okabe-Ito colours, dark enough for text.
SERIES = (
    ("#000000", "o", True, (None, None)),
    ("#0072b2", "s", False, (0, (5, 2))),
    ("#d55e00", "^", True, (0, (1, 1.5))),
    ("#009e73", "D", False, (0, (6, 2, 1, 2))),
    ("#7b3294", "v", True, (0, (11, 3))),
    ("#8c510a", "X", False, (0, (4, 1.5, 1, 1.5, 1, 1.5))),
)


def series(i: int) -> tuple:
    """The look of the trend's i-th line; past six, line styles shift so that no two lines look alike."""
    n = len(SERIES)
    colour, marker, filled, _ = SERIES[i % n]
    dash = SERIES[(i + i // n) % n][3]
    return colour, marker, filled, "-" if dash == (None, None) else dash


@cache
def serif_family() -> str:
    """The first of SERIF_FAMILIES installed with Vietnamese letters."""
    for family in SERIF_FAMILIES:
        if _usable(family):
            return family
    return SERIF_FAMILIES[-1]  # ships with matplotlib


def _usable(family: str) -> bool:
    path = _find(family)
    if path is None:
        # matplotlib lists the system's fonts once, at its first run: a font installed since is missing
        added = False
        for candidate in sorted(font_manager.findSystemFonts()):
            try:
                font = FT2Font(candidate)
            except (OSError, RuntimeError):
                continue
            if font.family_name == family and _has_vietnamese(font):
                font_manager.fontManager.addfont(candidate)
                added = True
        path = _find(family) if added else None
    return path is not None and _has_vietnamese(FT2Font(path))


def _find(family: str) -> str | None:
    try:
        return font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return None


def _has_vietnamese(font) -> bool:
    return all(font.get_char_index(ord(c)) for c in _VIETNAMESE)


def style():
    """Fonts and sizes of every chart (a matplotlib rc_context)."""
    return rc_context(
        {
            "font.family": [serif_family(), "DejaVu Serif"],  # per-glyph fallback for a rare character
            "font.size": FONT_PT,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.labelsize": NOTE_PT,
            "hatch.linewidth": 0.6,
            "legend.frameon": False,
            "legend.fontsize": LABEL_PT,
        }
    )


def figures(data: ReportData) -> dict[str, Figure | None]:
    with style():
        return {
            "plan_levels": _plan_levels(data),
            "households": _households(data),
            "models": _models(data),
            "trend": _trend(data),
        }


def _figure(height_in: float):
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(w_pad=_PAD_IN, h_pad=_PAD_IN)
    return fig, fig.add_subplot()


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _f(value: Decimal | None) -> float:
    return float(value) if value is not None else math.nan


def _axis_label(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def _rate_x_axis(ax, axis: charts.RateAxis, what: str, *notes: str) -> None:
    ax.set_xlim(float(axis.lo), float(axis.hi))
    ax.set_xticks([float(t) for t in axis.ticks], [axis.tick_label(t) for t in axis.ticks])
    ax.set_xlabel(_axis_label(what, axis.note("trục hoành"), *notes))


def _value_column(ax, positions: list[float], texts: list[str]) -> None:
    """The figures of each row in a column right of the plot: never over a bar, a dot or the reference."""
    column = ax.secondary_yaxis("right")
    column.set_yticks(positions, texts)
    column.tick_params(length=0, pad=8, labelsize=LABEL_PT)
    column.spines["right"].set_visible(False)


def _row_guides(ax) -> None:
    ax.grid(axis="y", color=_GUIDE, linestyle=":", linewidth=0.8)
    ax.set_axisbelow(True)


def _plan_levels(data: ReportData):
    views = province_views(data)
    rows = charts.ranked(
        [v for k, v in views.items() if k.startswith("plan_issued.") and v.applicable], lambda v: v.rate_value
    )
    has_prev = data.previous_province is not None and any(v.prev for v in rows)
    axis = charts.rate_axis([v.rate_value for v in rows] + [v.prev.rate_value for v in rows if v.prev])
    n = len(rows)
    fig, ax = _figure(0.55 * n + (1.5 if has_prev else 1.1))
    y = list(range(n))[::-1]
    current = [_f(v.rate_value) for v in rows]
    previous = [_f(v.prev.rate_value if v.prev else None) for v in rows]
    if axis.kind == "bars":
        bar = 0.38 if has_prev else 0.6
        shift = bar / 2 if has_prev else 0
        ax.barh([p + shift for p in y], current, bar, color=_CURRENT, label=data.period_label)
        if has_prev:
            ax.barh(
                [p - shift for p in y],
                previous,
                bar,
                facecolor=_PREVIOUS_FILL,
                edgecolor=_PREVIOUS_EDGE,
                hatch="////",
                linewidth=0.6,
                label=data.previous_label,
            )
    else:
        _row_guides(ax)
        if has_prev:
            ax.hlines(y, previous, current, color="0.55", linewidth=1.2)
            ax.plot(previous, y, "o", ms=7, mfc="white", mec=_PREVIOUS_EDGE, mew=1.3, clip_on=False)
            ax.lines[-1].set_label(data.previous_label)
        ax.plot(current, y, "o", ms=7, color=_CURRENT, clip_on=False, label=data.period_label, zorder=3)
    if has_prev:
        fig.legend(loc="outside lower center", ncol=2, handlelength=2.2)
    # with the half-year before, both figures: each beside its own bar, or two lines beside the two dots
    if has_prev and axis.kind == "bars":
        column = [(p + shift, f"{v.ratio} ({v.rate})") for p, v in zip(y, rows)]
        column += [(p - shift, _ratio_rate(v.prev)) for p, v in zip(y, rows) if v.prev]
    else:
        column = [
            (p, f"{v.ratio} ({v.rate})" + (f"\n{_ratio_rate(v.prev)}" if has_prev and v.prev else ""))
            for p, v in zip(y, rows)
        ]
    _value_column(ax, [p for p, _ in column], [text for _, text in column])
    ax.set_yticks(y, [_wrap(v.label, 36) for v in rows])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, n - 0.4)
    _rate_x_axis(ax, axis, "Tỷ lệ ban hành kế hoạch (%)")
    return fig


def _households(data: ReportData):
    if not data.districts:
        return None
    rows, cap_note = charts.district_rows(data)
    province = figure_view(data.province.figures[charts.HOUSEHOLDS])
    axis = charts.rate_axis([v.rate_value for _, v in rows] + [province.rate_value])
    n = len(rows)
    fig, ax = _figure(0.3 * n + 1.5)
    y = list(range(n))[::-1]
    rates = [_f(v.rate_value) for _, v in rows]
    if axis.kind == "dots":
        _row_guides(ax)
        ax.plot(rates, y, "o", ms=6.5, color=_CURRENT, clip_on=False, zorder=3)
    else:
        ax.barh(y, [0 if math.isnan(r) else r for r in rates], 0.6, color=_BAR)
    ax.set_ylim(-0.6, n - 0.4 + 0.8)  # the top strip holds the reference's label
    if province.rate_value is not None:
        x = float(province.rate_value)
        # up to the top row only: the label above it stays clear of the line
        ax.vlines(x, -0.6, n - 0.4, color=_REFERENCE, linestyle=(0, (5, 2.5)), linewidth=1.2, zorder=2)
        where = (x - float(axis.lo)) / float(axis.hi - axis.lo)
        ha = "left" if where < 0.25 else "right" if where > 0.75 else "center"
        nudge = {"left": 0.01, "right": -0.01, "center": 0}[ha] * float(axis.hi - axis.lo)
        ax.text(x + nudge, n - 0.3, f"Toàn tỉnh: {province.rate}", color=_REFERENCE, ha=ha, va="bottom")
    _value_column(ax, y, [f"{v.rate} ({v.ratio} hộ)" for _, v in rows])
    ax.set_yticks(y, [name for name, _ in rows])
    ax.tick_params(axis="y", length=0)
    _rate_x_axis(ax, axis, "Tỷ lệ hộ gia đình đăng ký (%)", cap_note)
    return fig


def _models(data: ReportData):
    views = province_views(data)
    rows = charts.ranked([views[indicator] for _, indicator in model_groups()], lambda v: v.achieved)
    n = len(rows)
    fig, ax = _figure(0.45 * n + 1.1)
    y = list(range(n))[::-1]
    ax.barh(y, [v.achieved for v in rows], 0.6, color=_BAR)
    top = max([v.achieved for v in rows] + [1])
    for pos, v in zip(y, rows):
        ax.text(v.achieved + top * 0.015, pos, v.number, va="center", fontsize=LABEL_PT)
    ax.set_yticks(y, [_wrap(v.label, 40) for v in rows])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, top * 1.1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: vn_format.number(round(v))))
    ax.set_xlabel(f"Số mô hình (tổng số: {views['models.total'].number} mô hình)")
    return fig


def _ratio_rate(v) -> str:
    """ "6/8 (75,00%)"; a figure not comparable across a reform (issue 13) is its words once."""
    return f"{v.ratio} ({v.rate})" if v.comparable else v.ratio


def _trend(data: ReportData):
    if len(data.trend) < 2:
        return None
    lines = []
    absent = not_applicable(data.district_level)  # a level the period no longer has: no line of it
    for indicator in settings()["trend_indicators"]:
        if indicator in absent:
            continue
        views = [figure_view(unit.figures[indicator]) for _, _, unit in data.trend]
        lines.append((views, [_f(v.rate_value) for v in views]))
    axis = charts.line_axis([v.rate_value for views, _ in lines for v in views])
    fig, ax = _figure(5.0)
    x = list(range(len(data.trend)))
    labels, ends = [], []
    for i, (views, ys) in enumerate(lines):
        colour, marker, filled, dash = series(i)
        ax.plot(
            x,
            ys,
            color=colour,
            linestyle=dash,
            linewidth=1.5,
            marker=marker,
            ms=7,
            mfc=colour if filled else "white",
            mec=colour,
            mew=1.3,
            clip_on=False,
            zorder=3,
        )
        last = max((j for j, v in enumerate(ys) if not math.isnan(v)), default=None)
        if last is None:
            continue
        end = ys[last]
        labels.append(
            ax.annotate(
                _wrap(f"{views[last].rate} – {views[last].label}", 44),
                xy=(x[last], end),
                xytext=(_LABEL_X, end),
                textcoords=ax.get_yaxis_transform(),
                va="center",
                ha="left",
                fontsize=LABEL_PT,
                linespacing=1.1,
                color=colour,
                annotation_clip=False,
                arrowprops={
                    "arrowstyle": "-",
                    "color": "0.45",
                    "linewidth": 0.6,
                    "shrinkA": 2,
                    "shrinkB": 6,
                    "relpos": (0, 0.5),
                },
            )
        )
        ends.append(end)
    ax.set_xticks(x, [_wrap(label, 16) for _, label, _ in data.trend])
    ax.set_xlim(-0.12, x[-1] + 0.06)
    ax.set_ylim(float(axis.lo), float(axis.hi))
    ax.set_yticks([float(t) for t in axis.ticks], [axis.tick_label(t) for t in axis.ticks])
    ax.set_ylabel("Tỷ lệ (%)")
    ax.set_xlabel(axis.note("trục tung"))
    ax.grid(axis="y", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    _place_end_labels(fig, ax, labels, ends)
    return fig


def _place_end_labels(fig, ax, labels: list, ends: list[float]) -> None:
    """Nudge the end labels apart, measured as drawn: a label's height in data units is its height on
    the canvas over the axes' scale."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    lo, hi = ax.get_ylim()
    per_unit = ax.bbox.height / (hi - lo)
    gap = 6  # pixels between two labels
    heights = [(Text.get_window_extent(label, renderer).height + gap) / per_unit for label in labels]
    for label, centre in zip(labels, charts.spread(ends, heights, lo, hi)):
        label.xyann = (label.xyann[0], centre)
