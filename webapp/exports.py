"""What the page hands out: tables (CSV with provenance, one Excel workbook) and the HTML brief.

Every file is built from the run on the page and carries its provenance (scenario as run, seed,
replications, scale, data hashes, code version; ``sim.io``). The brief opens with the page's
heading and result paragraph, in the page's language.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd

from sim.brief import html_brief
from sim.data import load_data
from sim.io import parquet_bytes, safe_csv, xlsx_bytes
from sim.provenance import code_version, sources_table
from sim.results import PERCENT
from sim.scenarios import Scenario, parameter_table
from webapp import story
from webapp.i18n import _, language, money, num, pct
from webapp.settings import value_at


def parameters_frame(scenario: Scenario) -> pd.DataFrame:
    """Every scenario parameter with this run's value, unit, range and reference."""
    table = pd.DataFrame(parameter_table())
    values = []
    for key in table["key"]:
        try:
            v = value_at(scenario, key)
        except AttributeError:
            v = ""
        values.append(json.dumps(v) if isinstance(v, dict | list) else str(v))
    table.insert(1, "value", values)
    for column in ("default", "min", "max"):
        table[column] = table[column].map(lambda v: "" if v is None else str(v))
    return table


def provenance(summary: dict[str, Any], changes: list[str]) -> dict[str, Any]:
    """The run's provenance for files, with what was changed from the preset."""
    record = dict(summary["provenance"])
    record["changed_from_preset"] = "; ".join(changes) if changes else "nothing"
    record["generated"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return record


def tables(summary: dict[str, Any], effect: dict[str, Any] | None) -> dict[str, pd.DataFrame]:
    """Every table behind the page, by name (numbers unformatted, column names in English)."""
    out = {
        "headline": summary["headline"],
        "laid_off_status": summary["laid_off"],
        "laid_off_by_sector_sex": summary["breakdown"],
    }
    if summary["comparison"] is not None:
        out["policy_vs_none"] = summary["comparison"]
    if summary["cost_benefit"] is not None:
        out["cost_benefit"] = summary["cost_benefit"]
    if summary["evaluation"] is not None and len(summary["evaluation"]):
        out["evaluation"] = summary["evaluation"]
    if effect is not None:
        out["automation_effect"] = effect["table"]
        out["automation_effect_monthly"] = effect["chart"]
    for name, frame in summary["charts"].items():
        out[f"monthly_{name}"] = frame
    for name, value in summary["effects"].items():
        out[f"monthly_policy_effect_{name}"] = value["chart"]
    return out


def csv_file(frame: pd.DataFrame, record: dict[str, Any]) -> bytes:
    return safe_csv(frame, record)


def parquet_file(frame: pd.DataFrame, record: dict[str, Any]) -> bytes:
    """The table as Parquet, the provenance in its metadata (the CLI's writer)."""
    return parquet_bytes(frame, record)


def workbook(frames: dict[str, pd.DataFrame], record: dict[str, Any]) -> bytes:
    return xlsx_bytes(frames, record)


def formatted_headline(summary: dict[str, Any]) -> pd.DataFrame:
    """The headline table as the brief shows it: values formatted for the page's locale."""
    head = summary["headline"]
    currency = summary["currency"]

    def show(value: float, metric: str) -> str:
        if metric in PERCENT:
            return pct(value)
        if "cost" in metric or "wage_bill" in metric:
            return money(value, currency)
        return num(value)

    def indent(label: str) -> str:  # "  of which ..." -> indented in HTML, where spaces collapse
        depth = (len(label) - len(label.lstrip(" "))) // 2
        return "\u00a0\u00a0\u00a0" * depth + label.strip()

    return pd.DataFrame(
        {
            _("year"): head["year"],
            _("indicator"): head["indicator"].map(indent),
            _("median"): [show(v, m) for v, m in zip(head["median"], head["metric"], strict=True)],
            "5-95%": [
                f"{show(lo, m)} – {show(hi, m)}"
                for lo, hi, m in zip(head["low"], head["high"], head["metric"], strict=True)
            ],
        }
    )


def brief_labels(headline: str) -> dict[str, str]:
    """The brief's headings in the page's language, ``headline`` over its first table."""
    return {
        "scenario": _("Scenario"),
        "country": _("Country"),
        "headline": headline,
        "charts": _("Charts"),
        "parameters": _("Scenario parameters"),
        "sources": _("Data sources"),
        "provenance": _("Reproducibility"),
        "no_charts": _(
            "Charts could not be embedded; the numbers behind them are in the CSV and Excel files."
        ),
        "more_rows": _("more rows in the CSV export."),
    }


def brief(
    *,
    summary: dict[str, Any],
    heading: str,
    sentence: str,
    title: str,
    description: str,
    charts: list[tuple[str, dict[str, Any]]],
    extra_tables: list[tuple[str, pd.DataFrame]],
    record: dict[str, Any],
    notes: list[str],
) -> str:
    """The offline HTML brief of the run on the page."""
    record = dict(record)
    record.pop("scenario_parameters", None)  # the parameters table shows them
    return html_brief(
        title=heading,
        scenario_name=title,
        description=description,
        country=f"{summary['country_name']} ({summary['iso3']})",
        headline=formatted_headline(summary),
        charts=charts,
        parameters=parameters_frame(summary["scenario"]),
        sources=sources_table(load_data(), summary["iso3"]),
        provenance=record,
        notes=[*notes, _("Simulator version {version}.").format(version=code_version())],
        summary=sentence,
        lang=language(),
        labels=brief_labels(_("Headline numbers")),
        tables=extra_tables,
        key_numbers=[(card.label, card.value, card.caption) for card in story.cards(summary)],
    )


def region_brief(
    *,
    summary: dict[str, Any],
    title: str,
    table: pd.DataFrame,
    charts: list[tuple[str, dict[str, Any]]],
    record: dict[str, Any],
    year: int,
) -> str:
    """The offline HTML brief of the regional view: the ten countries' table and charts."""
    record = dict(record)
    record.pop("scenario_parameters", None)
    tables = load_data()
    sources = pd.concat(
        [sources_table(tables, iso3).assign(country=iso3) for iso3 in tables.iso3_codes],
        ignore_index=True,
    )
    return html_brief(
        title=_("ASEAN side by side: {title}").format(title=title),
        scenario_name=title,
        description=summary["scenario"].description.strip(),
        country=_("the ten ASEAN countries"),
        headline=table,
        charts=charts,
        parameters=parameters_frame(summary["scenario"]),
        sources=sources,
        provenance=record,
        notes=[
            _(
                "Each country against its own run with no AI adoption (same seeds), by the end "
                "of {year}; shares are of the country's employment at the start."
            ).format(year=year),
            _("Simulator version {version}.").format(version=code_version()),
        ],
        summary=_(
            "The scenario in every ASEAN country, side by side: AI readiness, exposure, the "
            "jobs automation removes and the AI-era vacancies it creates."
        ),
        lang=language(),
        labels=brief_labels(
            _("The ten countries by the end of {year} (medians)").format(year=year)
        ),
    )
