"""The page's charts as Vega-Lite specs (built with Altair), readable from the back of a room.

A chart is a cached template (building Altair objects is slow) plus this run's rows as inline
data. Every chart draws as SVG (``usermeta.embedOptions``), so a browser test can count its
marks; numbers follow the page's locale (``config.locale``). Kinds:
- ``band_chart``: median line and 5-95% band over time, one colour per series;
- ``difference_chart``: policy minus no programmes, paired by seed, with its band and a zero line;
- ``bars_chart``: medians at one date with a 5-95% rule, one bar per category;
- ``evaluation_chart``: the in-model trial's effects by months since assignment;
- ``sectors_chart``: employment by sector as small multiples (each its own scale);
- ``breakdown_chart``: laid off and back in work by sector and sex;
- ``readiness_chart``: the ten countries' AI readiness against their exposed employment;
- ``region_chart``: jobs removed and AI-era vacancies over time, one small chart per country,
  all on one per-cent scale.
"""

from __future__ import annotations

import copy
import json
import textwrap
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from webapp.i18n import _, d3_number_locale

DATA = alt.Data(name="table")  # the chart's rows go into the spec's "datasets" at draw time
PALETTE = ["#1f5fa8", "#d1495b", "#2e933c", "#edae49", "#66459b", "#00798c", "#8c564b", "#e377c2"]
DIFFERENCE = "#2e933c"


def subtitle() -> str:
    return _("Line: median of replications. Shaded: 5-95% of replications.")


def styled(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """Large fonts, SVG, the page's number locale."""
    spec = (
        chart.configure_axis(labelFontSize=14, titleFontSize=15, grid=True)
        .configure_title(fontSize=17, subtitleFontSize=13, anchor="start", subtitleColor="#444")
        .configure_legend(
            labelFontSize=14,
            titleFontSize=14,
            orient="bottom",
            labelLimit=360,
            symbolLimit=0,
            columns=2,
        )
        .configure_view(strokeWidth=0)
    ).to_dict()
    spec["config"]["locale"] = {"number": d3_number_locale()}
    # The height is the plot's: titles, axes and legends come on top of it (with "fit", a long
    # title or axis would squeeze the plot and cut the title off).
    spec["autosize"] = {
        "type": "fit-x" if spec.get("width") == "container" else "pad",
        "contains": "padding",
    }
    spec["usermeta"] = {"embedOptions": {"renderer": "svg", "actions": False}}
    return spec


def with_rows(
    template: dict[str, Any], rows: pd.DataFrame, y_domain: tuple[float, float] | None = None
) -> dict[str, Any]:
    """A chart spec: a cached template plus rows as inline data (and a shared y scale)."""
    spec = copy.copy(template)
    spec["datasets"] = {"table": json.loads(rows.to_json(orient="records"))}
    if y_domain is not None:
        spec["layer"] = copy.deepcopy(template["layer"])
        for layer in spec["layer"]:
            y = layer.get("encoding", {}).get("y")
            if y and "field" in y:
                y["scale"] = {"domain": list(y_domain), "zero": False}
    return spec


def zero_rule() -> alt.Chart:
    """The no-effect line: one rule at zero, with its own one-row data."""
    return (
        alt.Chart(alt.Data(values=[{"zero": 0}]))
        .mark_rule(color="black", strokeWidth=1.5)
        .encode(y="zero:Q")
    )


#: Characters per title and subtitle line: a chart in half a 1280-pixel page is about 400
#: pixels wide (some 355 for a subtitle), and a longer line would be cut with an ellipsis;
#: 58 characters of 13-pixel text cut Filipino lines, whose words are longer.
TITLE_CHARS, SUBTITLE_CHARS = 40, 50


def lines(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` characters (Vega titles do not wrap)."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _title(title: str, note: str, band: bool = True) -> alt.TitleParams:
    sub = [
        line
        for part in (note, subtitle() if band else "")
        if part
        for line in lines(part, SUBTITLE_CHARS)
    ]
    return alt.TitleParams(lines(title, TITLE_CHARS), subtitle=sub or "")


def number_format(rows: pd.DataFrame, percent: bool) -> str:
    """The y axis's d3 format: SI prefixes (``400k``) only for large counts (on a small range
    they would read ``500m`` for one half)."""
    if percent:
        return ",.1f"
    biggest = float(rows[["low", "high"]].abs().to_numpy().max()) if len(rows) else 0.0
    return "~s" if biggest >= 10_000 else ",.0f" if biggest >= 10 else ",.2~f"


def flat_domain(rows: pd.DataFrame, percent: bool) -> tuple[float, float] | None:
    """A y range for a chart whose every value is the same (a zero-width range draws NaN
    labels): one unit either side."""
    if not len(rows):
        return None
    low, high = float(rows["low"].min()), float(rows["high"].max())
    if high > low:
        return None
    step = 0.5 if percent else 1.0
    return (low - step, high + step) if low != 0 else (0.0, 2 * step)


@st.cache_resource(max_entries=512, show_spinner=False)  # survives reruns; never mutated
def band_template(
    title: str,
    y_title: str,
    legend: str,
    note: str,
    height: int,
    percent: bool,
    labels: tuple[str, ...],
    zero_line: bool,
    color: str = "",
    fmt: str = "~s",
) -> dict[str, Any]:
    """Median + 5-95% band over time; ``labels`` fix the colours' order."""
    base = alt.Chart(DATA).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    )
    scale = (
        alt.Scale(domain=list(labels), range=[color])
        if color
        else alt.Scale(domain=list(labels), range=PALETTE[: len(labels)])
    )
    # Two columns of legend entries where they fit, else one (a cut label reads as a bug).
    columns = 2 if sum(len(label) for label in labels[:2]) <= 44 else 1
    colour = alt.Color(
        "series:N",
        title=legend or None,
        scale=scale,
        legend=alt.Legend(columns=columns) if len(labels) > 1 else None,
    )
    area = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low:Q", title=y_title, axis=alt.Axis(format=fmt)), y2="high:Q", color=colour
    )
    line = base.mark_line(strokeWidth=3).encode(
        y=alt.Y("median:Q"),
        color=colour,
        tooltip=[
            alt.Tooltip("date:T", format="%Y-%m", title=_("Month")),
            alt.Tooltip("series:N", title=legend or _("Series")),
            alt.Tooltip("median:Q", format=",.2f" if percent else ",.0f", title=_("median")),
            alt.Tooltip("low:Q", format=",.2f" if percent else ",.0f", title="5%"),
            alt.Tooltip("high:Q", format=",.2f" if percent else ",.0f", title="95%"),
        ],
    )
    layers = [area, line]
    if zero_line:
        layers.append(zero_rule())
    chart = alt.layer(*layers).properties(
        title=_title(title, note), height=height, width="container"
    )
    return styled(chart)


def band_chart(
    rows: pd.DataFrame,
    title: str,
    y_title: str,
    *,
    legend: str = "",
    note: str = "",
    height: int = 260,
    percent: bool = False,
    y_domain: tuple[float, float] | None = None,
) -> dict[str, Any]:
    labels = tuple(dict.fromkeys(rows["series"]))
    return with_rows(
        band_template(
            title,
            y_title,
            legend,
            note,
            height,
            percent,
            labels,
            False,
            "",
            number_format(rows, percent),
        ),
        rows,
        y_domain or flat_domain(rows, percent),
    )


def difference_chart(
    rows: pd.DataFrame,
    title: str,
    y_title: str,
    *,
    note: str = "",
    height: int = 260,
    percent: bool = False,
    y_domain: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """A paired difference over time with its band and a zero line (the no-effect line)."""
    labels = tuple(dict.fromkeys(rows["series"]))
    colour = DIFFERENCE if len(labels) == 1 else ""
    return with_rows(
        band_template(
            title,
            y_title,
            "",
            note,
            height,
            percent,
            labels,
            True,
            colour,
            number_format(rows, percent),
        ),
        rows,
        y_domain or flat_domain(rows, percent),
    )


@st.cache_resource(max_entries=256, show_spinner=False)
def bars_template(title: str, x_title: str, note: str, height: int, fmt: str) -> dict[str, Any]:
    base = alt.Chart(DATA).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
    )
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("median:Q", title=x_title, axis=alt.Axis(format=fmt)),
        tooltip=[
            alt.Tooltip("label:N", title=" "),
            alt.Tooltip("median:Q", format=",.0f", title=_("median")),
            alt.Tooltip("low:Q", format=",.0f", title="5%"),
            alt.Tooltip("high:Q", format=",.0f", title="95%"),
        ],
    )
    rules = base.mark_rule(color="black", strokeWidth=2).encode(x="low:Q", x2="high:Q")
    chart = alt.layer(bars, rules).properties(
        title=_title(
            title,
            ". ".join(
                [note, _("Bars: median of replications. Black lines: 5-95% of replications.")]
            ),
            band=False,
        ),
        height=height,
        width="container",
    )
    return styled(chart)


def bars_chart(
    rows: pd.DataFrame, title: str, x_title: str, *, note: str = "", height: int = 260
) -> dict[str, Any]:
    return with_rows(bars_template(title, x_title, note, height, number_format(rows, False)), rows)


@st.cache_resource(max_entries=64, show_spinner=False)
def evaluation_template(title: str, y_title: str, note: str) -> dict[str, Any]:
    base = alt.Chart(DATA).encode(
        x=alt.X("months:O", title=_("Months after random assignment")),
        xOffset=alt.XOffset("group:N"),
        color=alt.Color("group:N", title=None, scale=alt.Scale(range=PALETTE[:2])),
    )
    points = base.mark_point(filled=True, size=110).encode(
        y=alt.Y("median:Q", title=y_title),
        tooltip=[
            "group:N",
            "months:O",
            alt.Tooltip("median:Q", format=",.1f"),
            alt.Tooltip("low:Q", format=",.1f"),
            alt.Tooltip("high:Q", format=",.1f"),
        ],
    )
    rules = base.mark_rule(strokeWidth=2).encode(y="low:Q", y2="high:Q")
    chart = alt.layer(rules, points, zero_rule()).properties(
        title=_title(
            title,
            ". ".join([note, _("Dots: median of replications. Lines: 5-95% of replications.")]),
            band=False,
        ),
        height=260,
        width="container",
    )
    return styled(chart)


def evaluation_chart(rows: pd.DataFrame, title: str, y_title: str, note: str) -> dict[str, Any]:
    return with_rows(evaluation_template(title, y_title, note), rows)


@st.cache_resource(max_entries=64, show_spinner=False)
def sectors_template(title: str, note: str, columns: int) -> dict[str, Any]:
    base = alt.Chart().encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount=3))
    )
    area = base.mark_area(opacity=0.2, color=PALETTE[0]).encode(
        y=alt.Y("low:Q", title=None, axis=alt.Axis(format="~s"), scale=alt.Scale(zero=False)),
        y2="high:Q",
    )
    line = base.mark_line(strokeWidth=2.5, color=PALETTE[0]).encode(
        y="median:Q",
        tooltip=[
            alt.Tooltip("date:T", format="%Y-%m"),
            "series:N",
            alt.Tooltip("median:Q", format=",.0f"),
        ],
    )
    chart = (
        alt.layer(area, line, data=DATA)
        .properties(width=205, height=120)
        .facet(
            facet=alt.Facet(
                "series:N",
                title=None,
                sort=None,
                header=alt.Header(labelFontSize=14, labelLimit=230),
            ),
            columns=columns,
        )
        .resolve_scale(y="independent")
    )
    return styled(chart.properties(title=_title(title, note)))


def sectors_chart(rows: pd.DataFrame, title: str, note: str, columns: int = 3) -> dict[str, Any]:
    return with_rows(sectors_template(title, note, columns), rows)


@st.cache_resource(max_entries=64, show_spinner=False)
def breakdown_template(title: str, x_title: str) -> dict[str, Any]:
    base = alt.Chart().encode(
        y=alt.Y("sector_label:N", title=None, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("measure_label:N"),
        color=alt.Color("measure_label:N", title=None, scale=alt.Scale(range=PALETTE[:2])),
    )
    bars = base.mark_bar().encode(
        x=alt.X("median:Q", title=x_title, axis=alt.Axis(format="~s")),
        tooltip=[
            "sector_label:N",
            "sex_label:N",
            "measure_label:N",
            alt.Tooltip("median:Q", format=",.0f"),
            alt.Tooltip("low:Q", format=",.0f"),
            alt.Tooltip("high:Q", format=",.0f"),
        ],
    )
    rules = base.mark_rule(color="black", strokeWidth=1.5).encode(x="low:Q", x2="high:Q")
    chart = (
        alt.layer(bars, rules, data=DATA)
        .properties(width=230)
        .facet(column=alt.Column("sex_label:N", title=None, header=alt.Header(labelFontSize=15)))
    )
    return styled(
        chart.properties(
            title=alt.TitleParams(
                title,
                subtitle=_("Bars: median of replications. Black lines: 5-95% of replications."),
            )
        )
    )


def breakdown_chart(rows: pd.DataFrame, title: str, x_title: str) -> dict[str, Any]:
    return with_rows(breakdown_template(title, x_title), rows)


def shared_domain(*frames: pd.DataFrame) -> tuple[float, float]:
    """One y range that holds every band of ``frames`` (side-by-side charts share their axes)."""
    lows = [float(f["low"].min()) for f in frames if len(f)]
    highs = [float(f["high"].max()) for f in frames if len(f)]
    low, high = min([0.0, *lows]), max([0.0, *highs])
    if high <= low:
        high = low + 1.0
    return low, high + 0.04 * (high - low)


@st.cache_resource(max_entries=64, show_spinner=False)
def readiness_template(
    title: str, note: str, x_title: str, y_title: str, size_title: str
) -> dict[str, Any]:
    """One dot per country: readiness (x) against exposed employment (y), the dot's area the
    jobs removed by the last year, the country's name beside it."""
    base = alt.Chart(DATA).encode(
        x=alt.X("readiness:Q", title=x_title, scale=alt.Scale(domain=[20, 100])),
        y=alt.Y("exposed:Q", title=y_title, scale=alt.Scale(zero=True)),
    )
    dots = base.mark_circle(color=PALETTE[0], opacity=0.75).encode(
        size=alt.Size(
            "removed:Q",
            title=size_title,
            scale=alt.Scale(range=[60, 900], zero=True),
            legend=alt.Legend(format=",.1f"),
        ),
        tooltip=[
            alt.Tooltip("country:N", title=" "),
            alt.Tooltip("readiness:Q", format=",.1f", title=x_title),
            alt.Tooltip("exposed:Q", format=",.1f", title=y_title),
            alt.Tooltip("removed:Q", format=",.2f", title=size_title),
        ],
    )
    names = base.mark_text(align="left", dx=12, fontSize=14).encode(text="country:N")
    chart = alt.layer(dots, names).properties(
        title=_title(title, note, band=False), height=300, width="container"
    )
    return styled(chart)


def readiness_chart(
    rows: pd.DataFrame, title: str, note: str, x_title: str, y_title: str, size_title: str
) -> dict[str, Any]:
    """``rows``: country, readiness, exposed (%), removed (% of employment)."""
    return with_rows(readiness_template(title, note, x_title, y_title, size_title), rows)


@st.cache_resource(max_entries=64, show_spinner=False)
def region_template(title: str, note: str, y_title: str, labels: tuple[str, ...]) -> dict[str, Any]:
    base = alt.Chart().encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount=3))
    )
    colour = alt.Color(
        "series:N", title=None, scale=alt.Scale(domain=list(labels), range=PALETTE[: len(labels)])
    )
    area = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low:Q", title=y_title, axis=alt.Axis(format=",.1f")), y2="high:Q", color=colour
    )
    line = base.mark_line(strokeWidth=2.5).encode(
        y="median:Q",
        color=colour,
        tooltip=[
            "country:N",
            "series:N",
            alt.Tooltip("date:T", format="%Y"),
            alt.Tooltip("median:Q", format=",.2f"),
        ],
    )
    chart = (
        alt.layer(area, line, data=DATA)
        .properties(width=150, height=100)
        .facet(
            facet=alt.Facet(
                "country:N", title=None, sort=None, header=alt.Header(labelFontSize=14)
            ),
            columns=4,  # four panels a row fit a 1280-pixel page beside the sidebar
        )
    )  # one y scale for every country: per-cent of its own employment
    return styled(chart.properties(title=_title(title, note)))


def region_chart(rows: pd.DataFrame, title: str, note: str, y_title: str) -> dict[str, Any]:
    """``rows``: country, date, series, median, low, high (per cent of employment)."""
    labels = tuple(dict.fromkeys(rows["series"]))
    return with_rows(region_template(title, note, y_title, labels), rows)
