"""Research sweeps: designs, parallel runs on Dask, results on disk, SQL and sensitivity.

A sweep design (TOML, see ``designs/`` and ``docs/sweeps.md``) names a base scenario, a
country, the parameters to vary (uncertainties and levers, by their dotted scenario keys), a
sampling design (grid, Latin hypercube, Sobol/Saltelli or Morris), replications, run settings
and the outcomes to record. ``load_design`` validates all of it before anything is written;
``run_sweep`` runs every (point, replication) through ``sim.runner.run_scenario`` - the engine
behind the app and the CLI - serially or on dask.distributed, and appends each batch of
finished runs to a Parquet dataset in the output folder (one part file per batch, written
under a temporary name and renamed, so a killed sweep never leaves a torn file). Re-running
the same design on the same folder resumes it. ``query`` puts DuckDB views ``runs``,
``outcomes`` and ``points`` over the dataset; ``sensitivity`` computes Sobol or Morris indices
with SALib.

Run (point p, replication r) is replication r of ``run_scenario(base, seed=<design seed>,
overrides=<point p>)``: its stream depends only on (seed, country, r), so a sweep gives
bit-identical numbers serially, on a LocalCluster or on a remote cluster, every point sees the
same streams (common random numbers), and ``sim run`` replays any run
(``SweepPlan.replay_args``).

Modules: ``design`` (the file, its checks, the points), ``execute`` (one run, Dask),
``store`` (the output folder), ``run`` (``run_sweep``), ``analysis`` (DuckDB, SALib).

Layout of an output folder::

    manifest.json      design (normalised), its hash, base scenario hash, parameters, outcomes
    design.toml        a copy of the design file
    points.parquet     one row per design point: the sampled values (before integer rounding)
    runs/part-*.parquet      one row per finished run (ok or failed), with its provenance
    outcomes/part-*.parquet  run_id x outcome x month -> value, for ok runs
    sensitivity_*.csv  indices written by ``sensitivity``
    events.jsonl       what happened: sweeps started and stopped, workers lost, runs lost
    .lock              advisory lock (flock) held by the running sweep

Faults (see docs/sweeps.md, "Faults and guarantees"): bad input (design, folder, scheduler)
writes nothing; a second sweep on a locked folder is refused; a run that raises is recorded as
failed; a lost Dask worker's runs are rescheduled; a full disk stops the sweep with one line
and keeps every part already written. Re-running resumes to the same results.
"""

from sim.errors import SweepError
from sim.sweeps.analysis import connect, query, sensitivity
from sim.sweeps.design import Design, SweepPlan, load_design, plan_design, run_id
from sim.sweeps.run import SweepResult, run_sweep
from sim.sweeps.store import check_output, read_events

__all__ = [
    "Design",
    "SweepError",
    "SweepPlan",
    "SweepResult",
    "check_output",
    "connect",
    "load_design",
    "plan_design",
    "query",
    "read_events",
    "run_id",
    "run_sweep",
    "sensitivity",
]
