"""The submission workbook's format as the reader applies it: the cover sheet and its fields, each level's
sheet layouts with their column rules, and the blank-template marker, built once from
catalog/workbook.yaml (contract section 3). ingestion.workbook reads workbooks by it; the writer
(workbook_format.writer) writes from the same catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import catalog
from ingestion.cells import Rule, rule
from ingestion.normalize import text_key
from ingestion.schema import cover_field_keyed


@dataclass(frozen=True)
class CoverField:
    rule: Rule
    levels: tuple[str, ...] | None  # None: every level
    keyed: bool


@dataclass(frozen=True)
class Layout:
    layout_id: str  # its key under workbook.yaml `sheets` (and `row_limits`)
    sheet: str
    sheet_key: str
    table: str
    required: bool
    rules: tuple[Rule, ...]
    unit_index: int | None  # position in `rules` of the layout's unit_column
    required_enums: tuple[int, ...]  # positions of required enum columns
    answers: tuple[str, ...]  # `<col>_raw` of the columns a blank template leaves empty


@dataclass(frozen=True)
class Catalogue:
    cover_sheet: str
    cover_key: str
    cover: dict[str, CoverField]
    cover_by_label: dict[str, str]  # text_key(label) -> field id
    code_width: dict[str, int]
    level_words: dict[str, str]
    layouts: dict[str, tuple[Layout, ...]]  # level -> its sheet layouts
    header_rows: int
    totals_prefixes: tuple[str, ...]
    cover_answers: tuple[str, ...]  # `<field>_raw` of the cover fields a blank template leaves empty
    template_property: str  # the blank-template marker's property name, casefolded


@cache
def catalogue() -> Catalogue:
    wb = catalog.workbook()
    cover: dict[str, CoverField] = {}
    for name, spec in wb["cover"]["fields"].items():
        levels = tuple(spec["levels"]) if "levels" in spec else None
        cover[name] = CoverField(rule(name, spec), levels, cover_field_keyed(spec))
    prefilled = wb["blank_template"]["prefilled"]
    layouts: dict[str, list[Layout]] = {level: [] for level in wb["levels"]}
    for layout_id, spec in wb["sheets"].items():
        rules = tuple(rule(name, col) for name, col in spec["columns"].items())
        names = [r.name for r in rules]
        unit = spec.get("unit_column")
        for level, need in spec["levels"].items():
            layouts[level].append(
                Layout(
                    layout_id=layout_id,
                    sheet=spec["sheet"],
                    sheet_key=text_key(spec["sheet"]),
                    table=spec["table"],
                    required=need == "required",
                    rules=rules,
                    unit_index=names.index(unit) if unit else None,
                    required_enums=tuple(i for i, r in enumerate(rules) if r.type == "enum" and r.required),
                    answers=tuple(f"{n}_raw" for n in names if n not in prefilled.get(layout_id, ())),
                )
            )
    return Catalogue(
        cover_sheet=wb["cover"]["sheet"],
        cover_key=text_key(wb["cover"]["sheet"]),
        cover=cover,
        cover_by_label={f.rule.header_key: name for name, f in cover.items()},
        code_width=dict(wb["code_width"]),
        level_words={level: words[0] for level, words in wb["levels"].items()},
        layouts={level: tuple(ls) for level, ls in layouts.items()},
        header_rows=int(wb["header_search_rows"]),
        totals_prefixes=tuple(text_key(p) for p in wb["totals_row_prefixes"]),
        cover_answers=tuple(f"{name}_raw" for name in cover if name not in prefilled["cover"]),
        template_property=wb["blank_template"]["property"].casefold(),
    )
