"""The period's report for the provincial office, every format from one `ReportData`: charts (PNG),
the narrative (Markdown and Word) and the Excel workbook, under OUT/PERIOD/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reports import narrative, office_text
from reports.charts import write_charts
from reports.report_context import heading
from reports.report_data import ReportData
from reports.xlsx_report import write_xlsx


@dataclass(frozen=True)
class ReportFiles:
    markdown: Path
    docx: Path
    xlsx: Path
    charts: dict[str, Path | None]
    text: str  # the narrative as Markdown
    office: office_text.OfficeText | None = None  # the office's file the narrative took its own parts from

    def paths(self) -> list[Path]:
        return [self.markdown, self.docx, self.xlsx, *(p for p in self.charts.values() if p)]


def stamp(data: ReportData) -> dt.datetime:
    """The documents' date, from the inputs rather than the clock: the latest "Ngày lập" of the
    period's winning submissions (the period's last day when there is none)."""
    return dt.datetime.combine(data.data_date, dt.time())


def write_report(
    data: ReportData, period_dir: Path, *, several_provinces: bool = False, office_dir: Path | None = None
) -> ReportFiles:
    """Write the report of `data` under `period_dir`. With several provinces in one warehouse, each
    province's files carry its code. `office_dir`: the folder of the office's files (reports.office_text),
    where the period's file is created when missing; none: the office's parts are placeholders."""
    period_dir = Path(period_dir)
    suffix = f"_{data.province.code}" if several_provinces else ""
    stem = f"bao_cao_{data.period}{suffix}"
    charts_dir = period_dir / "charts" / data.province.code if several_provinces else period_dir / "charts"
    charts = write_charts(data, charts_dir)
    relative = {key: path.relative_to(period_dir).as_posix() if path else None for key, path in charts.items()}
    office = (
        office_text.load(office_dir, data.period, data.province.code if several_provinces else None)
        if office_dir is not None
        else None
    )
    text = narrative.render(data, relative, office=office)
    when = stamp(data)
    md_path, docx_path = narrative.write(
        text, period_dir / f"{stem}.md", period_dir / f"{stem}.docx", title=heading(data).title, stamp=when
    )
    xlsx_path = write_xlsx(data, period_dir / f"{stem}.xlsx", charts=charts, stamp=when)
    return ReportFiles(md_path, docx_path, xlsx_path, charts, text, office)
