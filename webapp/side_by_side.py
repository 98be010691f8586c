"""Two scenarios side by side: the page's run and a second one (another preset with the same
settings, or the same scenario without its programmes), with the same axes.

``side_by_side`` draws both results in words, right minus left as key numbers and as a table
paired by seed (``SIDE_ROWS``: the indicators of ``sim compare``; 5-95% bands), both columns'
charts on shared scales, and the comparison as an Excel workbook.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from webapp import charts, compute, controls, exports, i18n, settings, story
from webapp.headline import draw, escape, rates_chart, removed_chart, run_caption
from webapp.i18n import N_, _, money, num, pct, signed
from webapp.settings import NO_LEVERS, ss


def comparison_runs(
    policy, none, policy_json: str, none_json: str
) -> tuple[str, dict[str, Any], str]:
    """The second column: its scenario key, summary and run JSON."""
    other = ss["w:compare"]
    if other == NO_LEVERS:
        return ss["w:scenario"], compute.summarise(none_json, none_json), none_json
    preset = settings.presets()[other]
    second = compute.with_settings_of(preset, policy)
    second_none = compute.without_levers(second) if compute.has_levers(second) else second
    second_json = compute.frozen(second)
    # The second scenario without its programmes is often the first one's no-programme run
    # (e.g. BPO with reskilling vs BPO): reuse that run rather than repeat it.
    same = compute.same_settings(second_none, none)
    second_none_json = none_json if same else compute.frozen(second_none)
    if compute.same_settings(second, none):
        second_json = none_json
    return other, compute.summarise(second_json, second_none_json), second_json


#: The side-by-side table: (label, indicator, scope); the indicators of ``sim compare``.
SIDE_ROWS = [
    (N_("Jobs removed by automation"), "automation_cut_cumulative", "focus"),
    (N_("People laid off by automation"), "displaced_workers", "focus"),
    (N_("… of whom back in regular work"), "displaced_employed", "focus"),
    (N_("People in work, whole economy"), "employed", "economy"),
    (N_("Unemployment rate (%)"), "unemployment_rate", "economy"),
    (N_("Long-term unemployed"), "long_term_unemployed", "economy"),
    (N_("Programme cost to date"), "programme_cost_cumulative", "economy"),
]


def side_table(
    table: pd.DataFrame, year: int, currency: str, left: str, right: str, by_end: str = ""
) -> str:
    """The key numbers of both columns and their paired difference, as an HTML table."""

    def show(value: float, metric: str, sign: bool = False) -> str:
        if metric == "unemployment_rate":
            return i18n.points(value) if sign else pct(value)
        if metric == "programme_cost_cumulative":
            return (
                money(value, currency)
                if not sign
                else ("+" if value > 0 else "") + money(value, currency)
            )
        return signed(value) if sign else num(value)

    rows = table[table["year"] == year]
    body = []
    for label, metric, _scope in SIDE_ROWS:
        found = rows[rows["metric"] == metric]
        if found.empty:
            continue
        r = found.iloc[0]
        band = _("5-95%: {low} to {high}").format(
            low=show(r["low"], metric, True), high=show(r["high"], metric, True)
        )
        name = _(label)
        body.append(
            f"<tr><td>{escape(name)}</td><td>{escape(show(r['baseline'], metric))}"
            f"</td><td>{escape(show(r['policy'], metric))}</td><td><b>"
            f"{escape(show(r['difference'], metric, True))}</b> <span class='band'>"
            f"{escape(band)}</span></td></tr>"
        )
    by_end = by_end or _("By the end of {year}").format(year=year)
    difference = _("Right minus left, paired by seed")
    head = (
        f"<tr><th>{escape(by_end)}</th><th>{escape(left)}</th><th>{escape(right)}</th>"
        f"<th>{escape(difference)}</th></tr>"
    )
    return f'<table class="side">{head}{"".join(body)}</table>'


def difference_cards(table: pd.DataFrame, year: int, currency: str, period: str = "") -> None:
    """Right minus left for four outcomes, as key numbers (coloured when the band excludes 0)."""
    rows = table[table["year"] == year].set_index("metric")
    shown = [
        ("automation_cut_cumulative", _("Jobs removed by automation"), signed, False),
        ("employed", _("People in work, whole economy"), signed, True),
        ("unemployment_rate", _("Unemployment rate"), i18n.points, False),
        (
            "programme_cost_cumulative",
            _("Programme cost to date"),
            lambda v: ("+" if v > 0 else "") + money(v, currency, short=True),
            None,
        ),
    ]
    cols = st.columns(len(shown))
    for col, (metric, label, show, more_is_good) in zip(cols, shown, strict=True):
        if metric not in rows.index:
            continue
        r = rows.loc[metric]
        clear = r["low"] > 0 or r["high"] < 0
        good = None if more_is_good is None or not clear else (r["difference"] > 0) == more_is_good
        col.metric(
            _("{label}: right minus left, {year}").format(label=label, year=period or year),
            show(r["difference"]),
            delta=_("5-95%: {low} to {high}").format(low=show(r["low"]), high=show(r["high"])),
            delta_color=(
                "off"
                if good is None  # type: ignore[arg-type]
                else "green"
                if good
                else "red"
            ),
            delta_arrow=("up" if r["difference"] > 0 else "down") if clear else "off",
        )


def side_by_side(
    first: dict[str, Any], first_json: str, none, policy, policy_json: str, none_json: str, bound
) -> None:
    key, second, second_json = comparison_runs(policy, none, policy_json, none_json)
    titles = [controls.scenario_title(ss["w:scenario"]), controls.scenario_title(key)]
    if ss["w:compare"] == NO_LEVERS:
        titles[1] = _("{title}, without the programmes").format(title=titles[1])
    heading = _("{country} · side by side").format(country=story.country(first))
    st.markdown(f'<h2 class="story-heading">{escape(heading)}</h2>', unsafe_allow_html=True)
    columns = st.columns(2, gap="medium")
    for col, summary, title in zip(columns, (first, second), titles, strict=True):
        col.markdown(
            f'<h3 class="side-title">{escape(title)}</h3><p class="story side">'
            f"{escape(story.sentence(summary))}</p>",
            unsafe_allow_html=True,
        )
    a, b = compute.run_cached(first_json), compute.run_cached(second_json)
    table = compute.compare(
        a, b, band=settings.BAND, sectors=first["focus"], years=None, rows=SIDE_ROWS
    )
    ss["side_table"] = table  # what the page shows, for the export below (and tests)
    difference_cards(table, first["year"], first["currency"], story.when(first))
    removed = charts.shared_domain(first["charts"]["removed"], second["charts"]["removed"])
    rates = charts.shared_domain(first["charts"]["rates"], second["charts"]["rates"])
    columns = st.columns(2, gap="medium")
    for i, (col, summary) in enumerate(zip(columns, (first, second), strict=True)):
        with col:
            draw(removed_chart(summary, removed, height=150, short=True), f"side_removed_{i}")
    st.caption(run_caption(first, bound))
    st.markdown(
        side_table(
            table,
            first["year"],
            first["currency"],
            titles[0],
            titles[1],
            by_end=story.by_when(first),
        ),
        unsafe_allow_html=True,
    )
    columns = st.columns(2, gap="medium")
    for i, (col, summary) in enumerate(zip(columns, (first, second), strict=True)):
        with col:
            draw(rates_chart(summary, rates), f"side_rates_{i}")
    record = {"left": first["provenance"], "right": second["provenance"]}
    st.download_button(
        _("Excel workbook of the comparison (.xlsx)"),
        i18n.in_page_language(lambda: exports.workbook({"right_minus_left": table}, record)),
        file_name=f"{first['iso3']}_comparison.xlsx",
        key="dl:cmp_xlsx",
        on_click="ignore",
    )
