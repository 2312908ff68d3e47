"""The dbt graph flows one way (issue 12): every model reads only the layers before it, as in dbt-labs'
jaffle-shop. Read from dbt_project/target/manifest.json (`make dbt_project/target/manifest.json`).

The layers, lowest first. A model's layer is given by its folder under dbt_project/models/ AND its name's
prefix; a model whose folder and prefix name no layer (or two different ones) fails the test.

    0  sources (raw.*) and seeds (the catalogues)
    1  staging/       stg_*       one model per raw table, rename and cast only: reads sources only
    2  intermediate/  int_*       the rules: reads staging and intermediate
    3  marts/         dim_*, fct_*  what the warehouse knows: reads intermediate (and staging)
    4  marts/         mart_*      published figures and import summary: reads dims, facts and below
    5  findings/      findings_*  data-quality checks by family, built after the marts they check
                                  (a summary row against the published figure, a late workbook against
                                  mart_submissions); mart_dq_findings, the published union of the findings
                                  models, lives in this layer under its published name.

Rule: a ref may point to the same layer or a lower one, never a higher one. Staging models read nothing
but sources.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DBT = REPO / "dbt_project"
MANIFEST = DBT / "target" / "manifest.json"

SOURCES = 0
LAYERS = (  # (rank, folder, name prefixes)
    (1, "staging", ("stg_",)),
    (2, "intermediate", ("int_",)),
    (3, "marts", ("dim_", "fct_")),
    (4, "marts", ("mart_",)),
    (5, "findings", ("findings_",)),
)
# Published tables that keep their name in a later layer (reports/ and orchestration/ read them by name).
PUBLISHED_IN_LATER_LAYER = {"mart_dq_findings": 5}
LAYER_NAMES = {0: "sources/seeds", 1: "staging", 2: "intermediate", 3: "dims/facts", 4: "marts", 5: "findings"}


def model_layer(folder: str, name: str) -> int | None:
    """The layer of a model in models/<folder>/ named `name`, or None when they name no single layer."""
    if name in PUBLISHED_IN_LATER_LAYER:
        rank = PUBLISHED_IN_LATER_LAYER[name]
        return rank if any(r == rank and f == folder for r, f, _ in LAYERS) else None
    ranks = {rank for rank, f, prefixes in LAYERS if f == folder and name.startswith(prefixes)}
    return ranks.pop() if len(ranks) == 1 else None


def node_layer(node: dict) -> int | None:
    if node["resource_type"] in ("source", "seed"):
        return SOURCES
    if node["resource_type"] == "model":
        folder = Path(node["original_file_path"]).relative_to("models").parts[0]
        return model_layer(folder, node["name"])
    return None


def violations(manifest: dict) -> list[str]:
    """Every ref that points up a layer, every staging model reading anything but a source, every model
    with no layer."""
    nodes = {**manifest["nodes"], **manifest["sources"]}
    found = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != manifest["metadata"].get("project_name", "antq"):
            continue
        layer = node_layer(node)
        if layer is None:
            found.append(f"{node['name']} ({node['original_file_path']}): its folder and prefix name no layer")
            continue
        parents = node["depends_on"]["nodes"]
        if layer == 1:
            if not parents:
                found.append(f"{node['name']}: a staging model must read a source")
            found += [
                f"{node['name']}: a staging model reads {p.split('.')[-1]}, not a source"
                for p in parents
                if not p.startswith("source.")
            ]
            continue
        for p in parents:
            parent = nodes[p]
            parent_layer = node_layer(parent)
            if parent_layer is None:
                continue  # reported on its own
            if parent_layer > layer:
                found.append(
                    f"{node['name']} ({LAYER_NAMES[layer]}) reads {parent['name']} "
                    f"({LAYER_NAMES[parent_layer]}), a later layer"
                )
    return sorted(found)


@pytest.fixture(scope="module")
def manifest() -> dict:
    if not MANIFEST.exists():
        pytest.fail(f"{MANIFEST} is missing: run `make dbt_project/target/manifest.json`")
    built = MANIFEST.stat().st_mtime
    stale = [
        p
        for folder in ("models", "macros")
        for p in (DBT / folder).rglob("*")
        if p.is_file() and p.stat().st_mtime > built
    ]
    stale += [p for p in (DBT / "dbt_project.yml",) if p.stat().st_mtime > built]
    if stale:
        pytest.fail(
            f"{MANIFEST} is older than {stale[0].relative_to(REPO)}: run `make dbt_project/target/manifest.json`"
        )
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_the_dbt_graph_flows_one_way(manifest):
    assert violations(manifest) == []


def test_every_model_file_is_in_the_manifest(manifest):
    on_disk = {p.stem for p in (DBT / "models").rglob("*.sql")}
    in_manifest = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert on_disk == in_manifest


def test_every_layer_is_used(manifest):
    used = {node_layer(n) for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert used == {rank for rank, _, _ in LAYERS}


def _model(name: str, folder: str, parents: list[str]) -> tuple[str, dict]:
    return f"model.antq.{name}", {
        "resource_type": "model",
        "package_name": "antq",
        "name": name,
        "original_file_path": f"models/{folder}/{name}.sql",
        "depends_on": {"nodes": parents},
    }


def test_the_rule_catches_what_it_forbids():
    """The checker itself: the graph this issue started from is flagged, a one-way graph is not."""
    source = {
        "source.antq.raw.files": {
            "resource_type": "source",
            "name": "files",
            "original_file_path": "models/staging/_sources.yml",
        }
    }
    seed = {
        "seed.antq.checks": {
            "resource_type": "seed",
            "name": "checks",
            "package_name": "antq",
            "original_file_path": "seeds/checks.csv",
            "depends_on": {"nodes": []},
        }
    }
    good = dict(
        [
            _model("stg_files", "staging", ["source.antq.raw.files"]),
            _model("int_submissions", "intermediate", ["model.antq.stg_files"]),
            _model("fct_unit_status", "marts", ["model.antq.int_submissions"]),
            _model("dim_check", "marts", ["seed.antq.checks"]),
            _model("mart_indicators", "marts", ["model.antq.fct_unit_status"]),
            _model("findings_rows", "findings", ["model.antq.mart_indicators", "model.antq.int_submissions"]),
            _model("mart_dq_findings", "findings", ["model.antq.findings_rows", "model.antq.dim_check"]),
        ]
    )
    base = {"metadata": {"project_name": "antq"}, "sources": source}
    assert violations({**base, "nodes": {**good, **seed}}) == []
    bad = dict(
        [
            _model("stg_villages", "staging", ["model.antq.stg_files"]),
            _model("int_findings", "intermediate", ["model.antq.mart_indicators", "model.antq.fct_unit_status"]),
            _model("int_org_units_in_period", "intermediate", ["model.antq.dim_check"]),
            _model("mart_dq_findings", "marts", ["model.antq.stg_files"]),
            _model("fct_stray", "findings", []),
        ]
    )
    found = violations({**base, "nodes": {**good, **seed, **bad}})
    assert found == sorted(
        [
            "fct_stray (models/findings/fct_stray.sql): its folder and prefix name no layer",
            "int_findings (intermediate) reads fct_unit_status (dims/facts), a later layer",
            "int_findings (intermediate) reads mart_indicators (marts), a later layer",
            "int_org_units_in_period (intermediate) reads dim_check (dims/facts), a later layer",
            "mart_dq_findings (models/marts/mart_dq_findings.sql): its folder and prefix name no layer",
            "stg_villages: a staging model reads stg_files, not a source",
        ]
    )


# reports/ reads what the warehouse publishes, never what it is built from (issue 12). The one exception:
# the blank templates read the register's raw tables, since they are written before any build.
READS = re.compile(r"""\b(?:from|join)\s+(main|raw)\.([a-z_]+)|["'](main|raw)\.([a-z_]+)["']""", re.IGNORECASE)
READS_RAW = {"blank_templates.py": {"register_org_units", "register_agencies"}}


def tables_read(source: str) -> set[tuple[str, str]]:
    """(schema, table) of every table an SQL string in `source` reads, or a constant names."""
    return {(m[0] or m[2], m[1] or m[3]) for m in READS.findall(source)}


def test_reports_read_only_dims_facts_marts_and_findings(manifest):
    layers = {n["name"]: node_layer(n) for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")}
    wrong = []
    for path in sorted((REPO / "reports").glob("*.py")):
        for schema, table in sorted(tables_read(path.read_text(encoding="utf-8"))):
            allowed = (
                table in READS_RAW.get(path.name, set())
                if schema == "raw"
                else layers.get(table) is not None and layers[table] >= 3
            )
            if not allowed:
                wrong.append(f"reports/{path.name}: {schema}.{table}")
    assert wrong == []


def test_the_reads_rule_sees_sql_and_constants():
    sql = 'con.execute("select * from raw.villages v join main.int_submissions s using (x)"); T = "main.fct_models"'
    assert tables_read(sql) == {("raw", "villages"), ("main", "int_submissions"), ("main", "fct_models")}
    assert tables_read("raw.split(','); main.py") == set()
