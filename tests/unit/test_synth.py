"""The synthetic generator keeps the identities the warehouse checks, and the writers produce
files that read back to the same values."""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from etl.demo import synth
from etl.demo.synth import (
    ASSIGNING_BODIES,
    STATUS_DOING,
    STATUS_DONE,
    STATUS_NOT_STARTED,
    as_text,
    generate_month,
    generate_plan,
    generate_year,
    inject_bad_unit,
    inject_duplicate_row,
    inject_hedge,
    inject_malformed_number,
    inject_unknown_indicator,
    make_profile,
    only_ytd,
    vn_number,
    with_units_variant,
)
from etl.demo.writers import (
    INDICATOR_COLUMNS,
    TASK_COLUMNS,
    VI_HEADERS,
    write_plan_json,
    write_plan_xlsx,
    write_submission_json,
    write_submission_xlsx,
)
from etl.domain.catalog import load_catalog

CATALOG = load_catalog()
NON_RATES = [c for c, ind in CATALOG.indicators.items() if ind.kind != "rate"]
FLOWS = [c for c, ind in CATALOG.indicators.items() if ind.kind == "flow"]
# Small, typical and large districts (communes), several seeds.
PROFILES = [
    make_profile("639", 9, 1),
    make_profile("247", 13, 2),
    make_profile("217", 19, 3),
    make_profile("001", 30, 4),
]
YEAR = 2024


def D(value: Any) -> Decimal:
    return Decimal(str(value))


def values(sub: dict[str, Any], field: str = "thuc_hien_thang") -> dict[str, Any]:
    return {r["ma_chi_tieu"]: r.get(field) for r in sub["chi_tieu"]}


def parse_date(text: str) -> date:
    d, m, y = (int(p) for p in text.split("/"))
    return date(y, m, d)


def parse_vn(text: str) -> Decimal:
    """Test-only reader of well-formed Vietnamese notation."""
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?", text), text
    return Decimal(text.replace(".", "").replace(",", "."))


@pytest.fixture(scope="module")
def years() -> dict[tuple[str, int], list[dict[str, Any]]]:
    return {(p.district_code, y): generate_year(p, y) for p in PROFILES for y in (YEAR - 1, YEAR)}


# ---- determinism ----------------------------------------------------------------------------


def test_same_seed_same_output() -> None:
    a = generate_year(make_profile("639", 9, 42), YEAR)
    b = generate_year(make_profile("639", 9, 42), YEAR)
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
    assert generate_plan(make_profile("639", 9, 42), YEAR) == generate_plan(make_profile("639", 9, 42), YEAR)


def test_other_seed_or_district_differs() -> None:
    base = generate_year(make_profile("639", 9, 42), YEAR)
    assert generate_year(make_profile("639", 9, 43), YEAR) != base
    assert generate_year(make_profile("638", 9, 42), YEAR) != base


def test_generate_month_matches_year(years: dict) -> None:
    for p in PROFILES[:2]:
        for month in (1, 7, 12):
            assert generate_month(p, YEAR, month) == years[(p.district_code, YEAR)][month - 1]


# ---- indicators -----------------------------------------------------------------------------


def test_every_non_rate_indicator_in_catalog_unit(years: dict) -> None:
    for subs in years.values():
        for month, sub in enumerate(subs, start=1):
            assert sub["ky_bao_cao"].endswith(f"-{month:02d}")
            codes = [r["ma_chi_tieu"] for r in sub["chi_tieu"]]
            assert codes == NON_RATES
            for row in sub["chi_tieu"]:
                ind = CATALOG.indicators[row["ma_chi_tieu"]]
                assert row["don_vi_tinh"] == ind.unit
                assert ("luy_ke_nam" in row) == (ind.kind == "flow")


def test_every_catalog_indicator_has_a_specific_model() -> None:
    # A new catalog entry gets filler values until someone models it here.
    assert synth.unmodelled_indicators(CATALOG) == []


def test_values_are_typed_and_rounded(years: dict) -> None:
    for subs in years.values():
        for sub in subs:
            for row in sub["chi_tieu"]:
                unit = CATALOG.units[row["don_vi_tinh"]]
                for key in ("thuc_hien_thang", "luy_ke_nam"):
                    if key not in row:
                        continue
                    v = row[key]
                    assert v >= 0, row
                    if unit.integer:
                        assert type(v) is int, row
                    else:
                        assert -D(v).as_tuple().exponent <= 2, row  # at most 2 decimals


def test_identities_hold_every_month(years: dict) -> None:
    for (code, _year), subs in years.items():
        communes = next(p.commune_count for p in PROFILES if p.district_code == code)
        for sub in subs:
            v = {k: D(x) for k, x in values(sub).items()}
            assert v["KT01"] == v["KT02"] + v["KT03"] + v["KT04"]
            assert v["TT01"] + v["TT02"] == v["TT04"] + v["TT05"] + v["TT06"] + v["TT07"]
            assert v["TT03"] <= v["TT02"]
            assert v["HC03"] <= v["HC02"]
            assert v["XH01"] <= v["XH02"]
            assert v["XH05"] <= v["XH06"]
            assert v["NN08"] <= communes
            assert v["KN02"] >= 0
            ytd = {k: D(x) for k, x in values(sub, "luy_ke_nam").items() if x is not None}
            assert ytd["KT01"] == ytd["KT02"] + ytd["KT03"] + ytd["KT04"]


def test_dossier_opening_is_previous_closing_across_months_and_years(years: dict) -> None:
    for p in PROFILES:
        months = years[(p.district_code, YEAR - 1)] + years[(p.district_code, YEAR)]
        for prev, cur in itertools.pairwise(months):
            assert values(cur)["TT01"] == values(prev)["TT07"], cur["ky_bao_cao"]


def test_ytd_is_cumulative_month_values(years: dict) -> None:
    for subs in years.values():
        running: dict[str, Decimal] = dict.fromkeys(FLOWS, Decimal(0))
        for sub in subs:
            month, ytd = values(sub), values(sub, "luy_ke_nam")
            for code in FLOWS:
                running[code] += D(month[code])
                assert D(ytd[code]) == running[code], (sub["ky_bao_cao"], code)


def test_stocks_move_smoothly(years: dict) -> None:
    smooth = ("NN03", "NN04", "NN05", "NN06", "XH02", "XH05", "XH06")
    for p in PROFILES:
        months = years[(p.district_code, YEAR - 1)] + years[(p.district_code, YEAR)]
        for prev, cur in itertools.pairwise(months):
            a, b = values(prev), values(cur)
            for code in smooth:
                assert abs(b[code] - a[code]) <= 0.08 * a[code], (cur["ky_bao_cao"], code, a[code], b[code])
            for code in ("NN08", "GD01", "NN09"):  # cumulative counts never go back
                assert b[code] >= a[code]
            for code, ind in CATALOG.indicators.items():
                if ind.max_month_change_pct is not None and a[code]:
                    change = abs(D(b[code]) - D(a[code])) / D(a[code]) * 100
                    assert change <= ind.max_month_change_pct, (cur["ky_bao_cao"], code)


def test_magnitudes_are_those_of_a_rural_district() -> None:
    # Medians over 15 typical 19-commune districts, December 2023, against the seeds.
    subs = [generate_month(make_profile(f"{i:03d}", 19, 7), 2023, 12) for i in range(15)]

    def median(code: str, field: str = "thuc_hien_thang") -> float:
        return sorted(values(s, field)[code] for s in subs)[len(subs) // 2]

    assert 20_000 <= median("XH02") <= 45_000  # 30.630 households (003 r8)
    assert 70_000 <= median("XH06") <= 160_000  # 103.169 people (003 r9)
    assert 150_000 <= median("NS01", "luy_ke_nam") <= 500_000  # 277.268 triệu (003 r32)
    assert 3_000 <= median("KT01", "luy_ke_nam") <= 8_000  # 7.124,8 / 3.619,61 tỷ (003 r21, 004 r2)
    assert 700 <= median("TT02", "luy_ke_nam") / 12 <= 3_000  # dossiers a month (004 r58)
    assert 30_000 <= median("NN05") <= 150_000  # 92.000 / 70.000 pigs (001 r17, 000 r44)
    assert 200_000 <= median("NN06") <= 4_000_000  # poultry (001 r18, 004 r13)
    assert 5_000 <= median("HC02", "luy_ke_nam") <= 16_000  # documents issued (000 r3, 002 r18)


# ---- tasks ----------------------------------------------------------------------------------


def test_tasks_are_consistent_month_to_month(years: dict) -> None:
    order = {STATUS_NOT_STARTED: 0, STATUS_DOING: 1, STATUS_DONE: 2}
    for subs in years.values():
        seen: dict[str, dict[str, Any]] = {}
        for month, sub in enumerate(subs, start=1):
            year = int(sub["ky_bao_cao"][:4])
            end = date(year, month, synth.PERIOD_END_DAY)
            ids = [t["ma_nhiem_vu"] for t in sub["nhiem_vu"]]
            assert len(ids) == len(set(ids))
            assert set(seen) <= set(ids), "a task vanished within the year"
            for t in sub["nhiem_vu"]:
                assert t["co_quan_giao"] in ASSIGNING_BODIES
                assert re.fullmatch(r"\d+(/|-)[^#]+#\d+", t["ma_nhiem_vu"])
                assert t["ma_nhiem_vu"].startswith(t["van_ban_giao"] + "#")
                giao = parse_date(t["ngay_giao"])
                assert giao <= end
                if t["han_hoan_thanh"]:
                    assert parse_date(t["han_hoan_thanh"]) > giao
                done = t["ngay_hoan_thanh"]
                if t["trang_thai"] == STATUS_DONE:
                    assert done and giao <= parse_date(done) <= end
                    assert t["tien_do"] == 100
                else:
                    assert done is None
                    assert t["tien_do"] is None or 0 <= t["tien_do"] < 100
                if t["trang_thai"] == STATUS_NOT_STARTED:
                    assert t["tien_do"] == 0
                before = seen.get(t["ma_nhiem_vu"])
                if before:
                    assert order[t["trang_thai"]] >= order[before["trang_thai"]]
                    assert (t["tien_do"] or 0) >= (before["tien_do"] or 0)
                    if before["trang_thai"] == STATUS_DONE:
                        assert t["ngay_hoan_thanh"] == before["ngay_hoan_thanh"]
                    for key in ("ten_nhiem_vu", "co_quan_giao", "van_ban_giao", "ngay_giao", "han_hoan_thanh"):
                        assert t[key] == before[key]
                seen[t["ma_nhiem_vu"]] = t


def test_task_mix_is_realistic(years: dict) -> None:
    counts = {"on_time": 0, "late": 0, "overdue": 0, "standing": 0, "new_during_year": 0}
    for (_code, year), subs in years.items():
        dec = subs[11]
        assert 30 <= len(dec["nhiem_vu"]) <= 60
        end = date(year, 12, synth.PERIOD_END_DAY)
        for t in dec["nhiem_vu"]:
            if not t["han_hoan_thanh"]:
                counts["standing"] += 1
                continue
            han = parse_date(t["han_hoan_thanh"])
            if t["trang_thai"] == STATUS_DONE:
                counts["on_time" if parse_date(t["ngay_hoan_thanh"]) <= han else "late"] += 1
            elif han < end:
                counts["overdue"] += 1
        january = {t["ma_nhiem_vu"] for t in subs[0]["nhiem_vu"]}
        counts["new_during_year"] += len({t["ma_nhiem_vu"] for t in dec["nhiem_vu"]} - january)
    assert all(n > 0 for n in counts.values()), counts
    assert counts["on_time"] > counts["late"] + counts["overdue"], counts


def test_open_tasks_carry_over_to_next_year(years: dict) -> None:
    for p in PROFILES:
        dec = years[(p.district_code, YEAR - 1)][11]["nhiem_vu"]
        jan = {t["ma_nhiem_vu"]: t for t in years[(p.district_code, YEAR)][0]["nhiem_vu"]}
        open_dated = [t for t in dec if t["trang_thai"] != STATUS_DONE and t["han_hoan_thanh"]]
        for t in open_dated:
            assert t["ma_nhiem_vu"] in jan
            assert jan[t["ma_nhiem_vu"]]["ngay_giao"] == t["ngay_giao"]


def test_thong_tin() -> None:
    sub = generate_month(PROFILES[0], YEAR, 5)
    info = sub["thong_tin"]
    assert sub["ma_huyen"] == "639" and sub["ky_bao_cao"] == "2024-05"
    assert info["email_lien_he"] == "vanphong.639@example.gov.vn"
    assert date(2024, 5, 14) <= parse_date(info["ngay_lap"]) <= date(2024, 5, 31)
    assert len(info["nguoi_lap"].split()) >= 2


# ---- plan -----------------------------------------------------------------------------------


def test_plan_is_close_to_the_year() -> None:
    above = below = 0
    for p in PROFILES:
        plan = generate_plan(p, YEAR)
        assert set(plan) == {"ma_huyen", "nam", "van_ban", "ke_hoach"}
        assert plan["nam"] == YEAR and re.fullmatch(r"\d+/QĐ-UBND", plan["van_ban"])
        dec = generate_year(p, YEAR)[11]
        month, ytd = values(dec), values(dec, "luy_ke_nam")
        targets = {r["ma_chi_tieu"]: r for r in plan["ke_hoach"]}
        sectors = sum(D(targets[c]["ke_hoach_nam"]) for c in ("KT02", "KT03", "KT04"))
        assert D(targets["KT01"]["ke_hoach_nam"]) == sectors
        for code, row in targets.items():
            ind = CATALOG.indicators[code]
            assert row["don_vi_tinh"] == ind.unit
            if ind.kind == "rate" or code in ("NN08", "GD01", "NN09"):
                continue
            actual = ytd[code] if ind.kind == "flow" else month[code]
            assert 0.85 * actual <= row["ke_hoach_nam"] <= 1.15 * actual + 1, (code, actual, row)
            above += row["ke_hoach_nam"] > actual
            below += row["ke_hoach_nam"] < actual
        assert targets["NN08"]["ke_hoach_nam"] <= p.commune_count
    assert above > 5 and below > 5


# ---- variety switches -----------------------------------------------------------------------


def test_vn_number() -> None:
    assert vn_number(61250.5) == "61.250,5"
    assert vn_number(1170) == "1.170"
    assert vn_number(3941.68) == "3.941,68"
    assert vn_number(11.5) == "11,5"
    assert vn_number(999) == "999"


def test_as_text_writes_vietnamese_notation() -> None:
    sub = generate_month(PROFILES[1], YEAR, 6)
    out = as_text(sub, 0.5, random.Random(1))
    texts = 0
    for before, after in zip(sub["chi_tieu"], out["chi_tieu"], strict=True):
        for key in ("thuc_hien_thang", "luy_ke_nam"):
            if isinstance(after.get(key), str):
                texts += 1
                assert parse_vn(after[key]) == D(before[key])
            else:
                assert after.get(key) == before.get(key)
    assert 15 <= texts <= 50
    assert all(not isinstance(r["thuc_hien_thang"], str) for r in sub["chi_tieu"]), "input modified"
    everything = as_text(sub, 1.0, random.Random(1))
    assert all(isinstance(r["thuc_hien_thang"], str) for r in everything["chi_tieu"])


def test_units_variant_converts_exactly() -> None:
    sub = generate_month(PROFILES[2], YEAR, 8)
    out = with_units_variant(sub, random.Random(3), share=1.0)
    changed = 0
    for before, after in zip(sub["chi_tieu"], out["chi_tieu"], strict=True):
        if after["don_vi_tinh"] == before["don_vi_tinh"]:
            assert after == before
            continue
        changed += 1
        assert (before["don_vi_tinh"], after["don_vi_tinh"]) in {("triệu đồng", "tỷ đồng"), ("con", "nghìn con")}
        factor = CATALOG.conversion_factor(after["don_vi_tinh"], before["don_vi_tinh"])
        for key in ("thuc_hien_thang", "luy_ke_nam"):
            if key in before:
                assert D(after[key]) * factor == D(before[key])
    assert changed == 7  # NS01, NS02, DT01 and the four herds
    some = with_units_variant(sub, random.Random(3))
    assert (
        0
        < sum(
            r["don_vi_tinh"] in ("tỷ đồng", "nghìn con")
            and r["ma_chi_tieu"] != "KT01"
            and not r["ma_chi_tieu"].startswith("KT")
            for r in some["chi_tieu"]
        )
        < 7
    )


def test_only_ytd() -> None:
    sub = generate_month(PROFILES[0], YEAR, 3)
    out = only_ytd(sub, ["NS01", "HC02"])
    rows = {r["ma_chi_tieu"]: r for r in out["chi_tieu"]}
    assert "thuc_hien_thang" not in rows["NS01"] and rows["NS01"]["luy_ke_nam"] == values(sub, "luy_ke_nam")["NS01"]
    assert "thuc_hien_thang" not in rows["HC02"]
    assert "thuc_hien_thang" in rows["NS02"]
    with pytest.raises(ValueError):
        only_ytd(sub, ["NN05"])


# ---- error injections -----------------------------------------------------------------------


def test_injections_return_modified_copies() -> None:
    sub = generate_month(PROFILES[3], YEAR, 5)
    frozen = json.dumps(sub, ensure_ascii=False)

    bad = values(inject_malformed_number(sub))["NN06"]
    assert isinstance(bad, str) and re.search(r"\.\d{4}", bad), bad
    assert inject_malformed_number(sub, code="NN04")["chi_tieu"] != sub["chi_tieu"]

    hedge = values(inject_hedge(sub))["HC02"]
    assert hedge == f"trên {vn_number(values(sub)['HC02'])}"
    assert values(inject_hedge(sub, code="NS01", word="khoảng"))["NS01"].startswith("khoảng ")

    unknown = inject_unknown_indicator(sub)
    assert unknown["chi_tieu"][-1]["ma_chi_tieu"] not in CATALOG.indicators

    unit = {r["ma_chi_tieu"]: r["don_vi_tinh"] for r in inject_bad_unit(sub)["chi_tieu"]}
    assert unit["NS01"] == "ha"
    assert CATALOG.conversion_factor("ha", CATALOG.indicators["NS01"].unit) is None

    dup = inject_duplicate_row(sub)
    codes = [r["ma_chi_tieu"] for r in dup["chi_tieu"]]
    assert codes.count("NS01") == 2 and len(codes) == len(NON_RATES) + 1
    same = inject_duplicate_row(sub, change_value=False)
    twins = [r for r in same["chi_tieu"] if r["ma_chi_tieu"] == "NS01"]
    assert twins[0] == twins[1]

    assert json.dumps(sub, ensure_ascii=False) == frozen, "an injection modified its input"


def test_malformed_number_imitates_the_seed() -> None:
    sub = generate_month(PROFILES[0], YEAR, 5)
    rows = [dict(r) for r in sub["chi_tieu"]]
    for r in rows:
        if r["ma_chi_tieu"] == "NN06":
            r["thuc_hien_thang"] = 3865000
    assert values(inject_malformed_number({**sub, "chi_tieu": rows}))["NN06"] == "3.8650.000"


# ---- writers --------------------------------------------------------------------------------


def read_sheet(path: Path, name: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def cell(value: Any) -> Any:
    """What a dict value looks like when read back from the XLSX."""
    if value is None:
        return ""
    return value if isinstance(value, str) else float(value)


@pytest.mark.parametrize("header_style", ["vi", "code"])
@pytest.mark.parametrize("constant_memory", [False, True])
def test_xlsx_roundtrip(tmp_path: Path, header_style: str, constant_memory: bool) -> None:
    sub = as_text(generate_month(make_profile("001", 12, 5), YEAR, 11), 0.3, random.Random(2))
    sub = inject_hedge(sub)  # a text value with a space and a word
    path = write_submission_xlsx(sub, tmp_path / "s.xlsx", header_style=header_style, constant_memory=constant_memory)

    info = {row[0]: row[1] for row in read_sheet(path, "thong_tin")}
    assert info["ma_huyen"] == "001"  # leading zeros kept: a text cell
    assert info["ky_bao_cao"] == sub["ky_bao_cao"]
    for key, value in sub["thong_tin"].items():
        assert info[key] == value

    def check(sheet: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        table = read_sheet(path, sheet)
        expected_header = [VI_HEADERS[c] if header_style == "vi" else c for c in columns]
        assert table[0] == expected_header
        assert len(table) == len(rows) + 1
        for got, want in zip(table[1:], rows, strict=True):
            got = got + [""] * (len(columns) - len(got))
            assert got == [cell(want.get(c)) for c in columns]

    check("chi_tieu", INDICATOR_COLUMNS, sub["chi_tieu"])
    check("nhiem_vu", TASK_COLUMNS, sub["nhiem_vu"])
    assert any(isinstance(r["thuc_hien_thang"], str) for r in sub["chi_tieu"])  # text cells were exercised


def test_xlsx_rejects_unknown_header_style(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_submission_xlsx(generate_month(PROFILES[0], YEAR, 1), tmp_path / "x.xlsx", header_style="en")
    assert not (tmp_path / "x.xlsx").exists()


def test_json_roundtrip(tmp_path: Path) -> None:
    sub = as_text(generate_month(PROFILES[1], YEAR, 2), 0.2, random.Random(5))
    path = write_submission_json(sub, tmp_path / "s.json")
    raw = path.read_text(encoding="utf-8")
    assert "Hồ sơ" in raw  # not \u-escaped
    assert json.loads(raw) == sub


def test_plan_files_roundtrip(tmp_path: Path) -> None:
    plan = generate_plan(make_profile("064", 10, 9), YEAR)
    assert json.loads(write_plan_json(plan, tmp_path / "p.json").read_text(encoding="utf-8")) == plan
    path = write_plan_xlsx(plan, tmp_path / "p.xlsx", header_style="code")
    info = {row[0]: row[1] for row in read_sheet(path, "thong_tin")}
    assert info == {"ma_huyen": "064", "nam": float(YEAR), "van_ban": plan["van_ban"]}
    table = read_sheet(path, "ke_hoach")
    assert table[0] == ["ma_chi_tieu", "don_vi_tinh", "ke_hoach_nam"]
    assert table[1:] == [[r["ma_chi_tieu"], r["don_vi_tinh"], float(r["ke_hoach_nam"])] for r in plan["ke_hoach"]]
    vi = read_sheet(write_plan_xlsx(plan, tmp_path / "v.xlsx"), "ke_hoach")
    assert vi[0] == ["Mã chỉ tiêu", "Đơn vị tính", "Kế hoạch năm"]


def test_national_month_writes_one_file_per_district(tmp_path: Path) -> None:
    # Speed is measured by `make bench`, not asserted here.
    synth.national_month(tmp_path, YEAR, 5, n_districts=70)
    assert len(list(tmp_path.glob("*.xlsx"))) == 70


def test_generation_is_deterministic_across_calls_in_time() -> None:
    # No hidden dependency on the clock or global random state.
    random.seed(1)
    a = generate_month(PROFILES[0], YEAR, 4)
    random.seed(2)
    time.sleep(0.01)
    assert generate_month(PROFILES[0], YEAR, 4) == a
