"""The demo register and inbox: counts, the seed's figures, agreement and determinism.

Workbooks are read back here with openpyxl and the catalogue alone (not the ingestion parser), so this
checks the demo data, not the pipeline."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest
from build_helpers import SEED

import catalog
from demo.generate import generate_inbox
from demo.make_register import DEFAULT_SOURCE, make_register
from ingestion.normalize import text_key

ROOT = Path(__file__).resolve().parent.parent
REGISTER = ROOT / "demo" / "register"
WB = catalog.workbook()


# --- reading back -----------------------------------------------------------------------------------


def _words_to_keys(entries: dict) -> dict[str, object]:
    return {text_key(w): key for key, words in entries.items() for w in words}


def _period_key(text: str) -> str:
    for half, patterns in WB["periods"].items():
        for pattern in patterns:
            regex = re.escape(text_key(pattern)).replace(re.escape("{year}"), r"(\d{4})")
            m = re.fullmatch(regex, text_key(text))
            if m:
                return f"{m.group(1)}-{half}"
    raise AssertionError(f"unreadable period {text!r}")


def _value(raw, col: dict):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if col["type"] == "yesno":
        return _words_to_keys(WB["vocab"]["yesno"])[text_key(raw)]
    if col["type"] == "enum":
        vocab = WB["levels"] if col["vocab"] == "levels" else WB["vocab"][col["vocab"]]
        return _words_to_keys(vocab)[text_key(raw)]
    if col["type"] in ("count", "year", "version"):
        assert isinstance(raw, int), f"{col} holds {raw!r}"
        return raw
    if col["type"] == "code":
        assert isinstance(raw, str), f"code {raw!r} is not text"
    return raw


def read_submission(path: Path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    fields = {text_key(f["label"]): (fid, f) for fid, f in WB["cover"]["fields"].items()}
    cover = {}
    for label, value, *_ in wb[WB["cover"]["sheet"]].iter_rows(values_only=True):
        if label is not None and text_key(label) in fields:
            fid, f = fields[text_key(label)]
            cover[fid] = (
                _period_key(value) if fid == "period" else value.date() if fid == "created_on" else _value(value, f)
            )
    sheets = {}
    for layout_id, layout in catalog.sheet_specs_for(cover["level"]).items():
        if layout["sheet"] not in wb.sheetnames:
            continue
        rows = list(wb[layout["sheet"]].iter_rows(values_only=True))
        headers = {text_key(c["header"]): cid for cid, c in layout["columns"].items()}
        header_at = next(
            i
            for i, row in enumerate(rows[: WB["header_search_rows"]])
            if set(headers) <= {text_key(v) for v in row if v is not None}
        )
        index = {
            headers[text_key(v)]: j for j, v in enumerate(rows[header_at]) if v is not None and text_key(v) in headers
        }
        sheets[layout_id] = [
            {cid: _value(row[j] if j < len(row) else None, layout["columns"][cid]) for cid, j in index.items()}
            for row in rows[header_at + 1 :]
            if any(v is not None for v in row)
        ]
    wb.close()
    return {"cover": cover, "sheets": sheets, "path": path, "mtime": path.stat().st_mtime}


def read_inbox(inbox: Path) -> list[dict]:
    return [read_submission(p) for p in sorted(inbox.rglob("*.xlsx"))]


def winners(subs: list[dict], period: str) -> dict[tuple[str, str], dict]:
    best: dict[tuple[str, str], dict] = {}
    for s in subs:
        c = s["cover"]
        if c["period"] != period:
            continue
        key = (c["level"], c["code"])
        rank = (c.get("version") or 1, c["created_on"], s["mtime"])
        if key not in best or rank > best[key]["rank"]:
            best[key] = {**s, "rank": rank}
    return best


def load_register() -> tuple[list[dict], list[dict]]:
    with open(REGISTER / "org_units.csv", encoding="utf-8", newline="") as fh:
        units = list(csv.DictReader(fh))
    with open(REGISTER / "agencies.csv", encoding="utf-8", newline="") as fh:
        agencies = list(csv.DictReader(fh))
    return units, agencies


def province_figures(subs: list[dict], period: str) -> dict[str, tuple[int, int | None]]:
    """Contract section 4, province row, for a clean inbox."""
    units, agencies = load_register()
    win = winners(subs, period)
    rows = defaultdict(list)
    for w in win.values():
        for layout_id, sheet_rows in w["sheets"].items():
            rows[layout_id] += [{**r, "_reporter": w["cover"]["code"]} for r in sheet_rows]
    by_level = Counter(u["level"] for u in units)
    managed = Counter(a["managed_by"] for a in agencies)
    kind_of = {a["code"]: a["managed_by"] for a in agencies}
    covers = {k: w["cover"] for k, w in win.items()}

    def agencies_with(flag, managed_by):
        return sum(1 for r in rows["agencies"] if r[flag] and kind_of[r["agency_code"]] == managed_by)

    support = Counter(r["support_type"] for r in rows["force_support"])
    awards = Counter((r["award_type"], r["recipient_kind"]) for r in rows["awards"])
    models = rows["commune_models"] + rows["province_models"]
    return {
        "plan_issued.province_agencies": (agencies_with("plan_issued", "province"), managed["province"]),
        "plan_issued.district_agencies": (agencies_with("plan_issued", "district"), managed["district"]),
        "plan_issued.district_steering_committees": (
            sum(1 for (lv, _), c in covers.items() if lv == "district" and c["district_steering_plan"]),
            by_level["district"],
        ),
        "plan_issued.commune_steering_committees": (
            sum(1 for (lv, _), c in covers.items() if lv == "commune" and c["commune_steering_plan"]),
            by_level["commune"],
        ),
        "plan_issued.village_boards": (sum(1 for r in rows["villages"] if r["plan_issued"]), by_level["village"]),
        "safe_registered.province_agencies": (agencies_with("safe_registered", "province"), managed["province"]),
        "safe_registered.district_agencies": (agencies_with("safe_registered", "district"), managed["district"]),
        "safe_registered.communes": (
            sum(1 for (lv, _), c in covers.items() if lv == "commune" and c["commune_safe"]),
            by_level["commune"],
        ),
        "safe_registered.villages": (sum(1 for r in rows["villages"] if r["safe_registered"]), by_level["village"]),
        "safe_registered.households": (
            sum(r["households_registered"] for r in rows["villages"]),
            sum(r["households_total"] for r in rows["villages"]),
        ),
        "models.total": (len(models), None),
        "models.communes_covered": (len({r["_reporter"] for r in rows["commune_models"]}), by_level["commune"]),
        "force_support.visits": (support["visit"], None),
        "force_support.hardship_subsidies": (support["hardship_subsidy"], None),
        "awards.medal_individuals": (awards[("medal", "individual")], None),
        "awards.commendation_collectives": (awards[("commendation", "collective")], None),
        "awards.commendation_individuals": (awards[("commendation", "individual")], None),
        **{
            f"models.group_{g}": (sum(1 for r in models if r["model_group"] == g), None)
            for g in WB["vocab"]["model_group"]
        },
    }


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("inbox")
    return out, generate_inbox(REGISTER, out)


@pytest.fixture(scope="module")
def subs(inbox) -> list[dict]:
    return read_inbox(inbox[0])


# --- the register -----------------------------------------------------------------------------------


def test_register_counts_and_shape():
    units, agencies = load_register()
    assert Counter(u["level"] for u in units) == {"province": 1, "district": 10, "commune": 124, "village": 689}
    assert Counter(a["managed_by"] for a in agencies) == {"province": 195, "district": 632}
    assert len({u["code"] for u in units}) == len(units)
    assert len({a["code"] for a in agencies}) == len(agencies)
    level_of = {u["code"]: u["level"] for u in units}
    villages_per_commune = Counter(u["parent_code"] for u in units if u["level"] == "village")
    assert len(villages_per_commune) == 124 and min(villages_per_commune.values()) >= 2
    assert len(set(villages_per_commune.values())) > 5  # spread unevenly
    for u in units:
        assert len(u["code"]) == WB["code_width"][u["level"]]
        assert (u["parent_code"] == "") == (u["level"] == "province")
        if u["level"] == "village":
            assert u["code"].startswith(u["parent_code"]) and level_of[u["parent_code"]] == "commune"
            urban = u["name"].startswith(("Khu phố",))
            commune_name = next(x["name"] for x in units if x["code"] == u["parent_code"])
            assert urban == commune_name.startswith(("Phường", "Thị trấn"))
        assert u["valid_from"] in ("", "2015-01-01") and u["valid_to"] == ""
    districts = {u["code"] for u in units if u["level"] == "district"}
    per_district = Counter(a["district_code"] for a in agencies if a["managed_by"] == "district")
    assert set(per_district) == districts and len(set(per_district.values())) > 5
    for a in agencies:
        assert a["kind"] in ("co_quan", "doanh_nghiep", "nha_truong")
        assert (a["district_code"] != "") == (a["managed_by"] == "district")
        assert a["valid_from"] in ("", "2015-01-01") and a["valid_to"] == ""


def test_register_gso_units_are_the_real_ones():
    if not DEFAULT_SOURCE.exists():
        pytest.skip("GSO reference list not available")
    units, _ = load_register()
    with open(DEFAULT_SOURCE, encoding="utf-8", newline="") as fh:
        gso = {(r["code"], r["name"], r["level"], r["parent_code"]) for r in csv.DictReader(fh)}
    ours = {(u["code"], u["name"], u["level"], u["parent_code"]) for u in units if u["level"] != "village"}
    assert ours == gso


def test_register_script_reproduces_committed_files(tmp_path):
    if not DEFAULT_SOURCE.exists():
        pytest.skip("GSO reference list not available")
    make_register(DEFAULT_SOURCE, tmp_path)
    for name in ("org_units.csv", "agencies.csv"):
        assert (tmp_path / name).read_bytes() == (REGISTER / name).read_bytes()


# --- the inbox --------------------------------------------------------------------------------------


def test_file_counts(inbox, subs):
    out, summary = inbox
    assert len(list(out.rglob("*.xlsx"))) == 271 == len(summary["files"])
    per = Counter((s["cover"]["period"], s["cover"]["level"]) for s in subs)
    assert per == {
        ("2020-H2", "commune"): 124,
        ("2020-H2", "district"): 10,
        ("2020-H2", "province"): 1,
        ("2021-H1", "commune"): 125,
        ("2021-H1", "district"): 10,
        ("2021-H1", "province"): 1,
    }
    assert summary["by_period"]["2021-H1"] == {"commune": 125, "district": 10, "province": 1}
    assert len(summary["superseded"]) == 1
    for period in ("2020-H2", "2021-H1"):
        assert len(winners(subs, period)) == 135


def test_2021_h1_gives_every_seed_figure(subs):
    figures = province_figures(subs, "2021-H1")
    for indicator, expected in SEED.items():
        assert figures[indicator] == expected, indicator
    groups = [figures[f"models.group_{g}"][0] for g in WB["vocab"]["model_group"]]
    assert sum(groups) == 986 and min(groups) > 0 and len(set(groups)) == 6


def test_2020_h2_is_an_earlier_weaker_half_year(subs):
    earlier, later = province_figures(subs, "2020-H2"), province_figures(subs, "2021-H1")
    for indicator in (
        "plan_issued.province_agencies",
        "plan_issued.district_agencies",
        "plan_issued.village_boards",
        "safe_registered.villages",
        "safe_registered.households",
        "models.total",
    ):
        assert 0 < earlier[indicator][0] < later[indicator][0], indicator
    totals = {}
    for period in ("2020-H2", "2021-H1"):
        for (_level, _), w in winners(subs, period).items():
            for r in w["sheets"].get("villages", []):
                totals.setdefault(r["village_code"], {})[period] = r["households_total"]
    assert len(totals) == 689
    for code, t in totals.items():
        assert abs(t["2021-H1"] - t["2020-H2"]) <= 0.05 * t["2020-H2"], code


def test_workbooks_are_clean(subs):
    units, agencies = load_register()
    name_of = {u["code"]: u["name"] for u in units} | {a["code"]: a["name"] for a in agencies}
    parent = {u["code"]: u["parent_code"] for u in units}
    agency_district = {a["code"]: a["district_code"] for a in agencies}
    for s in subs:
        c = s["cover"]
        assert c["name"] == name_of[c["code"]]
        year, half = int(c["period"][:4]), c["period"][-2:]
        first = dt.date(year, 7, 1) if half == "H1" else dt.date(year + 1, 1, 1)
        assert first <= c["created_on"] < first + dt.timedelta(days=10)
        yesno = [
            f
            for f, spec in WB["cover"]["fields"].items()
            if spec["type"] == "yesno" and c["level"] in spec.get("levels", [])
        ]
        assert all(c[f] is not None for f in yesno)
        for layout_id, rows in s["sheets"].items():
            columns = WB["sheets"][layout_id]["columns"]
            for r in rows:
                for cid, col in columns.items():
                    if r.get("summary_item") == "models" and cid == "total":
                        continue  # contract: the model row of "Tổng hợp" has no total
                    if col["type"] in ("yesno", "count") or col.get("required"):
                        assert r[cid] is not None, (s["path"], layout_id, cid)
        for r in s["sheets"].get("villages", []):
            assert parent[r["village_code"]] == c["code"]
            assert text_key(r["village_name"]) == text_key(name_of[r["village_code"]])
            assert 0 <= r["households_registered"] <= r["households_total"]
            assert 150 <= r["households_total"] <= 900 or c["period"] != "2021-H1"
        for r in s["sheets"].get("agencies", []):
            assert agency_district[r["agency_code"]] == ("" if c["level"] == "province" else c["code"])
            assert r["agency_name"] == name_of[r["agency_code"]]
        for r in s["sheets"].get("commune_models", []):
            assert r["unit_code"] is None or parent[r["unit_code"]] == c["code"]
        for r in s["sheets"].get("province_models", []):
            assert r["unit_code"] is None or agency_district[r["unit_code"]] == ""
    # a few village names use the other tone-mark placement, the same name for the pipeline
    spelled_otherwise = {
        r["village_code"]
        for s in subs
        for r in s["sheets"].get("villages", [])
        if r["village_name"] != name_of[r["village_code"]]
    }
    assert 0 < len(spelled_otherwise) <= 10


def test_every_village_and_agency_listed_once(subs):
    units, agencies = load_register()
    for period in ("2020-H2", "2021-H1"):
        win = winners(subs, period).values()
        villages = [r["village_code"] for w in win for r in w["sheets"].get("villages", [])]
        listed = [r["agency_code"] for w in win for r in w["sheets"].get("agencies", [])]
        assert sorted(villages) == sorted(u["code"] for u in units if u["level"] == "village")
        assert sorted(listed) == sorted(a["code"] for a in agencies)


def test_district_summaries_agree_with_communes(subs):
    units, _ = load_register()
    district_of = {u["code"]: u["parent_code"] for u in units if u["level"] == "commune"}
    for period in ("2020-H2", "2021-H1"):
        win = winners(subs, period)
        computed: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for (level, code), w in win.items():
            if level != "commune":
                continue
            d, c, villages = computed[district_of[code]], w["cover"], w["sheets"]["villages"]
            for item, flag in (
                ("commune_steering_plan", c["commune_steering_plan"]),
                ("commune_safe", c["commune_safe"]),
            ):
                d[item][0] += flag
                d[item][1] += 1
            for item, col in (("village_board_plan", "plan_issued"), ("village_safe", "safe_registered")):
                d[item][0] += sum(r[col] for r in villages)
                d[item][1] += len(villages)
            d["household_safe"][0] += sum(r["households_registered"] for r in villages)
            d["household_safe"][1] += sum(r["households_total"] for r in villages)
            d["models"][0] += len(w["sheets"].get("commune_models", []))
        for (level, code), w in win.items():
            if level != "district":
                continue
            summary = {r["summary_item"]: r for r in w["sheets"]["district_summary"]}
            assert set(summary) == set(WB["vocab"]["summary_item"])
            for item, row in summary.items():
                achieved, total = computed[code][item]
                assert row["achieved"] == achieved, (period, code, item)
                assert row["total"] == (None if item == "models" else total), (period, code, item)


def test_models_spread(subs):
    win = winners(subs, "2021-H1")
    commune_models = [r for (lv, _), w in win.items() if lv == "commune" for r in w["sheets"].get("commune_models", [])]
    assert 0 < sum(r["unit_code"] is not None for r in commune_models) < len(commune_models)
    assert 0 < sum(r["founded_year"] is not None for r in commune_models) < len(commune_models)
    per_commune = Counter(len(w["sheets"].get("commune_models", [])) for (lv, _), w in win.items() if lv == "commune")
    assert min(per_commune) >= 1 and len(per_commune) > 5


def test_force_support_and_awards_spread(subs):
    win = winners(subs, "2021-H1")
    reporters = {lv for (lv, _), w in win.items() if w["sheets"].get("force_support")}
    assert reporters == {"commune", "district", "province"}
    for r in (r for w in win.values() for r in w["sheets"].get("force_support", [])):
        assert r["amount_vnd"] > 0 and r["person_title"]
    medalled = [
        r["recipient_name"]
        for period in ("2020-H2", "2021-H1")
        for w in winners(subs, period).values()
        for r in w["sheets"].get("awards", [])
        if r["award_type"] == "medal"
    ]
    assert len(medalled) == len(set(medalled)) > 36  # both periods, nobody twice
    award_levels = {lv for (lv, _), w in win.items() if w["sheets"].get("awards")}
    assert award_levels == {"commune", "district", "province"}


def test_one_resubmission_supersedes_the_first(subs):
    groups = defaultdict(list)
    for s in subs:
        c = s["cover"]
        groups[(c["period"], c["level"], c["code"])].append(s)
    repeated = {k: v for k, v in groups.items() if len(v) > 1}
    assert len(repeated) == 1
    ((key, pair),) = repeated.items()
    assert key[0] == "2021-H1" and key[1] == "commune"
    old, new = sorted(pair, key=lambda s: s["cover"].get("version") or 1)
    assert (old["cover"]["version"], new["cover"]["version"]) == (1, 2)
    assert old["cover"]["created_on"] < new["cover"]["created_on"] and old["mtime"] < new["mtime"]
    assert old["sheets"]["villages"] != new["sheets"]["villages"]
    assert winners(subs, "2021-H1")[key[1:]]["path"] == new["path"]


def test_generation_is_deterministic(inbox, tmp_path):
    first, _ = inbox
    generate_inbox(REGISTER, tmp_path)
    files = sorted(p.relative_to(first) for p in first.rglob("*.xlsx"))
    assert files == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.xlsx"))
    for rel in files:
        a, b = first / rel, tmp_path / rel
        assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest(), rel
        assert a.stat().st_mtime == b.stat().st_mtime
    # and the same cells, which is what the pipeline sees
    sample = files[:: max(1, len(files) // 12)]
    for rel in sample:
        assert read_submission(first / rel)["sheets"] == read_submission(tmp_path / rel)["sheets"]
