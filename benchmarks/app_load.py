"""A workshop's load on one ``streamlit run app.py`` server: many people clicking at once.

Starts the app as a real server, opens N sessions (default 30) in one Debian chromium driven by
Playwright, one browser context each (separate cookies, so separate Streamlit sessions), and:

1. opens every page with its own settings in the link (country cycles through the ten ASEAN
   states, reskilling seats differ per session) and waits for its headline numbers;
2. runs rounds of lever changes: in each round most sessions move the reskilling
   "Duration months" slider with the keyboard (some press twice in quick succession, as people
   do when they drag), a few sit still as bystanders, then waits for every page's result;
3. after every round checks each page against its own settings: the link, the country and
   slider widgets, the currency of the money figures; bystanders must be exactly unchanged;
   no page may show an exception element or an error/warning box (notes are allowed);
4. before the last round one extra session uploads a scenario file with a made-up name; no
   other session may ever show it;
5. finally downloads every page's "CSV: headline" and checks its country column and
   that its medians, formatted as the app formats them, are the numbers the page shows; and
   compares a few pages' numbers with a single-session reference (AppTest in this process,
   its own caches, runs serially without the worker pool).

The server's memory (VmRSS of the server and its worker processes, from /proc) is sampled
throughout; the number of distinct settings run (well above the caches' max_entries) shows
whether memory plateaus. The server log is scanned for tracebacks. The server is always
stopped at the end. Run from the repository root (needs /usr/bin/chromium):

    .venv/bin/python benchmarks/app_load.py [--sessions 30] [--rounds 4] [--reference 6]

Note: the browsers run on the same machine as the server, so page rendering competes with the
simulations for the cores; times to result are upper bounds for a room of separate laptops.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
#: tests/test_browser.py's launch arguments, plus three that stop chromium from slowing down
#: pages that are not in front (every session here is a background window).
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows"]
PRESET = "reskilling_push"
SEATS = "levers.reskilling.seats_per_100k"
DURATION = "levers.reskilling.duration_months"
SECRET = "Secret plan of session"  # the uploaded scenario's name; must stay in its session
SEATS_LABEL = "Seats a month per 100,000 in the labour force"
DURATION_LABEL = "Course length (months)"
#: Known, harmless server-log lines: the spawned worker processes re-import app.py (Streamlit
#: runs the script as __main__), outside a Streamlit runtime.
KNOWN_LOG = ("No runtime found, using MemoryCacheStorageManager",)
LOG_PROBLEM = re.compile(r"Traceback|Exception|\bERROR\b|\bCRITICAL\b|Error:")

# -- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kb(pid: int) -> int:
    """VmRSS of one process in kB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (worker pool, resource tracker), from /proc."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{parent}/task/{tid}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


class Server:
    """``streamlit run app.py`` (or ``python -m webapp.serve``) on a free local port, its log in a
    file."""

    def __init__(self, log_path: Path, env: dict[str, str] | None = None,
                 serve: bool = False) -> None:
        self.log_path = log_path
        self.env = env
        #: through ``python -m webapp.serve`` (as ./start.sh: imports and the default page's
        #: runs before the server answers) instead of ``streamlit run app.py``
        self.serve = serve
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.seen_children: set[int] = set()

    def start(self, timeout: float = 90) -> str:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", *(["webapp.serve"] if self.serve else
                                         ["streamlit", "run", str(ROOT / "app.py")]),
                 "--server.headless", "true", "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **(self.env or {})})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with status {self.proc.returncode}:\n"
                                   + self.log())
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self.url
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"streamlit did not answer at {self.url} within {timeout} s")

    def rss_mb(self) -> tuple[float, float]:
        """(server, its child processes) resident memory in MB."""
        if self.proc is None:
            return 0.0, 0.0
        kids = descendants(self.proc.pid)
        self.seen_children.update(kids)
        return rss_kb(self.proc.pid) / 1024, sum(rss_kb(k) for k in kids) / 1024

    def cpu(self) -> float:
        """CPU seconds used so far by the server and its live worker processes."""
        if self.proc is None:
            return 0.0
        return sum(cpu_seconds(p) for p in [self.proc.pid, *descendants(self.proc.pid)])

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_problems(self) -> tuple[list[str], int]:
        """(lines that look like an error or traceback, count of known harmless lines)."""
        problems, known = [], 0
        for line in self.log().splitlines():
            if any(k in line for k in KNOWN_LOG):
                known += 1
            elif LOG_PROBLEM.search(line):
                problems.append(line)
        return problems, known

    def stop(self) -> list[int]:
        """Stop the server; returns worker processes still alive afterwards (should be none)."""
        if self.proc is None:
            return []
        self.rss_mb()  # note the children while they are there
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        deadline = time.monotonic() + 10
        alive = list(self.seen_children)
        while alive and time.monotonic() < deadline:
            alive = [pid for pid in alive if rss_kb(pid) > 0]
            time.sleep(0.2)
        return alive


class RssSampler(threading.Thread):
    """Samples the server's memory every ``interval`` seconds in the background."""

    def __init__(self, server: Server, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.samples: list[tuple[float, float, float]] = []  # (t, server MB, children MB)
        self.t0 = time.monotonic()
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def sample(self) -> float:
        server, kids = self.server.rss_mb()
        self.samples.append((time.monotonic() - self.t0, server, kids))
        return server + kids

    def split(self) -> tuple[float, float]:
        """A sample now: (server MB, worker processes MB)."""
        self.sample()
        return self.samples[-1][1], self.samples[-1][2]

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)

    def peak(self) -> float:
        return max((s + k for _, s, k in self.samples), default=0.0)


# -- sessions -------------------------------------------------------------------------------------

SNAPSHOT_JS = """() => {
  const q = (root, sel) => Array.from(root.querySelectorAll(sel));
  const text = (el) => el ? el.innerText.trim() : null;
  const metrics = {};
  for (const m of q(document, '[data-testid="stMetric"]')) {
    metrics[text(m.querySelector('[data-testid="stMetricLabel"]'))] = {
      value: text(m.querySelector('[data-testid="stMetricValue"]')),
      delta: text(m.querySelector('[data-testid="stMetricDelta"]'))};
  }
  const reskilling = q(document, '[data-testid="stExpander"]')
      .find(e => (text(e.querySelector('summary')) || '').includes('Reskilling programme'));
  const sliders = {};
  if (reskilling) for (const s of q(reskilling, '[data-testid="stSlider"]')) {
    sliders[text(s.querySelector('[data-testid="stWidgetLabel"]'))] =
      text(s.querySelector('[data-testid="stSliderThumbValue"]'));
  }
  const selects = {};
  for (const s of q(document, '[data-testid="stSelectbox"] input[aria-label]')) {
    selects[s.getAttribute('aria-label')] = s.value;
  }
  return {
    search: location.search,
    running: !!document.querySelector('[data-testid="stStatusWidget"]'),
    stale: q(document, '[data-stale="true"]').length,
    metrics: metrics,
    sliders: sliders,
    selects: selects,
    exceptions: q(document, '[data-testid="stException"]').map(text),
    alerts: q(document, '[data-testid="stAlertContainer"][role="alert"]')
        .map(e => e.textContent.trim()),
    captions: q(document, '[data-testid="stCaptionContainer"]').map(text).join(' | '),
    secret: document.body.textContent.includes('""" + SECRET + """'),
  };
}"""


def query_settings(search: str) -> dict[str, str]:
    return {k: v[-1] for k, v in urllib.parse.parse_qs(search.lstrip("?")).items()}


@dataclass
class Session:
    index: int
    country: str
    seats: float
    duration: int
    context: Any = None
    page: Any = None
    triggered: float = 0.0
    snap: dict[str, Any] = field(default_factory=dict)
    uploaded: bool = False
    default_duration: int = 6
    default_seats: float = 20.0  # the preset's values: a link leaves them out

    def key(self) -> tuple[str, float, int]:
        return (self.country, self.seats, self.duration)

    def link(self, base_url: str) -> str:
        query = {"country": self.country, "scenario": PRESET}
        if self.seats != self.default_seats:
            query[SEATS] = f"{self.seats:g}"
        if self.duration != self.default_duration:
            query[DURATION] = str(self.duration)
        return base_url + "/?" + urllib.parse.urlencode(query)

    def snapshot(self) -> dict[str, Any]:
        self.snap = self.page.evaluate(SNAPSHOT_JS)
        return self.snap

    def link_matches(self, snap: dict[str, Any], default_duration: int) -> bool:
        """The page's link carries this session's settings (the app writes it on each run)."""
        q = query_settings(snap["search"])
        try:
            return (q.get("country") == self.country and q.get("scenario") == PRESET
                    and float(q.get(SEATS, self.default_seats)) == self.seats
                    and int(q.get(DURATION, default_duration)) == self.duration)
        except ValueError:
            return False

    def settled(self, default_duration: int) -> bool:
        snap = self.snapshot()
        return (not snap["running"] and snap["stale"] == 0 and len(snap["metrics"]) == 4
                and self.link_matches(snap, default_duration))


def open_sessions(browser, url: str, sessions: list[Session]) -> None:
    for s in sessions:
        s.context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                        accept_downloads=True)
        s.page = s.context.new_page()
        s.triggered = time.monotonic()
        s.page.goto(s.link(url), wait_until="commit")


def wait_all(sessions: list[Session], default_duration: int, timeout: float
             ) -> tuple[dict[int, float], list[Session]]:
    """Poll every page until it shows the result for its settings; (times, timed out)."""
    times: dict[int, float] = {}
    pending = list(sessions)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for s in list(pending):
            try:
                done = s.settled(default_duration)
            except Exception:  # noqa: BLE001 - a page still loading; try again
                done = False
            if done:
                times[s.index] = time.monotonic() - s.triggered
                pending.remove(s)
        if pending:
            time.sleep(0.1)
    return times, pending


def duration_slider(page):
    box = page.locator('[data-testid="stExpander"]').filter(has_text="Reskilling programme")
    return box.locator('[data-testid="stSlider"]').filter(has_text=DURATION_LABEL) \
        .get_by_role("slider")


def press(s: Session, times: int) -> None:
    slider = duration_slider(s.page)
    slider.focus()
    for _ in range(times):
        s.page.keyboard.press("ArrowRight")
    s.duration += times


def upload_secret(s: Session) -> None:
    """This session uploads a scenario file whose name no other session may see."""
    text = (f'extends = "{PRESET}"\nname = "{SECRET} {s.index}"\n'
            "[levers.reskilling]\nseats_per_100k = 77.0\n").encode()
    s.page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "secret.toml", "mimeType": "application/toml", "buffer": text}])
    s.page.get_by_text(f"Loaded: {SECRET} {s.index}").wait_for(
        state="attached", timeout=60_000)  # in the collapsed expander
    s.uploaded = True


# -- checks ---------------------------------------------------------------------------------------


def check_page(s: Session, currency: str, default_duration: int) -> list[str]:
    """Everything that must hold on one page for its own settings."""
    snap, problems = s.snap, []
    if snap["exceptions"]:
        problems.append(f"exception element: {snap['exceptions'][0][:200]}")
    alerts = [a for a in snap["alerts"] if not (s.uploaded and a.startswith("Loaded: "))]
    if alerts:
        problems.append(f"error/warning box: {alerts[0][:200]}")
    if s.uploaded:  # its settings are now the uploaded file's; it alone shows the secret
        if not snap["secret"]:
            problems.append("the uploader does not show its own uploaded scenario")
        return problems
    if not s.link_matches(snap, default_duration):
        problems.append(f"link {snap['search']} is not its settings {s.key()}")
    if not (snap["selects"].get("Country") or "").endswith(f" · {s.country}"):
        problems.append(f"country widget shows {snap['selects'].get('Country')!r}, "
                        f"not {s.country}")
    sliders = snap["sliders"]
    if sliders.get(SEATS_LABEL) != f"{s.seats:g}":
        problems.append(f"seats slider shows {sliders.get(SEATS_LABEL)}, not {s.seats:g}")
    if sliders.get(DURATION_LABEL) != str(s.duration):
        problems.append(f"duration slider shows {sliders.get(DURATION_LABEL)}, "
                        f"not {s.duration}")
    if f"money in {currency}" not in snap["captions"]:
        problems.append(f"caption does not say money in {currency}")
    if snap["secret"] and not s.uploaded:
        problems.append("shows another session's uploaded scenario")
    return problems


def page_numbers(snap: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {label: (m["value"], m["delta"]) for label, m in snap["metrics"].items()}


#: headline CSV metric and year -> the key number the page shows for it
CSV_TO_METRIC = {
    ("automation_cut_cumulative", 2035): "Jobs removed by automation, by 2035",
    ("displaced_workers", 2035): "People laid off, by 2035",
    ("unemployment_rate", 2035): "Unemployment rate, 2035",
}


def shown_as(metric: str, median: float) -> str:
    """A headline median as the page shows it (English)."""
    from webapp.i18n import num, pct, use

    use("en")
    return pct(median) if metric == "unemployment_rate" else num(median)


def check_headline_csv(s: Session, currency: str) -> list[str]:
    """Download the page's headline CSV; it must be this page's country and numbers."""
    page = s.page
    section(page, "Export")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=re.compile("^CSV: headline$")).click()
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    table = "\n".join(line for line in text.splitlines() if not line.startswith("#,"))
    rows = list(csv.DictReader(io.StringIO(table)))
    problems = []
    if not download.suggested_filename.startswith(f"{s.country}_"):
        problems.append(f"CSV file name {download.suggested_filename} is not {s.country}")
    countries = {r["country"] for r in rows}
    if countries != {s.country}:
        problems.append(f"CSV countries {sorted(countries)} are not {s.country}")
    shown = page_numbers(s.snapshot())
    for r in rows:
        label = CSV_TO_METRIC.get((r["metric"], int(r["year"])))
        if label is None:
            continue
        expect = shown_as(r["metric"], float(r["median"]))
        if shown.get(label, ("",))[0] != expect:
            problems.append(f"CSV {r['metric']} {r['year']} = {expect}, page shows "
                            f"{shown.get(label, ('missing',))[0]}")
    section(page, "Labour market")
    return problems


def section(page: Any, name: str) -> None:
    """Show one of the sections under the main charts."""
    page.locator('[data-testid="stButtonGroup"] button').filter(
        has_text=re.compile(f"^{re.escape(name)}$")).first.click()
    page.wait_for_timeout(500)


def reference_numbers(settings: list[tuple[str, float, int]], default_duration: int
                      ) -> dict[tuple[str, float, int], dict[str, tuple[str, str | None]]]:
    """The same settings in a single AppTest session in this process: own caches, runs
    serially in one process (no worker pool): an independent path to the same numbers."""
    from streamlit.testing.v1 import AppTest

    saved = os.environ.get("SIM_APP_WORKERS")
    os.environ["SIM_APP_WORKERS"] = "1"  # this process only; the server has its own
    try:
        return {key: reference_one(AppTest, key, default_duration) for key in settings}
    finally:
        if saved is None:
            os.environ.pop("SIM_APP_WORKERS", None)
        else:
            os.environ["SIM_APP_WORKERS"] = saved


def reference_one(apptest: Any, key: tuple[str, float, int], default_duration: int
                  ) -> dict[str, tuple[str, str | None]]:
    country, seats, duration = key
    at = apptest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["country"] = country
    at.query_params["scenario"] = PRESET
    at.query_params[SEATS] = f"{seats:g}"
    if duration != default_duration:
        at.query_params[DURATION] = str(duration)
    at.run()
    if at.exception:
        raise RuntimeError(f"reference run failed: {at.exception}")
    return {m.label: (m.value, m.delta or None) for m in at.metric}


# -- the whole exercise ---------------------------------------------------------------------------


@dataclass
class Outcome:
    sessions: int = 0
    held: int = 0
    changes: int = 0
    distinct: set = field(default_factory=set)
    cold_start: float = float("nan")
    alone_times: list[float] = field(default_factory=list)
    load_times: list[float] = field(default_factory=list)
    change_times: list[float] = field(default_factory=list)
    timeouts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)       # exceptions, error boxes, log lines
    mismatches: list[str] = field(default_factory=list)   # a page not showing its own settings
    reference_checked: int = 0
    twins_checked: int = 0
    crowd_wall: float = 0.0
    crowd_cpu: float = 0.0
    csv_checked: int = 0
    rss_start: float = 0.0
    rss_peak: float = 0.0
    rss_end: float = 0.0
    rss_rounds: list[tuple[str, int, float, float]] = field(default_factory=list)
    log_known: int = 0
    leftover_processes: list[int] = field(default_factory=list)
    cache_limits: dict[str, Any] = field(default_factory=dict)
    wall: float = 0.0


def cache_limits() -> dict[str, Any]:
    from webapp import compute

    limits = {}
    for name in ("run_cached", "summarise"):
        info = getattr(compute, name)._info
        size = "" if info.max_size_bytes is None else f" / {info.max_size_bytes / 2**20:.0f} MiB"
        limits[name] = f"{info.max_entries} entries{size}"
    return limits


def run_load(n_sessions: int = 30, rounds: int = 4, reference: int = 6,
             timeout: float = 300, log_dir: Path | None = None, verbose: bool = True
             ) -> Outcome:
    from playwright.sync_api import sync_playwright

    from sim.data import load_data
    from sim.scenarios import load_scenario

    say = print if verbose else (lambda *a, **k: None)
    started = time.monotonic()
    tables = load_data()
    countries = list(tables.iso3_codes)
    currency = {c: tables.country(c).currency for c in countries}
    preset = load_scenario(PRESET).levers.reskilling
    default_duration = preset.duration_months
    defaults = {"default_duration": default_duration, "default_seats": preset.seats_per_100k}
    out = Outcome(sessions=n_sessions, cache_limits=cache_limits())
    # Session i: country cycles, seats differ per session -> every link is distinct.
    sessions = [Session(i, countries[i % len(countries)], float(11 + i), default_duration,
                        **defaults) for i in range(n_sessions)]
    # The lone session (later the uploader); the last session of the crowd opens a link with
    # the lone session's settings after its three changes: two sessions, same numbers.
    uploader = Session(n_sessions, countries[0], 10.0, default_duration, **defaults)
    twin = sessions[-1]
    twin.country, twin.seats, twin.duration = uploader.country, 10.0, default_duration + 3
    log_dir = Path(log_dir or tempfile.mkdtemp(prefix="app_load_"))
    server = Server(log_dir / "app_load_server.log")
    sampler = None
    try:
        url = server.start()
        sampler = RssSampler(server)
        sampler.start()
        time.sleep(1.0)
        out.rss_start = sampler.sample()
        say(f"server log: {server.log_path}")
        say(f"server up at {url}, RSS {out.rss_start:.0f} MB; opening {n_sessions} sessions")
        with sync_playwright() as pw:
            # Chromium keeps a crash-report folder under ~/.config whatever its profile: point
            # it into the log folder so a run writes nothing in the user's home.
            env = {**os.environ, "XDG_CONFIG_HOME": str(log_dir / "browser-config"),
                   "XDG_CACHE_HOME": str(log_dir / "browser-cache")}
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True,
                                         env=env)
            try:
                # One session alone first: a cold server, then a few changes with no crowd.
                open_sessions(browser, url, [uploader])
                times, late = wait_all([uploader], default_duration, timeout)
                out.cold_start = times.get(uploader.index, float("nan"))
                for _ in range(3):
                    uploader.triggered = time.monotonic()
                    press(uploader, 1)
                    times, late = wait_all([uploader], default_duration, timeout)
                    out.alone_times += list(times.values())
                    out.timeouts += ["lone session: no result" for _ in late]
                out.distinct.add(uploader.key())
                verify([uploader], currency, default_duration, out)
                say(f"  one session alone: first result {out.cold_start:.1f} s (cold server), "
                    f"after a change {statistics.median(out.alone_times):.1f} s")
                everyone = sessions + [uploader]
                crowd_started, cpu_before = time.monotonic(), server.cpu()
                open_sessions(browser, url, sessions)
                times, late = wait_all(sessions, default_duration, timeout)
                out.load_times = list(times.values())
                out.timeouts += [f"session {s.index}: no first result" for s in late]
                out.distinct.update(s.key() for s in everyone)
                verify(everyone, currency, default_duration, out)
                out.rss_rounds.append(("pages open", len(out.distinct), *sampler.split()))
                say(f"  opened: {len(times)}/{len(sessions)} showed results, median "
                    f"{statistics.median(times.values()) if times else float('nan'):.1f} s; "
                    f"RSS {sum(out.rss_rounds[-1][2:]):.0f} MB")
                for r in range(rounds):
                    if r == rounds - 1:
                        upload_secret(uploader)
                    before = {s.index: page_numbers(s.snap) for s in sessions}
                    moving, still = [], []
                    for s in sessions:
                        if (s.index + r) % 6 == 0:
                            still.append(s)  # a bystander this round
                            continue
                        s.triggered = time.monotonic()
                        n = 2 if (s.index + r) % 7 == 3 else 1  # a quick double move
                        press(s, n)
                        out.changes += n
                        moving.append(s)
                    times, late = wait_all(moving, default_duration, timeout)
                    out.change_times += list(times.values())
                    out.timeouts += [f"round {r + 1} session {s.index}: no result"
                                     for s in late]
                    out.distinct.update(s.key() for s in moving)
                    for s in still:  # bystanders: nothing written into them by others
                        s.snapshot()
                        if page_numbers(s.snap) != before[s.index]:
                            out.mismatches.append(f"round {r + 1}: bystander session "
                                                  f"{s.index} changed without a click")
                    verify(everyone, currency, default_duration, out)
                    out.rss_rounds.append((f"round {r + 1}", len(out.distinct),
                                           *sampler.split()))
                    say(f"  round {r + 1}: {len(moving)} sessions changed, median "
                        f"{statistics.median(times.values()) if times else float('nan'):.1f}"
                        f" s, max {max(times.values(), default=float('nan')):.1f} s; "
                        f"{len(out.distinct)} distinct settings; "
                        f"RSS {sum(out.rss_rounds[-1][2:]):.0f} MB")
                out.crowd_wall = time.monotonic() - crowd_started
                out.crowd_cpu = server.cpu() - cpu_before
                out.held = sum(1 for s in sessions if len(s.snapshot()["metrics"]) == 4)
                for s in sessions:
                    out.mismatches += [f"session {s.index} {s.key()}: {p}"
                                       for p in check_headline_csv(s, currency[s.country])]
                    out.csv_checked += 1
                say(f"  headline CSVs checked: {out.csv_checked}")
                picked = {s.key(): s for s in sessions[:reference]}
            finally:
                browser.close()
        # The single-session reference, with the server idle.
        refs = reference_numbers(list(picked), default_duration)
        for key, s in picked.items():
            shown = page_numbers(s.snap)
            if shown != refs[key]:
                diff = {k: (shown.get(k), v) for k, v in refs[key].items() if shown.get(k) != v}
                out.mismatches.append(f"session {s.index} {key}: page vs reference {diff}")
            out.reference_checked += 1
        time.sleep(3.0)
        out.rss_end = sampler.sample()
    finally:
        try:
            if sampler is not None:
                sampler.stop()
                out.rss_peak = sampler.peak()
        finally:
            out.leftover_processes = server.stop()
    problems, out.log_known = server.log_problems()
    out.errors += [f"server log: {line}" for line in problems]
    out.wall = time.monotonic() - started
    return out


def verify(sessions: list[Session], currency: dict[str, str], default_duration: int,
           out: Outcome) -> None:
    for s in sessions:
        try:
            s.snapshot()
        except Exception as exc:  # noqa: BLE001
            out.errors.append(f"session {s.index}: page unreadable ({exc})")
            continue
        for p in check_page(s, currency[s.country], default_duration):
            bucket = out.errors if p.startswith(("exception", "error/")) else out.mismatches
            bucket.append(f"session {s.index} {s.key()}: {p}")
    seen: dict[tuple, tuple[int, dict]] = {}
    for s in sessions:  # the same settings in two sessions: the same numbers
        if s.uploaded or not s.snap:
            continue
        numbers = page_numbers(s.snap)
        first = seen.setdefault(s.key(), (s.index, numbers))
        out.twins_checked += first[0] != s.index
        if first[1] != numbers:
            out.mismatches.append(f"sessions {first[0]} and {s.index}, same settings "
                                  f"{s.key()}, show different numbers")


def summary(out: Outcome) -> str:
    def q(values: list[float]) -> str:
        if not values:
            return "n/a"
        return f"median {statistics.median(values):.1f} s, max {max(values):.1f} s"

    rows = [
        ("sessions held at the end (one server)", f"{out.held} of {out.sessions} "
         "(+1 uploader)"),
        ("lever changes made", str(out.changes)),
        ("distinct settings run", str(len(out.distinct))),
        ("one session alone: first result (cold server)", f"{out.cold_start:.1f} s"),
        ("one session alone: time to result after a change", q(out.alone_times)),
        ("first result after opening the link (all at once)", q(out.load_times)),
        ("time to result after a change (all at once)", q(out.change_times)),
        ("server + workers CPU while the crowd clicked",
         f"{out.crowd_cpu:.0f} s in {out.crowd_wall:.0f} s wall ({os.cpu_count()} cores "
         "shared with the browsers)"),
        ("server RSS start / peak / end (MB)",
         f"{out.rss_start:.0f} / {out.rss_peak:.0f} / {out.rss_end:.0f} "
         "(server + worker processes)"),
        ("cache limits (shared by all sessions)",
         ", ".join(f"{k} {v}" for k, v in out.cache_limits.items())),
        ("errors / tracebacks (pages, server log)", str(len(out.errors))),
        ("results that never arrived", str(len(out.timeouts))),
        ("cross-session mismatches", str(len(out.mismatches))),
        ("pages compared with a single-session reference", str(out.reference_checked)),
        ("headline CSVs checked against their page", str(out.csv_checked)),
        ("pages checked against another with the same settings", str(out.twins_checked)),
        ("worker processes left after stopping", str(len(out.leftover_processes))),
        ("wall time", f"{out.wall:.0f} s"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    lines.append("")
    lines.append("memory as distinct settings accumulate (MB):")
    lines.append(f"  {'after':<12} {'distinct':>8}  {'server':>7}  {'workers':>7}  {'total':>7}")
    lines += [f"  {label:<12} {n:>8}  {srv:7.0f}  {kids:7.0f}  {srv + kids:7.0f}"
              for label, n, srv, kids in out.rss_rounds]
    lines.append(f"  {'closed, idle':<12} {'':>8}  {'':>7}  {'':>7}  {out.rss_end:7.0f}")
    if out.log_known:
        lines.append(f"({out.log_known} known harmless log lines: {KNOWN_LOG[0]!r})")
    for title, items in (("errors", out.errors), ("never arrived", out.timeouts),
                         ("mismatches", out.mismatches)):
        for item in items[:10]:
            lines.append(f"{title}: {item}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=4, help="rounds of lever changes")
    parser.add_argument("--reference", type=int, default=6,
                        help="pages compared with a single-session AppTest reference")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds to wait for all pages in one round")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} is missing (apt-get install chromium)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}")
    out = run_load(args.sessions, args.rounds, args.reference, timeout=args.timeout)
    print()
    print(summary(out))
    bad = out.errors or out.timeouts or out.mismatches or out.leftover_processes
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
