"""Issue 14, point 2: one reply lists every problem of a file. The consistency rules run on
what could be read even when the file has errors elsewhere, and a rule whose inputs could not be
read says so (RULE_NOT_EVALUATED), through ingest against the warehouse."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from etl.warehouse.ingest import ingest_paths
from tests import builders as b

AT = datetime.fromisoformat("2024-05-16T09:30:00+07:00")

# A dossier balance that does not close (10 + 90 = 100, but 20 + 50 + 5 + 20 = 95), as the clerk
# was told only after fixing the other errors before.
UNBALANCED = [{"ma_chi_tieu": code, "don_vi_tinh": "hồ sơ", "thuc_hien_thang": value}
              for code, value in (("TT01", 10), ("TT02", 90), ("TT04", 20), ("TT05", 50), ("TT06", 5), ("TT07", 20))]


def _file(tmp_path: Path, **changes: dict[str, Any]) -> Path:
    sub = b.submission()
    sub["chi_tieu"] += [dict(r) for r in UNBALANCED]
    for code, fields in changes.items():
        b.indicator(sub, code).update(fields)
    return b.write_submission_xlsx(tmp_path / "bao_cao.xlsx", sub)


def _codes(result: Any) -> list[str]:
    return [m["code"] for m in result.errors + result.warnings]


def test_structural_errors_and_a_broken_balance_come_in_one_reply(db: Engine, tmp_path: Path) -> None:
    path = _file(tmp_path, NS01={"luy_ke_nam": "3.8650.000"}, XH01={"don_vi_tinh": "ha", "thuc_hien_thang": "1.1.70"})
    [result] = ingest_paths(db, [path], received_at=AT)
    codes = _codes(result)
    assert result.status == "rejected"
    # The malformed YTD, the unit that does not convert (and that row's malformed value, read anyway)
    # and the balance, all at once.
    assert {"VALUE_MALFORMED", "UNIT_NOT_CONVERTIBLE", "RULE_TT_BALANCE"} <= set(codes), codes
    malformed = [m for m in result.errors if m["code"] == "VALUE_MALFORMED"]
    assert {m["item_code"] for m in malformed} == {"NS01", "XH01"}
    balance = next(m for m in result.errors if m["code"] == "RULE_TT_BALANCE")
    assert balance["item_code"] == "TT07" and balance["cell"] is not None


def test_a_rule_whose_input_cannot_be_read_says_so(db: Engine, tmp_path: Path) -> None:
    path = _file(tmp_path, KT03={"thuc_hien_thang": "khoảng 140"}, TT05={"thuc_hien_thang": "5O"})
    [result] = ingest_paths(db, [path], received_at=AT)
    not_evaluated = {m["rule_id"]: m for m in result.warnings if m["code"] == "RULE_NOT_EVALUATED"}
    assert set(not_evaluated) == {"KT01_COMPONENTS", "TT_BALANCE"}, _codes(result)
    kt = not_evaluated["KT01_COMPONENTS"]
    # The rule as a clerk reads it, and the cell that could not be read.
    kt03 = next(m for m in result.errors if m["item_code"] == "KT03")
    assert f"KT01 = KT02 + KT03 + KT04 vì giá trị của KT03 (ô {kt03['cell']})" in kt["message"], kt["message"]
    assert kt["item_code"] == "KT01" and kt["cell"] is not None  # the cell the rule reports on
    assert "TT05" in not_evaluated["TT_BALANCE"]["message"]
    # The rules whose inputs were all read ran and hold: no rule error, and no word about them.
    assert not [m["code"] for m in result.errors if m["code"].startswith("RULE_")]


def test_a_clean_file_gets_no_such_warning(db: Engine, tmp_path: Path) -> None:
    sub = b.submission()
    [result] = ingest_paths(db, [b.write_submission_xlsx(tmp_path / "ok.xlsx", sub)], received_at=AT)
    assert result.status == "accepted", _codes(result)
