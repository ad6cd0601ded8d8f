#!/usr/bin/python3
"""browser.py [--shots DIR] PAGE... - load pages in headless Chromium as a
reader would, and report what went wrong.

    python3 tests/lib/browser.py --shots results/screenshots site/*.html

Each page is opened from file:// in one browser (Debian's chromium:
--headless --no-sandbox --disable-gpu --disable-background-networking
--no-first-run, a fresh --user-data-dir that is removed afterwards),
driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
NUL-terminated JSON on file descriptors 3 and 4), so nothing but the
standard library is needed. After its load event (every image has loaded
or failed by then) the page is checked for:

  console errors  console.error, uncaught exceptions, and what Chromium
                  logs as an error (a resource that failed to load);
  failed loads    every request that failed (an image, a stylesheet);
  missing images  <img> elements that are not complete with a size;
  dead links      <a href> to a file that does not exist, or to a
                  #fragment the target page lacks;
  dialogs         alert, confirm, prompt: a page must not open any.

With --shots DIR a full-page PNG of each page goes to DIR (its path
relative to the pages' common folder, / made -, .html made .png), at most
8000 pixels high. Prints one line per problem ("PROBLEM: PAGE: what") and
a summary line; exit status 0 when none was found, 1 when one was, 2 for
bad usage, 3 when Chromium is not installed or could not be driven (the
caller reports a SKIP with the printed reason). Thirteen pages of a site
of four runs load in about 10 s on the 2-vCPU EPYC VM of the README while
others build, 15 s with screenshots; most of it Chromium's start.
"""
import base64
import fcntl
import html.parser
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions",
         "--mute-audio", "--hide-scrollbars", "--remote-debugging-pipe"]
PAGE_TIMEOUT = 20.0
SETTLE = 0.2
WIDTH = 1280
MAX_HEIGHT = 8000


class Chrome:
    def __init__(self, binary, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            # Chromium reads commands on fd 3 and answers on fd 4.
            r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [binary] + FLAGS + ["--user-data-dir=" + profile,
                                "--window-size=%d,900" % WIDTH,
                                "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read(self, timeout):
        """The next message, or None after timeout seconds."""
        end = time.monotonic() + timeout
        while b"\0" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.from_chrome], [], [], left)
            if not r:
                return None
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed its pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None, timeout=PAGE_TIMEOUT):
        want = self.send(method, params, session)
        end = time.monotonic() + timeout
        while True:
            msg = self.read(end - time.monotonic())
            if msg is None:
                raise TimeoutError(method)
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def close(self):
        try:
            self.send("Browser.close")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(v for k, v in attrs if k in ("id", "name") and v)


def ids_of(path, cache):
    if path not in cache:
        p = Ids()
        with open(path, encoding="utf-8", errors="replace") as f:
            p.feed(f.read())
        cache[path] = p.ids
    return cache[path]


# What the page reports about itself once loaded: broken images, links,
# its own ids and its height.
PROBE = """(() => ({
  images: Array.from(document.images)
    .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
  links: Array.from(document.querySelectorAll('a[href]'))
    .map(a => a.getAttribute('href')),
  height: Math.max(document.body.scrollHeight,
                   document.documentElement.scrollHeight)
}))()"""


def dead_link(page, href, cache):
    u = urllib.parse.urlsplit(href)
    if u.scheme == "data":
        return None
    if u.scheme or u.netloc:
        return "leaves the site"
    target = page
    if u.path:
        target = os.path.normpath(os.path.join(
            os.path.dirname(page), urllib.parse.unquote(u.path)))
    if not os.path.isfile(target):
        return "no such file"
    if u.fragment and target.endswith(".html") and \
            urllib.parse.unquote(u.fragment) not in ids_of(target, cache):
        return "no element with that id"
    return None


def load(chrome, session, path):
    """Loads path; returns its problems (strings)."""
    problems = []
    chrome.events = []
    chrome.call("Page.navigate",
                {"url": "file://" + urllib.parse.quote(path)}, session)
    loaded = False
    end = time.monotonic() + PAGE_TIMEOUT
    settle = None
    while True:
        now = time.monotonic()
        if (settle is not None and now >= settle) or now >= end:
            break
        if chrome.events:
            msg = chrome.events.pop(0)
        else:
            msg = chrome.read(min((settle or end) - now, 0.5))
            if msg is None:
                continue
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Page.javascriptDialogOpening":
            problems.append("dialog: %s: %s" % (p.get("type"),
                                                p.get("message")))
            chrome.send("Page.handleJavaScriptDialog", {"accept": False},
                        session)
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            problems.append("console error: uncaught %s" % (
                d.get("exception", {}).get("description") or d.get("text")))
        elif method == "Runtime.consoleAPICalled" and \
                p.get("type") in ("error", "assert"):
            problems.append("console error: %s" % " ".join(
                str(a.get("value", a.get("description", "")))
                for a in p.get("args", [])))
        elif method == "Log.entryAdded" and \
                p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            problems.append("console error: %s %s" % (e.get("text"),
                                                       e.get("url", "")))
        elif method == "Network.loadingFailed" and \
                not p.get("canceled"):
            problems.append("failed load: %s" % p.get("errorText"))
        elif method == "Page.loadEventFired" and not loaded:
            loaded = True
            settle = time.monotonic() + SETTLE
    if not loaded:
        problems.append("did not finish loading in %.0f s" % PAGE_TIMEOUT)
    return problems


def probe(chrome, session):
    r = chrome.call("Runtime.evaluate", {"expression": PROBE,
                                         "returnByValue": True}, session)
    return r.get("result", {}).get("value") or {}


def screenshot(chrome, session, height, out):
    h = max(600, min(int(height or 900), MAX_HEIGHT))
    chrome.call("Emulation.setDeviceMetricsOverride",
                {"width": WIDTH, "height": h, "deviceScaleFactor": 1,
                 "mobile": False}, session)
    shot = chrome.call("Page.captureScreenshot", {"format": "png"}, session,
                       timeout=60)
    chrome.call("Emulation.clearDeviceMetricsOverride", {}, session)
    with open(out, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def main(argv):
    args = argv[1:]
    shots = None
    if args[:1] == ["--shots"] and len(args) >= 2:
        shots, args = args[1], args[2:]
    if not args:
        sys.stderr.write("usage: browser.py [--shots DIR] PAGE...\n")
        return 2
    pages = [os.path.abspath(a) for a in args]
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        print("chromium is not installed (scripts/deps --test installs it)")
        return 3
    top = os.path.commonpath([os.path.dirname(p) for p in pages])
    if shots:
        os.makedirs(shots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="browser-")
    chrome = None
    found = 0
    cache = {}
    try:
        chrome = Chrome(binary, profile)
        target = chrome.call("Target.createTarget", {"url": "about:blank"},
                             timeout=60)["targetId"]
        session = chrome.call("Target.attachToTarget",
                              {"targetId": target, "flatten": True})[
                                  "sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            chrome.call(domain + ".enable", session=session)
        for path in pages:
            problems = load(chrome, session, path)
            info = probe(chrome, session)
            problems += ["missing image: %s" % s
                         for s in info.get("images", [])]
            for href in info.get("links", []):
                why = dead_link(path, href, cache)
                if why:
                    problems.append("dead link: %s (%s)" % (href, why))
            for p in problems:
                print("PROBLEM: %s: %s" % (os.path.relpath(path, top), p))
            found += len(problems)
            if shots:
                name = os.path.relpath(path, top).replace(os.sep, "-")
                screenshot(chrome, session, info.get("height"),
                           os.path.join(shots, name[:-5] + ".png"
                                        if name.endswith(".html")
                                        else name + ".png"))
    except (OSError, EOFError, TimeoutError, RuntimeError, KeyError) as e:
        print("cannot drive chromium: %s: %s" % (type(e).__name__, e))
        return 3
    finally:
        if chrome:
            chrome.close()
        shutil.rmtree(profile, ignore_errors=True)
    print("%d pages loaded, %d problems" % (len(pages), found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
