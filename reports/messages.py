"""Vietnamese finding messages, filled from the check catalogue's templates (catalog/checks.csv)."""

from __future__ import annotations

import json
import string

import catalog


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def render(check_code: str, params: str | dict | None) -> str:
    values = json.loads(params) if isinstance(params, str) else dict(params or {})
    values = {k: ("" if v is None else v) for k, v in values.items()}
    template = catalog.checks()[check_code]["message_vi"]
    return string.Formatter().vformat(template, (), _Blank(values))
