"""A real browser on the app: start ``streamlit run app.py``, drive Debian's chromium, and know
when a page has settled (no script running, nothing stale, every chart drawn).

Shared by benchmarks/app_speed.py (timings) and the browser tests (tests/test_browser.py), so
both judge a page the same way. Needs /usr/bin/chromium and Playwright's Python package (never
``playwright install``).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_load import ARGS, CHROMIUM, Server, descendants  # noqa: E402

__all__ = ["ARGS", "CHARTS_JS", "CHROMIUM", "STATE_JS", "Server", "descendants", "launch",
           "wait_settled"]

#: Every Vega chart on the page (or in a brief): its size, its data marks and its texts.
#: A data mark is a line, area, bar or point drawn by the chart's data (Vega gives each a
#: ``role-mark`` group); rules (zero lines, bands' whiskers) do not count as drawing data.
CHARTS_JS = """() => Array.from(document.querySelectorAll('.vega-embed')).map(el => {
  const svg = el.querySelector('svg');
  const box = el.getBoundingClientRect();
  const marks = svg ? Array.from(svg.querySelectorAll(
      'g.role-mark.mark-line > path, g.role-mark.mark-area > path, ' +
      'g.role-mark.mark-rect > path, g.role-mark.mark-symbol > path'))
      .filter(p => (p.getAttribute('d') || '').length > 4) : [];
  const title = svg ? Array.from(svg.querySelectorAll('g.role-title-text text'))
      .map(t => t.textContent).join(' ') : '';
  const texts = svg ? Array.from(svg.querySelectorAll('text')).map(t => t.textContent) : [];
  const room = el.parentElement.getBoundingClientRect().width;
  return {title: title, width: box.width, height: box.height, svg: !!svg, room: room,
          svgWidth: svg ? svg.getBoundingClientRect().width : 0,
          marks: marks.length, texts: texts,
          legend: svg ? Array.from(svg.querySelectorAll('g.role-legend-label text'))
              .map(t => t.textContent) : []};
})"""

#: The page's state: is a script running, are elements stale, the key numbers, the charts.
STATE_JS = """() => {
  const q = (sel) => Array.from(document.querySelectorAll(sel));
  const metrics = {};
  for (const m of q('[data-testid="stMetric"]')) {
    const label = m.querySelector('[data-testid="stMetricLabel"]');
    const value = m.querySelector('[data-testid="stMetricValue"]');
    if (label && value) metrics[label.innerText.trim()] = value.innerText.trim();
  }
  return {
    running: !!document.querySelector('[data-testid="stStatusWidget"]'),
    stale: q('[data-stale="true"]').length,
    metrics: metrics,
    charts: q('.vega-embed').length,
    drawn: q('.vega-embed').filter(el => el.querySelector('svg g.role-mark')).length,
    exceptions: q('[data-testid="stException"]').map(e => e.innerText.slice(0, 300)),
    errors: q('[data-testid="stAlertContentError"]').map(e => e.innerText.slice(0, 300)),
    search: location.search,
  };
}"""


def launch(pw: Any, config_dir: Path) -> Any:
    """Debian's chromium, headless; its profile and caches in ``config_dir``."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_dir / "config"),
           "XDG_CACHE_HOME": str(config_dir / "cache")}
    return pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, env=env)


def wait_settled(page: Any, timeout: float = 180, changed: dict[str, str] | None = None,
                 poll: float = 0.02) -> dict[str, Any]:
    """Poll until the page has settled: key numbers shown (different from ``changed`` when
    given), no script running, nothing stale, every chart drawn. Returns the last state.

    Raises:
        TimeoutError: not settled within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            state = page.evaluate(STATE_JS)
        except Exception:  # noqa: BLE001 - the page is still loading
            time.sleep(poll)
            continue
        ready = (state["metrics"] and not state["running"] and state["stale"] == 0
                 and state["charts"] > 0 and state["drawn"] == state["charts"])
        if ready and (changed is None or state["metrics"] != changed):
            return state
        if state.get("exceptions"):
            raise RuntimeError(f"the page shows an exception: {state['exceptions'][0]}")
        time.sleep(poll)
    raise TimeoutError(f"the page did not settle within {timeout} s: {state}")
