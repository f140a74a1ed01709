"""Assigning bodies (reference/assigning_bodies.yaml): one canonical name per body, whatever
the case, spacing, diacritics or long/short form a district writes it in.

`canonical_body("Ủy ban nhân dân  Tỉnh")` is "UBND tỉnh"; an unknown body gives None and
`closest_body` names the known one it most resembles (for the warning TASK_BODY_UNKNOWN)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from etl.domain.text import fold_key
from etl.paths import REFERENCE_DIR

BODIES_PATH = REFERENCE_DIR / "assigning_bodies.yaml"
# Punctuation that does not change a body ("Sở, ngành tỉnh" = "Sở ngành tỉnh"); fold_key keeps it.
_PUNCTUATION = re.compile(r"[,;:()\"'’“”]+")


@dataclass(frozen=True)
class BodyList:
    names: tuple[str, ...]  # canonical names, from the top down (the reports' order)
    abbreviations: dict[str, str]  # folded short form -> folded long form
    by_key: dict[str, str]  # matching key of every name and alias -> canonical name

    def key(self, text: str) -> str:
        """The matching key: folded (fold_key), punctuation dropped, abbreviations spelled out."""
        words = fold_key(_PUNCTUATION.sub(" ", text)).split("_")
        return "_".join(self.abbreviations.get(w, w) for w in words if w)

    def canonical(self, text: str) -> str | None:
        return self.by_key.get(self.key(text))

    def closest(self, text: str) -> str | None:
        """The known body whose matching key is nearest (difflib ratio >= 0.6), else None."""
        match = difflib.get_close_matches(self.key(text), list(self.by_key), n=1)
        return self.by_key[match[0]] if match else None


def read_bodies(path: Path) -> BodyList:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    abbreviations = {fold_key(short): fold_key(long) for short, long in (doc.get("abbreviations") or {}).items()}
    bodies = BodyList(names=tuple(b["name"] for b in doc["bodies"]), abbreviations=abbreviations, by_key={})
    for entry in doc["bodies"]:
        for spelling in (entry["name"], *(entry.get("aliases") or ())):
            key = bodies.key(spelling)
            other = bodies.by_key.setdefault(key, entry["name"])
            if other != entry["name"]:  # one spelling for two bodies would make the matching ambiguous
                raise ValueError(f"{path.name}: '{spelling}' matches both '{other}' and '{entry['name']}'")
    return bodies


@cache
def load_bodies() -> BodyList:
    return read_bodies(BODIES_PATH)


@lru_cache(maxsize=1 << 14)  # every task row names its body: the same few dozen spellings
def canonical_body(text: str) -> str | None:
    """The canonical name of a known body, or None."""
    return load_bodies().canonical(text)


def closest_body(text: str) -> str | None:
    return load_bodies().closest(text)
