#!/usr/bin/env python3
"""Screenshots of the web application's main pages in headless Chromium (Debian's chromium and
chromium-driver), at desktop (1280 wide) and phone (390 wide) width, in Chinese and English.

Start the demo first (`cargo run -p fupin-cli -- serve --demo --db sqlite:/tmp/demo.db`), then
    python3 scripts/screenshots.py [BASE_URL] [OUT_DIR]
(default http://127.0.0.1:8080 and target/screenshots). Uses only the standard library: it speaks
WebDriver to chromedriver. The pictures are for checking by eye (docs/web.md says what each shows);
they are not committed."""
import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
OUT = sys.argv[2] if len(sys.argv) > 2 else "target/screenshots"
PAGES = [
    ("dashboard", "/"),
    ("list", "/households?area=140525100"),
    ("household", "/households/140525100201001"),
    ("notice", "/villages/140525100201/notice"),
    ("village", "/villages/140525100201"),
]
WIDTHS = [("desktop", 1280, 900), ("phone", 390, 844)]


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["value"]


def main():
    os.makedirs(OUT, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    wd = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call(wd, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        for label, width, height in WIDTHS:
            caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                         f"--window-size={width},{height}"]}}}}
            sid = call(wd, "POST", "/session", caps)["sessionId"]
            s = f"/session/{sid}"

            def metrics(h):
                call(wd, "POST", s + "/goog/cdp/execute", {
                    "cmd": "Emulation.setDeviceMetricsOverride",
                    "params": {"width": width, "height": h, "deviceScaleFactor": 1,
                               "mobile": width < 500}})
            metrics(height)
            try:
                call(wd, "POST", s + "/url", {"url": BASE + "/login"})
                for css, text in (("#username", "zezhou"), ("#password", "fupin-demo-2020")):
                    el = list(call(wd, "POST", s + "/element",
                                   {"using": "css selector", "value": css}).values())[0]
                    call(wd, "POST", f"{s}/element/{el}/value", {"text": text})
                el = list(call(wd, "POST", s + "/element",
                               {"using": "css selector", "value": "#login-submit"}).values())[0]
                call(wd, "POST", f"{s}/element/{el}/click", {})
                time.sleep(1)
                for lang in ("zh", "en"):
                    call(wd, "POST", s + "/url", {"url": f"{BASE}/lang/{lang}"})
                    for name, path in PAGES:
                        call(wd, "POST", s + "/url", {"url": BASE + path})
                        time.sleep(1.5)
                        full = call(wd, "POST", s + "/execute/sync", {
                            "script": "return document.documentElement.scrollHeight", "args": []})
                        metrics(min(int(full), 6000))
                        time.sleep(0.5)
                        png = base64.b64decode(call(wd, "GET", s + "/screenshot"))
                        out = os.path.join(OUT, f"{name}-{label}-{lang}.png")
                        with open(out, "wb") as f:
                            f.write(png)
                        print(out, len(png))
                        metrics(height)
            finally:
                call(wd, "DELETE", s)
    finally:
        driver.terminate()
        driver.wait()


if __name__ == "__main__":
    main()
