"""What the report templates see: a `ReportData` turned into formatted figures (ratio, rate, count,
change against the previous half-year), the settings of reports/templates/bao_cao.yaml, and the Jinja
environment with the Vietnamese number filters. Shared by the narrative, the workbook and the charts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import jinja2
import yaml

import catalog
from reports import office_text, published, vn_format
from reports.markdown_blocks import escape
from reports.report_data import Figure, ReportData, UnitFigures, model_groups

TEMPLATES = Path(__file__).resolve().parent / "templates"
SETTINGS_FILE = TEMPLATES / "bao_cao.yaml"
_PROVINCE_PREFIXES = ("tỉnh ", "thành phố ")


@dataclass(frozen=True)
class FigureView:
    """One indicator as the documents print it."""

    indicator: str
    label: str
    label_lower: str
    unit: str
    has_total: bool
    achieved: int | None
    total: int | None
    number: str  # "986"
    count: str  # "08": the narrative's way with counts under 10
    ratio: str  # "168/195", or the number when there is no total
    rate: str  # "86,15%" or "—"
    rate_value: Decimal | None
    prev: FigureView | None
    delta: int | None  # change in achieved against the previous half-year
    delta_points: Decimal | None  # change in the printed rate, in percentage points
    change_text: str  # "+8,71" / "+92" / "" for the tables
    # False: the indicator counts the district level in a period without one (two-level structure): its
    # number, ratio and rate read "Không áp dụng" (bao_cao.yaml), never 0/0
    applicable: bool = True
    # False: a period before a reform, on today's boundaries, for an indicator with no meaning across it:
    # its number, ratio and rate read "Không so sánh được" (bao_cao.yaml), never 0
    comparable: bool = True


def figure_view(fig: Figure, prev: Figure | None = None, applicable: bool = True) -> FigureView:
    spec = fig.spec
    prev_view = figure_view(prev) if prev is not None else None
    if not fig.comparable:
        return _not_comparable(fig)
    if not applicable:
        return _not_applicable(fig, prev_view)
    rate_value = vn_format.rate_value(fig.achieved, fig.total)
    compared = prev is not None and prev.comparable
    delta = fig.achieved - prev.achieved if compared else None
    delta_points = None
    if compared and rate_value is not None and prev_view.rate_value is not None:
        delta_points = rate_value - prev_view.rate_value
    if prev_view is not None and not compared:
        change_text = settings()["not_comparable"]
    elif spec["has_total"]:
        change_text = vn_format.signed_points(delta_points) if delta_points is not None else ""
    else:
        change_text = vn_format.signed(delta) if delta is not None else ""
    return FigureView(
        indicator=fig.indicator,
        **_names(spec),
        achieved=fig.achieved,
        total=fig.total,
        number=vn_format.number(fig.achieved),
        count=vn_format.count(fig.achieved),
        ratio=vn_format.ratio(fig.achieved, fig.total),
        rate=vn_format.rate(fig.achieved, fig.total),
        rate_value=rate_value,
        prev=prev_view,
        delta=delta,
        delta_points=delta_points,
        change_text=change_text,
    )


def _names(spec: dict) -> dict:
    """What a figure is called: its catalogue label (and in the middle of a sentence), unit, and whether it
    has a total."""
    label = spec["label_vi"]
    return {
        "label": label,
        "label_lower": label[:1].lower() + label[1:],
        "unit": spec["unit_vi"],
        "has_total": spec["has_total"],
    }


def _in_words(fig: Figure, words: str, **rest) -> FigureView:
    """A figure shown as words in every figure field (never 0 or 0/0), with no change computed."""
    return FigureView(
        indicator=fig.indicator,
        **_names(fig.spec),
        number=words,
        count=words,
        ratio=words,
        rate=words,
        rate_value=None,
        delta=None,
        delta_points=None,
        **rest,
    )


def _not_comparable(fig: Figure) -> FigureView:
    """An earlier period's figure that has no meaning on today's boundaries (issue 13): the words, never 0."""
    words = settings()["not_comparable"]
    return _in_words(fig, words, achieved=None, total=None, prev=None, change_text="", comparable=False)


def _not_applicable(fig: Figure, prev: FigureView | None) -> FigureView:
    """A district-level indicator in a period without a district level: the words instead of figures; its
    change against a previous half-year that had the level is not comparable."""
    words = settings()
    compared = prev is not None and (not prev.comparable or (prev.applicable and bool(prev.total)))
    return _in_words(
        fig,
        words["not_applicable"],
        achieved=fig.achieved,
        total=fig.total,
        prev=prev,
        change_text=words["not_comparable"] if compared else "",
        applicable=False,
    )


def not_applicable(district_level: bool) -> set[str]:
    """The catalogue's indicators that count the district level itself (indicators.csv, district_level),
    when the period has no district level; none when it has."""
    return set() if district_level else {i["indicator"] for i in catalog.indicators() if i["district_level"]}


def unit_views(
    unit: UnitFigures, previous: UnitFigures | None = None, district_level: bool = True
) -> dict[str, FigureView]:
    """Figure views of a unit by indicator, in catalogue order; `district_level` False: the period has no
    district level, and the indicators that count it are not applicable."""
    prev = previous.figures if previous else {}
    absent = not_applicable(district_level)
    return {
        i["indicator"]: figure_view(
            unit.figures[i["indicator"]], prev.get(i["indicator"]), i["indicator"] not in absent
        )
        for i in catalog.indicators()
        if i["indicator"] in unit.figures
    }


def province_views(data: ReportData) -> dict[str, FigureView]:
    """The province's figures with the previous half-year's, as every document of the period shows them."""
    return unit_views(data.province, data.previous_province, data.district_level)


def table_views(data: ReportData) -> list[FigureView]:
    """The rows of the indicators table: every applicable indicator, and one not applicable this period
    only beside a previous half-year that had it (its change is then not comparable)."""
    return [v for v in province_views(data).values() if v.applicable or v.change_text]


def structure(data: ReportData) -> SimpleNamespace:
    """The wording of the period's administrative structure (bao_cao.yaml, `structure`): three levels while
    the register has a district valid in the period, two (communes directly under the province) after."""
    return SimpleNamespace(**settings()["structure"]["three_level" if data.district_level else "two_level"])


def sections(views: dict[str, FigureView]) -> dict[str, SimpleNamespace]:
    """`plan_issued.village_boards`-style access for templates, plus `.all` per section."""
    out: dict[str, SimpleNamespace] = {}
    for key, view in views.items():
        section, name = key.split(".", 1)
        ns = out.setdefault(section, SimpleNamespace(all=[]))
        setattr(ns, name, view)
        ns.all.append(view)
    return out


def short_name(province_name: str) -> str:
    """ "Tỉnh Bình Thuận" -> "Bình Thuận", for the place line of a document."""
    for prefix in _PROVINCE_PREFIXES:
        if province_name.lower().startswith(prefix):
            return province_name[len(prefix) :]
    return province_name


@cache
def settings() -> dict:
    with open(SETTINGS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _amount(value) -> str:
    """A change as the narrative writes it: counts like count(), percentage points with two decimals."""
    return vn_format.count(value) if isinstance(value, int) else vn_format.decimal(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,  # a misspelt name in a template is an error, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(
        number=vn_format.number, count=vn_format.count, amount=_amount, percent=vn_format.percent, md=escape
    )
    return env


def base(data: ReportData) -> dict:
    """The names every template and setting may use: period, previous, province, report date."""
    return {
        "period": SimpleNamespace(key=data.period, label=data.period_label, year=data.period_year),
        "previous": (
            SimpleNamespace(key=data.previous_period, label=data.previous_label) if data.previous_period else None
        ),
        "province": SimpleNamespace(
            code=data.province.code, name=data.province.name, short_name=short_name(data.province.name)
        ),
        "report_date": vn_format.date(data.data_date),
        # the day since which today's boundaries hold, when earlier periods are re-expressed on them
        "boundaries_since": data.boundaries_since.strftime("%d/%m/%Y") if data.boundaries_since else None,
    }


def heading(data: ReportData) -> SimpleNamespace:
    """The settings (heading block, title, signature, file properties ...) with their {{ ... }} filled
    in, in the file's order: a setting may use the ones above it ({{ office_code }}). The signature is
    the province's own where the settings give one; `title` is the title's lines joined."""
    env, names = environment(), base(data)
    raw = dict(settings())
    own = {str(code): values for code, values in (raw.get("signature_by_province") or {}).items()}
    raw["signature"] = {**raw.get("signature", {}), **own.get(str(data.province.code), {})}

    def fill(value, names: dict):
        if isinstance(value, str):
            return env.from_string(value).render(**names)
        if isinstance(value, list):
            return [fill(v, names) for v in value]
        if isinstance(value, dict):
            return SimpleNamespace(**{str(k): fill(v, names) for k, v in value.items()})
        return value

    filled: dict = {}
    for key, value in raw.items():
        filled[key] = fill(value, {**names, **filled})
    if "title" not in filled:
        filled["title"] = " ".join(filled.get("title_lines", []))
    return SimpleNamespace(**filled)


def severity_label(severity: str) -> str:
    """Lower-case, as the narrative uses it mid-sentence."""
    return catalog.severity_label(severity).lower()


_CLOSING = "./."  # the end of an administrative document's body
_SENTENCE_END = (".", "!", "?", "…", ":", ".”", "…”", "!”", "?”")


def _office_markdown(text: str) -> str:
    """The office's paragraph as template Markdown: literal except for its **bold** and *italic*."""
    return escape(text).replace("\\*", "*")


def _closed(markdown: str) -> str:
    """The body's last paragraph ends with "./."."""
    text = markdown.rstrip()
    if text.endswith(_CLOSING):
        return text
    return text.rstrip(".;:,") + _CLOSING


def office(data: ReportData, text: office_text.OfficeText | None) -> SimpleNamespace:
    """The office's parts as Markdown for the template, by part key (`office.context`, …): a required
    part still empty is its placeholder, in italics; an optional one is "". The tasks part, last in
    the body, ends with "./."; a clause part (`join`) is one paragraph ending a figure sentence."""
    text = text or office_text.OfficeText(None)
    parts: dict[str, str] = {}
    for part in office_text.parts():
        paragraphs = text.paragraphs(part.key)
        if part.join and paragraphs:
            clause = " ".join(p.removeprefix("- ") for p in paragraphs)
            clause = clause if clause.endswith(_SENTENCE_END) else clause + "."
            parts[part.key] = part.join + _office_markdown(clause)
        elif paragraphs:
            parts[part.key] = "\n\n".join(
                "- " + _office_markdown(p[2:]) if p.startswith("- ") else _office_markdown(p) for p in paragraphs
            )
        elif part.required:
            parts[part.key] = "*" + escape(office_text.placeholder(part, data.period)) + "*"
        else:
            parts[part.key] = ""
    last = office_text.parts()[-1].key
    parts[last] = _closed(parts[last])
    following = office_text.next_period(data.period)
    return SimpleNamespace(
        **parts,
        unfilled=[p.heading for p in text.unfilled],
        next_period=SimpleNamespace(key=following, label=office_text.period_label(following)),
    )


def chart_captions(data: ReportData, drawn) -> dict[str, str]:
    """The captions ("Biểu đồ N. …") of the charts drawn this period (keys in `drawn`), numbered in the settings' order,
    so that a chart not drawn leaves no gap. The document and the workbook both read them here."""
    captions = vars(heading(data).chart_captions)
    keys = [key for key in captions if key in set(drawn)]
    return {key: f"Biểu đồ {n}. {captions[key]}" for n, key in enumerate(keys, 1)}


def narrative(
    data: ReportData, charts: dict[str, str | None], office_words: office_text.OfficeText | None = None
) -> dict:
    """The context of the narrative template; `office_words`: the office's parts (none: placeholders)."""
    views = province_views(data)
    c = data.completeness
    levels = settings()["reporter_level"]
    status_words = {status: spec["phrase_vi"] for status, spec in catalog.submission_statuses().items()}
    by_check = published.count_by(data.findings, "check_code")
    checks = catalog.checks()
    return {
        **base(data),
        **sections(views),
        "heading": heading(data),
        "indicators": table_views(data),
        "structure": structure(data),
        "model_groups": [views[indicator] for _, indicator in model_groups()],
        "models_at_province_agencies": sum(
            sum(r.by_group.values()) for r in data.model_rows if r.kind == "province_agencies"
        ),
        "districts": [SimpleNamespace(code=d.code, name=d.name, **sections(unit_views(d))) for d in data.districts],
        "completeness": SimpleNamespace(
            received=sum(c.received.values()),
            expected=sum(c.expected.values()),
            levels=[
                SimpleNamespace(label=levels[level], received=c.received[level], expected=c.expected[level])
                for level in ("province", "district", "commune")
                if c.expected.get(level)
            ],
            files=sum(c.files_by_status.values()),
            file_statuses=[
                SimpleNamespace(label=word, count=c.files_by_status[status])
                for status, word in status_words.items()
                if status != "winner" and c.files_by_status.get(status)
            ],
        ),
        "findings": SimpleNamespace(
            total=sum(by_check.values()),
            by_severity=[
                SimpleNamespace(label=severity_label(s), count=c.findings_by_severity.get(s, 0))
                for s in catalog.SEVERITY_ORDER
            ],
            by_check=[
                SimpleNamespace(code=code, title=checks[code]["title_vi"], count=n)
                for code, n in sorted(
                    by_check.items(), key=lambda kv: (catalog.SEVERITY_ORDER[checks[kv[0]]["severity"]], kv[0])
                )
            ],
            # the auditors' review (reports.reviews): findings by state, resolved ones included
            by_review_state=[
                SimpleNamespace(state=state, label=spec["label_vi"], count=data.review_counts.get(state, 0))
                for state, spec in catalog.review_states().items()
            ]
            if data.review_counts
            else [],
        ),
        "charts": SimpleNamespace(**charts),
        "figures": [
            SimpleNamespace(caption=caption, path=charts[key])
            for key, caption in chart_captions(data, [k for k, v in charts.items() if v]).items()
        ],
        "office": office(data, office_words),
    }
