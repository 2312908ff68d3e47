"""A build launched the way a user launches it from the UI: a real `dagster dev` on 127.0.0.1, the job
`build_period` started for one partition through the GraphQL API, polled until it ends.

Only the standard library talks to the server (urllib), and only to 127.0.0.1.
"""

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
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
JOB = "build_period"
REPOSITORY = "__repository__"

LOCATIONS_QUERY = """
query { workspaceOrError { __typename
  ... on Workspace { locationEntries { name
      locationOrLoadError { __typename
        ... on RepositoryLocation { name repositories { name } }
        ... on PythonError { message } } } }
  ... on PythonError { message } } }"""

LAUNCH_MUTATION = """
mutation Launch($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } }
  ... on PythonError { message }
  ... on RunConfigValidationInvalid { errors { message } }
  ... on InvalidSubsetError { message }
  ... on PipelineNotFoundError { message }
  ... on UnauthorizedError { message }
  ... on InvalidStepError { invalidStepKey }
  ... on InvalidOutputError { invalidOutputName } } }"""

RUN_QUERY = """
query Run($runId: ID!) { runOrError(runId: $runId) { __typename
  ... on Run { status startTime endTime }
  ... on PythonError { message } } }"""

TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}


class UiRunError(RuntimeError):
    pass


@dataclass
class UiRun:
    status: str
    launch_to_end_s: float  # from the launchRun request to the poll that saw the run end
    run_s: float | None  # the run's own startTime -> endTime (after the queue)
    queued_s: float | None  # launch -> the run's startTime
    server_start_s: float  # `dagster dev` start -> the workspace location loaded
    run_id: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str, variables: dict | None = None, timeout: float = 30) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(
        f"http://{HOST}:{port}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        answer = json.loads(resp.read())
    if answer.get("errors"):
        raise UiRunError(f"GraphQL: {answer['errors'][0].get('message')}")
    return answer["data"]


def _server_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/server_info", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _location(port: int, deadline: float) -> str:
    """The name of the code location serving the job, once it has loaded."""
    while time.monotonic() < deadline:
        data = _graphql(port, LOCATIONS_QUERY)["workspaceOrError"]
        if data["__typename"] != "Workspace":
            raise UiRunError(f"workspace: {data.get('message')}")
        for entry in data["locationEntries"]:
            loc = entry["locationOrLoadError"]
            if loc is None:
                continue  # still loading
            if loc["__typename"] == "PythonError":
                raise UiRunError(f"code location {entry['name']}: {loc['message'].strip().splitlines()[0]}")
            if any(r["name"] == REPOSITORY for r in loc["repositories"]):
                return loc["name"]
        time.sleep(0.5)
    raise UiRunError("the code location did not load in time")


def _launch(port: int, location: str, partition: str) -> str:
    params = {
        "selector": {"repositoryLocationName": location, "repositoryName": REPOSITORY, "jobName": JOB},
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": partition}]},
    }
    answer = _graphql(port, LAUNCH_MUTATION, {"params": params})["launchRun"]
    if answer["__typename"] != "LaunchRunSuccess":
        raise UiRunError(f"launchRun: {answer['__typename']}: {json.dumps(answer, ensure_ascii=False)[:300]}")
    return answer["run"]["runId"]


def _wait(port: int, run_id: str, deadline: float) -> dict:
    while time.monotonic() < deadline:
        run = _graphql(port, RUN_QUERY, {"runId": run_id})["runOrError"]
        if run["__typename"] != "Run":
            raise UiRunError(f"runOrError: {run.get('message')}")
        if run["status"] in TERMINAL:
            return run
        time.sleep(0.5)
    raise UiRunError(f"run {run_id[:8]} did not finish in time")


def _stop(server: subprocess.Popen) -> None:
    """Terminate the server's process group (dagster dev, its webserver, daemon and code server)."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


def ui_run(
    *,
    home: Path,
    inbox: Path,
    register: Path,
    out: Path,
    warehouse: Path,
    partition: str,
    log_file: Path,
    timeout: float,
) -> UiRun:
    """Start `dagster dev`, launch `build_period` for `partition`, wait for it, stop the server."""
    port = free_port()
    dagster = Path(sys.executable).parent / "dagster"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ANTQ_INBOX": str(inbox),
        "ANTQ_REGISTER": str(register),
        "ANTQ_OUT": str(out),
        "ANTQ_WAREHOUSE": str(warehouse),
    }
    cmd = [str(dagster), "dev", "-m", "orchestration.definitions", "-p", str(port), "-h", HOST]
    started = time.monotonic()
    deadline = started + timeout
    with open(log_file, "wb") as log:
        server = subprocess.Popen(
            cmd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parent.parent,
            start_new_session=True,
        )
        try:
            while not _server_answers(port):
                if server.poll() is not None:
                    raise UiRunError(f"dagster dev exited with {server.returncode} (log: {log_file})")
                if time.monotonic() > deadline:
                    raise UiRunError("dagster dev did not answer in time")
                time.sleep(0.5)
            location = _location(port, deadline)
            ready = time.monotonic()
            launched = time.time()
            run_id = _launch(port, location, partition)
            run = _wait(port, run_id, time.monotonic() + timeout)
            ended = time.time()
        finally:
            _stop(server)
    start, end = run.get("startTime"), run.get("endTime")
    return UiRun(
        status=run["status"],
        launch_to_end_s=ended - launched,
        run_s=(end - start) if start and end else None,
        queued_s=(start - launched) if start else None,
        server_start_s=ready - started,
        run_id=run_id,
    )
