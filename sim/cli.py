"""The ``sim`` command: list, run and compare scenarios, check and calibrate the data.

Every command calls the same ``run_scenario`` as the app and the sweeps. Errors in input (an
unknown scenario, country or sector, a bad ``--set``, a malformed data file, a ``--year``
outside the run, a scenario holding another country's figures, an output path that cannot
take the file) print one line naming what is wrong and exit with status 2. All of them are
checked before the model runs; nothing is written unless the run finished. Every command that
runs the model takes ``--data FOLDER``: a folder of the user's own tables, validated, hashed
and calibrated like the shipped ones.

This module holds the ``app`` and the list of commands; the commands live in
``sim.run_commands`` (run, compare, region), ``sim.data_commands`` (list, params,
validate-data, calibrate, validate) and ``sim.sweep_commands`` (sweep, query, sensitivity);
what they share (options, checks, the run with its progress bar) in ``sim.cli_common``.
"""

from __future__ import annotations

import typer

from sim import data_commands, run_commands, sweep_commands

app = typer.Typer(
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
