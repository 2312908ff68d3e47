"""Numbers, rates and dates written the Vietnamese way, as the provincial report prints them.

- thousands separator '.', decimal comma: 299882 -> "299.882", 8.71 -> "8,71";
- rates with two decimals, in every document (the report, its workbook, the auditors' files):
  168/195 -> "86,15%", or the fraction 0.8615 a workbook formats with 0.00% (`rate_fraction`). Rounding
  is half-up, except that a rate shows "100,00%" only when every unit is achieved and "0,00%" only
  when none is: 99,999% prints "99,99%", 0,001% prints "0,01%" (a report must never claim "all" or
  "none" when that is not so);
- counts in the narrative below 10 take two digits, as official Vietnamese writing does ("08 trường
  hợp", "04 tập thể", "06 nhóm"); zero stays "0";
- dates as Nghị định 30/2020/NĐ-CP writes them: day below 10 and months 1, 2 with a leading zero:
  "ngày 02 tháng 7 năm 2021", "ngày 15 tháng 01 năm 2021".
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

_HUNDREDTH = Decimal("0.01")
_HUNDRED = Decimal(100)
DASH = "—"  # a rate with no denominator


def number(n: int) -> str:
    """An integer with '.' between thousands: 1000 -> "1.000", -1234 -> "-1.234"."""
    return f"{int(n):,}".replace(",", ".")


def count(n: int) -> str:
    """A count as the narrative writes it: 1..9 with two digits ("08"), otherwise like number()."""
    n = int(n)
    return f"{n:02d}" if 0 < n < 10 else number(n)


def decimal(value: Decimal | float | int, places: int = 2) -> str:
    """A decimal number with a decimal comma and '.' thousands: Decimal("1234.5") -> "1.234,50"."""
    quantum = Decimal(1).scaleb(-places)
    d = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    text = number(int(whole))
    return sign + (f"{text},{frac}" if places > 0 else text)


def rate_value(achieved: int | None, total: int | None) -> Decimal | None:
    """achieved/total in percent, two decimals, never rounded up to 100 nor down to 0 (see module
    docstring). None when there is no denominator (total empty or zero)."""
    if achieved is None or not total:
        return None
    exact = Decimal(int(achieved)) * _HUNDRED / Decimal(int(total))
    shown = exact.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
    if shown >= _HUNDRED and achieved < total:
        return _HUNDRED - _HUNDREDTH
    if shown <= 0 < achieved:
        return _HUNDREDTH
    return shown


def rate_fraction(achieved: int | None, total: int | None) -> Decimal | None:
    """rate_value as the fraction a workbook cell holds and formats with 0.00% (reports.xlsx_sheet.RATE)."""
    value = rate_value(achieved, total)
    return None if value is None else value / _HUNDRED


def rate(achieved: int | None, total: int | None) -> str:
    """ "86,15%", or "—" when there is no denominator."""
    value = rate_value(achieved, total)
    return DASH if value is None else percent(value)


def percent(value: Decimal) -> str:
    """A percentage already in percent units: Decimal("90.3") -> "90,30%"."""
    return decimal(value) + "%"


def ratio(achieved: int, total: int | None) -> str:
    """ "168/195", "299.882/332.093"; just the number when there is no total."""
    return number(achieved) if total is None else f"{number(achieved)}/{number(total)}"


def signed(n: int) -> str:
    """A change in a count: "+12", "-3", "0"."""
    n = int(n)
    return ("+" if n > 0 else "") + number(n)


def signed_points(value: Decimal) -> str:
    """A change in a rate, in percentage points: "+8,71", "-0,50", "0,00"."""
    return ("+" if value > 0 else "") + decimal(value)


def date(day: dt.date) -> str:
    """ "ngày 02 tháng 7 năm 2021"."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"
