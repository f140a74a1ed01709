"""The board as a real browser shows it: headless Chromium (Debian's `chromium`) opens the page from
disk, with no network, through the DevTools protocol over --remote-debugging-pipe (file descriptors
3 and 4, NUL-separated JSON: no client library, no port). It checks that the page rendered (one grid
cell per unit-month, each chart's SVG laid out with a size), that the console has no error, that the
page asked for nothing but itself, and takes a screenshot."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from etl.reporting.board import KEY_INDICATORS, build_board, write_board
from tests.test_board import AS_OF, VINH_PHUC
from tests.test_board import vinh_phuc as vinh_phuc  # the module-scoped fixture, built again for this module


def chromium() -> str | None:
    """Debian's chromium (`apt-get install -y --no-install-recommends chromium`), if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


needs_chromium = pytest.mark.skipif(
    chromium() is None, reason="Chromium is not installed; `make test` installs Debian's chromium as root")


class DevTools:
    """A headless Chromium driven over --remote-debugging-pipe: the browser reads commands on fd 3
    and writes replies and events on fd 4."""

    def __init__(self, binary: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="baocao-chromium-")
        commands_in, self._commands = os.pipe()
        self._replies, replies_out = os.pipe()

        # In the child, before exec: the pipe ends at 3 and 4 (dup2 makes them inheritable). Not
        # pass_fds: Popen would close 3 and 4 after this runs; Python's own descriptors are
        # non-inheritable anyway, so close_fds=False leaks nothing else.
        def as_fd_3_and_4() -> None:
            a, b = os.dup(commands_in), os.dup(replies_out)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
             "--remote-debugging-pipe", f"--user-data-dir={self._profile}", "about:blank"],
            close_fds=False, preexec_fn=as_fd_3_and_4,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_in)
        os.close(replies_out)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send a command and wait for its reply (events met meanwhile are kept in `events`)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        reply = self.wait(lambda m, i=self._next_id: m.get("id") == i)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first message that matches, from those already seen or still to come."""
        for event in self.events:
            if match(event):
                return event
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                    raise TimeoutError("Chromium did not answer in time")
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            message = json.loads(raw)
            if "id" not in message:
                self.events.append(message)
            if match(message):
                return message

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):  # it may be gone already
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)
        shutil.rmtree(self._profile, ignore_errors=True)


def open_page(browser: DevTools, page: Path, width: int = 1280, height: int = 900) -> str:
    """A new tab on `page` with console, log and network recorded; returns its session, once loaded."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
    browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
    browser.wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session)
    return session


def evaluate(browser: DevTools, session: str, expression: str) -> Any:
    result = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
    if "exceptionDetails" in result:
        raise RuntimeError(result["exceptionDetails"])
    return result["result"].get("value")


def problems(browser: DevTools, session: str) -> list[str]:
    """Console errors and warnings, uncaught exceptions, log errors (a resource that failed to load)."""
    out = []
    for m in browser.events:
        if m.get("sessionId") != session:
            continue
        params = m.get("params", {})
        if m["method"] == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
            out.append(f"console.{params['type']}: {params['args']}")
        elif m["method"] == "Runtime.exceptionThrown":
            out.append(f"exception: {params['exceptionDetails']}")
        elif m["method"] == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            out.append(f"log {params['entry']['level']}: {params['entry']['text']}")
    return out


def requested(browser: DevTools, session: str) -> list[str]:
    return [m["params"]["request"]["url"] for m in browser.events
            if m.get("sessionId") == session and m.get("method") == "Network.requestWillBeSent"]


def screenshot(browser: DevTools, session: str, path: Path, *, full_page: bool = True,
               clip_height: int | None = None) -> Path:
    """The page as rendered, as PNG: the whole page, or its top `clip_height` pixels."""
    params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
    if full_page or clip_height:
        width, height = evaluate(browser, session, "[document.documentElement.scrollWidth, "
                                                   "document.documentElement.scrollHeight]")
        params["clip"] = {"x": 0, "y": 0, "width": width, "height": min(height, clip_height or height), "scale": 1}
    path.write_bytes(base64.b64decode(browser.send("Page.captureScreenshot", params, session=session)["data"]))
    return path


@pytest.fixture
def browser() -> Iterator[DevTools]:
    binary = chromium()
    assert binary is not None
    devtools = DevTools(binary)
    try:
        yield devtools
    finally:
        devtools.close()


@needs_chromium
def test_the_board_renders_in_chromium_without_errors(vinh_phuc: Engine, browser: DevTools,
                                                      tmp_path: Path) -> None:
    board = build_board(vinh_phuc, VINH_PHUC, 2024, as_of=AS_OF)
    page, *_ = write_board(board, tmp_path / "board")
    session = open_page(browser, page)

    assert evaluate(browser, session, "document.documentElement.lang") == "vi"
    assert evaluate(browser, session, "document.title") == "Bảng theo dõi báo cáo — Tỉnh Vĩnh Phúc, năm 2024"
    cells = evaluate(browser, session, "Array.from(document.querySelectorAll('td[data-unit][data-month]'), "
                                       "td => [td.dataset.unit, td.dataset.month, td.dataset.status])")
    assert len(cells) == len(board.units) * 12 == 9 * 12
    assert len({(u, m) for u, m, _ in cells}) == len(cells)
    assert ["247", "2", "late"] in cells and ["247", "6", "pending"] in cells
    # Each status is coloured as the legend says (computed style, not just the class name).
    colours = evaluate(browser, session, """Object.fromEntries(['on_time', 'late', 'missing', 'rejected', 'pending']
        .map(s => [s, getComputedStyle(document.querySelector(`td[data-status="${s}"]`)).backgroundColor]))""")
    assert len(set(colours.values())) == 5, colours
    # The charts are laid out: every inlined SVG has a size.
    sizes = evaluate(browser, session, "Array.from(document.querySelectorAll('svg'), "
                                       "s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height])")
    assert len(sizes) == 1 + len(KEY_INDICATORS) and all(w > 200 and h > 100 for w, h in sizes), sizes

    assert problems(browser, session) == []
    assert requested(browser, session) == [page.resolve().as_uri()]  # the page itself, nothing else

    shot = screenshot(browser, session, tmp_path / "board.png")
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and shot.stat().st_size > 20_000
