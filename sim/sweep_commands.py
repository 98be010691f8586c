"""The sweep commands of ``sim``: ``sweep``, ``query`` and ``sensitivity`` (the ``sweep`` extra).

Added to the ``sim`` command by ``sim.cli``; the sweep engine is imported when a command runs,
so ``sim --help`` stays fast and works without the extra installed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from sim.errors import one_line
from sim.io import check_output_file, write_table
from sim.terminal import cell, console, err, fail, frame_table, input_errors, writing

app = typer.Typer()


def _engine():
    """The sweep engine, or one line saying how to install it."""
    try:
        import sim.sweeps as engine
    except ImportError as exc:
        raise fail(
            f"sweeps need the 'sweep' extra ({exc.name} is missing): "
            "pip install 'asean-automation-sim[sweep]'"
        ) from None
    return engine


@app.command("sweep")
def sweep_command(
    design: Annotated[Path, typer.Argument(help="Sweep design TOML (see designs/).")],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Output folder; re-run the same command on it to resume."),
    ],
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a running Dask scheduler, e.g. tcp://host:8786 (default: a local "
            "cluster on this machine's cores)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Local worker processes (default: one per core); 0 = run serially without Dask.",
        ),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run again the runs recorded as failed.")
    ] = False,
    batch_size: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Runs per Parquet part file (default 50; a part is also written every 2 seconds).",
        ),
    ] = None,
    connect_timeout: Annotated[
        float,
        typer.Option(min=0.1, max=3600, help="Seconds to wait for --scheduler before giving up."),
    ] = 10.0,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Folder with your own data tables (default: the shipped ones); "
            "every worker must be able to read it.",
        ),
    ] = None,
) -> None:
    """Run a parameter sweep (grid, lhs, sobol, morris) in parallel; results go to --out.

    Exit status: 0 every run recorded ok; 1 the sweep ended but runs failed (their errors are
    in the run table; rerun them with --retry-failed) or were lost with a worker (run the same
    command again); 2 bad input, unreachable scheduler, folder in use by another sweep, or
    results that cannot be written (nothing half-written is left); 130 interrupted.
    """
    from rich.progress import TimeElapsedColumn

    engine = _engine()
    try:
        plan = engine.load_design(design, data=data)
        engine.check_output(out, plan)  # writes nothing
    except input_errors() as exc:
        raise fail(str(exc)) from None
    d = plan.design
    where = (
        "serially"
        if workers == 0
        else (
            f"on {scheduler}"
            if scheduler
            else f"on a local Dask cluster ({workers} workers)"
            if workers
            else "on a local Dask cluster (one worker per core), or serially if the sweep is "
            "too small to pay for starting one"
        )
    )
    console.print(
        f"[bold]{escape(one_line(d.name))}[/]: {d.design} design, {plan.n_points} points x "
        f"{d.replications} replications = {plan.total_runs} runs of "
        f"{escape(one_line(repr(plan.base.name)))} in {plan.iso3}, {escape(one_line(where))}",
        highlight=False,
    )
    params = Table(title_justify="left")
    for column in ("parameter", "key", "kind", "values"):
        params.add_column(column)
    for p in plan.parameters:
        values = (
            f"{p.bounds[0]:g} to {p.bounds[1]:g}"
            if p.bounds
            else ", ".join(json.dumps(v) for v in p.levels or ())
        )
        params.add_row(*(cell(v) for v in (p.name, p.key, p.kind, values)))
    console.print(params)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[green]{task.fields[ok]} ok[/] [red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    # The bar appears with the first finished count, once the scheduler answered and the
    # folder is locked: a sweep refused before that prints its one error line and nothing else.
    bar = Progress(*columns, console=err)
    task = None

    def tick(ok: int, failed: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("sweep", total=total, ok=ok, failed=failed)
        bar.update(task, completed=ok + failed, total=total, ok=ok, failed=failed)

    try:
        try:
            result = engine.run_sweep(
                plan,
                out,
                scheduler=scheduler,
                workers=workers,
                progress=tick,
                retry_failed=retry_failed,
                batch_size=batch_size,
                connect_timeout=connect_timeout,
            )
        finally:
            bar.stop()
    except input_errors() as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        err.print(
            f"interrupted: finished runs are saved in {escape(one_line(out))}; run the same "
            "command again to resume",
            highlight=False,
        )
        raise typer.Exit(code=130) from None
    except Exception as exc:  # no traceback for a researcher; the events log has the record
        raise fail(
            f"sweep stopped by an unexpected error ({type(exc).__name__}: {exc}); "
            f"finished runs are saved in {out}; run the same command again to resume; "
            "please report this"
        ) from None
    console.print(
        f"{result.completed} runs done now, {result.skipped} already recorded, "
        f"{result.failed_total} failed in total; {result.wall_seconds:.1f} s "
        f"({result.runs_per_second:.1f} runs/s). Results in {out}",
        highlight=False,
        markup=False,
    )
    if result.workers_lost:
        err.print(
            f"note: {result.workers_lost} Dask worker(s) lost during the sweep; their "
            f"runs were rescheduled (see {escape(one_line(out / 'events.jsonl'))})",
            highlight=False,
        )
    if result.failed_total or result.lost:
        parts = []
        if result.failed_total:
            parts.append(
                f'{result.failed_total} runs failed (see: sim query {out} "SELECT '
                "run_id, error FROM runs WHERE status = 'failed'\"; rerun them with "
                "--retry-failed)"
            )
        if result.lost:
            parts.append(
                f"{result.lost} runs were lost with their workers (run the same "
                "command again to do them)"
            )
        err.print(
            "[bold yellow]warning:[/] sweep incomplete: " + escape(one_line("; ".join(parts))),
            highlight=False,
        )
        raise typer.Exit(code=1)


@app.command("query")
def query_command(
    out: Annotated[Path, typer.Argument(help="A sweep output folder.")],
    sql: Annotated[
        str,
        typer.Argument(
            help="SQL over the views runs (one row per run, with parameters and provenance), "
            "outcomes (run_id, outcome, month, date, value) and points."
        ),
    ],
    max_rows: Annotated[int, typer.Option(min=1, help="Rows to print.")] = 50,
    csv: Annotated[
        Path | None, typer.Option(help="Also write the full result to this CSV.")
    ] = None,
) -> None:
    """Query a sweep's results with SQL (DuckDB), e.g. "SELECT status, count(*) FROM runs
    GROUP BY status"."""
    try:
        if csv is not None:
            check_output_file(csv, (".csv",), "--csv")
        frame = _engine().query(out, sql)
    except input_errors() as exc:
        raise fail(str(exc)) from None
    more = (
        f" (first {max_rows} of {len(frame)} rows)"
        if len(frame) > max_rows
        else f" ({len(frame)} rows)"
    )
    console.print(Text(one_line(f"{out}{more}")))
    console.print(frame_table(frame, max_rows))
    if csv is not None:
        with writing(csv, "--csv"):
            write_table(frame, csv)
        console.print(Text(f"wrote {csv}"))


@app.command("sensitivity")
def sensitivity_command(
    out: Annotated[Path, typer.Argument(help="A finished sweep output folder.")],
    method: Annotated[
        str | None,
        typer.Option(
            help="sobol (first-order S1 and total ST) or morris (mu*, sigma); default: the "
            "sweep's design."
        ),
    ] = None,
    outcome: Annotated[str | None, typer.Option(help="Only this outcome (default: all).")] = None,
) -> None:
    """Sensitivity indices of each outcome to each parameter (SALib), with 95% intervals."""
    try:
        frame = _engine().sensitivity(out, method=method, outcome=outcome)
    except input_errors() as exc:
        raise fail(str(exc)) from None
    used = "sobol" if "ST" in frame.columns else "morris"
    pairs = frame.attrs.get("second_order")
    for name, part in frame.groupby("outcome", sort=False):
        shown = part.drop(columns=["outcome", "key"])
        console.print(
            f"[bold]{escape(one_line(name))}[/]: {used} indices (replications averaged per "
            "point; *_conf = 95% interval half-width)",
            highlight=False,
        )
        console.print(frame_table(shown))
        indices = shown.drop(columns=["parameter", "kind", "rank"], errors="ignore")
        if indices.select_dtypes("number").isna().all().all():
            console.print(
                "  every run gave the same value of this outcome (nothing varies to apportion), "
                "so its indices are undefined (nan) and unranked",
                highlight=False,
                markup=False,
            )
        if pairs is not None:
            console.print(
                "second-order indices S2: the share of the variance due to each pair of "
                "parameters acting together",
                highlight=False,
                markup=False,
            )
            console.print(frame_table(pairs[pairs["outcome"] == name].drop(columns="outcome")))
    console.print(Text(f"wrote {frame.attrs['path']}"))
    if pairs is not None:
        console.print(Text(f"wrote {frame.attrs['second_order_path']}"))
