"""`briefing schedule`: run each topic at its cron time, in the configured time zone, until stopped.

An APScheduler 3.11 ``BlockingScheduler`` with one cron job per topic that has a
``schedule:``. Jobs run one at a time (one worker thread: builds are CPU- and memory-heavy),
``coalesce=True`` and ``max_instances=1``, with a misfire grace time of at least an hour so a
machine that was busy or asleep at 06:00 still builds the morning brief.

- Catch-up: at start-up, a topic whose run fell today while the scheduler was down (within
  ``catch_up_hours``) and whose scheduled brief for today is not recorded runs at once.
- One brief per topic and local date: the run itself checks the store, so a repeated hour on
  a daylight-saving day (APScheduler fires 01:30 twice when clocks go back), a catch-up racing
  the cron, or a second scheduler, all end with one brief.
- A manual build holding the topic's lock makes the scheduled run retry a minute later.
- SIGTERM / SIGINT stop it cleanly: no new run starts; a running one finishes (its files are
  written atomically and recorded in one transaction, so even a hard kill loses nothing).

Cron expressions are standard: 5 fields ``minute hour day month weekday`` with 0 or 7 for
Sunday (APScheduler 3 counts 0 as Monday; weekdays are translated), or 6 fields with a
leading seconds field.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import time
import zoneinfo
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from .config import Config
from .errors import BriefingError, ConfigError
from .locking import BusyError

log = logging.getLogger(__name__)

MIN_MISFIRE_GRACE = 3600  # seconds
RETRY_BUSY_SECONDS = 60
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron numbering: 0 = Sunday


def _cron_day(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    if token[:3] in _DAY_NAMES:
        return _DAY_NAMES.index(token[:3])
    raise ValueError(f"bad weekday {token!r}")


def cron_weekdays(field: str) -> str:
    """A standard cron weekday field (0 or 7 = Sunday) as APScheduler 3 day names.

    >>> cron_weekdays("1-5")
    'mon,tue,wed,thu,fri'
    >>> cron_weekdays("0,6")
    'sat,sun'
    """
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in {part!r}")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            low, high = (_cron_day(t) for t in span.split("-", 1))
        else:
            low = _cron_day(span)
            high = 6 if step_text else low  # "1/2" means from Monday on, every other day
        if low > high:
            raise ValueError(f"bad range {span!r}")
        days.update(d % 7 for d in range(low, high + 1, step))
    order = [1, 2, 3, 4, 5, 6, 0]  # APScheduler lists Monday first
    return ",".join(_DAY_NAMES[d] for d in order if d in days)


def cron_trigger(expr: str, tz: dt.tzinfo) -> CronTrigger:
    """A CronTrigger for a 5-field (or 6-field, seconds first) cron expression in ``tz``."""
    fields = expr.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ValueError(f"expected 5 fields (or 6 with seconds first), got {len(fields)}")
    second, minute, hour, day, month, weekday = fields
    return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                       day_of_week=cron_weekdays(weekday), timezone=tz)


def triggers(config: Config) -> dict[str, CronTrigger]:
    """Each scheduled topic's trigger; every bad expression reported at once, with its key path."""
    tz = zoneinfo.ZoneInfo(config.timezone)
    out: dict[str, CronTrigger] = {}
    problems = []
    for i, topic in enumerate(config.topics):
        if not topic.schedule:
            continue
        try:
            out[topic.slug] = cron_trigger(topic.schedule, tz)
        except ValueError as exc:
            problems.append(f"topics[{i}].schedule: {topic.schedule!r}: {exc}")
    if problems:
        raise ConfigError(f"{config.path}: " + "; ".join(problems))
    return out


def fire_times(trigger: CronTrigger, start: dt.datetime, end: dt.datetime, limit: int = 100_000) -> list[dt.datetime]:
    """The trigger's fire times in [start, end] (stepping in UTC: wall-clock arithmetic
    would loop on a repeated daylight-saving hour)."""
    times: list[dt.datetime] = []
    previous = None
    moment = start
    while len(times) < limit:
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None or fire > end:
            break
        times.append(fire)
        previous = fire
        moment = fire.astimezone(dt.timezone.utc) + dt.timedelta(seconds=1)
    return times


def missed_run(config: Config, trigger: CronTrigger, now: dt.datetime) -> dt.datetime | None:
    """The latest fire time today, before now and within ``catch_up_hours``, if any."""
    tz = zoneinfo.ZoneInfo(config.timezone)
    now = now.astimezone(tz)
    midnight = dt.datetime.combine(now.date(), dt.time(0), tzinfo=tz)
    start = max(midnight, now - dt.timedelta(hours=config.catch_up_hours))
    times = fire_times(trigger, start, now)
    return times[-1] if times else None


class Scheduler:
    """The scheduler process: jobs, catch-up, retries and signal handling."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.tz = zoneinfo.ZoneInfo(config.timezone)
        self.triggers = triggers(config)
        if not self.triggers:
            raise ConfigError(f"{config.path}: no topic has a schedule (add e.g. schedule: \"0 6 * * 1-5\")")
        grace = max(MIN_MISFIRE_GRACE, int(config.catch_up_hours * 3600))
        self.scheduler = BlockingScheduler(
            timezone=self.tz, executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"misfire_grace_time": grace, "coalesce": True, "max_instances": 1})
        self._stopping = False

    def start(self) -> None:
        """Add the jobs and block until stopped by a signal."""
        now = dt.datetime.now(self.tz)
        for slug, trigger in self.triggers.items():
            self.scheduler.add_job(self.run, trigger, args=[slug], id=slug, name=f"brief {slug}")
            log.info("topic %s: scheduled %r (%s); next run %s", slug, self.config.topic(slug).schedule,
                     self.config.timezone, _when(trigger.get_next_fire_time(None, now)))
            self._catch_up(slug, trigger, now)
        self._install_signals()
        log.info("scheduler started (pid %d); SIGTERM or Ctrl-C stops it", os.getpid())
        self.scheduler.start()
        log.info("scheduler stopped")

    def _catch_up(self, slug: str, trigger: CronTrigger, now: dt.datetime) -> None:
        from .store import store_for

        missed = missed_run(self.config, trigger, now)
        if missed is None:
            return
        with store_for(self.config) as store:
            done = store.brief(slug, now.date())
        if done and done.scheduled:
            return
        log.info("topic %s: the run at %s was missed while stopped; catching up now", slug, _when(missed))
        self.scheduler.add_job(self.run, "date", run_date=now, args=[slug, "catch-up run"],
                               id=f"{slug}-catch-up", name=f"catch-up {slug}")

    def run(self, slug: str, label: str = "scheduled run") -> None:
        """One scheduled run of a topic; logs its outcome and never raises (the scheduler goes on)."""
        from .pipeline import run_topic

        if self._stopping:
            return
        started = time.monotonic()
        log.info("topic %s: %s started", slug, label)
        try:
            result = run_topic(self.config, self.config.topic(slug), scheduled=True)
        except BusyError as exc:
            log.warning("topic %s: %s postponed %ds: %s", slug, label, RETRY_BUSY_SECONDS, exc.format_message())
            self._retry(slug)
            return
        except BriefingError as exc:
            log.error("topic %s: %s failed: %s", slug, label, exc.format_message())
            return
        except Exception:  # a bug must not kill the service: log it with the traceback
            log.exception("topic %s: %s failed unexpectedly", slug, label)
            return
        if result.skipped:
            log.info("topic %s: %s skipped: %s", slug, label, result.skipped)
            return
        report = result.report
        pdf = next((p for p in result.paths if p.suffix == ".pdf"), None)
        log.info("topic %s: %s done in %.0fs: %d new article(s), %d of %d source(s) failed; wrote %s",
                 slug, label, time.monotonic() - started, report.new, len(report.failed), len(report.sources), pdf)
        if pdf is not None:
            self._send(slug, pdf.parent.name, label)

    def _send(self, slug: str, date: str, label: str) -> None:
        """The last step of a scheduled run: email the brief (queued mail stays queued on failure)."""
        from .deliver import send_after_build

        try:
            sent = send_after_build(self.config, slug, date)
        except BriefingError as exc:
            log.error("topic %s: %s: email failed: %s", slug, label, exc.format_message())
            return
        except Exception:  # the brief is built; a mail bug must not stop the service
            log.exception("topic %s: %s: email failed unexpectedly", slug, label)
            return
        for line in sent.lines() if sent.outcomes else []:
            log.info("topic %s: %s: %s", slug, label, line)

    def _retry(self, slug: str) -> None:
        if self._stopping:
            return
        when = dt.datetime.now(self.tz) + dt.timedelta(seconds=RETRY_BUSY_SECONDS)
        self.scheduler.add_job(self.run, "date", run_date=when, args=[slug, "retried run"], id=f"{slug}-retry",
                               name=f"retry {slug}", replace_existing=True)

    def _install_signals(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if self._stopping:
            log.warning("%s again: exiting now", name)
            os._exit(128 + signum)  # safe: files are replaced atomically, the store is transactional
        self._stopping = True
        log.info("%s received: stopping (a run in progress finishes first)", name)
        # wait=False: a signal handler must not block; the worker thread is joined at exit.
        try:
            self.scheduler.shutdown(wait=False)
        except SchedulerNotRunningError:  # the signal came before start(): just leave
            raise SystemExit(0) from None


def _when(moment: dt.datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"


def run_scheduler(config: Config) -> None:
    """`briefing schedule`: validate the schedules, then run until SIGTERM/SIGINT."""
    Scheduler(config).start()
