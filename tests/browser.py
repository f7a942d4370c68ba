"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (no extra packages).

open_page(url) loads a page in headless Chromium and records what the page itself does: every
network request it starts, console errors, uncaught exceptions and security (CSP) reports. The
browser's own background traffic (updates, accounts) is not the page's and is not recorded.
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
            for msg in self._read(0.5) or []:
                if msg.get("id") == msg_id:
                    if "error" in msg:
                        raise RuntimeError(msg["error"])
                    return msg.get("result", {})
                self.events.append(msg)
        raise TimeoutError(f"no answer to message {msg_id}")

    def pump(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            self.events += self._read(0.2) or []


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
    chrome = find_chromium()
    profile = tempfile.mkdtemp(prefix="topics-chromium-")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def wire():  # in the child: Chromium reads fd 3 and writes fd 4
        a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
        os.dup2(a, 3)
        os.dup2(b, 4)

    proc = subprocess.Popen(
        [
            chrome,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--window-size={width},{height}",
            "about:blank",
        ],
        pass_fds=(3, 4, to_chrome_r, from_chrome_w),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=wire,
    )
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    pipe = _Pipe(proc, to_chrome_w, from_chrome_r)
    report = PageReport()
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            pipe.send(f"{domain}.enable", session=session)
        pipe.send("Page.navigate", {"url": url}, session=session)
        end = time.time() + timeout
        while time.time() < end:
            res = pipe.send("Runtime.evaluate", {"expression": ready, "returnByValue": True}, session=session)
            if res.get("result", {}).get("value") is True:
                break
            pipe.pump(0.5)
        pipe.pump(1.0)  # late console messages and requests
        for name, expr in expressions.items():
            res = pipe.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=session)
            report.values[name] = res.get("result", {}).get("value")
        shot = pipe.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False}, session=session)
        report.screenshot = base64.b64decode(shot["data"])
        for ev in pipe.events:
            if ev.get("sessionId") != session:
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
    finally:
        proc.kill()
        proc.wait()
        os.close(to_chrome_w)
        os.close(from_chrome_r)
        shutil.rmtree(profile, ignore_errors=True)
    return report
