"""The report's charts as PNG files (matplotlib's Agg canvas, no pyplot, no global backend): plan
issuance by level, household registration by district, models by group and, once several half-years are
built, the trend of the key rates. DejaVu Sans ships with matplotlib and covers Vietnamese."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import FuncFormatter

from reports import vn_format
from reports.report_context import figure_view, settings, unit_views
from reports.report_data import ReportData, model_groups

FILES = {
    "plan_levels": "ke_hoach_theo_cap.png",
    "households": "ho_gia_dinh_theo_huyen.png",
    "models": "mo_hinh_theo_nhom.png",
    "trend": "xu_huong_cac_ky.png",
}
_STYLE = {"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
_CURRENT, _PREVIOUS, _LINE = "#1f5fa8", "#a9c4e4", "#c0392b"
DPI = 150
MAX_DISTRICT_BARS = 30  # bars of the households-by-district chart
_PERCENT_AXIS = FuncFormatter(lambda v, _pos: f"{v:.0f}%")


def write_charts(data: ReportData, charts_dir: Path) -> dict[str, Path | None]:
    """Write every chart that has data; a chart without data (no districts, a single half-year) is None."""
    charts_dir = Path(charts_dir)
    charts_dir.mkdir(parents=True, exist_ok=True)
    makers = {"plan_levels": _plan_levels, "households": _households, "models": _models, "trend": _trend}
    out: dict[str, Path | None] = {}
    with matplotlib.rc_context(_STYLE):
        for key, make in makers.items():
            fig = make(data)
            path = charts_dir / FILES[key]
            if fig is None:
                path.unlink(missing_ok=True)  # a chart of an earlier build that no longer applies
                out[key] = None
                continue
            FigureCanvasAgg(fig)
            fig.savefig(path, dpi=DPI, metadata={"Software": None})
            out[key] = path
    return out


def _wrap(text: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _figure(height_in: float, title: str) -> tuple[MplFigure, object]:
    fig = MplFigure(figsize=(6.5, height_in), layout="constrained")
    ax = fig.add_subplot()
    fig.suptitle(_wrap(title, 64), fontweight="bold", fontsize=10)
    return fig, ax


def _spread(values: list[float], gap: float) -> list[float]:
    """Label positions near `values` that keep at least `gap` apart (end labels of close lines)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [0.0] * len(values)
    last = float("-inf")
    for i in order:
        placed[i] = max(values[i], last + gap)
        last = placed[i]
    return placed


def _plan_levels(data: ReportData):
    views = [v for k, v in unit_views(data.province, data.previous_province).items() if k.startswith("plan_issued.")]
    fig, ax = _figure(0.75 * len(views) + 1.6, f"Tỷ lệ ban hành kế hoạch theo cấp, {data.period_label}")
    y = list(range(len(views)))[::-1]
    has_prev = data.previous_period is not None
    bar = 0.38 if has_prev else 0.6
    ax.barh(
        [v + (bar / 2 if has_prev else 0) for v in y],
        [float(v.rate_value or 0) for v in views],
        bar,
        color=_CURRENT,
        label=data.period_label,
    )
    if has_prev:
        ax.barh(
            [v - bar / 2 for v in y],
            [float(v.prev.rate_value or 0) if v.prev else 0 for v in views],
            bar,
            color=_PREVIOUS,
            label=data.previous_label,
        )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    for pos, v in zip(y, views):
        ax.text(
            float(v.rate_value or 0) + 1,
            pos + (bar / 2 if has_prev else 0),
            f"{v.ratio} ({v.rate})",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, [_wrap(v.label) for v in views])
    ax.set_xlim(0, 125)
    ax.set_xticks(range(0, 101, 20))
    ax.xaxis.set_major_formatter(_PERCENT_AXIS)
    return fig


def _households(data: ReportData):
    if not data.districts:
        return None
    key = "safe_registered.households"
    rows = [(d.name, figure_view(d.figures[key])) for d in data.districts]
    province = figure_view(data.province.figures[key])
    title = "Tỷ lệ hộ gia đình đăng ký “An toàn về an ninh trật tự” theo huyện, " + data.period_label
    if len(rows) > MAX_DISTRICT_BARS:
        # One bar per district grows the figure (its drawing time, its PNG) without bound and is no longer
        # readable: the districts with the lowest rates, lowest first (the annexes list every district).
        rows = sorted(rows, key=lambda r: (r[1].rate_value is None, r[1].rate_value or 0))[:MAX_DISTRICT_BARS]
        title += (
            f" ({MAX_DISTRICT_BARS} huyện có tỷ lệ thấp nhất trong tổng số "
            f"{vn_format.number(len(data.districts))} huyện)"
        )
    fig, ax = _figure(0.42 * len(rows) + 1.6, title)
    y = list(range(len(rows)))[::-1]
    ax.barh(y, [float(v.rate_value or 0) for _, v in rows], 0.6, color=_CURRENT)
    for pos, (_, v) in zip(y, rows):
        value = float(v.rate_value or 0)
        inside = value > 45  # the label sits inside a long bar, clear of the province line
        ax.text(
            value - 1 if inside else value + 1,
            pos,
            f"{v.rate} ({v.ratio} hộ)",
            va="center",
            fontsize=8,
            ha="right" if inside else "left",
            color="white" if inside else "black",
        )
    if province.rate_value is not None:
        ax.axvline(float(province.rate_value), color=_LINE, linestyle="--", linewidth=1)
        ax.text(
            float(province.rate_value) + 1,
            len(rows) - 0.5,
            f"Toàn tỉnh\n{province.rate}",
            color=_LINE,
            ha="left",
            va="bottom",
            fontsize=8,
        )
    ax.set_yticks(y, [name for name, _ in rows])
    ax.set_xlim(0, 115)
    ax.set_ylim(-0.6, len(rows) + 0.4)
    ax.set_xticks(range(0, 101, 20))
    ax.xaxis.set_major_formatter(_PERCENT_AXIS)
    return fig


def _models(data: ReportData):
    views = unit_views(data.province, data.previous_province)
    groups = [views[indicator] for _, indicator in model_groups()]
    fig, ax = _figure(
        0.6 * len(groups) + 1.2,
        f"Mô hình “Tự phòng, tự quản” theo nhóm, {data.period_label} (tổng số {views['models.total'].number})",
    )
    y = list(range(len(groups)))[::-1]
    ax.barh(y, [v.achieved for v in groups], 0.6, color=_CURRENT)
    top = max([v.achieved for v in groups] + [1])
    for pos, v in zip(y, groups):
        ax.text(v.achieved + top * 0.01, pos, v.number, va="center", fontsize=8)
    ax.set_yticks(y, [_wrap(v.label, 42) for v in groups])
    ax.set_xlim(0, top * 1.12)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: vn_format.number(round(v))))
    return fig


def _trend(data: ReportData):
    if len(data.trend) < 2:
        return None
    indicators = settings()["trend_indicators"]
    fig, ax = _figure(5.2, "Một số tỷ lệ chính qua các kỳ báo cáo")
    x = list(range(len(data.trend)))
    ends = []
    for indicator in indicators:
        values = [figure_view(unit.figures[indicator]) for _, _, unit in data.trend]
        ys = [float(v.rate_value) if v.rate_value is not None else float("nan") for v in values]
        (line,) = ax.plot(x, ys, marker="o", label=_wrap(values[-1].label, 45))
        ends.append((ys[-1], values[-1].rate, line.get_color()))
    for (_, text, color), y in zip(ends, _spread([e[0] for e in ends], gap=3.2)):
        ax.text(x[-1] + 0.06, y, text, va="center", fontsize=7, color=color)
    ax.set_xticks(x, [_wrap(label, 14) for _, label, _ in data.trend])
    ax.set_xlim(-0.3, len(x) - 0.55)
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_formatter(_PERCENT_AXIS)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False, fontsize=7.5)
    return fig
