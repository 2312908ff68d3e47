"""The validation page of a period, OUT/PERIOD/data_docs/index.html: the Great Expectations results on the
staged tables (expectations.run's summary) in Vietnamese, one section per suite, each expectation as a
sentence with its result, unexpected count and a few unexpected values.

It replaces Great Expectations' own Data Docs, whose frame is English and loads jQuery, bootstrap-table,
styles and icons from CDNs: this page is one file, styles inline, no script, no link out of the machine,
no path of the build machine. Written from the Jinja template `templates/kiem_tra_ky_vong.html.j2`; the
sentence of each expectation type is data (`expectations/phrases.yaml`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import jinja2

import expectations
from reports import vn_format
from reports.text_cells import visible

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "kiem_tra_ky_vong.html.j2"
VALUE_CHARS = 80  # a longer value (a long value set, a long text) is cut on the page
SET_SHOWN = 12  # the values of a value set listed before "…"


def sources() -> list[Path]:
    """What shapes the page besides the summary (for expectations.run's fingerprint)."""
    return [Path(__file__), TEMPLATES / TEMPLATE]


def _text(value) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return vn_format.number(value)
    if isinstance(value, float):
        return vn_format.decimal(value, 2) if value != int(value) else vn_format.number(int(value))
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_text(v)}" for k, v in value.items())
    text = visible(str(value))
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _value_set(values) -> str:
    values = list(values or [])
    shown = ", ".join(_text(v) for v in values[:SET_SHOWN])
    return shown + (f", … ({vn_format.number(len(values))} giá trị)" if len(values) > SET_SHOWN else "")


_OPERATORS = {"==": "=", "!=": "≠", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}


def _condition(condition) -> str:
    """A GX row condition (or its text form) in words: `row_valid = Có`, `a = x và b ≠ y`."""
    if isinstance(condition, str):
        return condition
    if not isinstance(condition, dict):
        return _text(condition)
    if condition.get("type") in ("and", "or"):
        word = " và " if condition["type"] == "and" else " hoặc "
        return word.join(_condition(c) for c in condition.get("conditions", []))
    column = (condition.get("column") or {}).get("name", "?")
    operator = _OPERATORS.get(condition.get("operator"), condition.get("operator", "?"))
    return f"{column} {operator} {_text(condition.get('parameter'))}"


def rule(expectation: dict) -> str:
    """The expectation as a Vietnamese sentence from its type and kwargs (expectations/phrases.yaml); an
    expectation type without a sentence there keeps its name, and the page still renders."""
    words = expectations.phrases()
    kwargs = expectation.get("kwargs") or {}
    phrase = words["types"].get(expectation["type"])
    if isinstance(phrase, dict):
        if "or_equal" in phrase:
            phrase = phrase["or_equal" if kwargs.get("or_equal") else "strict"]
        else:
            low, high = kwargs.get("min_value") is not None, kwargs.get("max_value") is not None
            phrase = phrase["both" if low and high else "min" if low else "max"]
    if phrase is None:
        sentence = expectation["type"]
    else:
        fields = {k: _text(v) for k, v in kwargs.items() if not isinstance(v, (list, dict))}
        fields["columns"] = ", ".join(expectation.get("columns") or kwargs.get("column_list") or [])
        fields["value_set"] = _value_set(kwargs.get("value_set"))
        for key in ("min_value", "max_value", "regex", "column", "column_A", "column_B"):
            fields.setdefault(key, _text(kwargs.get(key)))
        sentence = phrase.format(**fields)
    extra = []
    if kwargs.get("row_condition"):
        extra.append(words["row_condition"].format(condition=_condition(kwargs["row_condition"])))
    if kwargs.get("ignore_row_if"):
        extra.append(words["ignore_row_if"])
    if kwargs.get("mostly") is not None:
        extra.append(words["mostly"].format(percent=vn_format.decimal(float(kwargs["mostly"]) * 100, 0) + " %"))
    return sentence + ("; " + "; ".join(extra) if extra else "")


def _percent(value) -> str:
    return "" if value is None else vn_format.percent(Decimal(str(value)))


def _context(summary: dict) -> dict:
    words = expectations.phrases()
    suites = []
    for name, suite in summary["suites"].items():
        rows = []
        listed = suite.get("expectations") or suite.get("failed_expectations", [])
        for e in listed:
            rows.append(
                {
                    "description": e.get("description") or "",
                    "rule": rule(e),
                    "kind": words["kinds"].get(e.get("kind"), e.get("kind") or ""),
                    "blocking": e.get("blocking", False),
                    "success": e.get("success", False),
                    "checked": "" if e.get("element_count") is None else vn_format.number(e["element_count"]),
                    "unexpected": "" if e.get("unexpected_count") is None else vn_format.number(e["unexpected_count"]),
                    "percent": _percent(e.get("unexpected_percent")) if e.get("unexpected_count") else "",
                    "shown_values": [_text(v) for v in e.get("unexpected_values") or []],
                    "observed": "" if e.get("observed_value") is None else _text(e["observed_value"]),
                    "error": e.get("error"),
                    "finding": e.get("finding"),
                    "sample": [
                        {words["columns"].get(k, k): _text(v) for k, v in r.items()} for r in e.get("sample") or []
                    ],
                }
            )
        suites.append(
            {
                "name": name,
                "title": suite.get("title_vi", name),
                "rows": vn_format.number(suite["rows"]),
                "evaluated": suite["evaluated"],
                "failed": suite["failed"],
                "blocking_failed": suite.get("blocking_failed", 0),
                "success": suite["success"],
                "expectations": rows,
            }
        )
    return {
        "period": summary["period"],
        "success": summary["success"],
        "blocking": summary.get("blocking_failures", []),
        "suites": suites,
        "failed_suites": [s for s in suites if not s["success"]],
        "blocking_word": words["blocking"],
    }


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(summary: dict) -> str:
    return _environment().get_template(TEMPLATE).render(**_context(summary))


def write(path: Path, summary: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(summary), encoding="utf-8")
    return path
