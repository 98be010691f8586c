"""The top of the page: the heading, the result in words, the key numbers and the main charts.

Also what the page says about a run: its caption (replications, seed, scale, currency), the
note when the work bound made the scale coarser, and why a programme changes little. The chart
specs (``removed_chart``, ``rates_chart``, ``employment_effect_chart``) and ``labelled`` (the
translated series names) serve the page's sections and the side-by-side view as well.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from webapp import charts, compute, controls, story
from webapp.i18n import N_, _, num, pct

#: ``sim.inputs.CONCEPTS``' wordings (what each basis of the informal share and of the
#: underemployment rate measures), marked for translation; a test checks they are the same.
CONCEPTS = (
    N_("national definition ({agency})"),
    N_("national definition"),
    N_("ILO harmonised (17th ICLS; ILOSTAT EMP_NIFL)"),
    N_("status proxy (own-account + contributing family workers), a lower bound"),
    N_("ILO time-related (19th ICLS; ILOSTAT TRU_DEMP)"),
    N_("no figure"),
)


def definition(summary: dict[str, Any], metric: str) -> str:
    """The definition the country's ``metric`` (informal_share or underemployment_rate)
    follows in this run, in the page's language (``sim.inputs.definition``)."""
    found = summary["definitions"][metric]
    return _(found.concept).format(agency=found.agency)


def series_labels() -> dict[str, str]:
    """The translated names of the chart series (``compute`` names them by id)."""
    return {
        "foregone": _("Hires foregone"),
        "layoffs": _("Layoffs"),
        "new_ai": _("New AI-era vacancies"),
        "lapsed": _("Lost for want of skills"),
        "in_work": _("Back in regular work"),
        "unemployed": _("Unemployed"),
        "out_of_labour_force": _("Out of the labour force or retired"),
        "in_programme": _("In a programme"),
        "unemployment_rate": _("Unemployment rate"),
        "underemployment_rate": _("Underemployment"),
        "informal_share": _("Informal share of employment"),
        "long_term": _("Long-term unemployed (12+ months)"),
        "in_training": _("In reskilling"),
        "programme_jobs": _("In programme jobs"),
        "entrants": _("Entered the labour force since the start"),
        "incumbents": _("Already in the labour force"),
        "employed": _("People in work, whole economy"),
        "regular": _("People in regular work"),
        "laid_off_in_work": _("Laid-off people back in work"),
        "laid_off": _("Laid off by automation"),
        "displaced_formal": _("In formal work"),
        "displaced_informal": _("In informal work"),
        "displaced_underemployed": _("… of whom underemployed"),
        "displaced_unemployed": _("Unemployed"),
        "displaced_long_term_unemployed": _("… of whom 12+ months"),
        "displaced_out_of_labour_force": _("Out of the labour force or retired"),
        "displaced_in_training": _("In reskilling"),
        "displaced_in_programme_job": _("In a programme job"),
        "male": _("Men"),
        "female": _("Women"),
    }


def labelled(frame: pd.DataFrame, column: str = "series") -> pd.DataFrame:
    names = series_labels()
    out = frame.copy()
    out[column] = out[column].map(lambda s: names.get(s, controls.sector_name(s)))
    return out


def where_note(summary: dict[str, Any]) -> str:
    return _("Sectors: {where}").format(where=story.where(summary))


def removed_chart(
    summary: dict[str, Any], y_domain=None, height: int = 180, short: bool = False
) -> dict[str, Any]:
    note = (
        where_note(summary)
        if short
        else _("{where}. Hires foregone: jobs not created; layoffs: jobs destroyed.").format(
            where=where_note(summary)
        )
    )
    return charts.band_chart(
        labelled(summary["charts"]["removed"]),
        _("Jobs removed by automation, cumulative"),
        _("Jobs"),
        note=note,
        height=height,
        y_domain=y_domain,
    )


def rates_chart(summary: dict[str, Any], y_domain=None, height: int = 180) -> dict[str, Any]:
    return charts.band_chart(
        labelled(summary["charts"]["rates"]),
        _("Unemployment and underemployment"),
        "%",
        note=_(
            "Whole economy: unemployed, % of the labour force; underemployed, % of employment "
            "({definition})"
        ).format(definition=definition(summary, "underemployment_rate")),
        percent=True,
        height=height,
        y_domain=y_domain,
    )


def employment_effect_chart(summary: dict[str, Any], height: int = 180) -> dict[str, Any]:
    return charts.difference_chart(
        labelled(summary["effects"]["employed"]["chart"]),
        _("Extra people in work with the programmes"),
        _("People (difference)"),
        note=_("Whole economy; with minus without the programmes, paired by seed"),
        height=height,
    )


def show_story(summary: dict[str, Any], title: str) -> None:
    st.markdown(
        f'<h2 class="story-heading">{escape(story.heading(summary, title))}</h2>',
        unsafe_allow_html=True,
    )
    st.markdown(f'<p class="story">{escape(story.sentence(summary))}</p>', unsafe_allow_html=True)


def escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def show_cards(summary: dict[str, Any], columns: int = 4) -> None:
    cols = st.columns(columns)
    for i, card in enumerate(story.cards(summary)):
        col = cols[i % columns]
        colour = {"+": "green", "-": "red"}.get(card.tone, "off")
        col.metric(
            card.label,
            card.value,
            delta=card.delta,
            delta_color=colour,  # type: ignore[arg-type]
            delta_arrow=card.arrow,  # type: ignore[arg-type]
            help=card.help or None,
        )
        if card.caption:
            col.caption(card.caption)


def draw(spec: dict[str, Any], key: str) -> None:
    st.vega_lite_chart(spec, width="stretch", theme=None, key=key)


def run_caption(summary: dict[str, Any], bound: compute.Bound | None) -> str:
    scale = ", ".join(f"{k:,}" for k in summary["scale"])
    scenario = summary["scenario"]
    values = {
        "reps": scenario.run.replications,
        "seed": scenario.run.seed,
        "scale": scale,
        "currency": summary["currency"],
    }
    if bound is None:
        return _(
            "{reps} replications · seed {seed} · one simulated person stands for {scale} real "
            "people (the automatic scale that sim run uses) · money in {currency}"
        ).format(**values)
    return _(
        "{reps} replications · seed {seed} · one simulated person stands for {scale} "
        "real people: coarser than sim run's {asked} (see the note above) · money "
        "in {currency}"
    ).format(asked=f"{bound.asked_scale:,}", **values)


def bound_note(bound: compute.Bound) -> str:
    return _(
        "This run asks for {work} simulated person-months ({memory} GiB per process), above "
        "what one request may take on this shared server ({limit} person-months, {mlimit} "
        "GiB). The page runs it with one simulated person for {used} real people instead "
        "of {asked}, so its figures differ from `sim run` by sampling noise; run the "
        "`sim` command for the full scale."
    ).format(
        work=num(bound.person_months),
        memory=f"{bound.memory_bytes / 2**30:.1f}",
        limit=num(compute.MAX_PERSON_MONTHS),
        mlimit=f"{compute.MAX_MODEL_BYTES / 2**30:.0f}",
        used=f"{bound.used_scale:,}",
        asked=f"{bound.asked_scale:,}",
    )


def programme_notes(summary: dict[str, Any]) -> list[str]:
    """Why a programme changes little: nobody eligible, or seats above the people eligible."""
    notes = []
    scenario = summary["scenario"]
    key = summary["key"]
    if scenario.levers.reskilling.enabled and key["enrolled"]["median"] <= 0:
        notes.append(
            _(
                "The reskilling programme finds nobody eligible (who may enrol: "
                "{who}). When automation removes jobs only through hires foregone, "
                "nobody is laid off: open the programme to other job seekers."
            ).format(who=_(controls.CHOICES[scenario.levers.reskilling.eligibility]))
        )
    use = summary["programme_use"]
    if use and key["enrolled"]["median"] > 0 and use["filled_share"] < 0.9:
        notes.append(
            _(
                "Only {share} of the reskilling seats are filled ({seats} offered a "
                "month): there are not enough eligible people, so more seats change "
                "nothing."
            ).format(share=pct(100 * use["filled_share"], 0), seats=num(use["seats_per_month"]))
        )
    jobs = scenario.levers.job_creation
    if jobs.enabled and key["programme_hires"]["median"] <= 0:
        notes.append(
            _("The job-creation programme finds nobody eligible (who is hired: {who}).").format(
                who=_(controls.CHOICES[jobs.targeting])
            )
        )
    return notes
