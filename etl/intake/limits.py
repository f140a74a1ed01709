"""Every resource and plausibility limit of the readers, in one place.

A district file is a template of a few hundred KB; anything far beyond these limits is a
mistake (a stray cell at the end of a sheet, a wrong file) or an attack, and is refused with
a message before it can cost memory or time, or reach pandas, the gate or PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

# Bytes of a delivered file (XLSX or JSON); the biggest real template is a few hundred KB.
MAX_FILE_BYTES = 20 * 1024 * 1024

# Zip-bomb guards for XLSX: the sum of the parts' uncompressed sizes, how many parts, and how
# much they may expand (a real workbook compresses 5-20 times).
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
MAX_COMPRESSION_RATIO = 200

# Sheets of a workbook: the template has three; a district's own workbook may add a few.
MAX_SHEETS = 50

# The used range of a sheet the reader reads (farthest cell, not the <dimension>, which can
# lie): never materialise more; the template's tables have tens of rows and about ten columns.
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 200

# Rows of one table (chi_tieu, nhiem_vu, ke_hoach, or a JSON list): a district has ~40
# indicators and at most a few hundred tasks. Below MAX_SHEET_ROWS so an XLSX can reach it.
MAX_TABLE_ROWS = 5_000

# Nesting of a JSON document: the contract needs 3 levels; Python's parser recurses.
MAX_JSON_DEPTH = 32

# Characters of a text cell or field: names and notes are a few hundred at most.
MAX_TEXT_CHARS = 4_000

# Characters of a task id (e.g. '3466/QĐ-UBND#12'): it is a key of core.dim_task's b-tree
# indexes, whose entries must stay under ~2,7 KB (200 characters are at most 800 UTF-8 bytes).
MAX_TASK_ID_CHARS = 200

# Absolute value of a number (before and after unit conversion): numeric columns hold any
# size, but the gate reads values as float64, exact for integers only below 2**53 (~9e15).
MAX_ABS_VALUE = Decimal(10) ** 15

# Decimal places of a number: Decimal arithmetic and PostgreSQL numeric need a bounded
# exponent; a float residue of a formula (5,55e-17) has 32.
MAX_DECIMAL_PLACES = 40

# Years of a date in a file: within pandas' Timestamp range (1677-2262), wide for real tasks.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)

# Messages stored and mailed per file: a file with thousands of faults (a sheet of wrong rows)
# gets the first ones and one summary of the rest (etl.warehouse.ingest.cap_messages).
MAX_MESSAGES_PER_FILE = 200

# How much of a refused value a message shows.
SHOWN_CHARS = 60
