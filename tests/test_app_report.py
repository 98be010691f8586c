"""What the app hands out: safe CSV exports, the offline HTML brief, cost per re-employed worker;
and the app's process pool gives the numbers run_scenario gives serially."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from sim.brief import html_brief
from sim.errors import ScenarioError
from sim.io import safe_csv
from sim.results import cost_per_reemployed
from sim.scenarios import parse_scenario_bytes


def read_back(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False)


@pytest.mark.parametrize("evil", [
    "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR",
    '=HYPERLINK("http://x","y")',
])
def test_safe_csv_neutralises_formula_cells(evil):
    data = safe_csv(pd.DataFrame({"name": [evil, "plain"], "value": [-1.5, 2.0]}))
    back = read_back(data)
    assert back["name"][0] == "'" + evil
    assert back["name"][1] == "plain"
    # Numbers stay numbers: a negative value is not a formula.
    assert back["value"].tolist() == [-1.5, 2.0]


def test_safe_csv_neutralises_headers_too():
    back = read_back(safe_csv(pd.DataFrame({"=evil": ["ok"]})))
    assert list(back.columns) == ["'=evil"]


def brief(**changes) -> str:
    args = dict(
        title="Brief", scenario_name="Reskilling push", description="A test run.",
        country="Philippines (PHL)",
        headline=pd.DataFrame({"indicator": ["Displaced"], "value": ["1.2 M"]}),
        charts=[("Chart", {"$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
                           "mark": "line", "data": {"values": [{"x": 1, "y": 2}]},
                           "encoding": {"x": {"field": "x", "type": "quantitative"},
                                        "y": {"field": "y", "type": "quantitative"}}})],
        parameters=pd.DataFrame({"key": ["run.seed"], "value": ["1"]}),
        sources=pd.DataFrame({"field": ["employment"], "source": ["ILOSTAT"]}),
        provenance={"base_seed": 20260101, "code_version": "0.1.0"},
    )
    args.update(changes)
    return html_brief(**args)


def test_html_brief_escapes_user_text():
    page = brief(scenario_name="<script>alert(1)</script>", title="x</title><script>",
                 description="<img src=x onerror=alert(1)>",
                 headline=pd.DataFrame({"indicator": ["<b>bold</b>"], "value": ["1"]}),
                 charts=[("<i>cap</i>", {"mark": "bar", "title": "</script><script>alert(2)",
                                         "data": {"values": []}})])
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "<b>bold</b>" not in page and "<i>cap</i>" not in page
    assert "</script><script>alert(2)" not in page  # chart JSON cannot close the script


def test_html_brief_is_self_contained():
    pytest.importorskip("vl_convert")
    page = brief()
    assert "vegaEmbed" in page
    assert "<script src=" not in page.replace(" ", "") and "cdn.jsdelivr" not in page
    assert "ILOSTAT" in page and "20260101" in page and "1.2 M" in page


def test_cost_per_reemployed_is_paired_by_replication():
    cpw = cost_per_reemployed(np.array([100.0, 200.0, 300.0]),
                                     np.array([20.0, 30.0, 40.0]), np.array([10.0, 10.0, 10.0]))
    assert cpw.median == pytest.approx(200.0 / 20.0)
    assert cpw.low is not None and cpw.high is not None and cpw.low <= cpw.high
    assert cpw.note == ""


def test_cost_per_reemployed_undefined_cases_say_why():
    no_cost = cost_per_reemployed(np.zeros(3), np.ones(3), np.zeros(3))
    assert no_cost.median is None and "no programme cost" in no_cost.note
    worse = cost_per_reemployed(np.full(3, 10.0), np.zeros(3), np.full(3, 5.0))
    assert worse.median is None and "undefined" in worse.note
    mixed = cost_per_reemployed(np.full(3, 10.0), np.array([6.0, 7.0, 4.0]),
                                       np.full(3, 5.0))
    assert mixed.median is not None and mixed.high is None and "unbounded" in mixed.note


class PairedRuns:
    """Just what ``cost_benefit`` reads of a run: per-replication [replication, month] series."""

    def __init__(self, series: dict[str, np.ndarray], months: int):
        self.countries, self.currencies = ["VNM"], {"VNM": "VND"}
        self.sector_cube = np.zeros((len(next(iter(series.values()))), 1, months))
        self.series = series

    def values(self, metric: str, iso3: str) -> np.ndarray:
        return self.series.get(metric, np.zeros_like(self.series["employed"]))


def cost_per_job_year_row(cost: list[float], job_years: list[float]) -> pd.Series:
    """``cost_benefit``'s cost per net job-year for a programme that costs ``cost`` and gains
    ``job_years`` in each replication (an extra ``job_years`` employed in each of 12 months)."""
    from sim.evaluation import cost_benefit

    reps, months = len(cost), 13
    employed = np.zeros((reps, months))
    policy_employed = employed + np.array(job_years)[:, None]
    spent = np.zeros((reps, months))
    spent[:, 0] = cost
    baseline = PairedRuns({"employed": employed}, months)
    policy = PairedRuns({"employed": policy_employed, "reskilling_cost": spent}, months)
    table = cost_benefit(baseline, policy).set_index("indicator")
    return table.loc["cost per net job-year (VND)"]


def test_cost_per_net_job_year_counts_the_replications_that_gained_nothing():
    """One replication in five gains no net job-year: its cost per job-year is unbounded, so the
    band has no upper end, and the median is over all five (median cost over median gain), as
    for the cost per re-employed worker; it used to be the median of the other four."""
    cost = [100.0, 100.0, 100.0, 100.0, 100.0]
    job_years = [4.0, 1.0, 2.0, -3.0, 0.5]
    row = cost_per_job_year_row(cost, job_years)
    assert row["median"] == pytest.approx(100.0 / 1.0)  # median gain 1.0 of all five
    assert row["high"] == np.inf
    same = cost_per_reemployed(np.array(cost), np.array(job_years), np.zeros(5))
    assert (row["median"], row["low"]) == pytest.approx((same.median, same.low))
    assert row["low"] == pytest.approx(np.quantile([25.0, 100.0, 50.0, 200.0], 0.05))
    assert "unbounded" in row["note"] and "1 of 5" in row["note"]


def test_cost_per_net_job_year_bounded_or_undefined():
    every = cost_per_job_year_row([100.0] * 3, [1.0, 2.0, 4.0])
    assert every["median"] == pytest.approx(50.0)
    assert every["high"] == pytest.approx(np.quantile([100.0, 50.0, 25.0], 0.95))
    assert every["note"] == ""
    none = cost_per_job_year_row([100.0] * 3, [-1.0, 2.0, -4.0])  # median gain negative
    assert np.isnan(none["median"]) and np.isnan(none["low"]) and np.isnan(none["high"])
    assert "undefined" in none["note"]


def test_an_unbounded_band_reads_no_upper_bound():
    from sim.terminal import band, number

    assert band(number(195.47e6), number(np.inf), 5) == "195.47 m to no upper bound"
    assert number(np.nan) == "n/a"


def test_the_app_says_when_the_cost_per_job_year_has_no_upper_bound():
    from webapp import story

    row = cost_per_job_year_row([100.0] * 5, [4.0, 1.0, 2.0, -3.0, 0.5])
    table = pd.DataFrame([{"indicator": "cost per net job-year (VND)", **row.to_dict()}])
    value, why = story.cost_per_job_year({"cost_benefit": table, "currency": "VND"})
    assert value.startswith("VND 100") and why.startswith("no upper bound")


def test_parse_uploaded_scenario_limits_and_messages():
    ok = parse_scenario_bytes("a.toml", b'name = "A"\n')
    assert ok.name == "A"
    with pytest.raises(ScenarioError, match="larger than 1 KiB"):
        parse_scenario_bytes("a.toml", b"#" * 2048, limit=1024)
    with pytest.raises(ScenarioError, match="a.toml: unknown key"):
        parse_scenario_bytes("a.toml", b'name = "A"\nbogus = 1\n')


def test_process_pool_gives_the_serial_numbers():
    """The app's parallel path (run_scenario on its process pool) matches the serial run."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from sim.runner import run_scenario
    from sim.scenarios import load_scenario, with_overrides

    scenario = with_overrides(load_scenario("reskilling_push"),
                              {"countries": ["BRN"], "run.replications": 2,
                               "run.horizon_months": 24, "run.scale": 20})
    serial = run_scenario(scenario)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = run_scenario(scenario, executor=pool)
    np.testing.assert_array_equal(serial.sector_cube, pooled.sector_cube)
    np.testing.assert_array_equal(serial.country_cube, pooled.country_cube)
    np.testing.assert_array_equal(serial.displaced, pooled.displaced)
