"""How much common random numbers narrow the bands on policy effects.

A policy run and its no-policy twin share a seed, and every random process draws from its own
stream (``sim.streams``), so the twins share every draw the policy does not touch. This
script runs the Philippine BPO scenario with and without reskilling at 5 and 20 replications
and prints, for a few policy effects at the end of 2035, the width of the 5-95% band of the
paired difference (same seeds) against the band when the policy run uses other seeds (no
common random numbers), and their ratio.

    python benchmarks/crn_bands.py [--replications 5 20]
"""

from __future__ import annotations

import argparse
import os

from sim.results import median_band
from sim.runner import run_scenario

INDICATORS = {
    "employed, whole economy": ("employed", None),
    "employed in BPO": ("employed", ["bpo_business_services"]),
    "long-term unemployed": ("long_term_unemployed", None),
    "regular wage bill": ("regular_wage_bill", None),
}


def widths(replications: int) -> list[tuple[str, float, float]]:
    base = run_scenario("phl_bpo", replications=replications, seed=1)
    paired = run_scenario("phl_bpo_reskilling", replications=replications, seed=1)
    other = run_scenario("phl_bpo_reskilling", replications=replications, seed=2)
    month = base.month_of(2035)
    rows = []
    for label, (metric, sectors) in INDICATORS.items():
        a = base.values(metric, "PHL", sectors)[:, month]
        same = paired.values(metric, "PHL", sectors)[:, month] - a
        independent = other.values(metric, "PHL", sectors)[:, month] - a
        _, low, high = median_band(same)
        w_same = float(high - low)
        _, low, high = median_band(independent)
        w_other = float(high - low)
        rows.append((label, w_same, w_other))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, nargs="+", default=[5, 20])
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for r in args.replications:
        print(f"\n{r} replications: width of the 5-95% band of the policy effect, end of 2035")
        print(f"{'indicator':28s} {'same seeds':>14s} {'other seeds':>14s} {'ratio':>7s}")
        for label, same, other in widths(r):
            ratio = other / same if same > 0 else float("inf")
            print(f"{label:28s} {same:14,.0f} {other:14,.0f} {ratio:7.1f}")


if __name__ == "__main__":
    main()
