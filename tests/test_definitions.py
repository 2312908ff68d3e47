"""Issue 12, item 5: the definitions the way Dagster's example projects write them. Keys of dbt models
come from dagster-dbt's translation of the manifest; importing the definitions writes nothing, starts
no process and parses nothing; dbt assets and checks read in Vietnamese, never as SQL; every warehouse
has its own Dagster instance."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import build_helpers
import dagster as dg
import pytest
from build_helpers import write_register

from orchestration import dbt, instance
from orchestration.assets import publication, quality, report, warehouse
from orchestration.definitions import defs

REPO = Path(__file__).resolve().parent.parent
SQL_WORDS = ("select ", "```", "raw sql", "{{")


# -- keys ---------------------------------------------------------------------------------------------


def _defined_here(module) -> list[dg.AssetsDefinition]:
    return [v for v in vars(module).values() if isinstance(v, dg.AssetsDefinition)]


def test_every_dependency_of_the_python_assets_is_an_asset_of_the_definitions():
    graph = defs.resolve_asset_graph()
    materialisable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    checked = 0
    for module in (report, publication, quality):
        for assets_def in _defined_here(module):
            for key in assets_def.keys:
                parents = graph.get(key).parent_keys
                assert parents, key
                assert parents <= materialisable, (key, parents - materialisable)
                checked += 1
    assert checked >= 8
    # no asset of the definitions depends on a key nothing materialises (a renamed model would)
    external = {k for k in graph.get_all_asset_keys() if not graph.get(k).is_materializable}
    assert external == set()
    # every asset check is on an asset that exists
    assert {c.asset_key for c in graph.asset_check_keys} <= materialisable


def test_dbt_keys_come_from_the_manifest():
    specs = {s.metadata["dagster_dbt/unique_id"]: s.key for s in warehouse.warehouse_models.specs}
    assert warehouse.dbt_key("mart_indicators") == specs["model.antq.mart_indicators"]
    assert quality.FINDINGS == warehouse.dbt_key("mart_dq_findings")
    assert (
        warehouse.dbt_key("mart_indicators")
        in defs.resolve_asset_graph().get(dg.AssetKey("indicators_csv")).parent_keys
    )
    with pytest.raises(KeyError, match="no_such_model"):
        warehouse.dbt_key("no_such_model")


# -- nothing done at import -------------------------------------------------------------------------


def _snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    seen = {}
    for root in roots:
        if not root.exists():
            continue
        for path in [root, *root.rglob("*")]:
            if "__pycache__" in path.parts:
                continue
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue
            seen[str(path)] = (st.st_mtime_ns, st.st_size)
    return seen


_IMPORT = """
import json, os, subprocess, sys, traceback
ours = []
start = subprocess.Popen.__init__
def spy(self, *args, **kwargs):
    # a process started by antq's code (dagster's vendored croniter runs `file` once at import: not ours)
    stdlib = os.path.dirname(os.__file__)
    callers = [f.filename for f in traceback.extract_stack()[:-1]
               if not f.filename.startswith((stdlib, "<"))]
    if callers and callers[-1].startswith(sys.argv[1]) and "/.venv/" not in callers[-1]:
        ours.append(str(args[:1]))
    return start(self, *args, **kwargs)
subprocess.Popen.__init__ = spy
import orchestration.definitions as d
assert d.defs.resolve_asset_graph().get_all_asset_keys()
print(json.dumps(ours))
"""


def test_importing_the_definitions_writes_nothing_and_starts_no_process(tmp_path):
    roots = [
        REPO / "dbt_project" / "target",
        REPO / "dbt_project" / "logs",
        REPO / "dagster_home",
        REPO / "var",
        REPO / "out",
        tmp_path,
    ]
    before = _snapshot(*roots)
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_IS_DEV_CLI", "DAGSTER_HOME")}
    env.update(PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, str(REPO) + "/"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"  # no dbt parse, no process of ours
    assert "PreviewWarning" not in done.stderr  # silenced where used, not by a global filter
    after = _snapshot(*roots)
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert changed == []
    assert list(tmp_path.iterdir()) == []


def test_importing_sets_no_warning_filter_of_ours():
    code = (
        "import warnings\nimport dagster as dg\nbefore = list(warnings.filters)\n"
        "import orchestration.definitions\n"
        "added = [f for f in warnings.filters if f not in before and issubclass(f[2], dg.PreviewWarning)]\n"
        "assert not added, added\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_IS_DEV_CLI"}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_stale_manifest_is_a_clear_error_outside_the_paths_that_prepare_it(monkeypatch):
    monkeypatch.delenv("DAGSTER_IS_DEV_CLI", raising=False)
    monkeypatch.setattr(dbt, "_sources_newer_than", lambda manifest: True)
    prepared = []
    monkeypatch.setattr(dbt, "ensure_manifest", lambda: prepared.append(1) or "prepared")
    with pytest.raises(dbt.ManifestNotReady, match="make setup"):
        dbt.require_manifest()
    assert prepared == []
    monkeypatch.setenv("DAGSTER_IS_DEV_CLI", "1")  # `dagster dev`: prepared, as prepare_if_dev
    assert dbt.require_manifest() == "prepared" and prepared == [1]


# -- what the UI says -------------------------------------------------------------------------------


def _no_sql(text: str) -> bool:
    return not any(word in text.lower() for word in SQL_WORDS)


def test_dbt_assets_show_their_yaml_description_not_their_sql():
    specs = list(warehouse.warehouse_models.specs)
    assert len(specs) >= 30
    for spec in specs:
        assert spec.description and spec.description.strip(), spec.key
        assert _no_sql(spec.description), (spec.key, spec.description)
    import json

    manifest = json.loads(Path(dbt.dbt_project.manifest_path).read_text(encoding="utf-8"))
    for spec in specs:
        node = manifest["nodes"][spec.metadata["dagster_dbt/unique_id"]]
        if node.get("description"):
            assert spec.description == node["description"].strip()


def test_dbt_test_checks_have_a_description_and_no_sql():
    checks = list(warehouse.warehouse_models.check_specs)
    assert len(checks) >= 60
    for check in checks:
        assert check.description and check.description.strip(), check.key
        assert _no_sql(check.description), (check.key, check.description)
        assert check.description != check.name


def test_a_test_without_a_description_gets_a_vietnamese_sentence():
    manifest = {
        "nodes": {"model.antq.stg_files": {"name": "stg_files"}, "model.antq.dim_org_unit": {"name": "dim_org_unit"}}
    }

    def test(kind, description="", where=None, severity="ERROR", **kwargs):
        return {
            "name": f"{kind}_x",
            "description": description,
            "attached_node": "model.antq.stg_files",
            "depends_on": {"nodes": ["model.antq.stg_files"]},
            "test_metadata": {"name": kind, "kwargs": kwargs},
            "config": {"where": where, "severity": severity},
        }

    describe = warehouse.test_description
    assert (
        describe(manifest, test("not_null", column_name="code")) == "Cột code của stg_files không được trống (not_null)"
    )
    assert (
        describe(manifest, test("not_null", description="Mã tệp bắt buộc", column_name="code")) == "Mã tệp bắt buộc"
    )  # the YAML's own description wins
    assert (
        describe(manifest, test("relationships", column_name="code", to="ref('dim_org_unit')", field="org_unit_code"))
        == "Mỗi giá trị của cột code trong stg_files đều có trong cột org_unit_code của dim_org_unit (relationships)"
    )
    assert describe(
        manifest,
        test(
            "accepted_values", where="is_counted", severity="warn", column_name="level", values=["commune", "district"]
        ),
    ) == (
        "Cột level của stg_files chỉ nhận các giá trị 'commune', 'district' "
        "(accepted_values; chỉ xét các dòng có is_counted; mức cảnh báo)"
    )


# -- one instance per warehouse ---------------------------------------------------------------------


def test_the_instance_lives_beside_the_warehouse_unless_dagster_home_is_set(tmp_path):
    warehouse_file = tmp_path / "kho" / "a.duckdb"
    assert instance.home_for(warehouse_file, {}) == (tmp_path / "kho" / "a.duckdb.dagster_home", False)
    assert instance.home_for(warehouse_file, {"DAGSTER_HOME": "/x/home"}) == (Path("/x/home"), True)
    assert instance.home_for(instance.DEFAULT_WAREHOUSE, {})[0] == REPO / "var" / "warehouse.duckdb.dagster_home"
    home = instance.ensure_home(instance.home_beside(warehouse_file))
    assert (home / "dagster.yaml").read_text() == instance.PROJECT_SETTINGS.read_text()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    instance.ensure_home(home)  # an existing dagster.yaml is kept
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"


def test_make_ui_shows_the_default_warehouse_instance():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    ui = makefile[makefile.index("\nui:") :].split("\n\n")[0]
    assert "orchestration.instance" in ui and "WAREHOUSE" in ui and "dagster dev" in ui
    assert "WAREHOUSE ?= var/warehouse.duckdb" in makefile


def test_two_warehouses_write_their_runs_into_two_instances(tmp_path, monkeypatch, _dagster_home):
    from orchestration import cli

    register = write_register(
        tmp_path / "register",
        [
            ("98", "Tỉnh Hai Cấp", "province", ""),
            ("98001", "Phường Một", "commune", "98"),
            ("98001001", "Khu phố 1", "village", "98001"),
        ],
        [("T1", "Sở Một", "co_quan", "province", "")],
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.delenv("DAGSTER_HOME")  # the user set none: each warehouse's own
    a, b = tmp_path / "kho" / "a.duckdb", tmp_path / "kho" / "b.duckdb"  # one folder, two warehouses
    period = "2025-H1"

    def build(warehouse_file: Path) -> None:
        build_helpers.build(tmp_path, period, inbox, register, tmp_path / "out", warehouse_file)

    build(a)
    # b starts as a copy of a, with a's last dbt build: b's build reuses it (a cheaper test, same runs)
    shutil.copyfile(a, b)
    target = a.parent / "dbt_target"
    shutil.copyfile(target / f"{a.name}.{dbt.LAST_BUILD}", target / f"{b.name}.{dbt.LAST_BUILD}")
    build(b)
    assert "DAGSTER_HOME" not in os.environ  # the build did not set it for the next one
    for warehouse_file in (a, b):
        home = instance.home_beside(warehouse_file)
        assert (home / "dagster.yaml").read_text() == instance.PROJECT_SETTINGS.read_text()
        with dg.DagsterInstance.from_config(str(home)) as inst:
            runs = inst.get_runs()
            assert [(r.tags["antq/period"], r.tags[cli.WAREHOUSE_TAG]) for r in runs] == [
                (period, str(warehouse_file.resolve()))
            ]
            assert runs[0].status == dg.DagsterRunStatus.SUCCESS
            materialised = inst.get_materialized_partitions(warehouse.dbt_key("mart_indicators"))
            assert materialised == {period}
    with dg.DagsterInstance.from_config(str(_dagster_home)) as inst:  # the explicit one got none of them
        assert not [r for r in inst.get_runs() if r.tags.get(cli.WAREHOUSE_TAG, "").startswith(str(tmp_path))]
