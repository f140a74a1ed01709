"""Files that are not submissions by their name alone, whatever they hold."""

from __future__ import annotations

from fnmatch import fnmatchcase

# What desktops and office suites drop beside a clerk's files: Office's lock file of an open
# document (~$báo cáo.xlsx, a few bytes of the user's name), Windows' thumbnail cache and folder
# settings, macOS's folder metadata. Matched ignoring case. The landing step sets them aside
# (set_aside/), `baocao ingest` of a folder skips them; neither archives nor alerts.
NOT_SUBMISSION_NAMES = ("~$*", "thumbs.db", "desktop.ini", ".ds_store")


def not_a_submission(name: str) -> bool:
    """Whether a file name (no folder) is one of NOT_SUBMISSION_NAMES."""
    folded = name.lower()
    return any(fnmatchcase(folded, pattern) for pattern in NOT_SUBMISSION_NAMES)


def skipped(name: str) -> bool:
    """Whether a folder's file is never taken: hidden (an upload under way, .name.part) or not a
    submission by its name."""
    return name.startswith(".") or not_a_submission(name)
