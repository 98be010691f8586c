"""The ``sim`` command: list, run and compare scenarios, check and calibrate the data.

Every command calls the same ``run_scenario`` as the app and the sweeps. Errors in input (an
unknown scenario, country or sector, a bad ``--set``, an option's value of the wrong type or
out of its range, an unknown option, a malformed data file, a ``--year`` outside the run, a
scenario holding another country's figures, an output path that cannot take the file) print
one line naming what is wrong and exit with status 2. All of them are
checked before the model runs; nothing is written unless the run finished. Every command that
runs the model takes ``--data FOLDER``: a folder of the user's own tables, validated, hashed
and calibrated like the shipped ones.

This module holds the ``app`` and the list of commands; the commands live in
``sim.run_commands`` (run, compare, region), ``sim.data_commands`` (list, params,
validate-data, calibrate, validate) and ``sim.sweep_commands`` (sweep, query, sensitivity);
what they share (options, checks, the run with its progress bar) in ``sim.cli_common``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from sim import data_commands, run_commands, sweep_commands
from sim.terminal import err, fail, usage_line

try:  # typer 0.2x carries its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer, on click itself
    from click import exceptions as click_errors  # type: ignore[no-redef]


class OneLineErrors(TyperGroup):
    """The ``sim`` group, whose command-line usage errors (a value of the wrong type or out of
    range, an unknown option or command, a missing argument) are one line on stderr with exit
    status 2 (``sim.terminal.usage_line``), like every other input error, instead of click's
    usage block and boxed message. ``--help`` and ``sim`` alone still print the help."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError as exc:  # the help is printed already
            sys.exit(exc.exit_code)
        except click_errors.UsageError as exc:
            fail(usage_line(exc))
            sys.exit(exc.exit_code)
        except click_errors.ClickException as exc:
            fail(exc.format_message())
            sys.exit(exc.exit_code)
        except typer.Abort:
            err.print("Aborted!", markup=False, highlight=False)
            sys.exit(1)
        # without standalone mode click returns the exit status of a typer.Exit, else what the
        # command returned (None: success)
        sys.exit(code if isinstance(code, int) and not isinstance(code, bool) else 0)


app = typer.Typer(
    cls=OneLineErrors,
    name="sim",
    help="Simulate how AI and automation displace workers in ASEAN labour markets, sector by "
    "sector, and what reskilling and job-creation programmes change. Numbers are in real "
    "workers; money in the country's currency.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# The commands, in the order ``sim --help`` lists them.
app.command("list")(data_commands.list_command)
app.command("params")(data_commands.params_command)
app.command("run")(run_commands.run_command)
app.command("compare")(run_commands.compare_command)
app.command("validate-data")(data_commands.validate_data_command)
app.command("calibrate")(data_commands.calibrate_command)
app.command("region")(run_commands.region_command)
app.command("validate")(data_commands.validate_command)
app.add_typer(sweep_commands.app)  # sweep, query, sensitivity


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
