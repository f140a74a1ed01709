"""Data shown to people, made safe for where it is shown (issue 13: output injection).

- `visible`: control characters (CR, LF, ESC, NUL, DEL, C1, the line and paragraph separators,
  the bidi overrides) in file names, cell values and the like become visible backslash escapes
  (`\\r`, `\\n`, `\\x1b`, `\\u202e`), as Python's repr writes them. A CR/LF in an e-mail subject
  would make the message unsendable (and was: on every run), in a body or on a terminal it
  forges lines, ESC drives the terminal, a bidi override disguises a name.
- `slack_escape`: Slack's documented rule for text in a message (&, <, > as entities), so
  `<!here>` and `<http://evil|click>` in a file name arrive as text, not as a mention and a link.

Escape the data before it enters a template, never the template: its markup is meant."""

from __future__ import annotations

import re
import unicodedata

# Format characters that reorder or hide text (Trojan Source): the bidi embeddings, overrides
# and isolates, and the Arabic letter mark.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _is_control(char: str) -> bool:
    return char in _BIDI or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(value: object) -> str:
    """`value` as text on one line, every control character written as a visible escape."""
    text = str(value)
    if not any(_is_control(c) for c in text):  # the usual case, unchanged
        return text
    return "".join(_escape(c) if _is_control(c) else c for c in text)


def shortened(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SLACK = re.compile("[&<>]")
_SLACK_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def slack_escape(text: str) -> str:
    """Text for a Slack-compatible message: the three characters Slack reserves as entities
    (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return _SLACK.sub(lambda m: _SLACK_ENTITIES[m.group()], text)
