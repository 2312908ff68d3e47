"""The administrative units as two maintained PyPI libraries give them, and their cross-checks.

- vietnam-provinces (2025 structure): the 34 provinces and 3,321 communes since 01/07/2025, with codes.
- vietnamadminunits: the 63-province list as it stood before the reform (table admin_units_legacy: the
  last pre-reform list, so later than the GSO list of 01/07/2021), the 34-province list (admin_units)
  and, by name keys, which former commune went to which new commune(s) (data/converter_2025.json).

Codes are text, zero-padded to the widths of catalog/workbook.yaml."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path

import catalog

REFORM_DATE = dt.date(2025, 7, 1)  # Resolution 202/2025/QH15: 34 provinces, no district level
STRUCTURES = ("2025", "2021")
LIBRARIES = ("vietnam-provinces", "vietnamadminunits")
# the GSO list of 01/07/2021 bundled beside the repository (shared/data/README.md)
GSO_DATE = dt.date(2021, 7, 1)
GSO_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "vietnam_2021_org_units.csv"
_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp ")


def library_versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in LIBRARIES}


def _width(level: str) -> int:
    return catalog.workbook()["code_width"][level]


def _code(value, level: str) -> str:
    return str(int(value)).zfill(_width(level))


def plain(text: str) -> str:
    """Lower case without accents or tone marks ("Đắk Nông" -> "dak nong"), for lookups by name."""
    nfd = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(c for c in nfd if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", bare).strip()


def _bare_province(text: str) -> str:
    key = plain(text)
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :].strip()
    return key


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent_code: str = ""


@dataclass
class Province:
    code: str
    name: str
    structure: str
    units: list[Unit] = field(default_factory=list)  # province first, then districts, then communes


class RegisterBuildError(ValueError):
    """A register that cannot be written; the message is one Vietnamese line."""


# --- vietnamadminunits --------------------------------------------------------------------------


def _vau_query(sql: str, params=()) -> list[dict]:
    import sqlite3

    db = resources.files("vietnamadminunits") / "data" / "dataset.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(sql, params)]


@cache
def _vau_legacy() -> tuple[dict, ...]:
    return tuple(
        _vau_query(
            "select provinceCode, province, provinceKey, districtCode, district, districtKey, wardCode, ward, wardKey "
            "from admin_units_legacy order by provinceCode, districtCode, wardCode"
        )
    )


@cache
def _vau_2025() -> tuple[dict, ...]:
    return tuple(
        _vau_query(
            "select provinceCode, province, provinceKey, wardCode, ward, wardKey from admin_units "
            "order by provinceCode, wardCode"
        )
    )


@cache
def _vau_converter() -> dict:
    path = resources.files("vietnamadminunits") / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


# --- the provinces of each structure ---------------------------------------------------------------


@cache
def provinces(structure: str) -> dict[str, str]:
    """code -> name of the provinces of `structure` ("2025": vietnam-provinces; "2021": vietnamadminunits)."""
    if structure == "2025":
        from vietnam_provinces import Province as VPProvince

        return {_code(int(p.code), "province"): _province_name(p) for p in VPProvince.iter_all()}
    return {_code(r["provinceCode"], "province"): r["province"] for r in _vau_legacy()}


def _province_name(p) -> str:
    """vietnam-provinces names a province without its type ("Lâm Đồng"); cities carry theirs."""
    if plain(p.name).startswith("thanh pho"):
        return p.name
    return f"{p.division_type.value.capitalize()} {p.name}"


@cache
def _successor() -> dict[str, str]:
    """Former province code -> the 2025 province code it is now part of (vietnamadminunits)."""
    new_code = {r["provinceKey"]: _code(r["provinceCode"], "province") for r in _vau_2025()}
    old_code = {r["provinceKey"]: _code(r["provinceCode"], "province") for r in _vau_legacy()}
    return {old_code[o]: new_code[n] for n, olds in _vau_converter()["DICT_PROVINCE"].items() for o in olds}


def find_province(query: str, structure: str) -> tuple[str, str]:
    """(code, name) of the province of `structure` named or coded `query`; case, accents and a leading
    "Tỉnh" / "Thành phố" are ignored. Raises RegisterBuildError with close names when there is none."""
    table = provinces(structure)
    text = query.strip()
    if text.isdigit():
        code = text.zfill(_width("province"))
        if code in table:
            return code, table[code]
    key = _bare_province(text)
    matches = [(c, n) for c, n in table.items() if _bare_province(n) == key]
    if len(matches) == 1:
        return matches[0]
    other = "2021" if structure == "2025" else "2025"
    moved = _moved_hint(key, text, structure)
    if moved:
        raise RegisterBuildError(moved)
    names = {_bare_province(n): n for n in table.values()}
    close = [names[k] for k in difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)]
    hint = f"; có phải: {', '.join(close)}?" if close else f"; xem lại tên hoặc mã tỉnh (cơ cấu {other}?)"
    raise RegisterBuildError(f'không có tỉnh "{query}" trong danh sách tỉnh theo cơ cấu {structure}{hint}')


def _moved_hint(key: str, text: str, structure: str) -> str | None:
    """A former province asked for in the 2025 structure: say which province it is now part of."""
    if structure != "2025":
        return None
    old = provinces("2021")
    code = text.zfill(_width("province")) if text.isdigit() else None
    found = [c for c, n in old.items() if c == code or _bare_province(n) == key]
    if len(found) != 1 or found[0] not in _successor():
        return None
    new = _successor()[found[0]]
    return (
        f"{old[found[0]]} ({found[0]}) không còn là tỉnh từ {REFORM_DATE:%d/%m/%Y}, nay thuộc "
        f"{provinces('2025')[new]} ({new}); dùng --structure 2021 cho danh mục trước đó"
    )


# --- the units of a province -------------------------------------------------------------------------


def province_units(query: str, structure: str) -> Province:
    """The province and its units in `structure`: 2025 from vietnam-provinces (communes under the
    province), 2021 from vietnamadminunits' pre-reform list (districts, communes under them)."""
    if structure not in STRUCTURES:
        raise RegisterBuildError(f"cơ cấu {structure} không hợp lệ (chấp nhận: {', '.join(STRUCTURES)})")
    code, name = find_province(query, structure)
    units = [Unit(code, name, "province")]
    if structure == "2025":
        from vietnam_provinces import Ward

        for w in sorted(Ward.iter_by_province(int(code)), key=lambda w: int(w.code)):
            units.append(Unit(_code(int(w.code), "commune"), w.name, "commune", code))
        return Province(code, name, structure, units)
    rows = [r for r in _vau_legacy() if _code(r["provinceCode"], "province") == code]
    districts = {}
    for r in rows:
        districts.setdefault(_code(r["districtCode"], "district"), r["district"])
    units += [Unit(c, n, "district", code) for c, n in sorted(districts.items())]
    units += sorted(
        (
            Unit(_code(r["wardCode"], "commune"), r["ward"], "commune", _code(r["districtCode"], "district"))
            for r in rows
            if r["wardCode"]  # island districts without communes (Cồn Cỏ, Hoàng Sa, ...)
        ),
        key=lambda u: u.code,
    )
    return Province(code, name, structure, units)


# --- the crosswalk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    former_code: str
    former_name: str
    new_code: str
    new_name: str
    divided: bool  # the former commune went to several new communes: one Move per destination
    default_destination: bool  # the library's choice when an address gives nothing better


def _name_key(name: str, accents: bool) -> str:
    """vietnamadminunits' key of a name: lower case, letters and digits only; without accents, or with
    them where two communes of a province would otherwise share a key ("xãsơnhà", "xãsơnhạ")."""
    text = unicodedata.normalize("NFC", name).lower() if accents else plain(name)
    return re.sub(r"[^\w]|_", "", text)


def _vp_wards_by_key(province_code: str) -> dict[str, tuple[str, str]]:
    """vietnamadminunits ward key -> (code, name) of the vietnam-provinces commune it names. The converter
    names its destinations by key; the codes written are vietnam-provinces' (those of org_units.csv),
    which differ from vietnamadminunits' own for some communes (check_2025)."""
    from vietnam_provinces import Ward

    wards = [(_code(int(w.code), "commune"), w.name) for w in Ward.iter_by_province(int(province_code))]
    out: dict[str, tuple[str, str]] = {}
    bare = {}
    for code, name in wards:
        bare.setdefault(_name_key(name, False), []).append((code, name))
        out[_name_key(name, True)] = (code, name)
    out.update({key: units[0] for key, units in bare.items() if len(units) == 1})
    return out


def crosswalk(new_province_code: str) -> tuple[list[Move], list[str]]:
    """Every former commune of the former provinces now in the 2025 province, with its new commune(s),
    from vietnamadminunits' converter (keys `province_district_ward` of names without accents) joined to
    the codes of its two lists. Also the former communes it could not place (Vietnamese lines)."""
    new_rows = {r["provinceKey"]: r for r in _vau_2025() if _code(r["provinceCode"], "province") == new_province_code}
    if not new_rows:
        return [], [f"vietnamadminunits không có tỉnh {new_province_code} theo cơ cấu 2025"]
    new_key = next(iter(new_rows))
    new_ward = _vp_wards_by_key(new_province_code)
    conv = _vau_converter()
    former_provinces = conv["DICT_PROVINCE"][new_key]
    single = {old: new for new, olds in conv["DICT_PROVINCE_WARD_NO_DIVIDED"][new_key].items() for old in olds}
    divided = conv["DICT_PROVINCE_WARD_DIVIDED"].get(new_key, {})
    moves: list[Move] = []
    problems: list[str] = []
    for r in _vau_legacy():
        if r["provinceKey"] not in former_provinces or not r["wardCode"]:
            continue
        key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
        former = (_code(r["wardCode"], "commune"), r["ward"])
        if key in divided:
            targets = [(d["newWardKey"], bool(d["isDefaultNewWard"])) for d in divided[key]]
        elif key in single:
            targets = [(single[key], True)]
        else:
            problems.append(f"xã cũ {former[1]} ({former[0]}) không có trong bảng chuyển đổi của vietnamadminunits")
            continue
        for ward_key, default in targets:
            if ward_key not in new_ward:
                problems.append(f"xã mới '{ward_key}' (từ {former[1]}, {former[0]}) không có trong danh sách 2025")
                continue
            code, name = new_ward[ward_key]
            moves.append(Move(*former, code, name, len(targets) > 1, default))
    moves.sort(key=lambda m: (m.former_code, not m.default_destination, m.new_code))
    return moves, problems


# --- cross-checks --------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    """What a cross-check compared and what differed (Vietnamese lines); `ok` when nothing did."""

    title: str
    compared: str
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _diff_units(a_name: str, a: dict[str, str], b_name: str, b: dict[str, str], what: str, show: int = 5) -> list[str]:
    """Lines for codes in one list only and for names that differ once accents/tone marks/case are ignored."""
    out = []
    for x, xs, ys in ((a_name, a, b), (b_name, b, a)):
        only = sorted(set(xs) - set(ys))
        if only:
            sample = ", ".join(f"{c} {xs[c]}" for c in only[:show])
            out.append(f"{len(only)} {what} chỉ có trong {x}: {sample}{' …' if len(only) > show else ''}")
    renamed = sorted(c for c in set(a) & set(b) if plain(a[c]) != plain(b[c]))
    if renamed:
        sample = ", ".join(f"{c} {a[c]} / {b[c]}" for c in renamed[:show])
        out.append(
            f"{len(renamed)} {what} khác tên ({a_name} / {b_name}): {sample}{' …' if len(renamed) > show else ''}"
        )
    return out


def check_2025(province_code: str | None = None) -> CheckResult:
    """vietnam-provinces against vietnamadminunits: the same communes with the same codes (and names,
    accents and tone marks aside), for one province or the whole country."""
    from vietnam_provinces import Ward

    vp = {
        _code(int(w.code), "commune"): w.name
        for w in Ward.iter_all()
        if province_code is None or _code(int(w.province_code), "province") == province_code
    }
    vau = {
        _code(r["wardCode"], "commune"): r["ward"]
        for r in _vau_2025()
        if province_code is None or _code(r["provinceCode"], "province") == province_code
    }
    scope = f"tỉnh {province_code}" if province_code else "cả nước"
    result = CheckResult(
        "Cơ cấu 2025: vietnam-provinces và vietnamadminunits",
        f"{scope}: {len(vp)} xã (vietnam-provinces), {len(vau)} xã (vietnamadminunits)",
    )
    if province_code is None:
        a = {_code(int(c), "province"): n for c, n in provinces("2025").items()}
        b = {_code(r["provinceCode"], "province"): r["province"] for r in _vau_2025()}
        result.differences += _diff_units("vietnam-provinces", a, "vietnamadminunits", b, "tỉnh")
    result.differences += _diff_units("vietnam-provinces", vp, "vietnamadminunits", vau, "xã")
    return result


def read_gso(path: Path = GSO_FILE) -> list[dict] | None:
    """The GSO list of 01/07/2021 (code,name,level,parent_code), or None when it is not beside the repo."""
    if not path.is_file():
        return None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def check_2021(province_code: str | None = None, gso_path: Path = GSO_FILE) -> CheckResult:
    """vietnamadminunits' pre-reform list against the GSO list of 01/07/2021: districts and communes,
    codes and names, for one province or the whole country."""
    gso = read_gso(gso_path)
    if gso is None:
        return CheckResult("Cơ cấu 2021: vietnamadminunits và danh mục TCTK", f"không có tệp {gso_path}")
    if province_code is not None:
        districts = {r["code"] for r in gso if r["level"] == "district" and r["parent_code"] == province_code}
        gso = [r for r in gso if r["code"] == province_code or r["code"] in districts or r["parent_code"] in districts]
        lib = province_units(province_code, "2021").units
    else:
        lib = [u for c in provinces("2021") for u in province_units(c, "2021").units]
    scope = f"tỉnh {province_code}" if province_code else "cả nước"
    counts = {
        lv: (sum(r["level"] == lv for r in gso), sum(u.level == lv for u in lib)) for lv in ("district", "commune")
    }
    result = CheckResult(
        "Cơ cấu 2021: vietnamadminunits (danh sách trước 01/07/2025) và danh mục TCTK 01/07/2021",
        f"{scope}: huyện {counts['district'][0]} (TCTK) / {counts['district'][1]} (thư viện), "
        f"xã {counts['commune'][0]} (TCTK) / {counts['commune'][1]} (thư viện)",
    )
    for level, word in (("province", "tỉnh"), ("district", "huyện"), ("commune", "xã")):
        a = {r["code"]: r["name"] for r in gso if r["level"] == level}
        b = {u.code: u.name for u in lib if u.level == level}
        result.differences += _diff_units("TCTK 2021", a, "vietnamadminunits", b, word)
    return result


def cross_checks(province_code: str, structure: str) -> list[CheckResult]:
    """The checks `antq register` prints for the province it writes."""
    if structure == "2025":
        moves, problems = crosswalk(province_code)
        cw = CheckResult(
            "Bảng chuyển đổi xã cũ -> xã mới (vietnamadminunits)",
            f"{len({m.former_code for m in moves})} xã cũ -> {len({m.new_code for m in moves})} xã mới",
            problems,
        )
        new_codes = {u.code for u in province_units(province_code, "2025").units if u.level == "commune"}
        missing = sorted(new_codes - {m.new_code for m in moves})
        if missing:
            cw.differences.append(f"{len(missing)} xã mới không nhận xã cũ nào: {', '.join(missing[:5])}")
        return [check_2025(province_code), cw]
    return [check_2021(province_code)]
