"""The ASEAN side-by-side section of the page (the AI-divide view).

The page's scenario and settings in every country with data, each against its own run with no
AI adoption (``webapp.compute.region_of``, rows as ``sim.region.region_table``'s): a chart of
AI readiness against exposed employment, small multiples of jobs removed and AI-era vacancies
on one per-cent scale, the table at the report year, a CSV and an HTML brief.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from sim.data import load_data
from sim.errors import ScenarioError, one_line
from webapp import charts, compute, exports, i18n
from webapp.i18n import N_, _

__all__ = ["REGION_COLUMNS", "region_charts", "region_table_frame", "section"]

#: The regional table's columns on the page: region_table's name -> the page's label.
REGION_COLUMNS = {
    "AI readiness (0-100)": N_("AI readiness (0-100)"),
    "employment in exposed occupations (%)": N_("Employment in exposed occupations (%)"),
    "women / men exposed": N_("Women / men exposed"),
    "adoption (%)": N_("AI adoption (%)"),
    "formal positions removed (% of employment)": N_("Jobs removed by automation (%)"),
    "layoffs (% of employment)": N_("Layoffs (%)"),
    "hires foregone (% of employment)": N_("Hires foregone (%)"),
    "AI-era vacancies created (% of employment)": N_("AI-era vacancies (%)"),
    "net employment effect vs no AI (% of employment)": N_("Employment with AI minus without (%)"),
    "programme cost (% of the wage bill to date)": N_("Programme cost (% of wage bill)"),
}


def region_names(frame: pd.DataFrame) -> pd.Series:
    """Each row's country in the page's language."""
    english = load_data().country_names
    return frame["country"].map(lambda iso3: i18n.country_name(iso3, english[iso3]))


def region_charts(frame: pd.DataFrame, year: int) -> list[tuple[str, dict[str, Any]]]:
    """The regional view's charts: readiness against exposure, and small multiples."""
    last = frame[frame["year"] == year]
    dots = pd.DataFrame(
        {
            "country": region_names(last).to_numpy(),
            "readiness": last["AI readiness (0-100)"].to_numpy(),
            "exposed": last["employment in exposed occupations (%)"].to_numpy(),
            "removed": last["formal positions removed (% of employment)"].to_numpy(),
        }
    )
    title = _("AI readiness and exposure")
    scatter = charts.readiness_chart(
        dots,
        title,
        _("Dot area: jobs removed by automation by {year}, % of employment").format(year=year),
        _("AI readiness (0-100)"),
        _("Employment in exposed occupations (%)"),
        _("Jobs removed (%)"),
    )
    frame = frame.assign(_name=region_names(frame).to_numpy()).sort_values(
        ["_name", "year"], kind="stable", ignore_index=True
    )  # the small multiples by the country's name, as the table
    names = frame["_name"].to_numpy()
    series = {
        "formal positions removed (% of employment)": _("Jobs removed by automation"),
        "AI-era vacancies created (% of employment)": _("AI-era vacancies created"),
    }
    parts = []
    for column, label in series.items():
        parts.append(
            pd.DataFrame(
                {
                    "country": names,
                    "date": [f"{y}-12-01" for y in frame["year"]],
                    "series": label,
                    "median": frame[column].to_numpy(),
                    "low": frame[f"{column} low"].to_numpy(),
                    "high": frame[f"{column} high"].to_numpy(),
                }
            )
        )
    over_time = _("Jobs removed and AI-era vacancies, by country")
    multiples = charts.region_chart(
        pd.concat(parts, ignore_index=True),
        over_time,
        _("Cumulative, % of each country's employment at the start; one scale for all"),
        _("% of employment"),
    )
    return [(title, scatter), (over_time, multiples)]


def region_table_frame(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """The regional table at ``year`` for the page: medians, labelled in its language."""
    last = frame[frame["year"] == year].reset_index(drop=True)
    table = pd.DataFrame({_("Country"): region_names(last).to_numpy()})
    for column, label in REGION_COLUMNS.items():
        table[_(label)] = last[column].round(2).to_numpy()
    # In the order of the small multiples: by the country's name in the page's language.
    return table.sort_values(_("Country"), kind="stable", ignore_index=True)


def section(
    summary: dict[str, Any], policy, policy_json: str, title: str, changes: list[str]
) -> None:
    """The ASEAN side-by-side section of the page; ``changes``: the settings changed from the
    preset, as the files record them."""
    st.write(
        _(
            "The same scenario and settings in every ASEAN country, each against its own "
            "run with no AI adoption (same seeds), on per-cent scales so that a country's "
            "size does not drive the picture. Each country runs at its own automatic scale "
            "with at most {n} replications; the first time takes about half a minute."
        ).format(n=compute.REGION_REPLICATIONS)
    )
    try:
        with st.spinner(_("Running the ten countries ...")):
            frame = compute.region_of(policy_json)
    except ScenarioError as exc:
        st.info(
            _(
                "This scenario holds one country's figures, so it cannot run in the other "
                "countries ({reason}). Choose a regional preset such as the baseline."
            ).format(reason=one_line(exc))
        )
        return
    year = (
        int(summary["year"]) if summary["year"] in set(frame["year"]) else int(frame["year"].max())
    )
    for i, (_caption, spec) in enumerate(region_charts(frame, year)):
        st.vega_lite_chart(spec, width="stretch", theme=None, key=f"region_{i}")
    table = region_table_frame(frame, year)
    st.markdown("##### " + _("The ten countries by the end of {year} (medians)").format(year=year))
    st.dataframe(table, hide_index=True, width="stretch")
    record = exports.provenance(summary, changes)
    record["countries"] = ", ".join(sorted(set(frame["country"])))
    record["replications_per_country"] = min(policy.run.replications, compute.REGION_REPLICATIONS)
    c1, c2 = st.columns(2)
    c1.download_button(
        _("CSV: the ten countries, every year"),
        exports.csv_file(frame, record),
        file_name="asean_region.csv",
        mime="text/csv",
        key="dl:region_csv",
        on_click="ignore",
        width="stretch",
    )

    def brief() -> str:
        return exports.region_brief(
            summary=summary,
            title=title,
            table=table,
            charts=region_charts(frame, year),
            record=record,
            year=year,
        )

    c2.download_button(
        _("HTML brief of the regional view"),
        i18n.in_page_language(brief),
        file_name="asean_region_brief.html",
        mime="text/html",
        key="dl:region_brief",
        on_click="ignore",
        width="stretch",
    )
