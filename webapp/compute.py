"""Running the simulator for the page: the scenarios, the work bound, cached runs, summaries.

One engine, one answer: the page runs ``sim.runner.run_scenario`` with the scenario's own scale
(empty = the automatic rule ``sim.model.automatic_scale``, focus-sector floor included), the
same seeds and replications as ``sim run``, so its numbers are the CLI's. The only exception is
a request above the app's work bound (simulated person-months, memory; a link or an uploaded
file can ask for any size): it runs at a coarser scale, and the page says so and names the CLI.

Every request needs at most three runs, each cached on its scenario's JSON and shared by all
sessions: the policy run, the same settings with no programmes (lever-independent), and that
run's twin with no AI adoption (``sim.runner.no_automation``, the same seeds; it equals the
counterfactual of ``run_scenario(..., counterfactual=True)``). Moving a lever reruns only the
policy run. Summaries (``summarise``, ``automation_effect``) return numbers and tables, never
text: the page translates.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import multiprocessing
import os
import sys
import types
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from sim.bands import breakdown_band, series_band
from sim.counterfactual import automation_effect
from sim.data import SECTORS, load_data
from sim.evaluation import cost_benefit, evaluation_table
from sim.resources import GIB, PROCESS_BYTES, RunSize, available_memory, run_size
from sim.results import DERIVED, HEADLINE, Results, compare, median_band
from sim.runner import no_automation, run_scenario
from sim.scenarios import Scenario, check_countries, with_overrides
from sim.scenarios.schema import Levers
from webapp import run_store
from webapp.settings import APP_MAX, BAND, CONTROL_KEYS, DEFAULT_COUNTRY, preset_controls
from webapp.worker import start_worker

__all__ = [
    "HEADLINE_ROWS",
    "Bound",
    "bounded",
    "build_scenarios",
    "compare",
    "frozen",
    "preset_request",
    "run_cached",
    "same_settings",
    "summarise",
    "automation_effect_of",
    "region_of",
    "region_scenario",
]

#: Simulated person-months one run of a request may take (all replications). The Philippine
#: BPO scenario at its automatic scale takes 3.6e8 (0.6 m person slots x 120 months x 5).
MAX_PERSON_MONTHS = 4e8
#: Memory one worker process may take for one model.
MAX_MODEL_BYTES = 2 * GIB
#: The page's headline rows: the simulator's, plus the laid-off back in regular work.
HEADLINE_ROWS = [
    *HEADLINE,
    ("People laid off by automation, back in regular work", "displaced_employed", "focus"),
]
#: Where the people laid off by automation are (a person is in one state; the underemployed
#: are among those in work).
LAID_OFF = (
    "displaced_formal",
    "displaced_informal",
    "displaced_underemployed",
    "displaced_unemployed",
    "displaced_long_term_unemployed",
    "displaced_out_of_labour_force",
    "displaced_in_training",
    "displaced_in_programme_job",
)
#: Policy minus no programmes, paired by seed: id -> (indicator, scope).
#: "employed" counts people in work as the ILO does (programme jobs included), as the
#: cost-benefit table's net job-years do (``sim.evaluation.cost_benefit``).
POLICY_EFFECTS = {
    "employed": ("employed_with_programme_jobs", "economy"),
    "regular": ("employed", "economy"),
    "unemployed": ("unemployed", "economy"),
    "unemployed_or_training": ("unemployed_or_in_training", "economy"),
    "long_term": ("long_term_unemployed", "economy"),
}


# -- the scenarios of a request -------------------------------------------------------------------


def build_scenarios(
    base: Scenario, iso3: str, focus: list[str], values: dict[str, Any]
) -> tuple[Scenario, Scenario]:
    """(policy, no programmes): the controls' values on the preset, and the same with no levers.

    Raises:
        ScenarioError: a preset made for another country, or a value the schema refuses.
    """
    check_countries(base, [iso3])  # a scenario holding one country's figures runs there only
    overrides = {key: values[key] for key in CONTROL_KEYS}
    overrides["countries"] = [iso3]
    overrides["focus_sectors"] = list(focus)
    policy = with_overrides(base, overrides, origin="settings")
    return policy, without_levers(policy)


def has_levers(scenario: Scenario) -> bool:
    """Whether a programme is on."""
    return scenario.levers.reskilling.enabled or scenario.levers.job_creation.enabled


def without_levers(scenario: Scenario) -> Scenario:
    return with_overrides(scenario, {"levers": Levers().model_dump()}, origin="settings")


def with_settings_of(scenario: Scenario, reference: Scenario) -> Scenario:
    """``scenario`` run like ``reference``: its country, focus sectors and run settings."""
    run = reference.run
    return with_overrides(
        scenario,
        {
            "countries": list(reference.countries),
            "focus_sectors": list(reference.focus_sectors),
            "run.replications": run.replications,
            "run.horizon_months": run.horizon_months,
            "run.seed": run.seed,
            "run.start": run.start,
            "run.scale": run.scale,
        },
        origin="settings",
    )


@dataclasses.dataclass(frozen=True)
class Bound:
    """A request above the app's work bound, run at a coarser scale."""

    asked_scale: int
    used_scale: int
    person_months: float
    memory_bytes: int


def bounded(scenario: Scenario) -> tuple[Scenario, RunSize, Bound | None]:
    """The scenario as the page runs it: unchanged within the work bound, else at the coarsest
    of the scales that bring it within ``MAX_PERSON_MONTHS`` and the memory limit (two worker
    processes, each at most ``MAX_MODEL_BYTES`` and half of the memory available)."""
    tables = load_data()
    iso3 = scenario.countries[0]
    memory = min(MAX_MODEL_BYTES, available_memory() // 2) - PROCESS_BYTES

    def excess(size: RunSize) -> float:
        return max(
            size.person_months / MAX_PERSON_MONTHS,
            (size.model_bytes - PROCESS_BYTES) / max(memory, 1),
        )

    asked = size = size_of(
        without_levers_json(scenario), iso3, tuple(sorted(tables.hashes.items()))
    )
    coarse = scenario
    while excess(size) > 1.0:  # slots are not quite proportional to 1 / scale: repeat
        coarse = with_overrides(
            scenario,
            {"run.scale": max(math.ceil(size.scale * excess(size)), size.scale + 1)},
            origin="settings",
        )
        size = run_size(coarse, iso3, tables)
    if coarse is scenario:
        return scenario, size, None
    return coarse, size, Bound(asked.scale, size.scale, asked.person_months, asked.model_bytes)


def without_levers_json(scenario: Scenario) -> str:
    """The scenario's canonical JSON without its programmes (``levers``): what sets its size."""
    settings = scenario.model_dump(mode="json")
    del settings["levers"]
    return json.dumps(settings, sort_keys=True)


@functools.lru_cache(maxsize=256)  # no Streamlit cache: webapp.serve calls it before the server
def size_of(scenario_json: str, iso3: str, data: tuple[tuple[str, str], ...]) -> RunSize:
    """``run_size`` in one country of a scenario given as canonical JSON without its levers
    (``without_levers_json``), for the data files whose hashes are ``data``. Cached: a run's
    size does not depend on the programmes, so moving a lever slider needs no new estimate
    (``run_size`` sets up the country's inputs, about 13 ms)."""
    return run_size(Scenario.model_validate_json(scenario_json), iso3, load_data())


def same_settings(a: Scenario, b: Scenario) -> bool:
    """Two scenarios that differ only in their name, description or parent: the same run."""
    words = {"name", "description", "extends"}

    def settings(s: Scenario) -> dict[str, Any]:
        return {k: v for k, v in s.model_dump(mode="json").items() if k not in words}

    return settings(a) == settings(b)


def frozen(scenario: Scenario) -> str:
    """A plain hashable key for a scenario: its canonical JSON."""
    return json.dumps(scenario.model_dump(mode="json"), sort_keys=True)


# -- running (cached, shared by every session) ----------------------------------------------------


def worker_count() -> int:
    """Worker processes for replications: both cores (``SIM_APP_WORKERS`` overrides)."""
    return int(os.environ.get("SIM_APP_WORKERS", min(2, os.cpu_count() or 1)))


def worker_pool() -> ProcessPoolExecutor | None:
    """Worker processes for replications, for the simulator's code as it is on disk now; None
    runs serially in the server (``pool_for_code``)."""
    return pool_for_code(run_store.source_fingerprint())


@st.cache_resource(max_entries=1)
def pool_for_code(code: str) -> ProcessPoolExecutor | None:
    """Worker processes for the simulator whose sources hash to ``code``
    (``run_store.source_fingerprint``). Streamlit re-imports the page's modules when their
    files change while the server runs; the workers would go on with the code they imported,
    and the run store would keep their results under the new code's key. New code gets a new
    pool; the old one is let go (its processes end when it is collected).

    A task per worker is submitted at once, so the processes start (importing the simulator,
    loading the data) in the background.
    """
    workers = worker_count()
    if workers < 2:
        return None
    pool = ProcessPoolExecutor(
        max_workers=workers,
        initializer=start_worker,
        mp_context=multiprocessing.get_context("spawn"),
    )
    # Streamlit runs app.py as the module ``__main__``, with app.py as its file, and a spawned
    # process first imports its parent's ``__main__`` from that file: every worker imported the
    # whole page (Streamlit, Altair, the page's caches, whose "No runtime found" warnings filled
    # the terminal). The processes are launched here, synchronously (``submit`` starts them
    # with the spawn method), with a bare ``__main__`` in place for that moment.
    page = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for _ in range(workers):
            pool.submit(int)
    finally:
        sys.modules["__main__"] = page
    return pool


#: Result caches are shared by every session and keyed by settings. An entry's size grows with
#: replications and months, both in the sidebar (one 40-replication run pickles to ~25 MB), so
#: a count limit alone does not bound memory: each cache also has a byte limit (pickled size;
#: least recently used entries go first).
RUN_CACHE: dict[str, Any] = {"max_entries": 48, "max_size": "256MB"}
DERIVE_CACHE: dict[str, Any] = {"max_entries": 48, "max_size": "64MB"}


@st.cache_data(**RUN_CACHE, show_spinner=False)
def run_cached(scenario_json: str) -> Results:
    """One country's run of a scenario; cached on the scenario's canonical JSON, and kept on
    disk too when the run store is on (``webapp.run_store``: a server started again answers
    from disk)."""
    store = run_store.from_environment()
    key = store.key(scenario_json) if store is not None else ""
    stored = store.load(key) if store is not None else None
    if stored is not None:
        return stored
    scenario = Scenario.model_validate_json(scenario_json)
    pool = worker_pool() if scenario.run.replications > 1 else None
    try:
        results = run_scenario(scenario, executor=pool)
    except BrokenProcessPool:
        pool_for_code.clear()
        results = run_scenario(scenario)
    if store is not None:
        store.save(key, results)
    return results


def preset_request(base: Scenario, country: str | None = None) -> tuple[str, str]:
    """(policy, no programmes) as canonical JSON: what the page runs for a preset opened with
    no other setting (its controls' values within ``APP_MAX``, its focus sectors or all, its
    country or ``country`` or the default), as ``settings.init_state`` and ``app.main`` build
    it. ``webapp.serve`` runs these ahead of the room.

    Raises:
        ScenarioError: a preset made for another country.
    """
    values, focus, own = preset_controls(base)
    values.update({key: min(values[key], limit) for key, limit in APP_MAX.items()})
    asked, _none = build_scenarios(base, country or own or DEFAULT_COUNTRY, focus, values)
    policy, _size, _bound = bounded(asked)
    none = without_levers(policy) if has_levers(policy) else policy
    return frozen(policy), frozen(none)


# -- summaries for the page (numbers only) --------------------------------------------------------


def report_month(results: Results) -> int:
    """The month the key numbers are read at: the end of the last headline year in the run,
    else the run's last month."""
    months = results.report_months()
    return months[-1] if months else len(results.dates) - 1


def indicator(results: Results, metric: str, scope: str, focus: list[str] | None) -> np.ndarray:
    """A headline indicator as [replication, month] (derived ones summed; rates in percent)."""
    return results.indicator(metric, None, focus if scope == "focus" else None, scope)


def at_month(values: np.ndarray, month: int) -> dict[str, float]:
    mid, low, high = median_band(np.asarray(values, dtype=float)[:, month], BAND)
    return {"median": float(mid), "low": float(low), "high": float(high)}


#: The page's chart tables, in the order the files list them. The page's top and its first
#: section draw only some; the others (``SECTION_CHARTS``) are made when a section or a file
#: asks (``summarise(..., full=True)``).
CHARTS = (
    "removed",
    "removed_monthly",
    "ai_vacancies",
    "laid_off_paths",
    "rates",
    "informal_share",
    "long_term",
    "employment",
    "programmes",
)
SECTION_CHARTS = ("removed_monthly", "ai_vacancies", "laid_off_paths", "employment")
#: The sections that draw from ``SECTION_CHARTS`` or the other tables of ``details``.
FULL_SECTIONS = ("adjustment", "laid_off", "policy", "sectors", "export")


def chart_tables(results: Results, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The band tables (median and 5-95% over replications, by month) of the charts
    ``names``, in ``CHARTS`` order."""
    scenario = results.scenario
    iso3 = scenario.countries[0]
    focus = list(scenario.focus_sectors) or None
    dates = [f"{d}-01" for d in results.dates.strftime("%Y-%m")]

    def series(metric: str, scope: str = "focus") -> np.ndarray:
        return indicator(results, metric, scope, focus)

    def bands(*parts: tuple[np.ndarray, str]) -> pd.DataFrame:
        frames = [series_band(values, dates, name) for values, name in parts]
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    makers = {
        "removed": lambda: bands(
            (series("hires_foregone_cumulative"), "foregone"),
            (series("automation_job_losses_cumulative"), "layoffs"),
        ),
        "removed_monthly": lambda: bands(
            (series("hires_foregone"), "foregone"),
            (series("automation_job_losses"), "layoffs"),
        ),
        "ai_vacancies": lambda: bands(
            (series("new_ai_vacancies_cumulative"), "new_ai"),
            (series("ai_vacancies_lapsed_cumulative"), "lapsed"),
        ),
        "laid_off_paths": lambda: bands(
            (series("displaced_employed"), "in_work"),
            (series("displaced_unemployed"), "unemployed"),
            (series("displaced_out_of_labour_force"), "out_of_labour_force"),
            (
                series("displaced_in_training") + series("displaced_in_programme_job"),
                "in_programme",
            ),
        ),
        "rates": lambda: bands(
            *((series(m, "economy"), m) for m in ("unemployment_rate", "underemployment_rate"))
        ),
        "informal_share": lambda: bands((series("informal_share", "economy"), "informal_share")),
        "long_term": lambda: bands((series("long_term_unemployed", "economy"), "long_term")),
        "employment": lambda: bands(
            *((results.values("employed", iso3, [s]), s) for s in (focus or SECTORS))
        ),
        "programmes": lambda: bands(
            (results.values("in_training", iso3), "in_training"),
            (results.values("programme_jobs", iso3), "programme_jobs"),
        ),
    }
    return {name: makers[name]() for name in CHARTS if name in names}


@st.cache_data(**DERIVE_CACHE, show_spinner=False)
def summarise(policy_json: str, none_json: str, full: bool = False) -> dict[str, Any]:
    """Everything the page's top and its first section draw from the policy run and its
    no-programme run, as numbers; with ``full``, also what only the other sections and the
    files need (``details``: more charts, the laid-off breakdown, the headline table, the
    in-model evaluation).

    Cached on plain strings, so a cached redraw only unpickles small tables.
    """
    if full:
        core = summarise(policy_json, none_json)
        extra = details(policy_json, none_json)
        charts = {**core["charts"], **extra["charts"]}
        return {
            **core,
            **extra,
            "charts": {name: charts[name] for name in CHARTS if name in charts},
        }
    policy = run_cached(policy_json)
    has_policy = policy_json != none_json
    none = run_cached(none_json) if has_policy else policy
    scenario = policy.scenario
    iso3 = scenario.countries[0]
    focus = list(scenario.focus_sectors) or None
    dates = [f"{d}-01" for d in policy.dates.strftime("%Y-%m")]
    month = report_month(policy)

    def series(metric: str, scope: str = "focus", run: Results = policy) -> np.ndarray:
        return indicator(run, metric, scope, focus)

    laid_off = {name: at_month(series(name), month) for name in LAID_OFF}
    key = {
        "removed": at_month(series("automation_cut_cumulative"), month),
        "hires_foregone": at_month(series("hires_foregone_cumulative"), month),
        "layoffs": at_month(series("automation_job_losses_cumulative"), month),
        "laid_off": at_month(series("displaced_workers"), month),
        "laid_off_in_work": at_month(series("displaced_employed"), month),
        "new_ai_vacancies": at_month(series("new_ai_vacancies_cumulative"), month),
        "ai_vacancies_lapsed": at_month(series("ai_vacancies_lapsed_cumulative"), month),
        "unemployment_rate": at_month(series("unemployment_rate", "economy"), month),
        "long_term": at_month(series("long_term_unemployed", "economy"), month),
        "informal_share": at_month(series("informal_share", "economy"), month),
        "underemployment_rate": at_month(series("underemployment_rate", "economy"), month),
        "employed": at_month(series("employed"), month),
        "cost": at_month(series("programme_cost_cumulative", "economy"), month),
        "enrolled": at_month(series("reskilling_enrolments_cumulative", "economy"), month),
        "programme_hires": at_month(policy.values("programme_hires_cumulative", iso3), month),
    }
    laid_off_bars = pd.DataFrame([{"measure": name, **value} for name, value in laid_off.items()])
    country = load_data().country(iso3)
    summary: dict[str, Any] = {
        "iso3": iso3,
        "currency": country.currency,
        "country_name": country.name,
        "scenario": scenario,
        "has_policy": has_policy,
        "focus": focus,
        "dates": dates,
        "month": month,
        "year": int(policy.dates[month].year),
        "date": str(policy.dates[month]),
        "scale": sorted({int(k) for k in policy.scales[0]}) if policy.scales is not None else [],
        "key": key,
        "laid_off": laid_off_bars,
        "charts": chart_tables(
            policy, tuple(name for name in CHARTS if name not in SECTION_CHARTS)
        ),
        "provenance": policy.file_provenance(),
        "definitions": policy.definitions[iso3],
        "programme_use": programme_use(policy),
        "effects": {},
        "comparison": None,
        "cost_benefit": None,
    }
    if has_policy:
        summary["comparison"] = compare(
            none, policy, band=BAND, sectors=focus, years=None, rows=HEADLINE_ROWS
        )
        summary["effects"] = paired_effects(policy, none, focus, dates, month)
        summary["cost_benefit"] = cost_benefit(
            none, policy, scenario.earnings.discount_rate_per_year, band=BAND
        )
    return summary


@st.cache_data(**DERIVE_CACHE, show_spinner=False)
def details(policy_json: str, none_json: str) -> dict[str, Any]:
    """What only some sections and the files draw from the policy run: the charts of
    ``SECTION_CHARTS``, the headline table, the laid-off breakdown by sector and sex, and the
    in-model evaluation (None with no programme on)."""
    policy = run_cached(policy_json)
    focus = list(policy.scenario.focus_sectors) or None
    iso3 = policy.scenario.countries[0]
    return {
        "charts": chart_tables(policy, SECTION_CHARTS),
        "headline": policy.headline(focus, None, band=BAND, country=iso3, rows=HEADLINE_ROWS),
        "breakdown": breakdown(policy, focus, report_month(policy)),
        "evaluation": evaluation_table(policy, band=BAND) if policy_json != none_json else None,
    }


def paired_effects(
    policy: Results, none: Results, focus: list[str] | None, dates: list[str], month: int
) -> dict[str, Any]:
    """Policy minus no programmes, replication by replication (same seeds): the band over time
    and at the report month, for each of ``POLICY_EFFECTS``."""
    out = {}
    for name, (metric, scope) in POLICY_EFFECTS.items():
        diff = indicator(policy, metric, scope, focus) - indicator(none, metric, scope, focus)
        out[name] = {"chart": series_band(diff, dates, name), "at": at_month(diff, month)}
    return out


def breakdown(results: Results, focus: list[str] | None, month: int) -> pd.DataFrame:
    """People laid off by automation and those back in regular work, by sector and sex, at
    ``month``: median and band over replications."""
    table = results.breakdown(months=[month])
    table["metric"] = table["metric"].replace(
        dict.fromkeys(DERIVED["displaced_employed"], "displaced_employed")
    )
    return breakdown_band(
        table,
        {"automation_job_losses_cumulative": "laid_off", "displaced_employed": "in_work"},
        focus,
        BAND,
    )


def programme_use(results: Results) -> dict[str, float]:
    """How full the reskilling programme is: enrolments per month against the seats offered
    (medians over replications, over the months it runs). Seats above the people eligible stay
    empty, so more seats then change nothing."""
    scenario = results.scenario
    lever = scenario.levers.reskilling
    if not lever.enabled or lever.seats_per_100k <= 0:
        return {}
    active = slice(lever.start_month + 1, None)
    seats = results.values("labour_force")[:, active] * lever.seats_per_100k / 1e5
    enrolled = results.values("reskilling_enrolments")[:, active]
    waiting = results.values("reskilling_waiting")[:, active]
    if seats.size == 0:
        return {}
    used = enrolled.sum(axis=1) / np.maximum(seats.sum(axis=1), 1e-12)
    return {
        "seats_per_month": float(np.median(seats.mean(axis=1))),
        "filled_share": float(np.median(used)),
        "waiting": float(np.median(waiting[:, -1])),
    }


@st.cache_data(**DERIVE_CACHE, show_spinner=False)
def automation_effect_of(none_json: str) -> dict[str, Any]:
    """Automation against its twin with no AI adoption (same seeds, no programmes): employment
    in the sectors in focus of entrants and incumbents over time, and ``automation_effect``'s
    table at the headline years."""
    none = run_cached(none_json)
    twin = run_cached(frozen(no_automation(none.scenario)))
    # The twin run on its own follows no laid-off cohort: leave the earnings loss out.
    paired = dataclasses.replace(
        none, counterfactual=dataclasses.replace(twin, cohort_earnings=None)
    )
    focus = list(none.scenario.focus_sectors) or None
    iso3 = none.countries[0]
    dates = [f"{d}-01" for d in none.dates.strftime("%Y-%m")]

    def diff(metric: str, sectors: list[str] | None) -> np.ndarray:
        return none.values(metric, iso3, sectors) - twin.values(metric, iso3, sectors)

    entrants = diff("entrants_employed", focus)
    everyone = diff("employed", focus)
    chart = pd.concat(
        [
            series_band(entrants, dates, "entrants"),
            series_band(everyone - entrants, dates, "incumbents"),
        ],
        ignore_index=True,
    )
    month = report_month(none)
    return {
        "chart": chart,
        "entrants": at_month(entrants, month),
        "incumbents": at_month(everyone - entrants, month),
        "employed": at_month(everyone, month),
        "economy": at_month(diff("employed", None), month),
        "table": automation_effect(paired, focus, None, band=BAND),
    }


# -- the ten countries side by side (the AI-divide view) -----------------------------------------

#: Replications per country in the regional view: ten countries and their no-AI twins are
#: twenty runs, so the view takes at most three replications each (the sidebar's if fewer).
REGION_REPLICATIONS = 3


def region_scenario(policy: Scenario, iso3: str) -> Scenario:
    """The page's scenario for one country of the regional view, at that country's automatic
    scale and at most ``REGION_REPLICATIONS`` replications, within the work bound.

    Raises:
        ScenarioError: the scenario holds one country's figures (``for_country``).
    """
    check_countries(policy, [iso3])
    one = with_overrides(
        policy,
        {
            "countries": [iso3],
            "run.scale": None,
            "run.replications": min(policy.run.replications, REGION_REPLICATIONS),
        },
        origin="settings",
    )
    return bounded(one)[0]


@st.cache_data(**DERIVE_CACHE, show_spinner=False)
def region_of(policy_json: str) -> pd.DataFrame:
    """``sim.region.region_table`` for every country with data, every December in the run: the
    page's scenario in each country against its twin with no AI adoption (same seeds), one
    country at a time through the shared run cache. Rows as ``region_table``'s."""
    from sim.region import region_table

    policy = Scenario.model_validate_json(policy_json)
    frames = []
    for iso3 in load_data().iso3_codes:
        scenario = region_scenario(policy, iso3)
        results = run_cached(frozen(scenario))
        twin = run_cached(frozen(no_automation(scenario)))
        paired = dataclasses.replace(
            results, counterfactual=dataclasses.replace(twin, cohort_earnings=None)
        )
        years = sorted({d.year for d in results.dates if results.month_of(d.year) is not None})
        frames.append(region_table(paired, years, band=BAND))
    return pd.concat(frames, ignore_index=True)
