#!/usr/bin/env python3
"""How long the dashboard takes on an emulated slow 3G connection (400 kbit/s each way, 400 ms
round trip), in headless Chromium through chromedriver's DevTools bridge: the dashboard reached by
logging in (six seconds on the login page, as a person typing), the first visit with an empty
cache, then a second visit (hashed static files come from the cache). Prints the first
contentful paint (cards, tables and the charts, which are drawn on the server and come with the
page), the load event, and the bytes transferred.

Start the demo first (`cargo run --release -p fupin-cli -- serve --demo --db sqlite:/tmp/demo.db`), then
    python3 scripts/slow3g.py [BASE_URL]
Figures go to docs/web.md (no wall-clock assertion in the tests)."""
import json
import socket
import subprocess
import sys
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["value"]


MEASURE = """
var nav = performance.getEntriesByType('navigation')[0];
var fcp = performance.getEntriesByName('first-contentful-paint')[0];
var res = performance.getEntriesByType('resource');
return {fcp: fcp ? Math.round(fcp.startTime) : null, load: Math.round(nav.loadEventEnd),
        charts: document.querySelectorAll('#dashboard svg, #dashboard .bar').length,
        bytes: nav.transferSize + res.reduce(function (s, r) { return s + r.transferSize; }, 0),
        files: res.map(function (r) { return [r.name.replace(location.origin, ''), r.transferSize]; })};
"""


def main():
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
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"]}}}}
        sid = call(wd, "POST", "/session", caps)["sessionId"]
        s = f"/session/{sid}"

        def cdp(cmd, params):
            return call(wd, "POST", s + "/goog/cdp/execute", {"cmd": cmd, "params": params})

        def wait_charts():
            for _ in range(600):
                if call(wd, "POST", s + "/execute/sync", {
                        "script": "return document.readyState === 'complete' && !!document.querySelector('#chart-status svg')", "args": []}):
                    return
                time.sleep(0.1)

        try:
            cdp("Network.enable", {})
            cdp("Network.clearBrowserCache", {})
            cdp("Network.emulateNetworkConditions", {"offline": False, "latency": 400,
                                                     "downloadThroughput": 50000,
                                                     "uploadThroughput": 50000})
            call(wd, "POST", s + "/url", {"url": BASE + "/login"})
            # A person takes a few seconds to type: the login page prefetches the charts' scripts.
            time.sleep(6)
            for css, text in (("#username", "zezhou"), ("#password", "fupin-demo-2020")):
                el = list(call(wd, "POST", s + "/element",
                               {"using": "css selector", "value": css}).values())[0]
                call(wd, "POST", f"{s}/element/{el}/value", {"text": text})
            el = list(call(wd, "POST", s + "/element",
                           {"using": "css selector", "value": "#login-submit"}).values())[0]
            call(wd, "POST", f"{s}/element/{el}/click", {})
            visits = ["after logging in (the dashboard the login leads to)",
                      "first visit with an empty cache", "second visit (cached static files)"]
            for visit in visits:
                if visit.startswith("first"):
                    cdp("Network.clearBrowserCache", {})
                if not visit.startswith("after"):
                    call(wd, "POST", s + "/url", {"url": BASE + "/"})
                wait_charts()
                m = call(wd, "POST", s + "/execute/sync", {"script": MEASURE, "args": []})
                print(f"{visit}: first contentful paint {m['fcp']} ms, load {m['load']} ms, "
                      f"{m['charts']} chart parts in the page (drawn with it), {m['bytes']} bytes transferred")
                for name, size in m["files"]:
                    print(f"    {name} {size}")
        finally:
            call(wd, "DELETE", s)
    finally:
        driver.terminate()
        driver.wait()


if __name__ == "__main__":
    main()
