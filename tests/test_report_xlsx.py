"""Issue 17: the report's XLSX as LibreOffice headless prints it on a PC set to English (en-US):
landscape A4, one page wide per table, numbers in Vietnamese notation while the cells stay
numbers, partial figures flagged in a column of their own.

No PDF library is installed here (no pypdf, no poppler), so `pdf_pages` reads the PDF that
LibreOffice writes: its page objects (MediaBox), their Flate content streams and each font's
ToUnicode CMap, enough to get every page's size and text."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine

from etl.reporting.model import build_report
from etl.reporting.xlsx_report import write_xlsx
from tests.fixtures.office import make_fixtures as mf
from tests.test_report import TAM_DUONG, VINH_PHUC, warehouse  # noqa: F401  (the module's warehouse)

needs_soffice = pytest.mark.skipif(mf.soffice() is None, reason="LibreOffice headless (soffice) is not installed")
A4_LANDSCAPE = (842, 595)  # points

# A LibreOffice profile whose locale setting (Tools > Options > Languages > Locale) is `locale`.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>{locale}</value></prop></item>
</oor:items>
"""


def to_pdf(src: Path, workdir: Path, locale: str = "en-US", timeout: float = mf.SOFFICE_TIMEOUT) -> Path:
    """`src` opened by LibreOffice headless with its locale set to `locale` (a fresh profile), and
    exported as PDF into workdir/pdf."""
    exe = mf.soffice()
    assert exe is not None
    profile = workdir / f"profile_{uuid.uuid4().hex}"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE.format(locale=locale), encoding="utf-8")
    outdir = workdir / "pdf"
    cmd = [exe, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
           "--outdir", str(outdir), str(src)]
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}  # no Vietnamese from the system either
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    pdf = outdir / f"{src.stem}.pdf"
    assert proc.returncode == 0 and pdf.is_file(), (out, err)
    return pdf


@dataclass(frozen=True)
class Page:
    size: tuple[int, int]  # width, height in points, rounded
    text: str

    @property
    def flat(self) -> str:
        """The text with every run of white space (a wrapped cell's line breaks) as one space."""
        return " ".join(self.text.split())


_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_REF = rb"(\d+) 0 R"


def _stream(body: bytes) -> bytes:
    match = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
    assert match, body[:200]
    raw = match.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body.split(b"stream")[0] else raw


def _cmap(text: bytes) -> tuple[int, dict[bytes, str]]:
    """A ToUnicode CMap: the code width in bytes and code -> text."""
    width = len(re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", text).group(1)) // 2  # type: ignore[union-attr]
    mapping: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[bytes.fromhex(src.decode())] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start, first = int(lo, 16), int.from_bytes(bytes.fromhex(dst.decode()), "big")
            for k in range(int(hi, 16) - start + 1):
                mapping[(start + k).to_bytes(width, "big")] = chr(first + k)
    return width, mapping


def _decode(hexes: bytes, cmap: tuple[int, dict[bytes, str]]) -> str:
    width, mapping = cmap
    raw = bytes.fromhex(re.sub(rb"\s", b"", hexes).decode())
    return "".join(mapping.get(raw[i:i + width], "?") for i in range(0, len(raw), width))


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page of a PDF written by LibreOffice: its size and its text, a line per text
    object (BT ... ET), a space where a TJ array moves the pen far."""
    data = pdf.read_bytes()
    objects = {int(n): body for n, body in _OBJ.findall(data)}

    def ref(body: bytes, key: bytes) -> int | None:
        match = re.search(rb"/" + key + rb"\s*" + _REF, body)
        return int(match.group(1)) if match else None

    def kids(number: int) -> list[int]:
        body = objects[number]
        if re.search(rb"/Type\s*/Pages", body):
            listed = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S).group(1)  # type: ignore[union-attr]
            return [p for k in re.findall(_REF, listed) for p in kids(int(k))]
        return [number]

    root = ref(objects[next(n for n, b in objects.items() if re.search(rb"/Type\s*/Catalog", b))], b"Pages")
    assert root is not None
    cmaps: dict[int, tuple[int, dict[bytes, str]]] = {}
    pages = []
    for number in kids(root):
        body = objects[number]
        box = re.search(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", body) or re.search(
            rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", objects[ref(body, b"Parent") or root])
        x0, y0, x1, y1 = (float(v) for v in box.group(1).split())  # type: ignore[union-attr]
        resources = objects[ref(body, b"Resources")] if ref(body, b"Resources") else body
        font_dict = objects[ref(resources, b"Font")] if ref(resources, b"Font") else resources
        fonts = {}
        for name, font in re.findall(rb"/(\w+)\s+" + _REF, font_dict):
            to_unicode = ref(objects[int(font)], b"ToUnicode")
            if to_unicode is not None:
                cmaps.setdefault(to_unicode, _cmap(_stream(objects[to_unicode])))
                fonts[name] = cmaps[to_unicode]
        contents = re.search(rb"/Contents\s*(\[.*?\]|" + _REF + rb")", body, re.S).group(1)  # type: ignore[union-attr]
        stream = b"\n".join(_stream(objects[int(n)]) for n in re.findall(_REF, contents))
        lines = []
        for block in re.findall(rb"BT(.*?)ET", stream, re.S):
            font, text = None, ""
            for token in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f\s]*)>\s*Tj", block, re.S):
                if token.group(1):
                    font = fonts.get(token.group(1))
                elif font is None:
                    continue
                elif token.group(2) is not None:
                    for part in re.finditer(rb"<([0-9A-Fa-f\s]*)>|(-?[\d.]+)", token.group(2)):
                        if part.group(1) is not None:
                            text += _decode(part.group(1), font)
                        elif float(part.group(2)) < -200:  # a gap wider than a fifth of a space's em
                            text += " "
                else:
                    text += _decode(token.group(3), font)
            lines.append(text)
        pages.append(Page((round(x1 - x0), round(y1 - y0)), "\n".join(lines)))
    return pages


# --- the workbook -------------------------------------------------------------------------


def test_xlsx_cells_stay_numbers_with_the_vietnamese_locale_and_a_flag_column(
        warehouse: Engine, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "p.xlsx"
    write_xlsx(build_report(warehouse, VINH_PHUC, "2024-06"), path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Chỉ tiêu").to_python()
    top = next(i for i, row in enumerate(rows) if row[0] == "Mã")
    headers = rows[top]
    assert headers[-3:] == ["Chưa đầy đủ", "Cùng kỳ chưa đầy đủ", "Nhận định"]
    yoy = [h for h in headers if str(h).startswith("So với cùng kỳ")]
    assert yoy == ["So với cùng kỳ: tăng (+), giảm (-) (%)", "So với cùng kỳ: tăng (+), giảm (-) (điểm phần trăm)"]
    assert len(set(headers)) == len(headers)  # every header says what its column is
    ns01 = next(row for row in rows[top + 1:] if row[0] == "NS01")
    column = dict(zip(headers, ns01, strict=True))
    # 11.250,5 + 5.000: a partial figure, still a number; the flags in their own columns
    assert column["Thực hiện"] == 16250.5 and column["Chưa đầy đủ"] == "*"
    assert column["Cùng kỳ chưa đầy đủ"] == "**"
    assert (column["Số đơn vị có đủ số liệu"], column["Số đơn vị phải báo cáo"]) == (2, 9)
    sheet = openpyxl.load_workbook(path)["Chỉ tiêu"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0  # None: 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${top + 1}:${top + 1}"  # the header row on every printed page
    assert all(sheet.cell(top + 2, c).alignment.wrap_text for c in (2, len(headers)))  # name and sentence wrap
    sentences = openpyxl.load_workbook(path)["Nhận định"]
    assert sentences.page_setup.orientation == "landscape"
    assert any(c.alignment.wrap_text for row in sentences.iter_rows() for c in row if c.value)


# --- as LibreOffice prints it on an English PC ---------------------------------------------


@needs_soffice
def test_libreoffice_in_english_prints_one_page_width_per_table_in_vietnamese_notation(
        warehouse: Engine, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "r.xlsx"
    report = build_report(warehouse, VINH_PHUC, "2024-06")  # a month of a province: the widest table
    write_xlsx(report, path)
    pages = pdf_pages(to_pdf(path, tmp_path, locale="en-US"))
    # one page per sheet: each table fits one page wide (and, this short, one page long)
    assert [p.size for p in pages] == [A4_LANDSCAPE] * 3, [p.size for p in pages]
    indicators, tasks, sentences = (p.flat for p in pages)
    # the first and the last printed column of each table on the same page
    assert "Mã" in indicators and "Cùng kỳ chưa đầy đủ" in indicators
    assert "Cơ quan giao" in tasks and "Tóm tắt" in tasks
    # a wrapped sentence printed to its end (rows are as tall as their text; a line was once cut off)
    assert "tỷ lệ hoàn thành đúng hạn 50% (02/04 nhiệm vụ đã đến hạn)" in tasks
    # numbers in Vietnamese notation, under an English locale: 16.250,5 and 91.250,5 triệu đồng,
    # 182.501 (the plan), 100.000 pigs, +62,51 (%); never 16,250.5
    for number in ("16.250,5", "91.250,5", "182.501", "100.000", "+62,51"):
        assert re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d])", indicators), (number, indicators)
    assert "16,250.5" not in indicators and "182,501" not in indicators
    assert "Tổng đàn lợn 100.000 con" in sentences


@needs_soffice
def test_libreoffice_in_english_keeps_a_long_table_one_page_wide(warehouse: Engine, tmp_path: Path) -> None:  # noqa: F811
    """Many lines: the table runs onto more pages, every one of them with all the columns and the header."""
    from dataclasses import replace

    report = build_report(warehouse, TAM_DUONG, "2024-H1")
    report.indicators = [replace(line, code=f"{line.code}-{k}") for k in range(12) for line in report.indicators]
    path = tmp_path / "long.xlsx"
    write_xlsx(report, path)
    pages = pdf_pages(to_pdf(path, tmp_path))
    indicator_pages = [p for p in pages if re.search(r"\b[A-Z]{2}\d{2}-\d+\b", p.flat)]  # the codes
    assert len(indicator_pages) >= 2
    for page in indicator_pages:
        assert page.size == A4_LANDSCAPE
        assert "Mã" in page.flat and "Cùng kỳ chưa đầy đủ" in page.flat  # header repeated, no column cut off
