"""Folding of Vietnamese text for matching: headers, keys, names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s_\-./]+")


def strip_diacritics(text: str) -> str:
    """'Lũy kế năm' -> 'Luy ke nam'; đ/Đ become d/D (they are letters, not accents)."""
    decomposed = unicodedata.normalize("NFD", text)
    without_marks = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return without_marks.replace("đ", "d").replace("Đ", "D")


def fold_key(text: str) -> str:
    """A matching key: no diacritics, lower case, words joined by '_'.

    'Mã chỉ tiêu', 'MA_CHI_TIEU', ' ma chi tieu ' and 'Luỹ kế năm' (NFD or NFC) all fold
    to the same key as the contract's column names.
    """
    return _folded(text if isinstance(text, str) else str(text))


# The same few hundred codes, headers and bodies come back in every file (a national month folds
# ~480.000 strings, 1,9 s of its check uncached); the cache is bounded.
@lru_cache(maxsize=1 << 16)
def _folded(text: str) -> str:
    folded = strip_diacritics(unicodedata.normalize("NFC", text)).lower().strip()
    return _SEPARATORS.sub("_", folded).strip("_")
