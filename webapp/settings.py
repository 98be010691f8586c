"""The app's settings: which controls exist, their limits, the presets and the share link.

Every control is a scenario field (``sim.scenarios.PARAMETERS`` gives its default, range and
help) whose widget state lives in ``st.session_state["w:<dotted key>"]``. The share link
(``st.query_params``) holds what differs from the chosen preset, plus the country, the focus
sectors, the language, the comparison and the section shown, so a link reopens the same page.
Values a link may not use are ignored or capped, each with a note on the page.
"""

from __future__ import annotations

import typing
from typing import Any

import streamlit as st

from sim import vocabulary
from sim.data import SECTORS, load_data
from sim.errors import ScenarioError
from sim.scenarios import PARAMETERS, Scenario, list_scenarios, load_scenario, with_overrides
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _

DEFAULT_COUNTRY = "PHL"
DEFAULT_SCENARIO = "baseline"
UPLOADED = "__uploaded__"
#: The comparison that is one scenario with and without its levers.
NO_LEVERS = "nolevers"
BAND = vocabulary.BAND
YEARS = vocabulary.HEADLINE_YEARS
JS_MAX_INT = 2**53 - 1

UNCERTAINTY_KEYS = (
    "uncertainties.adoption_pace",
    "uncertainties.adoption_ceiling",
    "uncertainties.adoption_midpoint_month",
    "uncertainties.exposure_assumption",
    "uncertainties.displacement_elasticity",
    "uncertainties.new_jobs_ratio",
    "uncertainties.adjustment_window_months",
)
RESKILLING_KEYS = (
    "levers.reskilling.enabled",
    "levers.reskilling.seats_per_100k",
    "levers.reskilling.eligibility",
    "levers.reskilling.min_months_unemployed",
    "levers.reskilling.duration_months",
    "levers.reskilling.target_sectors",
    "levers.reskilling.start_month",
)
JOB_KEYS = (
    "levers.job_creation.enabled",
    "levers.job_creation.jobs_per_100k",
    "levers.job_creation.targeting",
    "levers.job_creation.sectors",
    "levers.job_creation.duration_months",
    "levers.job_creation.start_month",
)
RUN_KEYS = ("run.replications", "run.horizon_months", "run.seed")
CONTROL_KEYS = UNCERTAINTY_KEYS + RESKILLING_KEYS + JOB_KEYS + RUN_KEYS

#: Tighter upper bounds than the schema's for the shared workshop server: one session's
#: 1,000 replications over 600 months would hold both cores for minutes (the CLI and sweeps
#: take the full ranges).
#: (A seed above 2**53 - 1 would not survive the browser's number input: it came back as 0.)
APP_MAX = {"run.replications": 50, "run.horizon_months": 240, "run.seed": JS_MAX_INT}

#: The sections below the key numbers: id -> title (translated where shown).
SECTIONS = {
    "labour": N_("Labour market"),
    "adjustment": N_("Automation's cut"),
    "laid_off": N_("Laid-off people"),
    "policy": N_("Policy effect"),
    "sectors": N_("Sectors"),
    "region": N_("ASEAN side by side"),
    "sources": N_("Sources"),
    "export": N_("Export"),
}
#: The first section needs no extra run (the no-AI twin of "adjustment" doubles the work).
DEFAULT_SECTION = "labour"

#: One-click comparisons: id -> (title, scenario A, scenario B or NO_LEVERS, country or None).
COMPARISONS = {
    "bpo_reskilling": (
        N_("Philippine BPO: with and without reskilling"),
        "phl_bpo",
        "phl_bpo_reskilling",
        "PHL",
    ),
    "genai_pace": (N_("Central vs fast generative-AI adoption"), "baseline", "fast_genai", None),
    "programmes": (N_("Reskilling push vs job creation"), "reskilling_push", "job_creation", None),
    "levers": (N_("Combined programmes, with and without them"), "combined", NO_LEVERS, None),
}

ss = st.session_state


# -- schema introspection (defaults, ranges and help text are read, never retyped) --------------


def bounds(dotted: str) -> tuple[Any, Any]:
    """(ge, le) of a numeric scenario field, within the app's own limits."""
    lo, hi = PARAMETERS[dotted].minimum, PARAMETERS[dotted].maximum
    if dotted in APP_MAX and hi is not None:
        hi = min(hi, APP_MAX[dotted])
    return lo, hi


def value_at(scenario: Scenario, dotted: str) -> Any:
    node: Any = scenario
    for part in dotted.split("."):
        node = getattr(node, part)
    return list(node) if isinstance(node, list) else node


def kind_of(dotted: str) -> str:
    """Which widget fits a field: toggle, choice, sectors, number, wide (1-2-5 steps) or slider."""
    annotation = PARAMETERS[dotted].annotation
    if annotation is bool:
        return "toggle"
    if PARAMETERS[dotted].choices is not None:
        return "choice"
    if typing.get_origin(annotation) is list:
        return "sectors"
    if dotted in ("run.replications", "run.seed"):
        return "number"
    lo, hi = bounds(dotted)
    default = PARAMETERS[dotted].default
    if lo is not None and hi is not None and (hi - lo) > 100 * max(abs(default), 1):
        return "wide"
    return "slider"


# -- presets --------------------------------------------------------------------------------------


@st.cache_resource
def presets() -> dict[str, Scenario]:
    """The shipped scenario files, validated once per server process."""
    return {name: load_scenario(name) for name in list_scenarios()}


def base_scenario(name: str) -> Scenario:
    if name == UPLOADED and ss.get("uploaded") is not None:
        return ss["uploaded"]
    return presets().get(name) or presets()[DEFAULT_SCENARIO]


def capped(key: str, value: Any, origin: str) -> Any:
    """``value`` within the app's limit for ``key``; a note on the page when it was above."""
    if key in APP_MAX and value > APP_MAX[key]:
        ss.setdefault("notes", []).append(
            _(
                "{origin} asks for {key} = {value}, above the app's limit of {limit}: the page "
                "uses {limit}. The `sim` command runs any value."
            ).format(origin=origin, key=key, value=value, limit=APP_MAX[key])
        )
        return APP_MAX[key]
    return value


def preset_controls(scenario: Scenario) -> tuple[dict[str, Any], list[str], str | None]:
    """What a scenario sets in the controls: every control's value (before ``APP_MAX``), the
    sectors in focus (all when it names none), and its own country, or None when it names
    none the data have (the page keeps its country)."""
    values = {key: value_at(scenario, key) for key in CONTROL_KEYS}
    focus = list(scenario.focus_sectors) or list(SECTORS)
    named = "countries" in scenario.model_fields_set
    own = scenario.countries[0] if named else None
    return values, focus, own if own in load_data().iso3_codes else None


def apply_preset(scenario: Scenario, origin: str) -> None:
    """Set every widget from a scenario (preset choice, comparison, upload, Reset)."""
    values, focus, country = preset_controls(scenario)
    for key, value in values.items():
        ss[f"w:{key}"] = capped(key, value, origin)
    ss["w:focus"] = focus
    if country is not None:
        ss["w:country"] = country


# -- the share link -------------------------------------------------------------------------------


def parse_query_value(dotted: str, text: str) -> Any:
    kind = kind_of(dotted)
    if kind == "toggle":
        if text.lower() not in {"true", "false", "1", "0"}:
            raise ValueError(_("expected true or false"))
        return text.lower() in {"true", "1"}
    if kind == "sectors":
        return [part for part in text.split(",") if part]
    if kind == "choice":
        return text
    return int(text) if PARAMETERS[dotted].numeric == "int" else float(text)


def encode_query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def comparison_options() -> list[str]:
    """What the second column may show: nothing (""), the same settings with no levers, or a
    shipped scenario."""
    return ["", NO_LEVERS, *presets()]


def init_state() -> None:
    """First run of a session: start from the link's settings, falling back to defaults."""
    if ss.get("initialised"):
        return
    notes: list[str] = []
    query = {key: st.query_params[key] for key in st.query_params}
    lang = query.pop("lang", DEFAULT_LANGUAGE)
    ss["w:lang"] = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    if lang not in LANGUAGES:
        notes.append(
            _("Unknown language {value!r} in the link; showing English.").format(value=lang)
        )
    name = query.pop("scenario", DEFAULT_SCENARIO)
    if name not in presets():
        notes.append(
            _("Unknown scenario {value!r} in the link; showing {default!r}.").format(
                value=name, default=DEFAULT_SCENARIO
            )
        )
        name = DEFAULT_SCENARIO
    ss["w:scenario"] = name
    preset = presets()[name]
    ss["w:country"] = DEFAULT_COUNTRY
    apply_preset(preset, _("The scenario"))
    country = (query.pop("country", None) or "").upper()
    if country:
        if country in load_data().iso3_codes:
            ss["w:country"] = country
        else:
            notes.append(
                _("Unknown country {value!r} in the link; showing {default}.").format(
                    value=country, default=ss["w:country"]
                )
            )
    compare = query.pop("compare", "")
    ss["w:compare"] = compare if compare in comparison_options() else ""
    if compare not in comparison_options():
        notes.append(
            _("Unknown comparison {value!r} in the link; showing one scenario.").format(
                value=compare
            )
        )
    view = query.pop("view", DEFAULT_SECTION)
    ss["w:view"] = view if view in SECTIONS else DEFAULT_SECTION
    focus = query.pop("focus", None)
    if focus is not None:
        picked = [s for s in focus.split(",") if s]
        if picked and all(s in SECTORS for s in picked):
            ss["w:focus"] = picked
        else:
            notes.append(
                _("Ignored focus={value!r} from the link: not sector ids.").format(value=focus)
            )
    for key, text in query.items():
        if key not in CONTROL_KEYS:
            notes.append(_("Ignored unknown setting {key!r} in the link.").format(key=key))
            continue
        try:
            value = parse_query_value(key, text)
            with_overrides(preset, {key: value}, origin="link")
            if kind_of(key) == "slider" and PARAMETERS[key].numeric == "int":
                value = int(value)
        except (ValueError, ScenarioError) as exc:
            notes.append(
                _(
                    "Ignored {key}={value!r} from the link ({reason}); using the preset's value."
                ).format(key=key, value=text, reason=exc)
            )
            continue
        ss[f"w:{key}"] = capped(key, value, _("The link"))
    ss.setdefault("notes", [])[:0] = notes
    ss["initialised"] = True


def sync_query_params(base: Scenario) -> None:
    """Put the settings that differ from the preset into the URL, so a link reopens them.

    Only settings the page accepted are written: a rejected value never reaches the link.
    """
    wanted = {"country": ss["w:country"]}
    if ss["w:scenario"] != UPLOADED:
        wanted["scenario"] = ss["w:scenario"]
    if ss.get("w:lang", DEFAULT_LANGUAGE) != DEFAULT_LANGUAGE:
        wanted["lang"] = ss["w:lang"]
    if ss.get("w:compare"):
        wanted["compare"] = ss["w:compare"]
    if ss.get("w:view", DEFAULT_SECTION) != DEFAULT_SECTION:
        wanted["view"] = ss["w:view"]
    default_focus = list(base.focus_sectors) or list(SECTORS)
    if ss["w:focus"] != default_focus:
        wanted["focus"] = ",".join(ss["w:focus"])
    for key in CONTROL_KEYS:
        value = ss[f"w:{key}"]
        if value != value_at(base, key):
            wanted[key] = encode_query_value(value)
    current = {key: st.query_params.get(key) for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)
