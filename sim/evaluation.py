"""An in-model randomised evaluation of the programmes, as an evaluator would run it.

When a person first becomes eligible for a programme in a spell of joblessness, they are
randomly assigned to be offered a place (they join the waiting list) or not (the control
group, never offered in that spell), with probability ``control_share`` of control. Outcomes
are recorded 6, 12, 24 and 36 months after assignment: in regular employment (formal or
informal; ILO employment, programme jobs excluded), in formal employment, monthly earnings from
regular work, and whether they had enrolled by then.

From these, per replication:
- intention-to-treat (ITT): mean outcome of the offered minus the control group;
- treatment-on-the-treated (TOT): ITT divided by the offered's take-up minus the control
  group's (the Wald estimator; Bloom 1984 when nobody in the control group enrols). Nobody in
  the control group is offered a place in that spell, but a control person assigned again in a
  later spell may be offered one and enrol then (crossover: about 1% of control records in a
  Philippine run). "Enrolled by the horizon" therefore counts an enrolment in any later spell,
  for both arms: an enrolment marks every earlier record of the person in that programme;
both overall and for people assigned after 12+ months without a regular job (entrants from
long-term joblessness, where Card, Kluve and Weber 2018 find larger effects).

This is the partial effect an evaluation measures. The net effect on the whole economy is the
policy run minus its no-policy twin (``sim.results``); the gap between the two is the
displacement of non-participants (participants taking jobs others would have had).
People who leave the population (retire) drop out of the evaluation, as in a real panel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.agents.workforce import Status
from sim.bands import CostPerWorker, cost_per_gain, median_band

HORIZONS = (6, 12, 24, 36)  # months after assignment
PROGRAMMES = ("reskilling", "job_creation")
MEASURES = ("people", "employed", "formal", "earnings", "enrolled")
OFFERED, CONTROL = 1, 0
#: Below this difference in enrolment between the arms, ITT / difference is too unstable to show
#: (TOT = NaN).
MIN_TAKE_UP = 0.05


class Evaluation:
    """Random assignment and outcome records for both programmes (one run)."""

    def __init__(self, control_share: float, rng: np.random.Generator) -> None:
        self.control_share = control_share
        self.rng = rng
        self.ids = np.empty(0, dtype=np.int64)
        self.month = np.empty(0, dtype=np.int16)
        self.arm = np.empty(0, dtype=np.int8)
        self.programme = np.empty(0, dtype=np.int8)
        self.long_term = np.empty(0, dtype=bool)
        self.enrolled = np.empty(0, dtype=np.int16)  # month of enrolment, -1 = not enrolled
        self.active = np.empty(0, dtype=bool)  # still in the population
        self.previous = np.empty(0, dtype=np.int64)  # the person's record before, or -1
        # [programme, arm, long-term, horizon, measure], summed over people
        self.outcomes = np.zeros((len(PROGRAMMES), 2, 2, len(HORIZONS), len(MEASURES)))
        # (ids, record) of each id's latest active record, sorted by id; None when records
        # changed since it was made (``_positions``)
        self._latest: tuple[np.ndarray, np.ndarray] | None = None

    def assign(
        self, ids: np.ndarray, month: int, programme: int, long_term: np.ndarray
    ) -> np.ndarray:
        """Randomly assign newly eligible ``ids``; returns the mask of those offered a place."""
        if ids.size == 0:
            return np.zeros(0, dtype=bool)
        previous = self._positions(ids)  # before this month's records join
        if self.control_share > 0:
            offered = self.rng.random(ids.size) >= self.control_share
        else:
            offered = np.ones(ids.size, dtype=bool)
        self.ids = np.concatenate([self.ids, ids])
        self.month = np.concatenate([self.month, np.full(ids.size, month, dtype=np.int16)])
        self.arm = np.concatenate([self.arm, offered.astype(np.int8)])
        self.programme = np.concatenate(
            [self.programme, np.full(ids.size, programme, dtype=np.int8)]
        )
        self.long_term = np.concatenate([self.long_term, long_term])
        self.enrolled = np.concatenate([self.enrolled, np.full(ids.size, -1, dtype=np.int16)])
        self.active = np.concatenate([self.active, np.ones(ids.size, dtype=bool)])
        self.previous = np.concatenate([self.previous, previous.astype(np.int64)])
        self._latest = None
        return offered

    def _positions(self, ids: np.ndarray) -> np.ndarray:
        """Latest active record of each id in ``ids`` (or -1)."""
        if self.ids.size == 0 or ids.size == 0:
            return np.full(ids.size, -1, dtype=np.intp)
        if self._latest is None:
            live = np.flatnonzero(self.active)
            # last record per id: live records sorted by id, ties kept in record order
            order = live[np.argsort(self.ids[live], kind="stable")]
            keys = self.ids[order]
            last = np.concatenate([keys[1:] != keys[:-1], [True]]) if keys.size else keys
            self._latest = (keys[last], order[last])
        keys, order = self._latest
        where = np.minimum(np.searchsorted(keys, ids), max(keys.size - 1, 0))
        found = keys.size > 0
        hit = (keys[where] == ids) if found else np.zeros(ids.size, dtype=bool)
        return np.where(hit, order[where], -1)

    def _chains(self, ids: np.ndarray):
        """Each id's active records, latest first: yields arrays of record positions, one
        step back along ``previous`` at a time (a person has a record per spell assigned)."""
        pos = self._positions(ids)
        pos = pos[pos >= 0]
        while pos.size:
            yield pos
            pos = self.previous[pos]
            pos = pos[pos >= 0]

    def note_enrolment(self, ids: np.ndarray, month: int, programme: int) -> None:
        """Record that ``ids`` enrolled in ``programme`` this month: on each of their records
        for that programme not yet marked, whichever arm (a control record of an earlier spell
        crosses over)."""
        for pos in self._chains(ids):
            pos = pos[(self.programme[pos] == programme) & (self.enrolled[pos] < 0)]
            self.enrolled[pos] = month

    def drop(self, ids: np.ndarray) -> None:
        """People who left the population leave the evaluation, every record of theirs (their
        slots are reused)."""
        chains = list(self._chains(ids))
        for pos in chains:
            self.active[pos] = False
        if chains:
            self._latest = None

    def record(self, month: int, workforce, earnings) -> None:
        """Add the outcomes of everyone reaching a horizon this month.

        ``earnings(idx)`` returns monthly earnings from regular work for people ``idx``.
        """
        if self.ids.size == 0:
            return
        # the records assigned at month - horizon, for every horizon at once (records are kept
        # in order of assignment): one gather of the workforce and one sum a month
        starts = month - np.asarray(HORIZONS)
        bounds = np.searchsorted(self.month, np.stack([starts, starts + 1], axis=1))
        rows = np.concatenate([np.arange(lo, hi) for lo, hi in bounds])
        horizon = np.repeat(np.arange(len(HORIZONS)), bounds[:, 1] - bounds[:, 0])
        live = self.active[rows]
        rows, horizon = rows[live], horizon[live]
        if rows.size == 0:
            return
        ids = self.ids[rows]
        status = workforce.status[ids]
        formal = status == Status.FORMAL
        regular = formal | (status == Status.INFORMAL)
        enrolled = (self.enrolled[rows] >= 0) & (self.enrolled[rows] <= month)
        # MEASURES in order; the first, people, is a count (no weights)
        values = (None, regular, formal, np.where(regular, earnings(ids), 0.0), enrolled)
        # cell = ((programme x arm x long-term) x horizon): each sum adds its people in the
        # order of their records, as a per-horizon sum would
        groups = len(PROGRAMMES) * 4
        cell = ((self.programme[rows] * 2 + self.arm[rows]) * 2 + self.long_term[rows]).astype(
            np.intp
        ) * len(HORIZONS) + horizon
        sums = np.stack(
            [np.bincount(cell, weights=v, minlength=groups * len(HORIZONS)) for v in values],
            axis=-1,
        )
        self.outcomes += sums.reshape(len(PROGRAMMES), 2, 2, len(HORIZONS), len(MEASURES))


def effects(
    outcomes: np.ndarray, programme: int, long_term: bool | None = None
) -> dict[str, np.ndarray]:
    """ITT and TOT by horizon from summed outcomes [..., programme, arm, long_term, horizon,
    measure] (leading axes, e.g. replications, are kept).

    Returns arrays [..., horizon] for: ``itt_employed``, ``itt_formal``, ``itt_earnings``,
    ``tot_employed``, ``tot_earnings``, ``take_up``, ``control_employed``, ``people``.
    NaN where an arm is empty, and TOT where the offer raised enrolment by less than
    ``MIN_TAKE_UP`` (a long waiting list early on).
    """
    block = outcomes[..., programme, :, :, :, :]  # [..., arm, lt, h, m]
    block = block.sum(axis=-3) if long_term is None else block[..., int(long_term), :, :]
    offered, control = block[..., OFFERED, :, :], block[..., CONTROL, :, :]
    people = MEASURES.index("people")

    def mean(arm: np.ndarray, name: str) -> np.ndarray:
        n = arm[..., people]
        return np.divide(
            arm[..., MEASURES.index(name)], n, out=np.full(n.shape, np.nan), where=n > 0
        )

    take_up = mean(offered, "enrolled")
    out = {
        "take_up": take_up,
        "control_employed": mean(control, "employed"),
        "people": offered[..., people] + control[..., people],
    }
    for name in ("employed", "formal", "earnings"):
        out[f"itt_{name}"] = mean(offered, name) - mean(control, name)
    # the Wald estimator: ITT over the difference the offer makes to enrolment
    complied = take_up - mean(control, "enrolled")
    for name in ("employed", "earnings"):
        out[f"tot_{name}"] = np.divide(
            out[f"itt_{name}"],
            complied,
            out=np.full(take_up.shape, np.nan),
            where=complied >= MIN_TAKE_UP,
        )
    return out


def earnings_loss(
    cohort: np.ndarray, twin: np.ndarray, pre: np.ndarray, discount_rate: float = 0.05
) -> dict[str, np.ndarray]:
    """Earnings lost by people laid off by automation, against the same people with no
    automation (the twin run, same seeds): the comparison of Jacobson, LaLonde and Sullivan.

    Args:
        cohort, twin: [..., 2, months] earnings summed (index 0) over the people observed
            (index 1) by months since the layoff, in the run and in its twin.
        pre: [...] the same people's monthly earnings before the layoff, summed.
        discount_rate: yearly, for the present value (Davis and von Wachter 2011 use 5%).

    Returns (leading axes kept):
        ``loss_by_year`` [..., years]: share of counterfactual earnings lost in years 1, 2, ...
        after the layoff (months 1-12, 13-24, ...; NaN where nobody is observed);
        ``present_value_years``: the lost earnings' present value over the months observed,
        per person laid off, in years of pre-layoff earnings (Davis and von Wachter: 1.4 years
        in US expansions over 20 years, 2.8 in recessions).
    """
    months = cohort.shape[-1]
    years = (months - 1) // 12
    run, counter = cohort[..., 0, :], twin[..., 0, :]
    people = cohort[..., 1, :]
    loss = np.full((*run.shape[:-1], years), np.nan)
    for y in range(years):
        span = slice(12 * y + 1, 12 * y + 13)
        a, b = run[..., span].sum(-1), counter[..., span].sum(-1)
        loss[..., y] = np.divide(b - a, b, out=np.full(b.shape, np.nan), where=b > 0)
    # present value per person: each month's gap per person observed, discounted
    t = np.arange(months)
    gap_per_person = np.divide(counter - run, people, out=np.zeros_like(run), where=people > 0)
    discount = (1 + discount_rate) ** (-t / 12)
    pre_per_person = np.divide(
        pre, people[..., 0], out=np.full(pre.shape, np.nan), where=people[..., 0] > 0
    )
    pv = (gap_per_person * discount).sum(-1) / (12 * pre_per_person)
    return {"loss_by_year": loss, "present_value_years": pv}


# -- tables from Results ---------------------------------------------------------------------

EFFECT_LABELS = {
    "itt_employed": "ITT: in regular work (points)",
    "itt_formal": "ITT: in formal work{formal} (points)",
    "itt_earnings": "ITT: monthly earnings ({currency})",
    "tot_employed": "TOT: in regular work (points)",
    "tot_earnings": "TOT: monthly earnings ({currency})",
    "take_up": "offered who enrolled (%)",
    "control_employed": "control group in regular work (%)",
}
POINTS = ("itt_employed", "itt_formal", "tot_employed", "take_up", "control_employed")
#: Fewer simulated people than this in an arm at a horizon: the estimate is not shown.
MIN_ARM = 30


def evaluation_table(results, band: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
    """The in-model randomised evaluation of each programme that ran: effects by months since
    random assignment, for everyone assigned and for entrants from long-term unemployment;
    median and band over replications. Shares are in percent (points for differences)."""
    rows: list[dict] = []
    if results.evaluation is None:
        return pd.DataFrame(rows)
    for c, iso3 in enumerate(results.countries):
        cube = results.evaluation[c]  # [replication, programme, arm, lt, horizon, measure]
        scale = results.scales[c][:, None] if results.scales is not None else 1
        for p, programme in enumerate(PROGRAMMES):
            if cube[:, p, ..., MEASURES.index("people")].sum() == 0:
                continue
            for group, long_term in (
                ("everyone assigned", None),
                ("from long-term unemployment", True),
            ):
                found = effects(cube, p, long_term)
                block = cube[:, p].sum(axis=2) if long_term is None else cube[:, p, :, 1]
                smallest = block[..., MEASURES.index("people")].min(axis=1)  # [rep, horizon]
                for name, label in EFFECT_LABELS.items():
                    values = found[name] * (100 if name in POINTS else 1)
                    for h, horizon in enumerate(HORIZONS):
                        column = np.where(smallest[:, h] >= MIN_ARM, values[:, h], np.nan)
                        if np.isnan(column).all():
                            continue
                        mid, low, high = median_band(column[~np.isnan(column)], band)
                        rows.append(
                            {
                                "country": iso3,
                                "programme": programme,
                                "group": group,
                                "months_after_assignment": horizon,
                                "measure": name,
                                "indicator": results.label(label, iso3),
                                "people": float(np.median((found["people"] * scale)[:, h])),
                                "median": float(mid),
                                "low": float(low),
                                "high": float(high),
                            }
                        )
    return pd.DataFrame(rows)


def cost_benefit(
    baseline, policy, discount_rate: float = 0.05, band: tuple[float, float] = (0.05, 0.95)
) -> pd.DataFrame:
    """Costs and benefits of the policy, both on the whole economy, paired by seed.

    Per replication, over the whole run: the programme cost; employment-months gained (people
    employed as the ILO counts them, programme jobs included, policy run minus its no-policy
    twin, summed over months: a flow, not an end-year stock), and of those in regular work
    (formal or informal); net job-years gained (employment-months / 12); the cost per net
    job-year; earnings from regular work gained (programme wages are a transfer paid out of
    the cost, so they are not counted as a benefit); earnings regained per unit of currency
    spent; and the benefit-cost ratio (present values at ``discount_rate`` a year): regular
    earnings regained per unit of outlay. Where a programme pays wages, a second ratio counts
    them as its participants' earnings: how much of the outlay reaches workers' incomes.
    Neither is a full social or fiscal ratio: the output of programme jobs, taxes and benefits
    are not modelled. Benefits after the run's last month are not counted.

    The cost per net job-year follows ``sim.bands.cost_per_gain``, as the cost per re-employed
    worker does: its median is over all replications (median cost over median job-years), NaN
    when the programme gains no net job-years in the median; a replication with no net
    job-years has an unbounded cost per job-year, so its band's ``high`` is then ``inf`` (no
    upper bound) and the ``note`` says in how many. In the other two ratios, a replication whose
    cost is not positive is left out and the ``note`` says so.
    """
    rows = []
    months = np.arange(baseline.sector_cube.shape[2])
    discount = (1 + discount_rate) ** (-months / 12)
    for iso3 in baseline.countries:
        currency = baseline.currencies.get(iso3, "local currency")

        def diff(metric: str, iso3: str = iso3) -> np.ndarray:
            return policy.values(metric, iso3) - baseline.values(metric, iso3)

        cost = (
            policy.values("reskilling_cost", iso3)
            + policy.values("job_creation_cost", iso3)
            - baseline.values("reskilling_cost", iso3)
            - baseline.values("job_creation_cost", iso3)
        )
        regular = diff("employed")
        employed = regular + diff("programme_jobs")
        earnings = diff("regular_wage_bill")
        # programme jobs' pay: a transfer from the budget to participants, inside the cost
        programme_pay = diff("wage_bill") - earnings
        cost_total, cost_pv = cost.sum(-1), (cost * discount).sum(-1)
        months_gained = employed[:, 1:].sum(-1)
        earnings_total, earnings_pv = earnings[:, 1:].sum(-1), (earnings * discount)[:, 1:].sum(-1)
        measures = {
            "people trained (distinct people)": policy.values("reskilling_people", iso3)[:, -1],
            "reskilling enrolments": policy.values("reskilling_enrolments_cumulative", iso3)[:, -1],
            "programme jobs created": policy.values("programme_hires", iso3).sum(-1),
            f"programme cost ({currency})": cost_total,
            "employment-months gained, whole economy": months_gained,
            "  of which in regular work": regular[:, 1:].sum(-1),
            "net job-years gained": months_gained / 12,
            f"cost per net job-year ({currency})": cost_per_gain(
                cost_total,
                months_gained / 12,
                band,
                unit="net job-year",
                no_gain="gains no net job-years",
            ),
            f"earnings from regular work gained ({currency})": earnings_total,
            "earnings regained per unit of cost": _ratio(earnings_total, cost_total),
            f"benefit-cost ratio (present values, {discount_rate:.0%} a year)": _ratio(
                earnings_pv, cost_pv
            ),
        }
        if np.any(programme_pay[:, 1:] != 0):
            # the same with the programme's wages counted as its participants' earnings: how
            # much of the outlay reaches workers' incomes (the output of programme jobs, and
            # taxes and benefits, are in neither ratio)
            measures[
                f"with programme wages as earnings (present values, {discount_rate:.0%} a year)"
            ] = _ratio(earnings_pv + (programme_pay * discount)[:, 1:].sum(-1), cost_pv)
        for name, values in measures.items():
            if isinstance(values, CostPerWorker):
                rows.append({"country": iso3, "indicator": name, **_cost_row(values)})
                continue
            ok = values[~np.isnan(values)]
            note = ""
            if ok.size < values.size:
                note = (
                    f"undefined in {values.size - ok.size} of {values.size} replications "
                    "(no gain, or no cost)"
                )
            mid, low, high = median_band(ok, band) if ok.size else (np.nan,) * 3
            rows.append(
                {
                    "country": iso3,
                    "indicator": name,
                    "median": float(mid),
                    "low": float(low),
                    "high": float(high),
                    "note": note,
                }
            )
    return pd.DataFrame(rows)


def _cost_row(cost: CostPerWorker) -> dict[str, float | str]:
    """A cost per unit as a row: None is NaN (undefined), but an unbounded upper end (a median
    and no ``high``) is ``inf``."""
    undefined = float("nan")
    return {
        "median": undefined if cost.median is None else cost.median,
        "low": undefined if cost.low is None else cost.low,
        "high": (undefined if cost.median is None else float("inf"))
        if cost.high is None
        else cost.high,
        "note": cost.note,
    }


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    return np.divide(
        numerator, denominator, out=np.full(numerator.shape, np.nan), where=denominator > 0
    )
