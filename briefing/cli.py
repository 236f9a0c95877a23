"""The command line: thin click commands that load the config and call one stage."""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import click

from . import __version__
from .errors import BriefingError

if TYPE_CHECKING:  # pragma: no cover - annotations only; commands import what they use
    from .config import Config, TopicConfig


def _setup_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if verbose < 2:
        # WeasyPrint warns once per font when the system lacks HarfBuzz's subsetter; the PDF is
        # fine, and a morning run's log should only say what needs doing.
        for name in ("weasyprint", "fontTools"):
            logging.getLogger(name).setLevel(logging.ERROR)


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


@cli.command()
@config_option
@topic_option
@click.option("--date", "date_str", default=None, help="The brief's date, YYYY-MM-DD (default: today).")
@click.option("--force", is_flag=True, help="Send even if this brief was already sent (or refused).")
@click.option("--dry-run", is_flag=True, help="Write the message to OUTPUT/outbox/dry-run/ and send nothing.")
@click.option("--retry", is_flag=True, help="Only send what is queued in the outbox (all of it, or --topic/--date).")
def send(config_path: Path | None, topic: str | None, date_str: str | None, force: bool,
         dry_run: bool, retry: bool) -> None:
    """Email a built brief (and anything still queued)."""
    from .config import load_config
    from .deliver import DeliveryError, send as send_brief

    config = load_config(config_path)
    report = send_brief(config, topic, _parse_date(date_str), force=force, dry_run=dry_run, retry=retry)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise DeliveryError("not everything was delivered (see above); queued messages go out on the "
                            "next run or with `briefing send --retry`")


@cli.command()
@config_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
def serve(config_path: Path | None, port: int) -> None:
    """Serve the archive (OUTPUT/index.html and the briefs) on localhost."""
    from .archive import make_server
    from .config import load_config

    config = load_config(config_path)
    server = make_server(config.output, port, templates=config.templates)
    host, actual = server.server_address[:2]
    click.echo(f"Serving {config.output} at http://{host}:{actual}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable | None]:
    """A per-source progress bar on stderr when it is a terminal; None (no bar) otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("sources collected", total=None)

        def update(done: int, total: int, source: object) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _echo_sources(report: object) -> None:
    for source in report.sources:
        click.echo(f"{source.label}: {source.summary()}")


@cli.command()
@config_option
@click.option("--topic", "topics", multiple=True, help="Topic slug (repeat for several; default: every topic).")
def collect(config_path: Path | None, topics: tuple[str, ...]) -> None:
    """Fetch every source and store what is new; print per source: new, duplicate, failed."""
    from .collect import CollectError, collect as collect_sources
    from .config import load_config

    config = load_config(config_path)
    with _progress_bar() as progress:
        report = collect_sources(config, topics or None, progress)
    _echo_sources(report)
    click.echo(f"{report.new} new article(s) from {len(report.sources)} source(s); {len(report.failed)} failed")
    if report.all_failed:
        raise CollectError("every source failed (reasons above)")


@cli.command()
@config_option
@click.option("--topic", default=None, help="Topic slug (default: every topic).")
@click.option("--date", "date_str", default=None, help="The brief's date, YYYY-MM-DD (default: today).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: the config's).")
def run(config_path: Path | None, topic: str | None, date_str: str | None, output: Path | None) -> None:
    """Collect, build from the store, then email the brief, once: what the scheduler runs."""
    from .config import load_config
    from .pipeline import run_topic

    config = load_config(config_path)
    date = _parse_date(date_str)
    # config.topic(None) reports a config without topics; otherwise every topic runs.
    topics = [config.topic(topic)] if topic or not config.topics else config.topics
    failed = []
    failed_sources: list[str] = []
    undelivered: list[str] = []
    for topic_cfg in topics:
        try:
            with _progress_bar() as progress:
                result = run_topic(config, topic_cfg, date, output, progress=progress)
        except BriefingError as exc:
            if len(topics) == 1:
                raise
            click.echo(f"error: {topic_cfg.slug}: {exc.format_message()}", err=True)
            failed.append(topic_cfg.slug)
            continue
        _echo_sources(result.report)
        for path in result.paths:
            click.echo(str(path))
        if result.paths and result.report is not None and result.report.all_failed:
            click.echo(f"warning: {topic_cfg.slug}: every source failed this run; the brief was built from "
                       "articles collected earlier (reasons above)", err=True)
            failed_sources.append(topic_cfg.slug)
        if result.paths and not _send_step(config, topic_cfg, result.paths[0].parent.name, output):
            undelivered.append(topic_cfg.slug)
    if failed:
        raise BriefingError(f"no brief for {', '.join(failed)} (reasons above)")
    if undelivered:
        raise BriefingError(f"brief built but not emailed for {', '.join(undelivered)} (reasons above); "
                            "queued mail goes out on the next run or with `briefing send --retry`")
    if failed_sources:
        raise BriefingError(f"every source failed for {', '.join(failed_sources)}: the brief holds only "
                            "articles collected earlier (reasons above)")


def _send_step(config: Config, topic_cfg: TopicConfig, date: str, output: Path | None) -> bool:
    """The send step of `run`: email the brief just built; False if not delivered (reason echoed)."""
    from .deliver import send_after_build

    try:
        report = send_after_build(config, topic_cfg, date, output=output)
    except BriefingError as exc:  # e.g. a missing password: the brief is built, the mail stays queued
        click.echo(f"error: {topic_cfg.slug}: email: {exc.format_message()}", err=True)
        return False
    for line in report.lines() if report.outcomes else []:
        click.echo(line)
    return report.ok


@cli.command()
@config_option
def schedule(config_path: Path | None) -> None:
    """Run every topic at its `schedule:` time (cron, in the config's time zone) until stopped."""
    from .config import load_config
    from .schedule import run_scheduler

    # A long-running service: log each run even without -v.
    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        logging.getLogger("briefing").setLevel(logging.INFO)
    run_scheduler(load_config(config_path))


@cli.group("config")
def config_group() -> None:
    """Inspect the config file."""


@config_group.command("check")
@config_option
def config_check(config_path: Path | None) -> None:
    """Validate the config and print it resolved (paths absolute, defaults filled, secrets masked)."""
    from .config import DEFAULT_CONFIG, check_config
    from .errors import ConfigError

    try:
        click.echo(check_config(config_path), nl=False)
    except ConfigError as exc:
        if not exc.problems:
            raise
        click.echo(f"error: {config_path or DEFAULT_CONFIG}: {len(exc.problems)} problem(s):", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(exc.exit_code)


@cli.command()
@config_option
def doctor(config_path: Path | None) -> None:
    """Check the model, fonts, folders, store, templates, config and SMTP; say what to fix."""
    from .doctor import run_checks

    checks = run_checks(config_path)
    width = max(len(c.name) for c in checks)
    for check in checks:
        click.echo(check.line(width))
    if any(c.status == "FAIL" for c in checks):
        sys.exit(1)


def _environment_failure(exc: BaseException) -> str | None:
    """A one-line reason for a failure of the machine, not of the code (disk full, read-only,
    permissions, a store SQLite cannot use); None for anything else (a bug keeps its traceback)."""
    sqlite3 = sys.modules.get("sqlite3")
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    if sqlite3 is not None and isinstance(exc, sqlite3.OperationalError):
        return f"the store failed: {exc}"
    return None


def main() -> None:
    try:
        cli.main(prog_name="briefing", standalone_mode=True)
    except BriefingError as exc:  # pragma: no cover - click handles these in standalone mode
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:
        reason = _environment_failure(exc)
        if reason is None:
            raise
        logging.getLogger("briefing").debug("failed", exc_info=True)
        click.echo(f"error: {reason}", err=True)
        sys.exit(1)
