"""Programmes as real programmes run, followed person by person, and their evaluation.

- one enrolment per spell without a regular job, and no graduate back in training the next month
  (every person tracked, over random valid programme settings);
- the in-model randomised evaluation reproduces the sign pattern of Card, Kluve and Weber (2018,
  JEEA): training close to zero or negative soon after the course (lock-in) and positive two to
  three years on, larger for people who entered from long-term unemployment; public job
  creation the weaker lever on post-programme employment;
- common random numbers: a programme that enrols nobody changes nothing, and before a programme
  starts its twin runs are identical;
- with every programme off, the earnings machinery changes no employment figure.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim.agents.workforce import Status
from sim.data import load_data
from sim.evaluation import HORIZONS, effects
from sim.runner import replication_seeds, run_scenario, simulate
from sim.scenarios import load_scenario, with_overrides
from tests.conftest import build_model

programme = st.fixed_dictionaries({
    "levers.reskilling.enabled": st.just(True),
    "levers.reskilling.start_month": st.integers(0, 6),
    "levers.reskilling.seats_per_100k": st.floats(10.0, 3000.0),
    "levers.reskilling.duration_months": st.integers(1, 9),
    "levers.reskilling.completion_rate": st.floats(0.0, 1.0),
    "levers.reskilling.min_months_unemployed": st.integers(0, 9),
    "levers.reskilling.eligibility": st.sampled_from(
        ["automation_displaced", "focus_sectors", "long_term_unemployed", "unemployed"]),
    "levers.reskilling.queue_order": st.sampled_from(["first_come", "longest_jobless_first"]),
    "levers.reskilling.search_intensity": st.floats(0.0, 1.0),
    "levers.job_creation.enabled": st.booleans(),
    "levers.job_creation.jobs_per_100k": st.floats(0.0, 1000.0),
    "levers.job_creation.targeting": st.sampled_from(["long_term_unemployed", "unemployed"]),
    "evaluation.control_share": st.floats(0.0, 0.9),
    "uncertainties.adjustment_window_months": st.floats(0.0, 3.0),
})


#: Found by hypothesis in CI: a graduate retires and an entrant takes the slot the same month.
SLOT_REUSED = {
    "levers.reskilling.enabled": True, "levers.reskilling.start_month": 0,
    "levers.reskilling.seats_per_100k": 1258.0, "levers.reskilling.duration_months": 1,
    "levers.reskilling.completion_rate": 0.0, "levers.reskilling.min_months_unemployed": 0,
    "levers.reskilling.eligibility": "unemployed", "levers.reskilling.queue_order": "first_come",
    "levers.reskilling.search_intensity": 0.0, "levers.job_creation.enabled": False,
    "levers.job_creation.jobs_per_100k": 0.0,
    "levers.job_creation.targeting": "long_term_unemployed", "evaluation.control_share": 0.0,
    "uncertainties.adjustment_window_months": 0.0,
}


#: Found by hypothesis in CI: a trainee retires the month a course ends and an entrant, who
#: starts unemployed in that slot, enrols the next month (the test took them for a graduate).
GRADUATE_SLOT_REUSED = {
    **SLOT_REUSED, "levers.reskilling.seats_per_100k": 1345.0,
    "levers.reskilling.completion_rate": 0.27610156773757183,
    "levers.reskilling.min_months_unemployed": 1,
}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=programme, seed=st.integers(0, 2**32 - 1))
@example(params=SLOT_REUSED, seed=0)
@example(params=GRADUATE_SLOT_REUSED, seed=0)
def test_one_enrolment_per_spell_and_graduates_leave_training(tables, params, seed):
    """Every person: never enrolled twice in one spell without a regular job; never in
    training the month after they graduated."""
    model = build_model(tables, "BRN", "fast_genai",
                        overrides={**params, "run.scale": 20, "run.horizon_months": 30},
                        seed=seed)
    workforce = model.workforce
    retired: list[np.ndarray] = []  # a retiree's slot may hold an entrant the same month
    retire = workforce.retire

    def recording(idx, month):
        retired.append(np.array(idx, dtype=np.int64))
        return retire(idx, month)

    workforce.retire = recording
    enrolled: dict[int, set[int]] = {}   # person -> months their enrolled spells began
    graduated_last_month = np.empty(0, dtype=np.int64)
    for _ in range(30):
        previous = workforce.status[:workforce.n].copy()
        model.step()
        month = model.month
        gone = np.concatenate(retired) if retired else np.empty(0, dtype=np.int64)
        retired.clear()
        same = graduated_last_month[~np.isin(graduated_last_month, gone)]
        assert not (workforce.status[same] == Status.TRAINING).any()
        now = workforce.status[:previous.size]
        new_people = np.union1d(
            np.flatnonzero((previous == Status.VACANT) & (now != Status.VACANT)), gone)
        for person in new_people:
            enrolled.pop(int(person), None)  # a slot freed by a retiree holds a new person
        started = np.flatnonzero((now == Status.TRAINING) & (previous != Status.TRAINING))
        for person in started:
            spells = enrolled.setdefault(int(person), set())
            spell = int(workforce.jobless_since[person])
            assert spell not in spells, f"person {person} enrolled twice in one spell"
            spells.add(spell)
        left = (previous == Status.TRAINING) & (now == Status.UNEMPLOYED)
        graduated_last_month = np.flatnonzero(
            left & (workforce.status_since[:previous.size] == month)
            & (workforce.target[:previous.size] < 0))
        # a trainee who retired this month and an entrant in the slot is not a graduate
        graduated_last_month = graduated_last_month[~np.isin(graduated_last_month, gone)]
        if model.reskilling.graduates.sum():
            assert graduated_last_month.size >= model.reskilling.graduates.sum()



@pytest.mark.parametrize("cooldown", [1, 3])
def test_a_cooldown_never_puts_anyone_on_the_waiting_list_twice(tables, cooldown):
    """With a cooldown shorter than the wait for a seat, people still waiting become eligible
    again: they must not be queued (and enrolled) twice. Each enrolment is one person starting
    training this month (someone who lost a job this month may start at once: no minimum
    spell here)."""
    model = build_model(tables, "SGP", "baseline", overrides={
        "levers.reskilling.enabled": True, "levers.reskilling.seats_per_100k": 170.0,
        "levers.reskilling.min_months_unemployed": 0,
        "levers.reskilling.eligibility": "unemployed",
        "levers.reskilling.cooldown_months": cooldown,
        "run.scale": 400, "run.horizon_months": 18}, seed=135790428)
    programme, workforce = model.reskilling, model.workforce
    enrolled = 0
    for _ in range(18):
        model.step()
        queue = programme.queue
        assert np.unique(queue).size == queue.size, "someone waits twice on the list"
        started = (workforce.status == Status.TRAINING) & (
            workforce.status_since == model.month)
        assert programme.enrolled == int(started.sum())
        enrolled += programme.enrolled
    assert enrolled > 0

def evaluate(levers: dict, replications: int = 4) -> np.ndarray:
    """Evaluation outcomes [replication, programme, arm, long-term, horizon, measure] of a
    programme open to everyone unemployed 6+ months in Viet Nam (the longest spells in the
    ASEAN duration data), half the eligible randomised to control."""
    tables = load_data()
    scenario = with_overrides(load_scenario("baseline"), {
        "evaluation.control_share": 0.5, "run.horizon_months": 84, "run.scale": 250, **levers})
    return np.stack([simulate(scenario, "VNM", tables, seed).evaluation
                     for seed in replication_seeds(7, "VNM", replications)])


def test_evaluation_reproduces_the_card_kluve_weber_sign_pattern():
    """At the default ``search_refresh`` (1: a completed course wipes the search time employers
    see), an assumption, not a measured value: at 0.5 no group gains within three years (ITT at
    36 months -1.6 points, -0.8 from long-term unemployment; README, Limits), so this pattern is
    conditional on it."""
    training = evaluate({"levers.reskilling.enabled": True, "levers.reskilling.start_month": 0,
                         "levers.reskilling.eligibility": "unemployed",
                         "levers.reskilling.min_months_unemployed": 6})
    jobs = evaluate({"levers.job_creation.enabled": True, "levers.job_creation.start_month": 0,
                     "levers.job_creation.targeting": "unemployed"})
    h = {months: i for i, months in enumerate(HORIZONS)}
    # pooled over replications (each arm: tens of thousands of people per replication)
    pooled = {name: effects(cube.sum(axis=0), p, group)["itt_employed"] for name, cube, p, group
              in (("everyone", training, 0, None), ("long_term", training, 0, True),
                  ("public", jobs, 1, None))}
    everyone, long_term, public = pooled["everyone"], pooled["long_term"], pooled["public"]
    # within a year of assignment (the course plus up to six months): lock-in, not a gain
    assert everyone[h[12]] <= 0.0
    # two to three years on: positive, and rising from the first year
    assert everyone[h[36]] > 0 and everyone[h[36]] > everyone[h[12]]
    # larger for entrants from long-term unemployment
    assert long_term[h[36]] > everyone[h[36]] and long_term[h[24]] > everyone[h[24]]
    # public job creation: the weaker lever on post-programme employment
    assert public[h[36]] < everyone[h[36]] and public[h[24]] < everyone[h[24]]


def test_a_programme_that_enrols_nobody_changes_nothing():
    """Common random numbers: the programme's own draws do not shift anyone else's."""
    settings_ = {"run.horizon_months": 48}
    base = run_scenario("phl_bpo", replications=2, overrides=settings_)
    idle = run_scenario("phl_bpo", replications=2, overrides={
        **settings_, "levers.reskilling.enabled": True, "levers.reskilling.seats_per_100k": 0.0,
        "levers.reskilling.eligibility": "unemployed", "evaluation.control_share": 0.5})
    assert np.array_equal(base.sector_cube, idle.sector_cube)
    # every country figure but the programme's own bookkeeping (people assigned and waiting)
    own = [i for i, name in enumerate(base.country_metrics)
           if name in ("reskilling_assigned", "reskilling_waiting")]
    others = np.setdiff1d(np.arange(len(base.country_metrics)), own)
    assert np.array_equal(base.country_cube[..., others], idle.country_cube[..., others])
    assert idle.values("reskilling_assigned", "PHL").sum() > 0
    late = run_scenario("phl_bpo", replications=2, overrides={
        **settings_, "levers.reskilling.enabled": True, "levers.reskilling.start_month": 24,
        "levers.reskilling.eligibility": "unemployed"})
    assert np.array_equal(base.sector_cube[:, :, :24], late.sector_cube[:, :, :24])
    assert not np.array_equal(base.sector_cube[:, :, 24:], late.sector_cube[:, :, 24:])


def test_the_second_unemployment_rate_counts_the_trainees_and_only_them():
    """Both rates from the people counts: the survey rate U / (E + U), trainees outside the
    labour force; the other reading (U + T) / (E + U + T), trainees counted as unemployed
    (they search and would take a job). Equal wherever nobody is in training; higher while
    people train."""
    results = run_scenario("reskilling_push", countries=["VNM"], replications=2, overrides={
        "run.horizon_months": 48, "run.scale": 500})
    unemployed, trainees = (results.values(m, "VNM") for m in ("unemployed", "in_training"))
    labour_force = results.values("labour_force", "VNM")
    survey = results.values("unemployment_rate", "VNM")
    counted = results.values("unemployment_rate_counting_trainees", "VNM")
    np.testing.assert_allclose(survey, unemployed / labour_force, rtol=1e-9)
    np.testing.assert_allclose(counted, (unemployed + trainees) / (labour_force + trainees),
                               rtol=1e-9)
    nobody = trainees == 0
    assert nobody[:, 0].all() and (trainees[:, -1] > 1000).all()
    assert np.array_equal(survey[nobody], counted[nobody])
    assert (counted[~nobody] > survey[~nobody]).all()


EMPLOYMENT = ("employed", "formal_employed", "informal_employed", "unemployed",
              "underemployed", "automation_job_losses", "hires", "in_training")


def test_with_programmes_off_earnings_change_no_employment_figure():
    runs = [run_scenario("fast_genai", countries=["THA"], replications=2, overrides={
        "run.horizon_months": 72, "uncertainties.adjustment_window_months": 1,
        "earnings.informal_earnings_ratio": ratio, "earnings.scar_switch_sector": scar,
        "earnings.underemployed_hours_ratio": hours})
        for ratio, scar, hours in ((0.6, 0.15, 0.7), (0.9, 0.4, 1.0))]
    for metric in EMPLOYMENT:
        assert np.array_equal(runs[0].values(metric, "THA"), runs[1].values(metric, "THA"))
    assert runs[0].values("automation_job_losses_cumulative", "THA")[:, -1].min() > 0
    assert not np.array_equal(runs[0].values("wage_bill", "THA"),
                              runs[1].values("wage_bill", "THA"))


def test_the_calendar_hand_computed():
    """Month 0 is the state at the start; simulated month t is calendar month start + t - 1;
    "by end of 2026" is month 12. A job programme of 100 jobs a month, 12 months each, from
    the first simulated month: 1,200 jobs by the end of 2026, 100 + 200 + ... + 1,200 =
    7,800 job-months paid; starting one month later changes the result."""
    tables = load_data()
    brn = tables.country("BRN")
    labour_force = brn.employment.sum() / (1 - brn.unemployment_rate)
    settings_ = {"run.scale": 1, "run.horizon_months": 24, "run.replications": 1,
                 "levers.job_creation.enabled": True, "levers.job_creation.start_month": 0,
                 "levers.job_creation.jobs_per_100k": 100 * 100_000 / labour_force,
                 "levers.job_creation.duration_months": 12,
                 "levers.job_creation.targeting": "unemployed",
                 "levers.job_creation.cost_per_job_month_wage_months": 1.0,
                 "levers.job_creation.search_intensity": 0.0,  # nobody leaves a job early
                 "evaluation.control_share": 0.0}
    results = run_scenario("baseline", countries=["BRN"], overrides=settings_)
    end_2026 = results.month_of(2026)
    assert end_2026 == 12 and str(results.dates[0]) == "2025-12"
    assert results.month_of(2028) is None  # a 24-month run ends with December 2027
    hires = results.values("programme_hires", "BRN")[0]
    assert hires[1:end_2026 + 1].sum() == 1_200
    cost = results.values("job_creation_cost_cumulative", "BRN")[0, end_2026]
    # only retirement (about 0.2% a month) takes anyone out of a programme job early
    assert cost / brn.avg_wage_lcu == pytest.approx(7_800, rel=0.01)
    later = run_scenario("baseline", countries=["BRN"],
                         overrides={**settings_, "levers.job_creation.start_month": 1})
    assert later.values("programme_hires", "BRN")[0, 1] == 0
    assert later.values("programme_hires", "BRN")[0, 2] == 100


def test_a_control_person_who_enrols_in_a_later_spell_counts_as_crossover():
    """Follow one person: in the control group in their first spell, offered and enrolled in
    the second. Their first record shows the enrolment (crossover), so the Wald TOT divides
    the ITT by the offer's effect on enrolment; a record of the other programme is untouched."""
    from sim.evaluation import Evaluation

    ev = Evaluation(control_share=0.0, rng=np.random.default_rng(0))
    ev.control_share = 1.0  # first spell: everyone to control
    ev.assign(np.array([7, 8]), month=3, programme=0, long_term=np.array([False, False]))
    ev.assign(np.array([7]), month=4, programme=1, long_term=np.array([False]))
    ev.control_share = 0.0  # second spell: offered
    offered = ev.assign(np.array([7]), month=20, programme=0, long_term=np.array([False]))
    assert offered.all()
    ev.note_enrolment(np.array([7]), month=22, programme=0)
    assert ev.enrolled.tolist() == [22, -1, -1, 22]  # both of 7's reskilling records, not 8's
    # 8 retires with two records: both leave, so a newcomer in slot 8 is never followed
    ev.assign(np.array([8]), month=25, programme=0, long_term=np.array([False]))
    ev.drop(np.array([8]))
    assert ev.active.tolist() == [True, False, True, True, False]

    # Wald: offered enrol 40%, control 10%, ITT 3 points -> TOT 10 points
    outcomes = np.zeros((2, 2, 2, len(HORIZONS), 5))
    for arm, (employed, enrolled) in {1: (53, 40), 0: (50, 10)}.items():
        outcomes[0, arm, 0, :, 0] = 100  # people
        outcomes[0, arm, 0, :, 1] = employed
        outcomes[0, arm, 0, :, 4] = enrolled
    out = effects(outcomes, 0)
    assert np.allclose(out["itt_employed"], 0.03) and np.allclose(out["tot_employed"], 0.1)


def test_substituted_vacancies_come_back_when_programme_jobs_end(tables):
    """Substitution holds a regular vacancy only while the programme job lasts (Dahlberg and
    Forslund: subsidised jobs displace regular ones while they exist). Without automation a
    sector's positions (filled, open, and held by programme jobs) follow the same path as in the
    no-policy twin, month by month; once the programme stops and its jobs end, nothing is held
    and the open and filled positions are the twin's again in total."""
    common = {"run.scale": 500, "run.horizon_months": 96, "uncertainties.adoption_ceiling": 0.0}
    seed = replication_seeds(1, "VNM", 1)[0]
    twin = build_model(tables, "VNM", "baseline", common, seed)
    policy = build_model(tables, "VNM", "job_creation", common, seed)
    assert policy.scenario.levers.job_creation.substitution_share > 0

    def positions(model, held: bool = True) -> float:
        return sum(model.workforce.stocks[Status.FORMAL][:, s.index].sum()
                   + max(s.open_vacancies, 0.0) + (s.held_vacancies if held else 0.0)
                   for s in model.sectors)

    held_at_peak = 0.0
    for month in range(1, 97):
        if month == 49:
            policy.job_creation.jobs_per_month = 0.0  # no new programme jobs from here on
        twin.step()
        policy.step()
        assert positions(policy) == pytest.approx(positions(twin), rel=1e-3), month
        held_at_peak = max(held_at_peak, sum(s.held_vacancies for s in policy.sectors))
    share = policy.scenario.levers.job_creation.substitution_share
    active = policy.workforce.stocks[Status.PROGRAMME_JOB].sum()
    assert active == 0 and held_at_peak > 0.5 * share * 100  # about 125 jobs at their peak
    assert sum(s.held_vacancies for s in policy.sectors) == pytest.approx(0.0, abs=1e-9)
    assert positions(policy, held=False) == pytest.approx(positions(twin), rel=1e-3)


def test_job_creation_reports_its_ratio_with_and_without_programme_wages_as_earnings():
    """The benefit-cost ratio counts regular earnings regained per unit of outlay; programme
    wages are inside the outlay (a transfer to participants). The second ratio counts them as
    participants' earnings, so it exceeds the first by about the wages' share of the cost
    (``wage_share``, 0.7): within 0.01, with two replications (medians are then means)."""
    from sim.evaluation import cost_benefit

    kw = {"countries": ["VNM"], "replications": 2,
          "overrides": {"run.scale": 1000, "run.horizon_months": 72}}
    base, policy = run_scenario("baseline", **kw), run_scenario("job_creation", **kw)
    table = cost_benefit(base, policy).set_index("indicator")["median"]
    first = table["benefit-cost ratio (present values, 5% a year)"]
    second = table["with programme wages as earnings (present values, 5% a year)"]
    assert abs((second - first) - policy.scenario.levers.job_creation.wage_share) < 0.01
    # a programme that pays no wages (reskilling) reports one ratio only
    reskilling = cost_benefit(base, run_scenario("reskilling_push", **kw))
    assert not reskilling["indicator"].str.startswith("with programme wages").any()
