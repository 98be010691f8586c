"""Streamlit front end: a live policy workshop and a ministry dashboard. This file is the page.

The story comes first: the country and scenario as the heading, the result in plain words,
four key numbers and the main charts, all above the fold of a 1280x720 projector; then one
section at a time (chosen below the charts and carried in the share link). A second scenario,
or the same one without its programmes, can stand beside the first with the same axes.

Helpers live in ``webapp/``: settings and the share link (``settings``), the sidebar
(``controls``), running and summarising (``compute``), charts (``charts``), the result in words
(``story``), the top of the page (``headline``), the side-by-side view (``side_by_side``), the
ASEAN section (``region``), files (``exports``) and the language (``i18n``). No model logic
lives here: every number comes from the ``sim`` package.

Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from sim.data import load_data
from sim.errors import SimError, one_line
from sim.flows import load_calibration
from sim.provenance import sources_table
from sim.validate import in_percent, validate
from webapp import charts, compute, controls, exports, i18n, region, settings, story
from webapp.headline import (
    bound_note,
    definition,
    draw,
    employment_effect_chart,
    labelled,
    programme_notes,
    rates_chart,
    removed_chart,
    run_caption,
    series_labels,
    show_cards,
    show_story,
    where_note,
)
from webapp.i18n import N_, _, money, num, signed
from webapp.settings import SECTIONS, ss
from webapp.side_by_side import side_by_side

#: A compact page for a projector: less padding above the heading, the result in large type.
CSS = """<style>
.block-container {padding-top: 3.4rem; padding-bottom: 2rem;}
h2.story-heading {font-size: 1.7rem; margin: 0 0 .2rem 0; padding: 0; line-height: 1.25;}
p.story {font-size: 1.13rem; line-height: 1.45; margin: 0 0 .5rem 0;}
[data-testid="stMetricLabel"] p {white-space: normal; font-size: .95rem;}
[data-testid="stMetricValue"] {font-size: 1.9rem;}
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; height: auto !important;}
[data-testid="stCaptionContainer"] p {margin-bottom: 0;}
h3.side-title {font-size: 1.25rem; margin: 0; padding: 0;}
p.story.side {font-size: 1rem; margin-bottom: .3rem;}
table.side {width: 100%; font-size: 1rem; border-collapse: collapse; margin-bottom: .4rem;}
table.side th, table.side td {padding: .2rem .5rem; border-bottom: 1px solid #ddd;
  text-align: left; vertical-align: top;}
table.side .band {color: #555; font-size: .85rem; white-space: nowrap;}
</style>"""


# -- sections -------------------------------------------------------------------------------------


def section_adjustment(summary: dict[str, Any], none_json: str) -> None:
    key = summary["key"]
    c1, c2 = st.columns(2)
    with c1:
        draw(charts.band_chart(labelled(summary["charts"]["removed_monthly"]),
                               _("Jobs removed by automation each month"), _("Jobs a month"),
                               note=where_note(summary)), "adj_monthly")
    with c2:
        draw(charts.band_chart(labelled(summary["charts"]["ai_vacancies"]),
                               _("New AI-era vacancies (augmentation), cumulative"),
                               _("Vacancies"), note=where_note(summary)), "adj_ai")
    st.caption(_("{by_when}: {new} new AI-era vacancies, of which {lapsed} lapsed unfilled for "
                 "want of skills.").format(by_when=story.by_when(summary),
                                           new=num(key["new_ai_vacancies"]["median"]),
                                           lapsed=num(key["ai_vacancies_lapsed"]["median"])))
    with st.spinner(_("Running the same seeds with no AI adoption ...")):
        effect = compute.automation_effect_of(none_json)
    st.markdown("#### " + _("Against the same economy with no AI adoption"))

    def band(value: dict[str, float]) -> str:
        return _("{median} (5-95%: {low} to {high})").format(
            median=signed(value["median"]), low=signed(value["low"]),
            high=signed(value["high"]))

    st.write(_("{by_when}, compared with the same seeds without AI and without the programmes, "
               "employment in {where} differs by {employed}: {entrants} among people who "
               "entered the labour force since the start, {incumbents} among those already in "
               "it. Whole economy: {economy}. Each figure is the median of paired differences; "
               "a band that includes zero means no clear change.").format(
        by_when=story.by_when(summary), where=story.where(summary),
        employed=band(effect["employed"]), entrants=band(effect["entrants"]),
        incumbents=band(effect["incumbents"]),
        economy=band(effect["economy"])))
    draw(charts.difference_chart(labelled(effect["chart"]),
                                 _("Employment with AI minus without AI"),
                                 _("People (difference)"), note=where_note(summary)),
         "adj_twin")
    with st.expander(_("Table: automation's effect at the headline years (as `sim run` prints "
                       "it)")):
        st.dataframe(effect["table"].drop(columns=["country"]), hide_index=True,
                     width="stretch")


def section_laid_off(summary: dict[str, Any]) -> None:
    key = summary["key"]
    if key["laid_off"]["high"] <= 0:
        st.info(_("Nobody is laid off by automation in this run: it removes jobs only through "
                  "hires that are not made (see the section on automation's cut)."))
        return
    c1, c2 = st.columns(2)
    with c1:
        bars = labelled(summary["laid_off"], "measure").rename(columns={"measure": "label"})
        draw(charts.bars_chart(bars, _("Where the people laid off are, {year}").format(
            year=story.when(summary)), _("People"), note=where_note(summary)), "laid_bars")
    with c2:
        draw(charts.band_chart(labelled(summary["charts"]["laid_off_paths"]),
                               _("People laid off by automation, by status"), _("People"),
                               note=where_note(summary)), "laid_paths")
    rows = summary["breakdown"].copy()
    rows["sector_label"] = rows["sector"].map(controls.sector_name)
    names = series_labels()
    rows["sex_label"] = rows["sex"].map(names)
    rows["measure_label"] = rows["measure"].map(names)
    draw(charts.breakdown_chart(rows, _("Laid off and back in work, by sector and sex, {date}")
                                .format(date=summary["date"]), _("People")), "laid_breakdown")


def section_policy(summary: dict[str, Any]) -> None:
    if not summary["has_policy"]:
        st.info(_("No programme is on: turn one on in the sidebar (Policy levers) to see its "
                  "effect, paired by seed with the same settings without it."))
        return
    effects = summary["effects"]
    titles = {
        "employed": (_("People in work, programme jobs included"), False),
        "regular": (_("People in regular work (formal or informal)"), False),
        "unemployed": (_("Unemployed, whole economy"), False),
        # trainees are outside the labour force in the survey count; they search and would
        # take a job, so they also meet the unemployment criteria: show both readings
        "unemployed_or_training": (_("Unemployed or in reskilling, whole economy"), False),
        "long_term": (_("Long-term unemployed, whole economy"), False),
    }
    cols = st.columns(2)
    for i, (name, (title, percent)) in enumerate(titles.items()):
        with cols[i % 2]:
            draw(charts.difference_chart(
                labelled(effects[name]["chart"]), title, _("Difference"),
                note=_("With minus without the programmes, paired by seed"), percent=percent,
                height=220), f"policy_{name}")
    cb = summary["cost_benefit"]
    if cb is not None and len(cb):
        st.markdown("#### " + _("Costs and benefits, whole economy, over the run"))
        st.dataframe(cost_benefit_frame(cb, summary["currency"]), hide_index=True,
                     width="stretch")
    trial = summary["evaluation"]
    if trial is not None and len(trial):
        st.markdown("#### " + _("The programme's randomised evaluation inside the model"))
        st.caption(_("Eligible people are assigned at random to an offer or to a control "
                     "group. Intention-to-treat (ITT): offered minus control; "
                     "treatment-on-the-treated (TOT): ITT divided by the share who enrolled."))
        rows = trial[trial["measure"].isin(["itt_employed", "tot_employed"])].copy()
        rows["months"] = rows["months_after_assignment"]
        rows["group"] = rows["programme"].map({"reskilling": _("Reskilling"),
                                               "job_creation": _("Job creation")}) + " · " + \
            rows["measure"].map({"itt_employed": "ITT", "tot_employed": "TOT"}) + " · " + \
            rows["group"].map({"everyone assigned": _("everyone"),
                               "from long-term unemployment": _("long-term unemployed")})
        rows = rows[rows["group"].str.endswith(_("everyone"))]
        draw(charts.evaluation_chart(rows, _("Effect on being in regular work"),
                                     _("Percentage points"),
                                     _("Everyone assigned")), "policy_trial")
        st.dataframe(trial.drop(columns=["country"]), hide_index=True, width="stretch")


#: ``sim.evaluation.cost_benefit``'s indicators, the currency and the discount rate as fields.
COST_BENEFIT_LABELS = {
    "people trained (distinct people)": N_("people trained (distinct people)"),
    "reskilling enrolments": N_("reskilling enrolments"),
    "programme jobs created": N_("programme jobs created"),
    "programme cost ({currency})": N_("programme cost ({currency})"),
    "employment-months gained, whole economy": N_("employment-months gained, whole economy"),
    "of which in regular work": N_("of which in regular work"),
    "net job-years gained": N_("net job-years gained"),
    "cost per net job-year ({currency})": N_("cost per net job-year ({currency})"),
    "earnings from regular work gained ({currency})": N_(
        "earnings from regular work gained ({currency})"),
    "earnings regained per unit of cost": N_("earnings regained per unit of cost"),
    "benefit-cost ratio (present values, {rate} a year)": N_(
        "benefit-cost ratio (present values, {rate} a year)"),
    "with programme wages as earnings (present values, {rate} a year)": N_(
        "with programme wages as earnings (present values, {rate} a year)"),
}
UNDEFINED = re.compile(r"undefined in (\d+) of (\d+) replications \(no gain, or no cost\)")


def cost_benefit_label(name: str, currency: str) -> str:
    """An indicator of the cost-benefit table in the page's language (English if unknown)."""
    indent = name[: len(name) - len(name.lstrip(" "))].replace(" ", "\u00a0")
    text = name.strip().replace(f"({currency})", "({currency})")
    rate = re.search(r"present values, (\d+%) a year", text)
    if rate:
        text = text.replace(rate.group(1), "{rate}")
    if text not in COST_BENEFIT_LABELS:
        return name
    return indent + _(COST_BENEFIT_LABELS[text]).format(
        currency=currency, rate=i18n.pct(float(rate.group(1)[:-1]), 0) if rate else "")


UNBOUNDED = re.compile(
    r"upper end unbounded: in (\d+) of (\d+) replications the programme gains no net job-years")
NO_GAIN = re.compile(r"the programme gains no net job-years \(median difference ([-+][\d,]+)\), "
                     r"so a cost per net job-year is undefined")


def cost_benefit_note(note: str) -> str:
    """A note of the cost-benefit table (``sim.evaluation.cost_benefit``,
    ``sim.bands.cost_per_gain``) in the page's language (as it is if unknown)."""
    text = note.strip()
    if found := UNDEFINED.fullmatch(text):
        return _("undefined in {count} of {total} replications (no gain, or no cost)").format(
            count=num(int(found.group(1))), total=num(int(found.group(2))))
    if found := UNBOUNDED.fullmatch(text):
        return _("upper end unbounded: in {count} of {total} replications the programme gains "
                 "no net job-years").format(count=num(int(found.group(1))),
                                            total=num(int(found.group(2))))
    if found := NO_GAIN.fullmatch(text):
        difference = float(found.group(1).replace(",", ""))
        return _("the programme gains no net job-years (median difference {difference}), so a "
                 "cost per net job-year is undefined").format(
                     difference=("+" if difference > 0 else "") + num(difference))
    return note


def cost_benefit_frame(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """``sim.evaluation.cost_benefit``'s rows for the page and the brief, in the page's
    language: NaN is "n/a", a band's unbounded upper end (``inf``: a replication gained no net
    job-years) "no upper bound"."""
    def show(value: float, name: str) -> str:
        if value == float("inf"):
            return _("no upper bound")
        if "ratio" in name or "per unit" in name:
            return i18n.decimal(value)
        if currency in name:
            return money(value, currency)
        return num(value)

    return pd.DataFrame({
        _("indicator"): [cost_benefit_label(n, currency) for n in table["indicator"]],
        _("median"): [show(v, n) for v, n in zip(table["median"], table["indicator"],
                                                  strict=True)],
        "5-95%": [f"{show(lo, n)} – {show(hi, n)}" for lo, hi, n in
                  zip(table["low"], table["high"], table["indicator"], strict=True)],
        _("note"): [cost_benefit_note(str(n)) for n in table["note"]]})


def section_labour(summary: dict[str, Any]) -> None:
    c1, c2 = st.columns(2)
    with c1:
        if summary["has_policy"]:  # otherwise it is the main chart above
            draw(rates_chart(summary), "lab_rates")
        draw(charts.band_chart(labelled(summary["charts"]["long_term"]),
                               _("Long-term unemployed"), _("People"),
                               note=_("Unemployed 12 months or more, whole economy")),
             "lab_long")
    with c2:
        draw(charts.band_chart(labelled(summary["charts"]["informal_share"]),
                               _("Informal share of employment"), "%",
                               note=_("Whole economy, % of employment; {definition}").format(
                                   definition=definition(summary, "informal_share")),
                               percent=True),
             "lab_informal")
        draw(charts.band_chart(labelled(summary["charts"]["programmes"]),
                               _("People in reskilling and in programme jobs"), _("People"),
                               note=_("Whole economy")), "lab_programmes")


def section_sectors(summary: dict[str, Any]) -> None:
    draw(charts.sectors_chart(labelled(summary["charts"]["employment"]),
                              _("Employment by sector"), where_note(summary)), "sectors")


def section_sources(summary: dict[str, Any], title: str, changes: list[str]) -> None:
    scenario = summary["scenario"]
    st.markdown("#### " + _("Scenario as run: {title}").format(title=title))
    if changes:
        st.write(_("Changed from the preset: {changes}.").format(changes="; ".join(changes)))
    st.write(scenario.description.strip())
    st.markdown("#### " + _("Parameters of this run, with units and references"))
    st.dataframe(exports.parameters_frame(scenario), hide_index=True, width="stretch")
    st.markdown("#### " + _("Data sources for {country}").format(country=story.country(summary)))
    src = sources_table(load_data(), summary["iso3"])
    src["sector"] = src["sector"].map(lambda s: controls.sector_name(s) if s else "(country)")
    st.dataframe(src, hide_index=True, width="stretch")
    st.markdown("#### " + _("Calibrated labour flows (data/calibration.csv)"))
    cal = load_calibration().loc[summary["iso3"]]
    st.dataframe(pd.DataFrame({"field": cal.index, "value": cal.astype(str).to_numpy()}),
                 hide_index=True, width="stretch")
    st.markdown("#### " + _("Model vs observed (`sim validate`)"))
    st.caption(_("The calibrated baseline with no automation, measured as a labour-force survey "
                 "would, against ILOSTAT and the ILO's published exposure figures. What fails "
                 "says so; data/README.md explains each gap."))
    if st.button(_("Compare with observed data"), key="validate") or \
            ss.get("validated") == summary["iso3"]:
        ss["validated"] = summary["iso3"]
        st.dataframe(validation_table(summary["iso3"]), hide_index=True, width="stretch")


@st.cache_data(max_entries=16, show_spinner=False)
def validation_table(iso3: str) -> pd.DataFrame:
    """sim validate for one country, formatted for the page."""
    frame = validate([iso3])
    percent = frame["indicator"].map(in_percent)  # not the spell in months, not the ratio
    for column in ("model", "observed", "gap"):
        frame[column] = [("-" if v != v else (f"{v * 100:.2f}%" if p else f"{v:.2f}"))
                         for v, p in zip(frame[column], percent, strict=True)]
    return frame.drop(columns=["country"])


def brief_charts(summary: dict[str, Any], effect: dict[str, Any]) -> list[tuple[str, dict]]:
    """The charts of the brief: the main ones, then one of each section."""
    out = [(_("Jobs removed by automation, cumulative"), removed_chart(summary, height=200)),
           (_("Unemployment and underemployment"), rates_chart(summary, height=280))]
    out.append((_("Employment with AI minus without AI"), charts.difference_chart(
        labelled(effect["chart"]), _("Employment with AI minus without AI"),
        _("People (difference)"), note=where_note(summary))))
    if summary["key"]["laid_off"]["high"] > 0:  # nobody laid off: the sentence says so
        bars = labelled(summary["laid_off"], "measure").rename(columns={"measure": "label"})
        out.append((_("Where the people laid off are"), charts.bars_chart(
            bars, _("Where the people laid off are, {year}").format(
                year=story.when(summary)),
            _("People"), note=where_note(summary))))
    if summary["has_policy"]:
        out.append((_("Extra people in work with the programmes"),
                    employment_effect_chart(summary, height=280)))
    out.append((_("Employment by sector"), charts.sectors_chart(
        labelled(summary["charts"]["employment"]), _("Employment by sector"),
        where_note(summary))))
    return out


def brief_html(summary: dict[str, Any], none_json: str, title: str, changes: list[str],
               bound: compute.Bound | None) -> str:
    """The HTML brief of the run on the page, in the page's language; ``summary`` as
    ``compute.summarise(..., full=True)`` gives it (the brief has a chart of every section)."""
    notes = [run_caption(summary, bound)]
    if changes:
        notes.append(_("Changed from the preset: {changes}.").format(changes="; ".join(changes)))
    extra = []
    cb = summary["cost_benefit"]
    if cb is not None and len(cb):
        extra.append((_("Costs and benefits, whole economy, over the run"),
                      cost_benefit_frame(cb, summary["currency"])))
    effect = compute.automation_effect_of(none_json)
    return exports.brief(summary=summary, heading=story.heading(summary, title),
                         sentence=story.sentence(summary), title=title,
                         description=summary["scenario"].description.strip(),
                         charts=brief_charts(summary, effect), extra_tables=extra,
                         record=exports.provenance(summary, changes),
                         notes=notes + programme_notes(summary))


def section_export(summary: dict[str, Any], none_json: str, title: str,
                   changes: list[str]) -> None:
    record = exports.provenance(summary, changes)
    slug = f"{summary['iso3']}_{summary['scenario'].name}".replace(" ", "_")[:60]
    st.write(_("Every file is built from the run on this page and carries its provenance "
               "(scenario, seed, replications, scale, data hashes, code version). The Excel "
               "file opens the same in every language setting; a CSV opened in Excel where "
               "the list separator is ';' (for example Vietnamese or Indonesian settings) "
               "puts each row in one column: use the Excel file there."))

    def effect() -> dict[str, Any]:
        return compute.automation_effect_of(none_json)

    def book() -> bytes:
        return exports.workbook(exports.tables(summary, effect()), record)

    bound = ss.get("bound")

    def brief() -> str:
        return brief_html(summary, none_json, title, changes, bound)

    c1, c2 = st.columns(2)
    c1.download_button(_("Excel workbook: every table (.xlsx)"), i18n.in_page_language(book),
                       file_name=f"{slug}.xlsx", key="dl:xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       type="primary", width="stretch")
    c2.download_button(_("HTML brief (opens offline)"), i18n.in_page_language(brief),
                       file_name=f"{slug}_brief.html",
                       mime="text/html", key="dl:brief", on_click="ignore", type="primary",
                       width="stretch")
    st.markdown("##### " + _("CSV and Parquet files"))
    st.caption(_("Parquet keeps the same provenance in the file's metadata."))
    cols = st.columns(3)
    frames = exports.tables(summary, None)
    def parquet(frame: pd.DataFrame) -> Callable[[], bytes]:
        return i18n.in_page_language(lambda: exports.parquet_file(frame, record))

    for i, (name, frame) in enumerate(frames.items()):
        cols[i % 3].download_button(
            f"CSV: {name}", exports.csv_file(frame, record), file_name=f"{slug}_{name}.csv",
            mime="text/csv", key=f"dl:{name}", on_click="ignore", width="stretch")
        cols[i % 3].download_button(
            f"Parquet: {name}",
            parquet(frame),
            file_name=f"{slug}_{name}.parquet", mime="application/vnd.apache.parquet",
            key=f"dl:{name}:parquet", on_click="ignore", width="stretch")


# -- the two views --------------------------------------------------------------------------------


def changed_settings(base) -> list[str]:
    """The controls that differ from the preset, as key = value (preset value)."""
    out = []
    for key in settings.CONTROL_KEYS:
        value, preset = ss[f"w:{key}"], settings.value_at(base, key)
        if value != preset:
            out.append(_("{key} = {value} (preset: {preset})").format(
                key=key, value=settings.encode_query_value(value),
                preset=settings.encode_query_value(preset)))
    return out


def scenario_label(base, changes: list[str]) -> str:
    title = controls.scenario_title(ss["w:scenario"])
    return _("{title} (changed)").format(title=title) if changes else title


def one_view(summary: dict[str, Any], none_json: str, base, bound, policy, policy_json: str
             ) -> None:
    changes = changed_settings(base)
    show_story(summary, scenario_label(base, changes))
    for note in programme_notes(summary):
        st.info(note)
    show_cards(summary)
    c1, c2 = st.columns(2)
    with c1:
        draw(removed_chart(summary), "main_removed")
    with c2:
        if summary["has_policy"]:
            draw(employment_effect_chart(summary), "main_effect")
        else:
            draw(rates_chart(summary), "main_rates")
    st.caption(run_caption(summary, bound))
    st.segmented_control(_("Show"), list(SECTIONS), key="w:view", required=True,
                         format_func=lambda s: _(SECTIONS[s]), label_visibility="collapsed")
    view = ss.get("w:view") or settings.DEFAULT_SECTION
    if view in compute.FULL_SECTIONS:  # the tables only these sections draw, made on demand
        summary = compute.summarise(policy_json, none_json, full=True)
    if view == "adjustment":
        section_adjustment(summary, none_json)
    elif view == "laid_off":
        section_laid_off(summary)
    elif view == "policy":
        section_policy(summary)
    elif view == "labour":
        section_labour(summary)
    elif view == "sectors":
        section_sectors(summary)
    elif view == "region":
        region.section(summary, policy, policy_json, scenario_label(base, changes), changes)
    elif view == "sources":
        section_sources(summary, scenario_label(base, changes), changes)
    elif view == "export":
        section_export(summary, none_json, scenario_label(base, changes), changes)




# -- the page -------------------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="ASEAN automation & jobs simulator", layout="wide")
    st.markdown(CSS, unsafe_allow_html=True)
    i18n.use(ss.get("w:lang") or st.query_params.get("lang"))
    try:
        settings.init_state()
        i18n.use(ss.get("w:lang"))
        controls.sidebar()
        i18n.use(ss.get("w:lang"))
        if ss.pop("relaunch", False):
            query = {key: st.query_params[key] for key in st.query_params}
            query.pop("lang", None)
            if ss["w:lang"] != i18n.DEFAULT_LANGUAGE:
                query["lang"] = ss["w:lang"]
            st.html(controls.relaunch_script(query), unsafe_allow_javascript=True)
            st.stop()
        base = settings.base_scenario(ss["w:scenario"])
    except Exception as exc:  # noqa: BLE001 - never show a traceback in front of a room
        st.error(_("The controls could not be set up ({error}). Reload the page without the "
                   "link's settings.").format(error=f"{type(exc).__name__}: {exc}"))
        return
    for note in ss.pop("notes", []):
        st.warning(note)
    state = None
    try:
        values = {key: ss[f"w:{key}"] for key in settings.CONTROL_KEYS}
        asked, _none = compute.build_scenarios(base, ss["w:country"], ss["w:focus"], values)
        settings.sync_query_params(base)  # only settings that make a scenario reach the link
        policy, _size, bound = compute.bounded(asked)
        # With no programme on, the run is its own no-programme run (a programme's settings
        # change nothing while it is off).
        none = compute.without_levers(policy) if compute.has_levers(policy) else policy
        policy_json, none_json = compute.frozen(policy), compute.frozen(none)
        with st.spinner(_("Running the simulation ...")):
            summary = compute.summarise(policy_json, none_json)
        state = (summary, policy, none, policy_json, none_json, bound)
        ss["last_good"] = state
        ss["bound"] = bound
    except SimError as exc:
        st.error(_("These settings can't be run: {reason}").format(reason=one_line(exc)))
    except Exception as exc:  # noqa: BLE001
        st.error(_("The simulation failed ({error}). Showing the last result that worked, if "
                   "any.").format(error=f"{type(exc).__name__}: {exc}"))
    if state is None:
        state = ss.get("last_good")
        if state is None:
            return
        st.info(_("Showing the last settings that ran."))
    summary, policy, none, policy_json, none_json, bound = state
    if bound is not None:
        st.warning(bound_note(bound))
    try:
        if ss.get("w:compare"):
            side_by_side(summary, policy_json, none, policy, policy_json, none_json, bound)
        else:
            one_view(summary, none_json, base, bound, policy, policy_json)
    except SimError as exc:
        st.error(_("These settings can't be run: {reason}").format(reason=one_line(exc)))
    except Exception as exc:  # noqa: BLE001
        st.error(_("Could not draw the results ({error}).").format(
            error=f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    main()
    # Worker processes for the runs to come start in the background once the page is drawn:
    # started before, their imports would compete with this page for the two cores (a page
    # the run store or the caches already hold needs no run; run_cached starts them itself).
    compute.worker_pool()
