"""The app in a real browser: `streamlit run` (or ./start.sh's launcher, `python -m webapp.serve`) +
Debian's chromium driven by Playwright.

Needs /usr/bin/chromium and libatomic1 (test.sh installs them as root, with fonts-noto-core for
Thai and Vietnamese; elsewhere the test is skipped with the reason); never downloads a browser.
Run with ``pytest -m browser``. Screenshots go to $BROWSER_ARTIFACTS (default: a pytest tmp dir).

What a room would notice is checked the way it would notice it: every chart draws marks (in the
app and in the downloaded brief), no axis reads "NaN", the story and a chart fit a 1280x720
projector, the files download and open, and Ctrl+C stops the server without tracebacks.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser  # conftest skips it, with the reason, where no browser can run
ROOT = Path(__file__).resolve().parent.parent


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


browser_kit = load("app_browser")


@pytest.fixture()
def server(tmp_path):
    running = browser_kit.Server(tmp_path / "streamlit.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture()
def served(tmp_path):
    """The server as ./start.sh starts it: ``python -m webapp.serve``, its run store in tmp."""
    running = browser_kit.Server(
        tmp_path / "serve.log", {"SIM_APP_STORE": str(tmp_path / "store")}, serve=True
    )
    running.start(timeout=180)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture()
def artifacts(tmp_path) -> Path:
    folder = Path(os.environ.get("BROWSER_ARTIFACTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def drawn_charts(page) -> list[dict]:
    """Every chart on the page; each must draw data marks and no NaN axis label."""
    found = page.evaluate(browser_kit.CHARTS_JS)
    for chart in found:
        assert chart["svg"] and chart["marks"] > 0, chart
        assert chart["width"] > 200, chart
        assert "NaN" not in chart["texts"], chart
        assert chart["svgWidth"] <= chart["room"] + 1, chart  # nothing cut off at the right
    return found


def show_section(page, name: str) -> None:
    """Click a section's button under the main charts and wait for the page to settle."""
    page.locator('[data-testid="stButtonGroup"] button').filter(
        has_text=re.compile(f"^{re.escape(name)}$")).first.click()
    page.wait_for_timeout(300)
    browser_kit.wait_settled(page, timeout=240)


#: The regional section has drawn: country names in its charts (dots' labels, panels' headers).
REGION_DRAWN = """() => Array.from(document.querySelectorAll('.vega-embed svg text'))
    .filter(t => t.textContent === 'Singapore').length >= 2"""


def metric_value(page, label_start: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label_start).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def bottom(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


def test_the_app_in_a_real_browser(server, artifacts, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = browser_kit.launch(pw, tmp_path)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720},
                                    accept_downloads=True)
            # A programme open to every unemployed person (in the Philippine baseline automation
            # removes jobs through hires foregone, so nobody is laid off to train).
            page.goto(f"{server.url}/?levers.reskilling.eligibility=unemployed")
            state = browser_kit.wait_settled(page, timeout=240)
            assert not state["errors"], state["errors"]
            page.screenshot(path=str(artifacts / "projector.png"))

            # The projector: the story, the key numbers and the main charts above the fold.
            assert page.locator("h2.story-heading").inner_text().startswith("Philippines · ")
            assert bottom(page, "p.story") < 720
            assert bottom(page, '[data-testid="stMetric"]') < 720
            assert bottom(page, ".vega-embed") <= 720
            assert len(drawn_charts(page)) >= 4

            # Turn reskilling on: the paired effect appears; then move the seats slider.
            before = state["metrics"]
            page.locator('[data-testid="stCheckbox"]').filter(
                has_text="Reskilling programme on").locator("label").first.click()
            state = browser_kit.wait_settled(page, timeout=240, changed=before)
            assert any(label.startswith("Extra people in work") for label in state["metrics"])
            seats = page.locator('[data-testid="stSlider"]').filter(
                has_text="Seats a month").get_by_role("slider")
            seats.focus()
            page.keyboard.press("ArrowRight")
            state = browser_kit.wait_settled(page, timeout=240, changed=state["metrics"])
            assert "seats_per_100k=50" in state["search"]

            # Every section draws every chart it shows (the sectors all named).
            for section in ("Automation's cut", "Laid-off people", "Policy effect", "Sectors",
                            "ASEAN side by side", "Labour market"):
                show_section(page, section)
                if section == "ASEAN side by side":  # twenty runs: wait for its charts
                    page.wait_for_function(REGION_DRAWN, timeout=240_000)
                    browser_kit.wait_settled(page, timeout=240)
                charts = drawn_charts(page)
                if section == "ASEAN side by side":  # the ten countries, each drawn
                    names = " ".join(" ".join(c["texts"]) for c in charts)
                    for country in ("Singapore", "Myanmar", "Viet Nam", "Indonesia"):
                        assert names.count(country) >= 2, (country, names[:400])
                if section == "Sectors":
                    names = " ".join(" ".join(c["texts"]) for c in charts)
                    for sector in ("Agriculture, forestry & fishing", "Other services",
                                   "BPO & business services", "Wholesale & retail trade"):
                        assert sector in names, (sector, names[:400])
            page.set_viewport_size({"width": 1440, "height": 2400})
            page.screenshot(path=str(artifacts / "app.png"), full_page=True)

            # Files: a CSV with its BOM and provenance, the Excel workbook, the brief.
            show_section(page, "Export")
            with page.expect_download(timeout=120_000) as info:
                page.get_by_role("button", name=re.compile("^CSV: headline$")).click()
            data = Path(info.value.path()).read_bytes()
            assert data.startswith(b"\xef\xbb\xbf")
            text = data.decode("utf-8-sig")
            assert text.startswith("#,") and '"base_seed","20260101"' in text
            import pandas as pd

            table = pd.read_csv(io.StringIO(text), comment="#")
            assert {"indicator", "median", "low", "high"} <= set(table.columns)

            with page.expect_download(timeout=180_000) as info:
                page.get_by_role("button", name=re.compile(r"Excel workbook")).click()
            import openpyxl

            assert info.value.suggested_filename.endswith(".xlsx")
            book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
            assert "provenance" in book.sheetnames and "headline" in book.sheetnames

            with page.expect_download(timeout=180_000) as info:
                page.get_by_role("button", name=re.compile("HTML brief")).click()
            brief = artifacts / "brief.html"
            info.value.save_as(brief)
            check_brief(browser, brief, artifacts)
        finally:
            browser.close()


def check_brief(browser, path: Path, artifacts: Path) -> None:
    """The brief, opened offline: the page's story first, every chart drawn at full width."""
    html = path.read_text(encoding="utf-8")
    assert "<script src=" not in html.replace(" ", "")
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
        "file:") else route.continue_())  # offline: nothing may load from the network
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelectorAll('.vega-embed svg').length >= "
                           "document.querySelectorAll('figure.chart').length", timeout=60_000)
    page.wait_for_timeout(500)
    assert page.locator("p.summary").inner_text().startswith("By the end of")
    charts = drawn_charts(page)
    assert len(charts) == page.locator("figure.chart").count() >= 4
    for chart in charts:
        assert chart["width"] > 600, chart  # the page's width, not collapsed
    page.screenshot(path=str(artifacts / "brief.png"))
    page.close()


def thai_font() -> bool:
    found = subprocess.run(["fc-list", ":lang=th"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def test_a_thai_page_and_ctrl_c(served, artifacts, tmp_path):
    """Through ./start.sh's launcher: the default page is in the run store before the first
    visitor; the page in Thai (Debian's Noto fonts draw it; look at thai.png), then Ctrl+C: the
    server and its worker processes stop without a traceback."""
    server = served
    if not thai_font():
        pytest.skip("no Thai font (apt-get install fonts-noto-core; test.sh does it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    assert "webapp.serve: ran the default page's 1 run(s)" in server.log()
    assert len(list((tmp_path / "store").glob("*.pickle"))) == 1
    with sync_api.sync_playwright() as pw:
        browser = browser_kit.launch(pw, tmp_path)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(server.url)  # the default page, drawn from the store
            state = browser_kit.wait_settled(page, timeout=60)
            assert state["metrics"], state
            drawn_charts(page)
            page.goto(f"{server.url}/?country=THA&scenario=fast_genai")
            state = browser_kit.wait_settled(page, timeout=240)
            # The room switches to Thai: the scenario and country stay, the link carries it.
            language = page.locator('[data-testid="stSelectbox"]').filter(
                has_text="Language").locator("input")
            language.click()
            language.fill("ไทย")
            page.keyboard.press("Enter")
            state = browser_kit.wait_settled(page, timeout=240, changed=state["metrics"])
            assert "lang=th" in state["search"] and "scenario=fast_genai" in state["search"]
            heading = page.locator("h2.story-heading").inner_text()
            assert heading == "ไทย · การใช้ Generative AI อย่างรวดเร็ว", heading
            assert re.search(r"[\u0E00-\u0E7F]", page.locator("p.story").inner_text())
            drawn_charts(page)
            page.screenshot(path=str(artifacts / "thai.png"))
            # Fast adoption in Thailand lays people off: who they are, by sector and sex, fits.
            show_section(page, "ผู้ถูกเลิกจ้าง")
            assert len(drawn_charts(page)) >= 5
            page.set_viewport_size({"width": 1280, "height": 2000})
            page.screenshot(path=str(artifacts / "thai_laid_off.png"), full_page=True)
        finally:
            browser.close()
    assert server.proc is not None
    workers = browser_kit.descendants(server.proc.pid)
    assert workers, "the page ran on the worker processes"
    server.proc.send_signal(signal.SIGINT)  # as Ctrl+C in the terminal: the whole group
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 30
    while server.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.proc.poll() is not None, "Ctrl+C did not stop the server"
    time.sleep(1.0)
    log = server.log()
    assert "Traceback" not in log, log[-3000:]
    # Nothing alarming in the facilitator's terminal: neither the launcher's imports nor the
    # worker processes (which must not import the page) warn about Streamlit's caches.
    assert "No runtime found" not in log, log[-3000:]
