"""The dbt project as Dagster sees it. The manifest is prebuilt (`dagster-dbt project
prepare-and-package --file orchestration/dbt.py`); it is rebuilt here only when missing or older than
the dbt sources, so loading the definitions does not parse dbt every time."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

REPO = Path(__file__).resolve().parent.parent
DBT_DIR = REPO / "dbt_project"

# The dbt of this interpreter's environment, whether or not the venv is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


class AntqDbtCliResource(DbtCliResource):
    """dagster-dbt asks `dbt --version` in a subprocess on every run (about 2.5 s here) to tell dbt-core
    from the Fusion engine; our dbt is this environment's dbt-core, whose version the metadata gives."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))


def dbt_resource() -> AntqDbtCliResource:
    return AntqDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


def _sources_newer_than(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    watched = [DBT_DIR / "dbt_project.yml", *(REPO / "catalog").glob("*.csv")]
    for folder in ("models", "macros", "tests"):
        watched.extend((DBT_DIR / folder).rglob("*"))
    return any(p.is_file() and p.stat().st_mtime > built for p in watched)


def ensure_manifest() -> Path:
    if _sources_newer_than(dbt_project.manifest_path):
        subprocess.run([DBT_EXECUTABLE, "parse", "--quiet", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)],
                       check=True, cwd=DBT_DIR)
    return dbt_project.manifest_path

