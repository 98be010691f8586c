"""The result in words: the page's heading and one-paragraph result, and the key numbers.

Built from ``webapp.compute.summarise`` (numbers) in the page's language; the HTML brief opens
with the same heading and paragraph. Medians of the replications, with the 5-95% band where a
difference might be noise: a policy effect whose band includes zero is said to be unclear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.data import SECTORS
from webapp.controls import sector_name
from webapp.i18n import _, country_name, language, money, month_year, num, pct, points, signed


@dataclass(frozen=True)
class Card:
    """One key number: label, value, a line under it, and an optional change with its sign
    ("+" good, "-" bad, "" neutral or unclear)."""

    label: str
    value: str
    caption: str = ""
    delta: str | None = None
    tone: str = ""
    help: str = ""
    arrow: str = "off"  # "up", "down" or "off": the sign of the change


#: English names that take an article inside a sentence.
ENGLISH_IN_SENTENCE = {"PHL": "the Philippines"}


def where(summary: dict[str, Any]) -> str:
    """The sectors in focus, in words."""
    focus = summary["focus"]
    if not focus or set(focus) == set(SECTORS):
        return _("all sectors")
    if len(focus) == 1:
        return sector_name(focus[0])
    return _("{n} sectors in focus").format(n=len(focus))


def country(summary: dict[str, Any]) -> str:
    return country_name(summary["iso3"], summary["country_name"])


def country_in_sentence(summary: dict[str, Any]) -> str:
    if language() == "en" and summary["iso3"] in ENGLISH_IN_SENTENCE:
        return ENGLISH_IN_SENTENCE[summary["iso3"]]
    return country(summary)


def heading(summary: dict[str, Any], title: str) -> str:
    """The page's heading: the country and the scenario's title (as ``scenario_title`` gives
    it, marked when changed from the preset)."""
    return f"{country(summary)} · {title}"


def december(summary: dict[str, Any]) -> bool:
    """The key numbers are read at a December (a headline year's end, or a run ending then)."""
    return str(summary["date"]).endswith("-12")


def when(summary: dict[str, Any]) -> str:
    """The report month for labels: its year when it is a December ("2035"), else the month
    itself ("June 2028"): a run that stops mid-year is not reported at the year's end."""
    if december(summary):
        return str(summary["year"])
    return month_year(int(summary["year"]), int(str(summary["date"])[5:7]))


def by_when(summary: dict[str, Any]) -> str:
    """The start of the result's sentence: "By the end of 2035", or "By June 2028"."""
    if december(summary):
        return _("By the end of {year}").format(year=summary["year"])
    return _("By {month}").format(month=when(summary))


def programmes(summary: dict[str, Any]) -> str:
    levers = summary["scenario"].levers
    if levers.reskilling.enabled and levers.job_creation.enabled:
        return _("both programmes")
    if levers.reskilling.enabled:
        return _("the reskilling programme")
    return _("the job-creation programme")


def clear(value: dict[str, float]) -> bool:
    """The band of a paired difference excludes zero."""
    return value["low"] > 0 or value["high"] < 0


def sentence(summary: dict[str, Any]) -> str:
    """The result in two or three plain sentences."""
    key = summary["key"]
    by = by_when(summary)
    parts = []
    if key["removed"]["median"] <= 0:
        parts.append(
            _("{by_when}, automation removes no jobs in {country} ({where}).").format(
                by_when=by, where=where(summary), country=country_in_sentence(summary)
            )
        )
    elif key["layoffs"]["median"] <= 0:
        parts.append(
            _(
                "{by_when}, automation removes about {removed} jobs in "
                "{country} ({where}), all through hires that are not made: nobody is "
                "laid off."
            ).format(
                by_when=by,
                removed=num(key["removed"]["median"]),
                where=where(summary),
                country=country_in_sentence(summary),
            )
        )
    else:
        parts.append(
            _(
                "{by_when}, automation removes about {removed} jobs in "
                "{country} ({where}): {foregone} through hires that are not made and "
                "{layoffs} through layoffs."
            ).format(
                by_when=by,
                removed=num(key["removed"]["median"]),
                where=where(summary),
                country=country_in_sentence(summary),
                foregone=num(key["hires_foregone"]["median"]),
                layoffs=num(key["layoffs"]["median"]),
            )
        )
        parts.append(
            _(
                "Of the {laid_off} people laid off, {in_work} are back in work and "
                "{unemployed} are unemployed."
            ).format(
                laid_off=num(key["laid_off"]["median"]),
                in_work=num(key["laid_off_in_work"]["median"]),
                unemployed=num(
                    summary["laid_off"].set_index("measure").loc["displaced_unemployed", "median"]
                ),
            )
        )
    if summary["has_policy"]:
        effect = summary["effects"]["employed"]["at"]
        cost = money(key["cost"]["median"], summary["currency"])
        if key["cost"]["median"] <= 0:
            text = _("{programme} finds nobody eligible, so it changes nothing.").format(
                programme=programmes(summary)
            )
            parts.append(text[:1].upper() + text[1:])
        elif clear(effect) and effect["median"] > 0:
            parts.append(
                _(
                    "With {programme}, {extra} more people are in work across the "
                    "economy than without it (5-95%: {low} to {high}), at a cost of "
                    "{cost}."
                ).format(
                    programme=programmes(summary),
                    extra=num(effect["median"]),
                    low=signed(effect["low"]),
                    high=signed(effect["high"]),
                    cost=cost,
                )
            )
        elif clear(effect):
            parts.append(
                _(
                    "With {programme}, {fewer} fewer people are in work across the "
                    "economy than without it (5-95%: {low} to {high}): people in the "
                    "programme search less while they take part. It costs "
                    "{cost}."
                ).format(
                    programme=programmes(summary),
                    fewer=num(-effect["median"]),
                    low=signed(effect["low"]),
                    high=signed(effect["high"]),
                    cost=cost,
                )
            )
        else:
            parts.append(
                _(
                    "With {programme}, employment across the economy does not change "
                    "clearly (difference {median}, 5-95%: {low} to {high}); it costs "
                    "{cost}."
                ).format(
                    programme=programmes(summary),
                    median=signed(effect["median"]),
                    low=signed(effect["low"]),
                    high=signed(effect["high"]),
                    cost=cost,
                )
            )
    return " ".join(parts)


def cost_per_job_year(summary: dict[str, Any]) -> tuple[str, str]:
    """The cost per net job-year (whole economy, over the run) and why it may be missing, or
    that its band has no upper bound (some replications gained no net job-years)."""
    table = summary["cost_benefit"]
    if table is None or table.empty:
        return _("n/a"), _("no programme")
    row = table[table["indicator"].str.startswith("cost per net job-year")]
    value = float(row["median"].iloc[0]) if len(row) else float("nan")
    if value != value:
        return _("n/a"), _("no net gain in employment over the whole run")
    if float(row["high"].iloc[0]) == float("inf"):
        return money(value, summary["currency"]), _(
            "no upper bound: no net gain in some replications"
        )
    return money(value, summary["currency"]), ""


def cards(summary: dict[str, Any]) -> list[Card]:
    """The four key numbers at the report year."""
    key, year, period = summary["key"], summary["year"], when(summary)
    out = [
        Card(
            _("Jobs removed by automation, by {year}").format(year=period),
            num(key["removed"]["median"]),
            _("{foregone} not created · {layoffs} laid off").format(
                foregone=num(key["hires_foregone"]["median"]), layoffs=num(key["layoffs"]["median"])
            ),
            help=_(
                "Formal positions in {where} that automation removed, cumulative: hires "
                "foregone (jobs not created) plus layoffs (jobs destroyed). Median of "
                "replications; 5-95%: {low} to {high}."
            ).format(
                where=where(summary),
                low=num(key["removed"]["low"]),
                high=num(key["removed"]["high"]),
            ),
        ),
        Card(
            _("People laid off, by {year}").format(year=period),
            num(key["laid_off"]["median"]),
            _("{in_work} back in work").format(in_work=num(key["laid_off_in_work"]["median"]))
            if key["laid_off"]["median"] > 0
            else _("automation works through attrition"),
            help=_(
                "People laid off by automation from {where}, counted once. Median of "
                "replications; 5-95%: {low} to {high}."
            ).format(
                where=where(summary),
                low=num(key["laid_off"]["low"]),
                high=num(key["laid_off"]["high"]),
            ),
        ),
    ]
    rate = key["unemployment_rate"]
    card = Card(
        _("Unemployment rate, {year}").format(year=period),
        pct(rate["median"]),
        _("5-95%: {low} to {high}").format(low=pct(rate["low"]), high=pct(rate["high"])),
        help=_("Whole economy, as a labour-force survey measures it."),
    )
    if summary["has_policy"]:
        rate_diff = summary["comparison"]
        row = rate_diff[(rate_diff["metric"] == "unemployment_rate") & (rate_diff["year"] == year)]
        if len(row):
            d = row.iloc[0]
            band = {"median": d["difference"], "low": d["low"], "high": d["high"]}
            card = Card(
                card.label,
                card.value,
                card.caption,
                delta=_("{change} vs no programmes").format(change=points(d["difference"]))
                if clear(band)
                else _("no clear change vs no programmes"),
                tone=("+" if d["difference"] < 0 else "-") if clear(band) else "",
                arrow=("up" if d["difference"] > 0 else "down") if clear(band) else "off",
                help=card.help
                + " "
                + _(
                    "Change: median of the paired differences "
                    "(same seeds), shown when its 5-95% band "
                    "excludes zero."
                ),
            )
    out.append(card)
    if summary["has_policy"]:
        effect = summary["effects"]["employed"]["at"]
        per_year, why = cost_per_job_year(summary)
        out.append(
            Card(
                _("Extra people in work, {year}").format(year=period),
                signed(effect["median"]),
                _("cost {cost} · {per} per net job-year · in regular work: {regular}").format(
                    cost=money(key["cost"]["median"], summary["currency"]),
                    per=per_year,
                    regular=signed(summary["effects"]["regular"]["at"]["median"]),
                )
                + (f" ({why})" if why else ""),
                delta=_("5-95%: {low} to {high}").format(
                    low=signed(effect["low"]), high=signed(effect["high"])
                ),
                tone=("+" if effect["median"] > 0 else "-") if clear(effect) else "",
                arrow=("up" if effect["median"] > 0 else "down") if clear(effect) else "off",
                help=_(
                    "People in work across the economy as the ILO counts them (programme jobs "
                    "included), with the programmes minus without them, paired by seed. Cost "
                    "per net job-year: programme cost over the run divided by the "
                    "employment-months gained, in years."
                ),
            )
        )
    else:
        lt = key["long_term"]
        out.append(
            Card(
                _("Long-term unemployed, {year}").format(year=period),
                num(lt["median"]),
                _("5-95%: {low} to {high}").format(low=num(lt["low"]), high=num(lt["high"])),
                help=_("Unemployed 12 months or more, whole economy."),
            )
        )
    return out
