"""The inbox sensor: a new or changed file in the inbox requests a build of the period its cover names,
once per change. Its cursor is the inbox as last seen, JSON {path relative to the inbox: SHA-256}.

Covers are read by ingestion.cover (plain Python, no warehouse: DuckDB may be held by a run). New and
changed files of one evaluation give one run request per period; the run key holds the files' hashes,
so evaluating the same change again requests nothing new. A file gone from the inbox requests nothing
(its rows leave at the period's next build).

A file whose cover cannot be read belongs to no period; a build of any period reports it (contract
section 5). So it is never dropped here: when the same evaluation requests runs for readable files,
those runs report it; otherwise it requests a build of the half-year that closed last (the period
whose reports are being collected), which reports it.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from catalog import periods
from orchestration.partitions import half_year_partitions
from orchestration.resources import AntqPaths
from orchestration.schedules import BUILD_JOB

MIN_INTERVAL_S = 60  # a burst of files arriving together gives one run per period


def _run_key(period: str, files: dict[str, str]) -> str:
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()[:16]
    return f"inbox:{period}:{digest}"


@dg.sensor(
    name="inbox_sensor",
    job_name=BUILD_JOB,
    minimum_interval_seconds=MIN_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Tệp mới hoặc tệp được sửa trong hộp thư: lập lại số liệu của kỳ ghi trên trang bìa",
)
def inbox_sensor(context: dg.SensorEvaluationContext, paths: AntqPaths) -> dg.SensorResult:
    from ingestion.cover import inbox_fingerprints, read_period  # pyarrow, calamine: not at definitions load

    inbox = Path(paths.inbox_dir)
    if not inbox.is_dir():
        return dg.SensorResult(skip_reason=f"Không tìm thấy thư mục hộp thư {inbox}")
    seen = json.loads(context.cursor) if context.cursor else {}
    current = inbox_fingerprints(inbox)
    changed = {path: sha for path, sha in current.items() if seen.get(path) != sha}
    cursor = json.dumps(current, sort_keys=True, ensure_ascii=False)
    if not changed:
        return dg.SensorResult(skip_reason="Hộp thư không có tệp mới hoặc tệp thay đổi", cursor=cursor)

    buildable = set(half_year_partitions.get_partition_keys())
    by_period: dict[str, dict[str, str]] = {}
    unreadable: dict[str, str] = {}
    for path, sha in sorted(changed.items()):
        period = read_period(inbox / path)
        if period is None:
            unreadable[path] = sha
        elif period in buildable:
            by_period.setdefault(period, {})[path] = sha
        else:
            context.log.warning(f"{path}: kỳ {period} nằm ngoài các kỳ có thể lập; không yêu cầu lập số liệu")
    if unreadable:
        context.log.info(
            f"{len(unreadable)} tệp không đọc được trang bìa; được nêu trong báo cáo kiểm tra "
            "của mọi kỳ được lập: " + ", ".join(sorted(unreadable)[:10])
        )
        if not by_period:
            by_period[periods.last_closed(periods.local_day())] = unreadable

    requests = [
        dg.RunRequest(
            run_key=_run_key(period, files),
            partition_key=period,
            tags={"antq/period": period, "antq/source": "sensor", "antq/files": str(len(files))},
        )
        for period, files in sorted(by_period.items())
    ]
    if not requests:
        return dg.SensorResult(skip_reason="Không có tệp nào thuộc kỳ có thể lập", cursor=cursor)
    return dg.SensorResult(run_requests=requests, cursor=cursor)
