"""The HTML brief: one self-contained page describing a scenario run, readable offline.

Built from the jinja2 template ``sim/templates/brief.html.j2`` with autoescape on, so no
caller text (scenario names, descriptions, table cells) can open a tag. Charts go in as
Vega-Lite JSON with the Vega, Vega-Lite and vega-embed JavaScript inlined from the optional
``vl-convert-python`` (without it the page says so and keeps its tables).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import jinja2
import numpy as np
import pandas as pd

__all__ = ["html_brief"]

MAX_ROWS = 2000
#: The brief's own headings and notes; a caller may give them in another language.
LABELS = {
    "scenario": "Scenario",
    "country": "Country",
    "headline": "Headline numbers",
    "charts": "Charts",
    "parameters": "Scenario parameters",
    "sources": "Data sources",
    "provenance": "Reproducibility",
    "no_charts": "Charts could not be embedded (vl-convert-python is not installed); the "
    "numbers behind them are in the CSV exports.",
    "more_rows": "more rows in the CSV export.",
}


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sim", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("brief.html.j2")


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
    bundle = vlc.javascript_bundle(vl_version=version)  # type: ignore[call-arg]
    return bundle.replace("</script", "<\\/script")


def _script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element (no '<', '>' or '&' left raw)."""
    text = json.dumps(value, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:,.6g}"
    return str(value)


def _rows(df: pd.DataFrame) -> dict[str, Any]:
    """A table for the template: column names, cells as text, rows left out."""
    shown = df.head(MAX_ROWS)
    return {
        "columns": [str(c) for c in df.columns],
        "rows": [[_cell(v) for v in record] for record in shown.itertuples(index=False)],
        "more": max(len(df) - MAX_ROWS, 0),
    }


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
    summary: str = "",
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
    tables: Sequence[tuple[str, pd.DataFrame]] = (),
    key_numbers: Sequence[tuple[str, str, str]] = (),
) -> str:
    """One self-contained HTML page describing a scenario run, readable offline.

    Args:
        title: page heading.
        scenario_name, description, country: what was run (user text: escaped).
        headline: table of headline numbers (already formatted or numeric).
        charts: (caption, Vega-Lite spec with inline data) pairs.
        parameters: the scenario's parameters with units and references.
        sources: the country's data sources (``sim.provenance.sources_table``).
        provenance: seed, replications, scale, code version, data hashes ...
        notes: extra plain-text remarks (e.g. how the scale was chosen).
        summary: the result in a few sentences, shown first.
        lang: the page's language (BCP 47 code, for the ``lang`` attribute: fonts, hyphens).
        labels: headings in that language (default ``LABELS``, English).
        tables: further (heading, table) pairs, shown after the headline numbers.
        key_numbers: (label, value, note) shown under the summary, beside the first chart, so
            that the first screen holds the result, its numbers and a chart.

    Charts take the page's width: a spec's ``"width": "container"`` needs a block-level
    container, which the template gives every chart (vega-embed's own is inline-block).

    Returns:
        The page as a string (UTF-8 HTML, at most 2,000 rows shown per table).
    """
    specs = [dict(spec) for _, spec in charts]
    bundle = _js_bundle(specs) if specs else None
    prov = pd.DataFrame(
        [
            (k, json.dumps(v, default=str) if isinstance(v, dict | list) else str(v))
            for k, v in provenance.items()
        ],
        columns=["item", "value"],
    )
    return _template().render(
        lang=lang,
        summary=summary,
        labels={**LABELS, **(labels or {})},
        tables=[(heading, _rows(table)) for heading, table in tables],
        key_numbers=list(key_numbers),
        title=title,
        scenario_name=scenario_name,
        description=description,
        country=country,
        notes=list(notes),
        headline=_rows(headline),
        parameters=_rows(parameters),
        sources=_rows(sources),
        provenance=_rows(prov),
        charts=[caption for caption, _ in charts],
        bundle=bundle,
        specs=_script_json(specs) if bundle else "",
    )
