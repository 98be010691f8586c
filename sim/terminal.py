"""Terminal output for the ``sim`` command: consoles, the one-line error exit, tables.

The CLI's commands (``sim.run_commands``, ``sim.data_commands``, ``sim.sweep_commands``, with
``sim.cli_common``) print through these helpers so that every error is one escaped line with
exit status 2, and numbers look the same everywhere.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from sim.errors import SimError, one_line
from sim.results import PERCENT

# Piped output (files, CI logs) gets room for the tables instead of 80 columns.
console = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, soft_wrap=True)


def input_errors() -> tuple[type[Exception], ...]:
    """The exceptions that mean bad input (shown as one line, exit 2)."""
    return (SimError,)


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit to raise (status 2).

    The message may quote user input (a cell, a key, a file name): it is flattened to one line
    and escaped so that text such as "[/]" is shown, not read as terminal markup.
    """
    err.print(f"[bold red]error:[/] {escape(one_line(message))}", highlight=False)
    return typer.Exit(code=2)


def usage_line(exc: Exception) -> str:
    """A command-line usage error (an option's value of the wrong type or out of range, an
    unknown option or command, a missing argument: click's ``UsageError``) as one line naming
    the command, the option and the value given, and where the help is, e.g. "sim run: invalid
    value for '--replications' / '-r': 0 (input should be greater than or equal to 1); see
    'sim run --help'". Printed by ``fail`` (exit status 2) from ``sim.cli``'s group."""
    ctx = getattr(exc, "ctx", None)
    given = _given_value(exc)
    if given is not None and getattr(exc, "param", None) is not None:
        reason = str(getattr(exc, "message", "")).rstrip(".")
        exc.message = f"{given} ({reason[:1].lower()}{reason[1:]})"  # type: ignore[attr-defined]
    format_message = getattr(exc, "format_message", None)
    message = str(format_message() if callable(format_message) else exc).rstrip(".")
    message = message[:1].lower() + message[1:]
    if ctx is None:
        return message
    return f"{ctx.command_path}: {message}; see '{ctx.command_path} --help'"


def _given_value(exc: Exception) -> str | None:
    """The value a usage error refused, when its cause (a pydantic ``ValidationError``, which is
    how typer converts option values) records it; None if unknown."""
    errors = getattr(exc.__cause__, "errors", None)
    if not callable(errors):
        return None
    try:
        found = errors()
    except Exception:  # noqa: BLE001 - any other ``errors`` attribute: the value is unknown
        return None
    if not found or not isinstance(found[0], dict) or "input" not in found[0]:
        return None
    value = found[0]["input"]
    text = str(value)
    return text if text and text.strip() == text and " " not in text else repr(value)


@contextmanager
def writing(
    path: object,
    option: str = "--out",
    errors: tuple[type[Exception], ...] = (OSError, SimError),
) -> Iterator[None]:
    """Turn a failed write of ``path`` (one of ``errors``) inside the block into the one-line
    error "OPTION PATH: cannot write (reason)" and exit status 2 (``fail``)."""
    try:
        yield
    except errors as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise fail(f"{option} {path}: cannot write ({reason})") from None


def parse_sets(pairs: list[str] | None) -> dict[str, Any]:
    """``key=value`` pairs; values are read as TOML values (numbers, true/false, lists)."""
    import tomllib

    overrides: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise fail(
                f"--set {pair!r}: write it as key=value, e.g. uncertainties.adoption_pace=1.5"
            )
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text  # a bare word: treat as a string (e.g. eligibility=unemployed)
        overrides[key.strip()] = value
    return overrides


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def fmt(value: float, metric: str) -> str:
    if metric in PERCENT:
        return f"{value:.2f}"
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} bn"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} m"
    return f"{value:,.0f}"


def band(low: str, high: str, replications: int) -> str:
    """A 5-95% band as shown, or "n/a" when one replication gives no spread to show."""
    return "n/a" if replications < 2 else f"{low} to {high}"


def single_replication_note(replications: int) -> None:
    """Say why the bands read n/a (on stderr, so tables on stdout stay clean)."""
    if replications < 2:
        err.print(
            "note: one replication: the 5-95% bands are n/a; run 2 or more (e.g. -r 5) "
            "to see the uncertainty",
            markup=False,
            highlight=False,
        )


def headline_table(title: str, frame, replications: int = 2) -> Table:
    table = Table(title=Text(one_line(title)), title_justify="left", show_lines=False)
    for column in ("by end of", "indicator", "median", "5-95% band"):
        table.add_column(column, justify="right" if column != "indicator" else "left")
    for row in frame.itertuples():
        table.add_row(
            str(row.year),
            Text(row.indicator),
            fmt(row.median, row.metric),
            band(fmt(row.low, row.metric), fmt(row.high, row.metric), replications),
        )
    return table


def print_unwrapped(table: Table) -> None:
    """Print ``table`` on stdout; when stdout is not a terminal (a file, a pipe, CI logs), as wide
    as its widest row needs, so that every row is one line that ``grep`` finds whole and no cell
    is wrapped or cut. On a terminal, cells wrap to the window (columns made ``no_wrap`` keep
    theirs whole)."""
    if console.is_terminal:
        console.print(table)
        return
    wide = Console(width=100_000)
    needed = Measurement.get(wide, wide.options, table).maximum
    Console(width=max(needed, 80)).print(table)


def cell(value: Any):
    # Plain text: values like "metric[sector]" are not markup, and control characters from
    # files (escape codes, NUL) are shown escaped, not sent to the terminal.
    if isinstance(value, float):
        return Text(f"{value:.6g}")
    return Text("" if value is None else one_line(value))


def frame_table(frame, max_rows: int | None = None) -> Table:
    table = Table()
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "iuf"
        table.add_column(cell(column), justify="right" if numeric else "left")
    shown = frame if max_rows is None else frame.head(max_rows)
    for row in shown.itertuples(index=False):
        table.add_row(*(cell(v) for v in row))
    return table


def number(value: float) -> str:
    """A figure for a table: thousands separated, large values in m / bn, NaN as n/a, zero as
    "0", and +inf (a band's unbounded upper end, as of a cost per job-year) as "no upper
    bound"."""
    if value != value:  # NaN
        return "n/a"
    if value == float("inf"):
        return "no upper bound"
    if value == 0:  # a count of nothing, or a ratio of exactly nothing: not "0.00"
        return "0"
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} bn"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} m"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def effect_table(title: str, frame, replications: int = 2) -> Table:
    """Median and band rows (``year`` may be empty) as a table."""
    table = Table(title=Text(one_line(title)), title_justify="left")
    for column in ("by end of", "indicator", "median", "5-95% band", "note"):
        table.add_column(column, justify="left" if column in ("indicator", "note") else "right")
    for row in frame.itertuples():
        year = getattr(row, "year", None)
        shown = "" if year is None or year != year else str(int(year))
        note = getattr(row, "note", "")
        note = "" if not isinstance(note, str) else note
        table.add_row(
            shown,
            Text(row.indicator),
            number(row.median),
            band(number(row.low), number(row.high), replications),
            Text(str(note)),
        )
    return table


def evaluation_rich_table(iso3: str, frame, replications: int = 2) -> Table:
    """The in-model randomised evaluation: effects by months since assignment."""
    horizons = sorted(frame["months_after_assignment"].unique())
    table = Table(
        title=f"In-model randomised evaluation (offered vs control, same run) - {iso3}",
        title_justify="left",
    )
    table.add_column("programme / group")
    table.add_column("measure")
    for h in horizons:
        table.add_column(f"{h} months", justify="right")
    for (programme, group, indicator), rows in frame.groupby(
        ["programme", "group", "indicator"], sort=False
    ):
        cells = []
        by_h = rows.set_index("months_after_assignment")
        for h in horizons:
            if h in by_h.index:
                r = by_h.loc[h]
                spread = f" [{number(r['low'])}, {number(r['high'])}]" if replications > 1 else ""
                cells.append(f"{number(r['median'])}{spread}")
            else:
                cells.append("")
        table.add_row(Text(f"{programme}: {group}"), Text(indicator), *cells)
    return table


REGION_COLUMNS = (
    ("AI readiness (0-100)", "readiness"),
    ("employment in exposed occupations (%)", "exposed %"),
    ("women / men exposed", "women/men"),
    ("adoption (%)", "adoption %"),
    ("formal positions removed (% of employment)", "removed %"),
    ("layoffs (% of employment)", "layoffs %"),
    ("hires foregone (% of employment)", "not created %"),
    ("AI-era vacancies created (% of employment)", "AI-era jobs %"),
    ("net employment effect vs no AI (% of employment)", "net vs no AI %"),
    ("programme cost (% of the wage bill to date)", "cost % wage bill"),
)


def region_rich_table(title: str, frame) -> Table:
    """The regional comparison: one row per country and year, medians."""
    table = Table(title=title, title_justify="left")
    table.add_column("country")
    table.add_column("year", justify="right")
    for _, short in REGION_COLUMNS:
        table.add_column(short, justify="right")
    for row in frame.to_dict("records"):
        table.add_row(
            row["country"], str(row["year"]), *(f"{row[name]:,.2f}" for name, _ in REGION_COLUMNS)
        )
    return table
