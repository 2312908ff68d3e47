"""Great Expectations suites on the staged warehouse tables, kept as data in `suites/` (one JSON file per
staged table, in GX's own suite format). The pipeline's own invariants are dbt tests (dbt_project/tests/).

Nothing here imports Great Expectations except `expectations.run` when it validates (the import costs
seconds), so the suite list can be read by the orchestrator at load time. See README.md for what each suite promises.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SUITES_DIR = Path(__file__).resolve().parent / "suites"
PHRASES = Path(__file__).resolve().parent / "phrases.yaml"


@cache
def suites() -> dict[str, dict]:
    """Suite definitions by name; a suite's name is the staged table it validates."""
    out = {}
    for path in sorted(SUITES_DIR.glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            suite = json.load(fh)
        if suite["name"] != path.stem:
            raise ValueError(f"{path.name}: suite name {suite['name']!r} differs from the file name")
        out[suite["name"]] = suite
    return out


@cache
def phrases() -> dict:
    """The Vietnamese sentence of each expectation type (phrases.yaml), for the validation page."""
    import yaml

    with open(PHRASES, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def blocking(expectation: dict) -> bool:
    """Whether a failure of this expectation (a suite's entry) means the published figures would be wrong:
    `meta.blocking` in the suite. Publication waits for these; the others only warn."""
    return bool((expectation.get("meta") or {}).get("blocking", False))
