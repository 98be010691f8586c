"""What the app hands to people: safe CSV exports, a self-contained HTML brief, cost figures.

Pure helpers the Streamlit app (``app.py``) calls, kept here so they can be tested without a
browser and reused from notebooks: ``safe_csv`` neutralises spreadsheet formula injection,
``html_brief`` builds one offline HTML page (charts as Vega-Lite JSON with the Vega, Vega-Lite
and vega-embed JavaScript inlined from ``vl-convert-python``), ``cost_per_reemployed`` turns a
policy and a no-policy run into a cost per extra worker back in work, honest about when that
figure is undefined. ``simulate_replication`` is the process-pool entry point the app uses to
spread replications over the machine's cores; it calls the runner's own ``simulate``.
This module never imports streamlit.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.io import safe_csv, write_table  # noqa: F401  (re-exported)

# -- summaries for charts ----------------------------------------------------------------------

def series_band(values: np.ndarray, dates: Sequence[str], series: str,
                band: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
    """Median and band over replications of a [replication, month] array, one row a month."""
    low, mid, high = np.quantile(np.asarray(values, dtype=float), [band[0], 0.5, band[1]],
                                 axis=0)
    return pd.DataFrame({"date": list(dates), "series": series, "median": mid, "low": low,
                         "high": high})


def breakdown_band(breakdown: pd.DataFrame, metrics: Mapping[str, str],
                   sectors: Iterable[str] | None = None,
                   band: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
    """Median and band over replications by sector x sex, summed over skill bands.

    ``breakdown`` is ``Results.breakdown(months=[m])`` for one country and month; ``metrics``
    maps its metric names to the labels to show.
    """
    table = breakdown[breakdown["metric"].isin(list(metrics))]
    if sectors is not None:
        table = table[table["sector"].isin(list(sectors))]
    per_rep = table.groupby(["metric", "sector", "sex", "replication"], sort=False)["value"].sum()
    grouped = per_rep.groupby(level=["metric", "sector", "sex"], sort=False)
    out = pd.DataFrame({"median": grouped.median(), "low": grouped.quantile(band[0]),
                        "high": grouped.quantile(band[1])}).reset_index()
    out["measure"] = out["metric"].map(dict(metrics))
    return out


# -- cost effectiveness ------------------------------------------------------------------------

@dataclass(frozen=True)
class CostPerWorker:
    """Programme cost per extra worker re-employed compared with no policy."""

    median: float | None
    low: float | None
    high: float | None
    note: str  # why a figure is missing or what the band means; "" when all is defined


def cost_per_reemployed(cost: np.ndarray, policy_reemployed: np.ndarray,
                        baseline_reemployed: np.ndarray,
                        band: tuple[float, float] = (0.05, 0.95)) -> CostPerWorker:
    """Cost per extra re-employed worker, paired by replication (same seeds).

    Args:
        cost: programme cost to date in each replication (local currency).
        policy_reemployed, baseline_reemployed: workers back in work in each replication of the
            policy and the no-policy run.

    The ratio is undefined when the programme costs nothing or does not put more people back
    in work than no policy (a trainee is locked in while training, so early on a programme can
    re-employ fewer people than doing nothing). Then ``median`` is None and ``note`` says why.
    When the median gain is positive but some replications gain nothing, the band's upper end
    is unbounded (None).
    """
    cost = np.asarray(cost, dtype=float)
    extra = np.asarray(policy_reemployed, dtype=float) - np.asarray(baseline_reemployed, float)
    mid_cost, mid_extra = float(np.median(cost)), float(np.median(extra))
    if mid_cost <= 0:
        return CostPerWorker(None, None, None, "no programme cost: no policy lever is on")
    if mid_extra <= 0:
        return CostPerWorker(None, None, None,
                             f"the programme re-employs no more workers than no policy "
                             f"(median difference {mid_extra:+,.0f}), so a cost per worker is "
                             "undefined")
    ratio = float(mid_cost / mid_extra)
    if np.all(extra > 0):
        per_rep = cost / extra
        return CostPerWorker(ratio, float(np.quantile(per_rep, band[0])),
                             float(np.quantile(per_rep, band[1])), "")
    low = float(np.quantile(cost[extra > 0] / extra[extra > 0], band[0]))
    return CostPerWorker(ratio, low, None,
                         "upper end unbounded: in some replications the programme re-employed "
                         "no more workers than no policy")


# -- HTML brief --------------------------------------------------------------------------------

def _js_bundle(specs: Iterable[Mapping[str, Any]]) -> str | None:
    """Vega + Vega-Lite + vega-embed as one inline script, or None without vl-convert."""
    try:
        import vl_convert as vlc
    except ImportError:
        return None
    version = None
    for spec in specs:
        found = re.search(r"/v(\d+)\.(\d+)", str(spec.get("$schema", "")))
        if found and f"{found[1]}.{found[2]}" in vlc.get_vegalite_versions():
            version = f"{found[1]}.{found[2]}"
        break
    bundle = vlc.javascript_bundle(vl_version=version)
    return bundle.replace("</script", "<\\/script")


def _script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element (no '<', '>' or '&' left raw)."""
    text = json.dumps(value, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _table(df: pd.DataFrame, max_rows: int = 2000) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for record in df.head(max_rows).itertuples(index=False):
        cells = []
        for value in record:
            if isinstance(value, float):
                shown = "" if np.isnan(value) else f"{value:,.6g}"
            else:
                shown = str(value)
            cells.append(f"<td>{html.escape(shown)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (f"<p class='note'>{len(df) - max_rows:,} more rows in the CSV export.</p>"
            if len(df) > max_rows else "")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.8em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}.note{color:#555;font-size:.9em}.chart{margin:1em 0}
.headline td:nth-child(2){font-weight:600;font-size:1.1em}
"""


def html_brief(
    *,
    title: str,
    scenario_name: str,
    description: str,
    country: str,
    headline: pd.DataFrame,
    charts: Sequence[tuple[str, Mapping[str, Any]]],
    parameters: pd.DataFrame,
    sources: pd.DataFrame,
    provenance: Mapping[str, Any],
    notes: Sequence[str] = (),
) -> str:
    """One self-contained HTML page describing a scenario run, readable offline.

    Args:
        title: page heading.
        scenario_name, description, country: what was run (user text: escaped here).
        headline: table of headline numbers (already formatted or numeric).
        charts: (caption, Vega-Lite spec with inline data) pairs.
        parameters: the scenario's parameters with units and references.
        sources: the country's data sources (``sim.data.sources_table``).
        provenance: seed, replications, scale, code version, data hashes ...
        notes: extra plain-text remarks (e.g. how the scale was chosen).

    Every string from the caller is escaped with ``html.escape``; chart specs go in as JSON
    with ``<``, ``>`` and ``&`` escaped, so no caller text can open a tag or end a script.
    """
    esc = html.escape
    specs = [dict(spec) for _, spec in charts]
    bundle = _js_bundle(specs) if specs else None
    chart_html = []
    for i, (caption, _) in enumerate(charts):
        chart_html.append(f"<figure class='chart'><div id='chart{i}'></div>"
                          f"<figcaption class='note'>{esc(caption)}</figcaption></figure>")
    if bundle is None and specs:
        chart_html.insert(0, "<p class='note'>Charts could not be embedded (vl-convert-python "
                             "is not installed); the numbers behind them are in the CSV "
                             "exports.</p>")
    prov_rows = pd.DataFrame(
        [(k, json.dumps(v, default=str) if isinstance(v, dict | list) else str(v))
         for k, v in provenance.items()], columns=["item", "value"])
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title><style>{_STYLE}</style>",
        f"<script>{bundle}</script>" if bundle else "",
        "</head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p><b>Scenario:</b> {esc(scenario_name)} &middot; <b>Country:</b> {esc(country)}</p>",
        f"<p>{esc(description)}</p>",
        *(f"<p class='note'>{esc(n)}</p>" for n in notes),
        "<h2>Headline numbers</h2>",
        f"<div class='headline'>{_table(headline)}</div>",
        "<h2>Charts</h2>",
        *chart_html,
        "<h2>Scenario parameters</h2>", _table(parameters),
        "<h2>Data sources</h2>", _table(sources),
        "<h2>Reproducibility</h2>", _table(prov_rows),
    ]
    if bundle:
        parts.append(
            f"<script type='application/json' id='specs'>{_script_json(specs)}</script>"
            "<script>const specs=JSON.parse(document.getElementById('specs').textContent);"
            "specs.forEach((s,i)=>vegaEmbed('#chart'+i,s,{actions:false}).catch(console.error));"
            "</script>")
    parts.append("</body></html>")
    return "\n".join(parts)


def parse_uploaded_scenario(name: str, data: bytes, limit: int | None = None):
    """Validate an uploaded scenario file (TOML bytes); ScenarioError with a clear message."""
    from sim.scenarios import MAX_SCENARIO_BYTES, ScenarioError, parse_scenario_text
    limit = MAX_SCENARIO_BYTES if limit is None else limit
    if len(data) > limit:
        raise ScenarioError(f"{name}: larger than {limit // 1024} KiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    return parse_scenario_text(text, name)


# -- parallel replications ---------------------------------------------------------------------

def simulate_replication(scenario_json: str, iso3: str, seed: np.random.SeedSequence):
    """Run one replication in a worker process (``sim.runner.simulate``); for process pools."""
    from sim.data import load_data
    from sim.runner import simulate
    from sim.scenarios import Scenario
    return simulate(Scenario.model_validate_json(scenario_json), iso3, load_data(), seed)


def warm_up() -> None:
    """Import the simulator and load the data in a worker process ahead of the first run."""
    import sim.runner  # noqa: F401
    from sim.data import load_data
    load_data()
