"""Issue 14, point 4c, through a real ingest: rates a clerk typed into cells formatted as percentages
("97,56 %", "4,5 %"; the file stores 0.9756 and 0.045) land in the warehouse as 97.56 and 4.5, and
`baocao explain` shows the text kept beside them as the clerk saw it, not 0.9756."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, text

from etl.marts.rollup import refresh
from etl.reporting.explain import explain
from etl.warehouse.ingest import ingest_paths
from tests import builders as b
from tests.test_rollup import TAM_DUONG
from tests.unit.test_percent_cells import submission_xlsx

LANDED = """
    SELECT v.indicator_code, v.value, r.thuc_hien_thang_raw
    FROM core.fct_indicator_value AS v
    JOIN core.fct_submission AS s USING (submission_id)
    JOIN staging.stg_indicator_row AS r ON r.file_id = s.file_id AND r.indicator_code = v.indicator_code
    WHERE s.district_code = :d ORDER BY 1"""


def test_percent_formatted_rates_land_as_the_percentages_shown(db: Engine, tmp_path: Path) -> None:
    doc = b.month(TAM_DUONG, "2024-05", {"XH03": 0.045, "XH07": 0.9756, "XH02": 1000})
    path = tmp_path / f"{TAM_DUONG}_2024-05.xlsx"
    path.write_bytes(submission_xlsx(doc, {"XH03": "0.0%", "XH07": "0.00%"}))
    [result] = ingest_paths(db, [path], received_at=datetime.fromisoformat("2024-05-16T09:00:00+07:00"))
    assert result.status.startswith("accepted"), result.errors
    with db.connect() as conn:
        landed = [tuple(r) for r in conn.execute(text(LANDED), {"d": TAM_DUONG})]
        codes = conn.execute(text("SELECT code FROM ops.validation_message WHERE code LIKE 'VALUE%'")).scalars().all()
    assert landed == [("XH02", Decimal(1000), "1000"), ("XH03", Decimal("4.5"), "4.5"),
                      ("XH07", Decimal("97.56"), "97.56")]
    assert codes == []
    refresh(db, full=True)
    [source] = explain(db, "district", TAM_DUONG, "2024-05", "XH07").sources
    assert (source.raw, source.value) == ("97.56", Decimal("97.56"))
