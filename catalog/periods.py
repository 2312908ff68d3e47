"""Half-year period keys ("2021-H1"): parsing, bounds and arithmetic, shared by the CLI, the Dagster
partitions, the schedule and the templates. Plain Python, so the CLI validates a period before paying
for `import dagster`."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

FIRST_PERIOD = "2015-H1"
LOCAL_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # where the reports are written: days are counted here
_KEY = re.compile(r"^(\d{4})-H([12])$")


class PeriodError(ValueError):
    pass


def parse(key: str) -> tuple[int, int]:
    m = _KEY.match(key or "")
    if not m:
        raise PeriodError(f"kỳ báo cáo không hợp lệ: {key!r} (dạng đúng: 2021-H1 hoặc 2021-H2)")
    return int(m.group(1)), int(m.group(2))


def bounds(key: str) -> tuple[date, date]:
    year, half = parse(key)
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


def containing(day: date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def previous(key: str) -> str:
    year, half = parse(key)
    return f"{year - 1}-H2" if half == 1 else f"{year}-H1"


def last_closed(day: date) -> str:
    """The latest half-year that ended before `day` (on 20 July 2021: 2021-H1)."""
    return previous(containing(day))


def local_day(moment: datetime | None = None) -> date:
    """The province's calendar day at `moment` (default now); a naive moment is taken as local time."""
    if moment is None:
        return datetime.now(LOCAL_TIMEZONE).date()
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(LOCAL_TIMEZONE).date()


def keys_until(last: str) -> list[str]:
    """Every period from FIRST_PERIOD to `last`, in order."""
    out, year, half = [], *parse(FIRST_PERIOD)
    end = parse(last)
    while (year, half) <= end:
        out.append(f"{year}-H{half}")
        year, half = (year, 2) if half == 1 else (year + 1, 1)
    return out


def known_keys(today: date | None = None) -> list[str]:
    """The periods antq builds: from FIRST_PERIOD up to the half-year in progress."""
    return keys_until(containing(today or local_day()))


def validate(key: str, today: date | None = None) -> str:
    parse(key)
    if key not in known_keys(today):
        raise PeriodError(
            f"kỳ báo cáo {key} nằm ngoài các kỳ có thể lập ({FIRST_PERIOD} đến {containing(today or local_day())})"
        )
    return key
