"""What the Dagster UI shows (`make ui`): the definitions hold the asset graph with its groups,
descriptions, half-year partitions, checks, job, schedule and sensor; and a real dagster-webserver
serves them over GraphQL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from orchestration.definitions import defs

REPO = Path(__file__).resolve().parent.parent
WEBSERVER_START_S = 240  # loading the definitions under a busy machine; a bound, not a target


def test_definitions_hold_the_pieces_the_ui_shows():
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert {graph.get(k).group_name for k in keys} == {"1_ingestion", "2_warehouse", "3_quality", "4_publication"}
    assert all(graph.get(k).description for k in keys)
    assert graph.get(_key("raw/files")).group_name == "1_ingestion"
    assert graph.get(_key("mart_indicators")).group_name == "2_warehouse"
    assert graph.get(_key("indicators_csv")).group_name == "4_publication"
    job = defs.resolve_job_def("build_period")
    assert "2021-H1" in job.partitions_def.get_partition_keys()
    checks = {c.to_user_string() for c in graph.asset_check_keys}
    assert {"raw/files:no_rejected_files", "indicators_csv:every_indicator_published"} <= checks
    assert any(c.asset_key == _key("mart_indicators") for c in graph.asset_check_keys)  # dbt tests
    assert defs.resolve_schedule_def("half_yearly_build").job_name == "build_period"
    assert defs.resolve_sensor_def("inbox_sensor").job_name == "build_period"


def _key(text: str):
    import dagster as dg

    return dg.AssetKey(text.split("/"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.load(response)
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("ui_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    port = _free_port()
    log = open(home / "webserver.log", "w+", encoding="utf-8")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its code server is in the same group: stopped with it
    )
    try:
        deadline = time.monotonic() + WEBSERVER_START_S
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"dagster-webserver did not start: {log.read()[-3000:]}")
            time.sleep(1)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()


def test_webserver_serves_the_asset_graph(webserver):
    nodes = _graphql(
        webserver,
        """{ assetNodes { assetKey { path } groupName description isPartitioned
        partitionKeys dependencyKeys { path } assetChecksOrError { ... on AssetChecks { checks { name } } } } }""",
    )
    by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes["assetNodes"]}
    assert {"raw/files", "mart_indicators", "indicators_csv"} <= set(by_key)
    assert by_key["raw/files"]["groupName"] == "1_ingestion"
    assert by_key["mart_indicators"]["groupName"] == "2_warehouse"
    assert by_key["indicators_csv"]["groupName"] == "4_publication"
    assert all(n["description"] and n["isPartitioned"] for n in by_key.values())
    assert "2021-H1" in by_key["mart_indicators"]["partitionKeys"]
    # ingestion -> dbt -> publication
    assert {"path": ["raw", "files"]} in by_key["stg_files"]["dependencyKeys"]
    assert {"path": ["mart_indicators"]} in by_key["indicators_csv"]["dependencyKeys"]
    checks = {k: [c["name"] for c in n["assetChecksOrError"].get("checks", [])] for k, n in by_key.items()}
    assert "no_rejected_files" in checks["raw/files"]
    assert "every_indicator_published" in checks["indicators_csv"]
    assert checks["mart_indicators"]  # dbt tests as asset checks


def test_webserver_serves_the_job_schedule_and_sensor(webserver):
    data = _graphql(
        webserver,
        """{ repositoriesOrError { ... on RepositoryConnection { nodes {
        jobs { name } schedules { name cronSchedule executionTimezone } sensors { name } } } } }""",
    )
    (repo,) = data["repositoriesOrError"]["nodes"]
    assert "build_period" in {j["name"] for j in repo["jobs"]}
    (schedule,) = repo["schedules"]
    assert schedule["name"] == "half_yearly_build" and schedule["executionTimezone"] == "Asia/Ho_Chi_Minh"
    assert [s["name"] for s in repo["sensors"]] == ["inbox_sensor"]
