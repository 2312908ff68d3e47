"""The dbt project as Dagster sees it. The manifest is prebuilt (`dagster-dbt project
prepare-and-package --file orchestration/dbt.py`); it is rebuilt here only when missing or older than
the dbt sources, so loading the definitions does not parse dbt every time."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

REPO = Path(__file__).resolve().parent.parent
DBT_DIR = REPO / "dbt_project"

# The dbt of this interpreter's environment, whether or not the venv is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


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

