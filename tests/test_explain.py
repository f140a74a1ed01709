"""`baocao explain` and mart.figure_sources: the lineage of a mart figure. Each test builds a small
warehouse with figures computed by hand and checks that the sources listed are exactly the cells
the rollup read, that they combine (with their signs) to the mart's figure, and what is said about
files, versions, cells, missing units and plans.

NS01 month m is 10*m triệu đồng, its year to date 5*m*(m+1): June 210, December 780."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError
from typer.testing import CliRunner

from etl.cli import app
from etl.marts.rollup import refresh
from etl.reporting.explain import ExplainError, Explanation, explain, parse_as_of
from etl.warehouse.ingest import files_from_paths
from tests import builders as b
from tests.test_rollup import TAM_DUONG, TZ, VINH_YEN, arrival_files, arrive, arrive_together, ingest_accepted, row

SOURCE_KEYS = {"unit_code", "year", "month", "file", "sha256", "received_at", "version", "row", "raw", "value"}


def ytd(m: int) -> int:
    return 5 * m * (m + 1)


def cells(e: Explanation) -> list[tuple[Any, ...]]:
    """The sources as (unit, month, indicator, part, column, sign, value), in a stable order."""
    return sorted((s.unit_code, s.month, s.indicator_code, s.rate_part, s.column, int(s.sign), s.value)
                  for s in e.sources)


def combined(e: Explanation) -> Decimal:
    return sum((s.sign * s.value for s in e.sources), Decimal(0))


# ----------------------------------------------------------------------------------- a flow


@pytest.fixture
def flows(db: Engine, tmp_path: Path) -> Engine:
    """NS01 in 2024. Tam Dương: every month with its year to date; December as XLSX in tỷ đồng
    (0,78 tỷ = 780 triệu), March with its year to date only. Vĩnh Yên: July-December, month values
    only (m triệu đồng), no year to date. A plan for Tam Dương."""
    months = []
    for m in range(1, 12):
        doc = b.month(TAM_DUONG, f"2024-{m:02d}", {"NS01": 10 * m}, ytd={"NS01": ytd(m)})
        if m == 3:
            b.indicator(doc, "NS01").pop("thuc_hien_thang")
        months.append((doc, None))
    december = b.month(TAM_DUONG, "2024-12", {"NS01": 120}, ytd={"NS01": ytd(12)})
    b.indicator(december, "NS01").update(don_vi_tinh="tỷ đồng", thuc_hien_thang="0,12", luy_ke_nam="0,78")
    plan = b.plan(district=TAM_DUONG, van_ban="15/QĐ-UBND", ke_hoach=[
        {"ma_chi_tieu": "NS01", "don_vi_tinh": "triệu đồng", "ke_hoach_nam": "800"}])
    ingest_accepted(db, [
        *arrival_files(tmp_path, months + [(b.month(VINH_YEN, f"2024-{m:02d}", {"NS01": m}), None)
                                           for m in range(7, 13)]),
        *files_from_paths([b.write_submission_xlsx(tmp_path / f"{TAM_DUONG}_2024-12.xlsx", december)],
                          datetime.fromisoformat(f"2024-12-16T09:00:00{TZ}")),
        *files_from_paths([b.write_json(tmp_path / "plan_247.json", plan)],
                          datetime.fromisoformat(f"2024-01-10T08:00:00{TZ}"))])
    refresh(db, full=True)
    return db


def test_a_districts_half_from_its_ytd_lists_december_minus_june(flows: Engine) -> None:
    e = explain(flows, "district", TAM_DUONG, "2024-H2", "NS01")
    # H2 = December's year to date minus June's, not the six month values
    assert cells(e) == [(TAM_DUONG, 6, "NS01", None, "luy_ke_nam", -1, 210),
                        (TAM_DUONG, 12, "NS01", None, "luy_ke_nam", 1, 780)]
    assert e.value == 570 == combined(e) and e.agrees and not e.disagreements
    june, december = sorted(e.sources, key=lambda s: s.month)
    assert (june.role, december.role) == ("previous year to date (subtracted)", "year to date")
    # December came as XLSX, in tỷ đồng: the cell, the text as typed, the conversion
    assert (december.sheet, december.row, december.column, december.raw) == ("chi_tieu", 2, "luy_ke_nam", "0,78")
    assert (december.submitted_unit, december.conversion_factor, december.source_format) == ("tỷ đồng", 1000, "xlsx")
    assert december.file == f"{TAM_DUONG}_2024-12.xlsx" and december.version == 1
    # June as JSON: no sheet, its item number
    assert (june.sheet, june.row, june.source_format) == (None, 1, "json")
    with flows.connect() as conn:
        stored = conn.execute(text("SELECT f.sha256, s.received_at FROM core.fct_submission AS s "
                                   "JOIN raw.file AS f USING (file_id) WHERE s.submission_id = :id"),
                              {"id": december.submission_id}).one()
    assert (december.sha256, december.received_at) == (stored.sha256, stored.received_at)
    assert e.plans and e.plans[0].van_ban == "15/QĐ-UBND" and e.plans[0].target_value == 800
    assert e.plans[0].in_figure


def test_a_district_with_months_only_lists_its_months(flows: Engine) -> None:
    e = explain(flows, "district", VINH_YEN, "2024-H2", "NS01")
    assert cells(e) == [(VINH_YEN, m, "NS01", None, "thuc_hien_thang", 1, m) for m in range(7, 13)]
    assert e.value == 57 == combined(e) and e.agrees
    assert e.mart is not None and e.mart["reporting_units"] == 1  # every month of H2: complete


def test_a_month_sent_as_ytd_only_is_its_ytd_minus_the_previous(flows: Engine) -> None:
    e = explain(flows, "district", TAM_DUONG, "2024-03", "NS01")
    assert cells(e) == [(TAM_DUONG, 2, "NS01", None, "luy_ke_nam", -1, 30),
                        (TAM_DUONG, 3, "NS01", None, "luy_ke_nam", 1, 60)]
    assert e.value == 30 and e.agrees


def test_a_provinces_flow_sums_its_districts_sources(flows: Engine) -> None:
    e = explain(flows, "province", "26", "2024-H2", "NS01")
    assert cells(e) == sorted([(TAM_DUONG, 6, "NS01", None, "luy_ke_nam", -1, 210),
                               (TAM_DUONG, 12, "NS01", None, "luy_ke_nam", 1, 780)]
                              + [(VINH_YEN, m, "NS01", None, "thuc_hien_thang", 1, m) for m in range(7, 13)])
    assert e.value == 627 == combined(e) and e.agrees  # 570 + 57
    assert {p.unit_code: p.combined for p in e.parts} == {TAM_DUONG: 570, VINH_YEN: 57}
    # Vĩnh Phúc's 9 districts are expected; the 7 that sent nothing are missing, with their months
    assert len(e.expected) == 9 == e.mart["expected_units"]  # type: ignore[index]
    missing = {u.unit_code: u for u in e.missing}
    assert len(missing) == 7 and TAM_DUONG not in missing and VINH_YEN not in missing
    assert all(not u.contributed and [s for _, _, s in u.months] == ["missing"] * 6 for u in missing.values())
    # The plan of Tam Dương only: the mart gives the plan of 1 unit of the 2 in the figure, and no %
    assert [(p.unit_code, p.in_figure) for p in e.plans] == [(TAM_DUONG, True)]
    assert e.mart["annual_plan"] == 800 and e.mart["plan_units"] == 1  # type: ignore[index]


# ----------------------------------------------------------------------------------- a stock


def test_a_stock_takes_the_last_month_reported(db: Engine, tmp_path: Path) -> None:
    arrive_together(db, tmp_path, [  # Tam Dương January-May: no June
        *((b.month(TAM_DUONG, f"2024-{m:02d}", {"NN05": 100 + m}), None) for m in range(1, 6)),
        (b.month(VINH_YEN, "2024-06", {"NN05": 500}), None)])
    refresh(db, full=True)
    e = explain(db, "district", TAM_DUONG, "2024-H1", "NN05")
    assert cells(e) == [(TAM_DUONG, 5, "NN05", None, "thuc_hien_thang", 1, 105)]  # May's, not the sum
    assert e.sources[0].role == "last month reported"
    assert e.value == 105 and e.agrees and e.mart["reporting_units"] == 0  # type: ignore[index]
    # Without June the district's half is incomplete: it is listed, with June's status
    [short] = e.missing
    assert (short.unit_code, short.contributed, short.months) == (TAM_DUONG, True, ((2024, 6, "missing"),))

    province = explain(db, "province", "26", "2024-H1", "NN05")
    assert cells(province) == [(VINH_YEN, 6, "NN05", None, "thuc_hien_thang", 1, 500),
                               (TAM_DUONG, 5, "NN05", None, "thuc_hien_thang", 1, 105)]
    assert province.value == 605 == combined(province) and province.agrees


# ----------------------------------------------------------------------------------- a rate


def test_a_rate_lists_its_components_in_numerator_and_denominator(db: Engine, tmp_path: Path) -> None:
    # TT08 = (TT04 + TT05) / (TT04 + TT05 + TT06) x 100, TT04 in both parts
    arrive_together(db, tmp_path, [
        (b.month(unit, f"2024-{m:02d}", values), None) for m in (1, 2)
        for unit, values in ((TAM_DUONG, {"TT04": 10, "TT05": 20, "TT06": 10}),
                             (VINH_YEN, {"TT04": 5, "TT05": 5, "TT06": 30}))])
    refresh(db, full=True)
    e = explain(db, "province", "26", "2024-02", "TT08")
    by_part = {part: sorted((s.unit_code, s.indicator_code, s.value) for s in e.sources if s.rate_part == part)
               for part in ("numerator", "denominator")}
    assert by_part["numerator"] == sorted([(TAM_DUONG, "TT04", 10), (TAM_DUONG, "TT05", 20),
                                           (VINH_YEN, "TT04", 5), (VINH_YEN, "TT05", 5)])
    assert by_part["denominator"] == sorted(by_part["numerator"] + [(TAM_DUONG, "TT06", 10), (VINH_YEN, "TT06", 30)])
    assert (e.numerator, e.denominator) == (40, 80)
    assert e.value == 50 and e.combined == 50 and e.agrees  # 40 / 80, not the mean of 75 and 25
    # H1 of a flow component: January and February summed, per component
    half = explain(db, "province", "26", "2024-H1", "TT08")
    assert (half.numerator, half.denominator) == (80, 160) and half.agrees
    assert len(half.sources) == 2 * len(e.sources)


def test_a_rate_sent_without_its_components_is_its_own_source(db: Engine, tmp_path: Path) -> None:
    doc = b.month(TAM_DUONG, "2024-05", {"XH03": "4,5"})
    arrive(db, tmp_path, doc)
    refresh(db, full=True)
    e = explain(db, "district", TAM_DUONG, "2024-05", "XH03")
    [source] = e.sources
    assert (source.role, source.rate_part, source.raw, source.value) == ("submitted rate", None, "4,5", Decimal("4.5"))
    assert e.value == Decimal("4.5") and e.agrees
    assert explain(db, "province", "26", "2024-05", "XH03").sources == []  # not summed into the province


# ----------------------------------------------------------------------------------- versions


def test_as_of_before_a_correction_lists_the_earlier_version(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NS01": 50}), at=f"2024-05-16T09:00:00{TZ}")
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NS01": 55}), at=f"2024-06-20T09:00:00{TZ}")  # corrected
    refresh(db, full=True)
    now = explain(db, "district", TAM_DUONG, "2024-05", "NS01")
    assert [(s.version, s.value) for s in now.sources] == [(2, 55)] and now.value == 55 and now.agrees
    before = explain(db, "district", TAM_DUONG, "2024-05", "NS01",
                     as_of=parse_as_of("2024-06-01T00:00:00+07:00"))
    [source] = before.sources
    assert (source.version, source.value, source.file) == (1, 50, now.sources[0].file.replace("_1.json", "_0.json"))
    assert before.value == 50 and before.agrees  # the figure as it stood, from the marts' as-of rollup or the sources
    assert before.figure_from in ("mart.indicator_monthly_at", "sources")
    nothing_yet = explain(db, "district", TAM_DUONG, "2024-05", "NS01", as_of=parse_as_of("2024-05-01T00:00:00Z"))
    assert nothing_yet.sources == [] and nothing_yet.value is None


def test_a_figure_that_disagrees_with_its_sources_is_said_to(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NS01": 50}))
    refresh(db, full=True)
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NS01": 55}), at=f"2024-06-20T09:00:00{TZ}")
    e = explain(db, "district", TAM_DUONG, "2024-05", "NS01")  # the marts were not refreshed since
    assert not e.agrees and e.value == 50 and e.combined == 55
    assert any("50" in d and "55" in d for d in e.disagreements)
    assert "KHÔNG KHỚP" in e.as_text() and "baocao rollup" in " ".join(e.notes)
    assert e.as_json()["agrees"] is False


# ----------------------------------------------------------------------------------- the analyst


def test_the_analyst_reads_the_lineage_but_not_core(flows: Engine) -> None:
    with flows.connect() as conn:
        conn.execute(text("SET ROLE baocao_analyst"))
        rows = conn.execute(text("SELECT * FROM mart.figure_sources('province', '26', '2024-h2', 'ns01')")
                            ).mappings().all()
        assert len(rows) == 8 and sum(r["sign"] * r["value"] for r in rows) == 627
        assert "content" not in rows[0] and not any(isinstance(v, bytes | memoryview) for r in rows for v in r.values())
        for statement in ("SELECT count(*) FROM core.fct_submission", "SELECT count(*) FROM raw.file",
                          "SELECT count(*) FROM staging.stg_indicator_row"):
            savepoint = conn.begin_nested()
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text(statement))
            savepoint.rollback()
        conn.rollback()
    with flows.connect() as conn:  # and no one else: not granted to PUBLIC
        assert conn.execute(text("SELECT has_function_privilege('public', 'mart.figure_sources(text, text, text, "
                                 "text, timestamptz)', 'EXECUTE')")).scalar() is False


# ----------------------------------------------------------------------------------- the command


def test_explain_json_has_the_contract_keys(flows: Engine, cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(app, ["explain", "--unit", "26", "--period", "2024-H2", "--indicator", "NS01", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["value"] == row(flows, "indicator_semiannual", "level = 'province' AND unit_code = '26' AND year = 2024 "
                                      "AND half = 2 AND indicator_code = 'NS01'")["value"] == 627
    assert (out["kind"], out["aggregation"], out["agrees"]) == ("flow", "SUM", True)
    assert len(out["sources"]) == 8 and all(set(s) >= SOURCE_KEYS for s in out["sources"])
    assert sum(s["sign"] * s["value"] for s in out["sources"]) == out["value"]
    assert {"missing_units", "plan", "expected", "units", "rule"} <= set(out)
    text_out = cli_runner.invoke(app, ["explain", "--unit", "247", "--period", "2024-H2", "--indicator", "NS01"])
    assert text_out.exit_code == 0
    assert "780 (lũy kế năm T12/2024) − 210 (lũy kế trước đó T06/2024) = 570" in text_out.output
    assert "15/QĐ-UBND" in text_out.output and "0,78" in text_out.output


def test_explain_refuses_a_moment_without_its_offset(flows: Engine, cli_runner: CliRunner) -> None:
    base = ["explain", "--unit", "247", "--period", "2024-05", "--indicator", "NS01"]
    result = cli_runner.invoke(app, [*base, "--as-of", "2024-06-01T00:00:00"])
    assert result.exit_code == 2 and "múi giờ" in result.output and "UTC offset" in result.output
    assert cli_runner.invoke(app, [*base, "--as-of", "2024-06-01T00:00:00+07:00"]).exit_code == 0
    for bad in (["--period", "2024-H3"], ["--indicator", "ZZ99"], ["--level", "commune"]):
        assert cli_runner.invoke(app, [*base, *bad]).exit_code == 2


# ----------------------------------------------------------------------------------- no database


@pytest.mark.parametrize("value", ["2024-06-19T17:00:00+07:00", "2024-06-19T10:00Z", "2024-06-19 17:00+0700"])
def test_as_of_with_an_offset_is_read(value: str) -> None:
    assert parse_as_of(value) == datetime.fromisoformat("2024-06-19T10:00:00+00:00")


@pytest.mark.parametrize("value", ["2024-06-19T17:00:00", "2024-06-19", "hôm qua", ""])
def test_as_of_without_an_offset_is_refused(value: str) -> None:
    with pytest.raises(ExplainError, match="UTC offset"):
        parse_as_of(value)
