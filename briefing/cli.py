"""The command line: thin click commands that load the config and call one stage."""
from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BriefingError


def _setup_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint="--date") from None


config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                             default=None, help="Config file (default: config/briefing.yaml).")
topic_option = click.option("--topic", default=None, help="Topic slug from the config (default: the first).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """Write a one-page policy brief from the news."""
    _setup_logging(verbose)


@cli.command()
@config_option
@topic_option
@click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path),
              help="A folder (or file) of articles to build from, instead of the configured sources.")
@click.option("--date", "date_str", default=None, help="The brief's date, YYYY-MM-DD (default: today).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: the config's).")
def build(config_path: Path | None, topic: str | None, inputs: tuple[Path, ...],
          date_str: str | None, output: Path | None) -> None:
    """Build the brief: OUTPUT/DATE/TOPIC.html, .pdf and .json."""
    from .pipeline import build_brief

    date = _parse_date(date_str)
    paths = build_brief(config_path=config_path, topic=topic, inputs=list(inputs), date=date, output=output)
    for path in paths:
        click.echo(str(path))


def main() -> None:
    try:
        cli.main(prog_name="briefing", standalone_mode=True)
    except BriefingError as exc:  # pragma: no cover - click handles these in standalone mode
        exc.show()
        sys.exit(exc.exit_code)
