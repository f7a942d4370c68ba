"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (no extra packages).

open_page(url) loads a page in headless Chromium and records what the page itself does: every
network request it starts, console errors, uncaught exceptions and security (CSP) reports. The
browser's own background traffic (updates, accounts) is not the page's and is not recorded.
Page drives a page as a person would (mouse clicks, downloads into a folder) for scripted users.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    requests: list = field(default_factory=list)  # URLs the page asked for
    errors: list = field(default_factory=list)  # console errors, exceptions, CSP reports
    values: dict = field(default_factory=dict)  # results of the expressions evaluated
    screenshot: bytes = b""


class _Pipe:
    def __init__(self, proc, write_fd, read_fd):
        self.proc, self.w, self.r = proc, write_fd, read_fd
        self.buf, self.next_id, self.events = b"", 0, []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        return self.wait_for(self.next_id)

    def _read(self, timeout):
        import select

        ready, _, _ = select.select([self.r], [], [], timeout)
        if not ready:
            return None
        chunk = os.read(self.r, 1 << 20)
        if not chunk:
            raise RuntimeError("Chromium closed the pipe")
        self.buf += chunk
        out = []
        while b"\0" in self.buf:
            raw, self.buf = self.buf.split(b"\0", 1)
            out.append(json.loads(raw))
        return out

    def wait_for(self, msg_id, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            batch = self._read(0.5) or []
            for i, msg in enumerate(batch):
                if msg.get("id") == msg_id:
                    self.events += batch[i + 1 :]  # events read with the answer are kept, not dropped
                    if "error" in msg:
                        raise RuntimeError(msg["error"])
                    return msg.get("result", {})
                self.events.append(msg)
        raise TimeoutError(f"no answer to message {msg_id}")

    def pump(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            self.events += self._read(min(0.2, max(0.0, end - time.time()))) or []


class Page:
    """One page in headless Chromium, driven over the pipe: ``evaluate`` JavaScript, ``click`` an
    element with the mouse as a person would (at the centre of its box, after scrolling it into
    view), ``wait`` for a condition, take a ``screenshot``; with ``downloads``, files the page
    downloads land in that folder (``wait_download``). ``report()`` gives what the page did."""

    def __init__(self, width: int = 1300, height: int = 2400, downloads: str | None = None):
        self.width, self.height, self.downloads = width, height, downloads

    def __enter__(self) -> "Page":
        chrome = find_chromium()
        self.profile = tempfile.mkdtemp(prefix="topics-chromium-")
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()

        def wire():  # in the child: Chromium reads fd 3 and writes fd 4
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                chrome,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                f"--user-data-dir={self.profile}",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                f"--window-size={self.width},{self.height}",
                "about:blank",
            ],
            pass_fds=(3, 4, to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.fds = (to_chrome_w, from_chrome_r)
        self.pipe = _Pipe(self.proc, to_chrome_w, from_chrome_r)
        try:
            if self.downloads:
                self.pipe.send(
                    "Browser.setDownloadBehavior",
                    {"behavior": "allow", "downloadPath": str(self.downloads), "eventsEnabled": True},
                )
            target = self.pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Network", "Runtime", "Log", "Page"):
                self.send(f"{domain}.enable")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.proc.kill()
        self.proc.wait()
        for fd in self.fds:
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.pipe.send(method, params, session=self.session)

    def evaluate(self, expression: str):
        res = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression!r} threw: {res['exceptionDetails'].get('text')}")
        return res.get("result", {}).get("value")

    def wait(self, expression: str, timeout: float = 30.0) -> bool:
        end = time.time() + timeout
        while time.time() < end:
            if self.evaluate(expression) is True:
                return True
            self.pipe.pump(0.03)
        return False

    def open(self, url: str, ready: str = "document.readyState === 'complete'", timeout: float = 60.0) -> None:
        self.send("Page.navigate", {"url": url})
        if not self.wait(ready, timeout):
            raise TimeoutError(f"{url}: {ready!r} not true after {timeout} s")

    def click(self, selector: str) -> None:
        """A left click with the mouse at the centre of the first element matching ``selector``."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null; "
            "e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); "
            "return [r.left + r.width / 2, r.top + r.height / 2, r.width, r.height]; })()"
        )
        if not box or box[2] == 0 or box[3] == 0:
            raise LookupError(f"no visible element {selector!r} to click")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {
                    "type": kind,
                    "x": box[0],
                    "y": box[1],
                    "button": "left",
                    "clickCount": 0 if kind == "mouseMoved" else 1,
                },
            )

    def wait_download(self, timeout: float = 30.0) -> dict:
        """The next download's Browser.downloadProgress event once it is completed (guid, state ...)."""
        end = time.time() + timeout
        while time.time() < end:
            for ev in self.pipe.events:
                if ev.get("method") == "Browser.downloadProgress" and ev["params"].get("state") == "completed":
                    self.pipe.events.remove(ev)
                    return ev["params"]
            self.pipe.pump(0.2)
        raise TimeoutError("no download completed")

    def screenshot(self) -> bytes:
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
        return base64.b64decode(shot["data"])

    def report(self) -> PageReport:
        """What the page did so far: network requests, console errors, exceptions, CSP reports."""
        report = PageReport()
        for ev in self.pipe.events:
            if ev.get("sessionId") != self.session:
                continue
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Network.requestWillBeSent":
                report.requests.append(params["request"]["url"])
            elif method == "Runtime.exceptionThrown":
                report.errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                report.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif (
                method == "Log.entryAdded"
                and params["entry"]["level"] in ("error", "warning")
                and params["entry"].get("source") in ("security", "violation", "javascript", "network")
            ):
                report.errors.append(params["entry"]["text"])
        return report


def open_page(
    url: str,
    expressions: dict[str, str],
    ready: str = "document.readyState === 'complete'",
    timeout: float = 60.0,
    width: int = 1300,
    height: int = 2400,
) -> PageReport:
    """Load ``url``, wait until the JavaScript expression ``ready`` is true (or ``timeout``), then
    evaluate ``expressions`` and take a screenshot."""
    with Page(width, height) as page:
        page.send("Page.navigate", {"url": url})
        page.wait(ready, timeout)
        page.pipe.pump(1.0)  # late console messages and requests
        values = {name: page.evaluate(expr) for name, expr in expressions.items()}
        shot = page.screenshot()
        report = page.report()
    report.values, report.screenshot = values, shot
    return report
