"""An in-model randomised evaluation of the programmes, as an evaluator would run it.

When a person first becomes eligible for a programme in a spell of joblessness, they are
randomly assigned to be offered a place (they join the waiting list) or not (the control
group, never offered in that spell), with probability ``control_share`` of control. Outcomes
are recorded 6, 12, 24 and 36 months after assignment: in regular employment (formal or
informal; ILO employment, programme jobs excluded), in formal employment, monthly earnings from
regular work, and whether they had enrolled by then.

From these, per replication:
- intention-to-treat (ITT): mean outcome of the offered minus the control group;
- treatment-on-the-treated (TOT): ITT divided by the share of the offered who enrolled (Bloom
  1984; nobody in the control group can enrol);
both overall and for people assigned after 12+ months without a regular job (entrants from
long-term joblessness, where Card, Kluve and Weber 2018 find larger effects).

This is the partial effect an evaluation measures. The net effect on the whole economy is the
policy run minus its no-policy twin (``sim.results``); the gap between the two is the
displacement of non-participants (participants taking jobs others would have had).
People who leave the population (retire) drop out of the evaluation, as in a real panel.
"""

from __future__ import annotations

import numpy as np

from sim.agents.workforce import Status

HORIZONS = (6, 12, 24, 36)          # months after assignment
PROGRAMMES = ("reskilling", "job_creation")
MEASURES = ("people", "employed", "formal", "earnings", "enrolled")
OFFERED, CONTROL = 1, 0


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
        self.enrolled = np.empty(0, dtype=np.int16)   # month of enrolment, -1 = not enrolled
        self.active = np.empty(0, dtype=bool)         # still in the population
        # [programme, arm, long-term, horizon, measure], summed over people
        self.outcomes = np.zeros((len(PROGRAMMES), 2, 2, len(HORIZONS), len(MEASURES)))

    def assign(self, ids: np.ndarray, month: int, programme: int,
               long_term: np.ndarray) -> np.ndarray:
        """Randomly assign newly eligible ``ids``; returns the mask of those offered a place."""
        if ids.size == 0:
            return np.zeros(0, dtype=bool)
        if self.control_share > 0:
            offered = self.rng.random(ids.size) >= self.control_share
        else:
            offered = np.ones(ids.size, dtype=bool)
        self.ids = np.concatenate([self.ids, ids])
        self.month = np.concatenate([self.month, np.full(ids.size, month, dtype=np.int16)])
        self.arm = np.concatenate([self.arm, offered.astype(np.int8)])
        self.programme = np.concatenate([self.programme,
                                         np.full(ids.size, programme, dtype=np.int8)])
        self.long_term = np.concatenate([self.long_term, long_term])
        self.enrolled = np.concatenate([self.enrolled, np.full(ids.size, -1, dtype=np.int16)])
        self.active = np.concatenate([self.active, np.ones(ids.size, dtype=bool)])
        return offered

    def _positions(self, ids: np.ndarray) -> np.ndarray:
        """Latest active record of each id in ``ids`` (or -1)."""
        if self.ids.size == 0 or ids.size == 0:
            return np.full(ids.size, -1, dtype=np.intp)
        live = np.flatnonzero(self.active)
        # last record per id: sort live records by (id, position)
        order = live[np.lexsort((live, self.ids[live]))]
        keys = self.ids[order]
        last = np.concatenate([keys[1:] != keys[:-1], [True]]) if keys.size else keys
        order, keys = order[last], keys[last]
        where = np.minimum(np.searchsorted(keys, ids), max(keys.size - 1, 0))
        found = keys.size > 0
        hit = (keys[where] == ids) if found else np.zeros(ids.size, dtype=bool)
        return np.where(hit, order[where], -1)

    def note_enrolment(self, ids: np.ndarray, month: int) -> None:
        """Record that ``ids`` (offered) enrolled this month."""
        pos = self._positions(ids)
        pos = pos[pos >= 0]
        self.enrolled[pos] = np.where(self.enrolled[pos] < 0, month, self.enrolled[pos])

    def drop(self, ids: np.ndarray) -> None:
        """People who left the population leave the evaluation (their slots are reused)."""
        pos = self._positions(ids)
        self.active[pos[pos >= 0]] = False

    def record(self, month: int, workforce, earnings) -> None:
        """Add the outcomes of everyone reaching a horizon this month.

        ``earnings(idx)`` returns monthly earnings from regular work for people ``idx``.
        """
        if self.ids.size == 0:
            return
        for h, horizon in enumerate(HORIZONS):
            start = month - horizon
            lo, hi = np.searchsorted(self.month, [start, start + 1])
            if hi <= lo:
                continue
            rows = np.arange(lo, hi)[self.active[lo:hi]]
            if rows.size == 0:
                continue
            ids = self.ids[rows]
            status = workforce.status[ids]
            regular = (status == Status.FORMAL) | (status == Status.INFORMAL)
            values = np.stack([
                np.ones(rows.size), regular, status == Status.FORMAL,
                np.where(regular, earnings(ids), 0.0),
                (self.enrolled[rows] >= 0) & (self.enrolled[rows] <= month)], axis=1)
            cell = (self.programme[rows] * 2 + self.arm[rows]) * 2 + self.long_term[rows]
            sums = np.zeros((len(PROGRAMMES) * 4, len(MEASURES)))
            np.add.at(sums, cell, values)
            self.outcomes[:, :, :, h, :] += sums.reshape(len(PROGRAMMES), 2, 2, len(MEASURES))


def effects(outcomes: np.ndarray, programme: int, long_term: bool | None = None
            ) -> dict[str, np.ndarray]:
    """ITT and TOT by horizon from summed outcomes [..., programme, arm, long_term, horizon,
    measure] (leading axes, e.g. replications, are kept).

    Returns arrays [..., horizon] for: ``itt_employed``, ``itt_formal``, ``itt_earnings``,
    ``tot_employed``, ``tot_earnings``, ``take_up``, ``control_employed``, ``people``.
    NaN where an arm is empty.
    """
    block = outcomes[..., programme, :, :, :, :]           # [..., arm, lt, h, m]
    if long_term is None:
        block = block.sum(axis=-3)
    else:
        block = block[..., int(long_term), :, :]
    offered, control = block[..., OFFERED, :, :], block[..., CONTROL, :, :]
    people = MEASURES.index("people")

    def mean(arm: np.ndarray, name: str) -> np.ndarray:
        n = arm[..., people]
        return np.divide(arm[..., MEASURES.index(name)], n,
                         out=np.full(n.shape, np.nan), where=n > 0)

    take_up = mean(offered, "enrolled")
    out = {"take_up": take_up, "control_employed": mean(control, "employed"),
           "people": offered[..., people] + control[..., people]}
    for name in ("employed", "formal", "earnings"):
        out[f"itt_{name}"] = mean(offered, name) - mean(control, name)
    for name in ("employed", "earnings"):
        out[f"tot_{name}"] = np.divide(out[f"itt_{name}"], take_up,
                                       out=np.full(take_up.shape, np.nan), where=take_up > 0)
    return out
