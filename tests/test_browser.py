"""The app in a real browser: `streamlit run` + Debian's chromium driven by Playwright.

Needs /usr/bin/chromium and libatomic1 (test.sh installs them as root; elsewhere the test is
skipped with the reason); never downloads a browser. Run with ``pytest -m browser``. Saves a
screenshot to $BROWSER_ARTIFACTS (default: a pytest tmp dir).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser  # conftest skips it, with the reason, where no browser can run
ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout} s")


@pytest.fixture()
def app_url(tmp_path):
    port = free_port()
    log = open(tmp_path / "streamlit.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_server(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def metric_value(page, label_start: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label_start).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def wait_until_changed(page, label_start: str, old: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = metric_value(page, label_start)
        if value != old:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{label_start!r} stayed at {old!r}")


def test_app_in_a_real_browser(app_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    artifacts = Path(os.environ.get("BROWSER_ARTIFACTS", tmp_path))
    artifacts.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        # Chromium keeps a crash-report folder under ~/.config whatever its profile: point it
        # into the test's folder so a test run writes nothing in the user's home.
        env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
               "XDG_CACHE_HOME": str(tmp_path / "cache")}
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, env=env)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1300},
                                    accept_downloads=True)
            # A programme open to every unemployed person (in the Philippine baseline automation
            # removes jobs through hires foregone, so nobody is laid off to train).
            page.goto(f"{app_url}/?levers.reskilling.eligibility=unemployed",
                      wait_until="domcontentloaded")
            # Elements arrive over a websocket: wait for the title, the numbers and a chart.
            page.get_by_role("heading", name=re.compile("AI, automation and jobs")).wait_for(
                timeout=60_000)
            page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
            chart = page.locator(".vega-embed canvas, .vega-embed svg").first
            chart.wait_for(timeout=60_000)
            assert chart.bounding_box()["height"] > 100
            assert metric_value(page, "Programme cost").endswith(" 0")

            # Turn reskilling on, then move the seats slider with the keyboard.
            before = metric_value(page, "In reskilling")
            page.locator('[data-testid="stCheckbox"]').filter(has_text="Enabled").first \
                .locator("label").first.click()
            wait_until_changed(page, "Programme cost", "PHP 0")
            seats_on = metric_value(page, "In reskilling")
            slider = page.get_by_role("slider").first
            slider.focus()
            for _ in range(2):
                page.keyboard.press("ArrowLeft")
            after = wait_until_changed(page, "In reskilling", seats_on)
            assert after != before
            assert metric_value(page, "Programme cost") != "PHP 0"
            page.screenshot(path=str(artifacts / "app.png"), full_page=True)

            # Download a chart's data as CSV.
            page.get_by_role("tab", name="Export").click()
            with page.expect_download(timeout=60_000) as info:
                page.get_by_role("button", name=re.compile("CSV: Jobs removed by automation each"))\
                    .click()
            saved = artifacts / info.value.suggested_filename
            info.value.save_as(saved)
            text = saved.read_text(encoding="utf-8")
            assert text.splitlines()[0].startswith('"date","series","median","low","high"')
            assert len(text.splitlines()) > 100
        finally:
            browser.close()
