"""The narrative report: reports/templates/bao_cao_6_thang.md.j2 rendered with the period's figures to
Markdown, and the same text laid out as a Word document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reports import office_text, report_context
from reports.docx_out import write_docx
from reports.markdown_blocks import parse
from reports.report_data import ReportData

TEMPLATE = "bao_cao_6_thang.md.j2"


def render(
    data: ReportData,
    charts: dict[str, str | None],
    template: str = TEMPLATE,
    office: office_text.OfficeText | None = None,
) -> str:
    """The report as Markdown. `charts` maps chart keys to paths relative to the Markdown file (None:
    no such chart this period); `office`: the office's own parts (none: their placeholders)."""
    context = report_context.narrative(data, charts, office)
    return report_context.environment().get_template(template).render(**context)


def write(markdown: str, md_path: Path, docx_path: Path, *, title: str, stamp: dt.datetime) -> tuple[Path, Path]:
    """Write the Markdown and its Word layout; images are resolved next to the Markdown file."""
    md_path = Path(md_path)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(markdown, encoding="utf-8", newline="\n")
    write_docx(parse(markdown), docx_path, base_dir=md_path.parent, title=title, stamp=stamp)
    return md_path, Path(docx_path)
