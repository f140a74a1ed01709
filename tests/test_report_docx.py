"""Issue 17: `baocao report --format docx`, the review as a Word document shaped like the seeds.

The warehouse is tests/test_report.py's (Vĩnh Phúc: Tam Dương and Vĩnh Yên report January-June
2024, the other 7 units nothing), so the sentences below are the figures computed by hand there."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Cm
from sqlalchemy import Engine
from typer.testing import CliRunner

from etl.cli import app
from etl.reporting.docx_report import TEXT_WIDTH_CM, build_docx, write_docx
from etl.reporting.model import build_report
from tests.fixtures.office import make_fixtures as mf
from tests.test_report import TAM_DUONG, VINH_PHUC, warehouse  # noqa: F401  (the module's warehouse)


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def test_docx_holds_the_title_block_window_sentences_and_tables(warehouse: Engine, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "r.docx"
    write_docx(build_report(warehouse, VINH_PHUC, "2024-H1"), path)
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    # the title block: issuing body and motto (a borderless table), then BÁO CÁO and the period
    block = doc.tables[0]
    assert block.cell(0, 0).text.startswith("ỦY BAN NHÂN DÂN\nTỈNH VĨNH PHÚC\nSố:")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in block.cell(0, 1).text
    assert "Vĩnh Phúc, ngày" in block.cell(0, 1).text
    assert "BÁO CÁO" in texts
    assert "Kết quả thực hiện các chỉ tiêu và nhiệm vụ được giao 6 tháng đầu năm 2024" in texts
    # Decree 09's data window: 15/12/2023 - 14/6/2024
    [window] = [t for t in texts if t.startswith("Số liệu trong báo cáo")]
    assert "tính từ ngày 15/12/2023 đến ngày 14/06/2024" in window and "09/2019/NĐ-CP" in window
    # the completeness line names the units that did not report
    [complete] = [t for t in texts if t.startswith("Số liệu tổng hợp từ 2/9 huyện, thành phố")]
    assert "Thành phố Phúc Yên" in complete and "Huyện Sông Lô" in complete
    assert "Huyện Tam Dương" not in complete
    # the sentences computed by hand in tests/test_report.py, under their sectors
    assert "2. Sản xuất nông, lâm nghiệp và xây dựng nông thôn mới" in texts
    assert ("- Thu ngân sách nhà nước trên địa bàn 91,25 tỷ đồng, tăng 82,5% so với cùng kỳ; đạt 50% kế hoạch "
            "năm (*tổng hợp từ 2/9 huyện, thành phố) (**).") in texts
    assert ("- Tỷ lệ hộ nghèo 3,33%, giảm 6,67 điểm phần trăm so với cùng kỳ (*tổng hợp từ 2/9 huyện, thành phố) "
            "(**).") in texts
    # the footnotes once each, under the table
    assert sum(t.startswith("(**) Cùng kỳ năm trước chưa đầy đủ") for t in texts) == 1
    assert sum(t.startswith("(*) Số liệu chưa đầy đủ") for t in texts) == 1
    # the tasks, by assigning body (only Tam Dương reported any)
    assert ("- Tổng cộng 06 nhiệm vụ, 02 hoàn thành đúng hạn, 01 hoàn thành quá hạn, 02 đang thực hiện trong "
            "hạn, 01 quá hạn; tỷ lệ hoàn thành đúng hạn 50% (02/04 nhiệm vụ đã đến hạn).") in texts
    # the units missing, named with their months
    [missing] = [t for t in texts if t.startswith("- Chưa gửi đủ báo cáo tháng")]
    assert "(07/09 huyện, thành phố)" in missing and "Huyện Lập Thạch (tháng 1-6)" in missing
    # the indicator table in the sentences' units, partial figures marked
    table = doc.tables[1]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["TT", "Chỉ tiêu", "ĐVT", "Thực hiện", "KH năm", "% KH năm", "Cùng kỳ năm trước",
                      "So với cùng kỳ", "Số đơn vị"]
    ns01 = [c.text for c in table.rows[1].cells]
    assert ns01 == ["1", "Thu ngân sách nhà nước trên địa bàn (*)", "tỷ đồng", "91,25", "182,5", "50%", "50",
                    "+82,5% (**)", "2/9"]
    tasks = doc.tables[2]
    assert [c.text for c in tasks.rows[-1].cells] == ["Tổng cộng", "6", "2", "1", "2", "1", "50%"]


def test_docx_is_a4_portrait_and_its_tables_fit_the_text_width(warehouse: Engine) -> None:  # noqa: F811
    doc = build_docx(build_report(warehouse, TAM_DUONG, "2024-06"))  # a month: the widest table
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    text_width = Cm(TEXT_WIDTH_CM)
    assert abs(section.page_width - section.left_margin - section.right_margin - text_width) < Cm(0.01)
    for table in doc.tables:
        assert sum(int(col.width) for col in table.columns) <= text_width + Cm(0.01)


def test_docx_month_sentence_compares_year_to_date_with_year_to_date(warehouse: Engine, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "m.docx"
    write_docx(build_report(warehouse, TAM_DUONG, "2024-06"), path)
    assert ("- Thu ngân sách nhà nước trên địa bàn 11,25 tỷ đồng, tăng 12,51% so với cùng tháng năm trước; lũy kế "
            "từ đầu năm 61,25 tỷ đồng, tăng 22,5% so với cùng kỳ, đạt 50% kế hoạch năm.") in _paragraphs(path)


def test_an_as_of_docx_states_its_cut_off_and_has_no_task_section(warehouse: Engine) -> None:  # noqa: F811
    as_of = datetime.now(UTC)  # everything in this warehouse arrived before now
    doc = build_docx(build_report(warehouse, VINH_PHUC, "2024-H1", as_of=as_of))
    texts = [p.text for p in doc.paragraphs]
    [window] = [t for t in texts if t.startswith("Số liệu trong báo cáo")]
    assert "Số liệu tính đến" in window
    assert "Báo cáo tính đến một thời điểm không có phần nhiệm vụ." in texts
    [missing] = [t for t in texts if t.startswith("- Chưa gửi đủ báo cáo tháng")]  # mart.submission_status_at
    assert "Huyện Sông Lô (tháng 1-6)" in missing


def test_cli_writes_the_docx(warehouse: Engine, cli_runner: CliRunner, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "r.docx"
    result = cli_runner.invoke(app, ["report", "--unit", TAM_DUONG, "--period", "2024-H1", "--format", "docx",
                                     "-o", str(out)])
    assert result.exit_code == 0, result.output
    texts = _paragraphs(out)
    assert "- Tổng đàn lợn 92.000 con, tăng 15% so với cùng kỳ; đạt 115% kế hoạch năm." in texts
    # the overdue tasks (etl.reporting.overdue, mart.task_overdue): D overdue, B done late
    assert "III. NHIỆM VỤ QUÁ HẠN" in texts and "IV. TÌNH HÌNH GỬI BÁO CÁO" in texts
    assert "a) Quá hạn chưa hoàn thành: 01 nhiệm vụ." in texts and "b) Hoàn thành quá hạn: 01 nhiệm vụ." in texts
    overdue, late = (Document(str(out)).tables[i] for i in (3, 4))
    assert [c.text for c in overdue.rows[1].cells][1:4] == ["UBND tỉnh", "D", "31/05/2024"]
    assert [c.text for c in late.rows[1].cells][1:4] == ["UBND tỉnh", "B", "31/03/2024"]
    assert [c.text for c in late.rows[1].cells][4] == "10"  # done 10/04/2024
    result = cli_runner.invoke(app, ["report", "--unit", TAM_DUONG, "--period", "2024-H1", "--format", "docx"])
    assert result.exit_code == 2 and "-o FILE" in result.stderr


def _writer() -> bool:
    """LibreOffice Writer is there (a calc-only install, libreoffice-calc-nogui, cannot open a .docx)."""
    exe = mf.soffice()
    return exe is not None and (Path(os.path.realpath(exe)).parent / "libswlo.so").exists()


@pytest.mark.skipif(not _writer(), reason="LibreOffice Writer is not installed (Debian: libreoffice-writer-nogui)")
def test_libreoffice_opens_the_docx_as_a4_pages(warehouse: Engine, tmp_path: Path) -> None:  # noqa: F811
    from tests.test_report_xlsx import pdf_pages, to_pdf

    path = tmp_path / "r.docx"
    write_docx(build_report(warehouse, VINH_PHUC, "2024-H1"), path)
    pages = pdf_pages(to_pdf(path, tmp_path))
    assert pages and all(p.size == (595, 842) for p in pages)  # A4 portrait, in points
    assert "BÁO CÁO" in pages[0].text
    keep = Path("/tmp/helper_docs")
    if keep.is_dir() and shutil.which("pdftoppm"):  # pragma: no cover - a picture for the reviewer
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(tmp_path / "r.pdf"),
                        str(keep / "review")], check=False)
