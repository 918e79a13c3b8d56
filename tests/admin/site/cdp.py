"""A small driver of headless Chromium over the DevTools protocol (aiohttp's WebSocket client).

For each page it records what the tests need: console errors and uncaught exceptions, every
network request, the axe-core result, and a screenshot. axe-core is the npm package installed
by `make site-test-deps` (tests/admin/site/browser/package.json); it is evaluated in the page
by the protocol, so the site itself carries no script.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import aiohttp

CHROMIUM: Final = shutil.which("chromium") or "/usr/bin/chromium"
AXE: Final = (
    Path(__file__).resolve().parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
)
WCAG_22_AA: Final = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--allow-file-access-from-files",
    "--window-size=1200,900",
    "--remote-debugging-port=0",
)


@dataclass
class PageVisit:
    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    screenshot: bytes = b""
    print_hidden_nav: bool | None = None


class Browser:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    async def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.ws.send_str(json.dumps(message))
        while True:
            reply = json.loads((await asyncio.wait_for(self.ws.receive(), 60)).data)
            if reply.get("id") == number:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    async def wait_for(self, method: str, session: str, within: float = 30) -> None:
        deadline = time.monotonic() + within
        while not any(
            e.get("method") == method and e.get("sessionId") == session for e in self.events
        ):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(method)
            reply = json.loads((await asyncio.wait_for(self.ws.receive(), remaining)).data)
            self.events.append(reply)

    async def visit(self, url: str, *, print_check: bool = False) -> PageVisit:
        target = (await self.call("Target.createTarget", url="about:blank"))["targetId"]
        session = (await self.call("Target.attachToTarget", targetId=target, flatten=True))[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            await self.call(f"{domain}.enable", session)
        self.events.clear()
        await self.call("Page.navigate", session, url=url)
        await self.wait_for("Page.loadEventFired", session)
        visit = PageVisit(url)
        await self.call("Runtime.evaluate", session, expression=AXE.read_text(encoding="utf-8"))
        result = await self.call(
            "Runtime.evaluate",
            session,
            expression=(
                "axe.run(document, {runOnly: {type: 'tag', values: "
                + json.dumps(WCAG_22_AA)
                + "}, resultTypes: ['violations']}).then(r => r.violations)"
            ),
            awaitPromise=True,
            returnByValue=True,
        )
        visit.violations = result["result"]["value"]
        shot = await self.call(
            "Page.captureScreenshot", session, format="png", captureBeyondViewport=True
        )
        visit.screenshot = base64.b64decode(shot["data"])
        if print_check:
            await self.call("Emulation.setEmulatedMedia", session, media="print")
            shown = await self.call(
                "Runtime.evaluate",
                session,
                expression=(
                    "(n => n ? getComputedStyle(n).display : null)(document.querySelector('nav'))"
                ),
                returnByValue=True,
            )
            display = shown["result"].get("value")
            visit.print_hidden_nav = None if display is None else display == "none"
            await self.call("Page.printToPDF", session)
        for event in self.events:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                visit.requests.append(params["request"]["url"])
            elif method == "Runtime.exceptionThrown":
                visit.console_errors.append(json.dumps(params["exceptionDetails"])[:300])
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                visit.console_errors.append(json.dumps(params["args"])[:300])
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                visit.console_errors.append(params["entry"]["text"])
        await self.call("Target.closeTarget", targetId=target)
        return visit


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    profile = Path(tempfile.mkdtemp(prefix="oclep-chromium-"))
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
            if process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            await asyncio.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0) as ws,
        ):
            yield Browser(ws)
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()
        shutil.rmtree(profile, ignore_errors=True)
