"""`briefing run` and `briefing schedule` as real processes, the topic lock, and the cron rules
(weekdays, a repeated daylight-saving hour, catching up a missed run)."""
from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

import pytest

from briefing.config import load_config, parse_config
from briefing.errors import ConfigError
from briefing.locking import BusyError, topic_lock
from briefing.schedule import cron_trigger, cron_weekdays, fire_times, missed_run, triggers
from briefing.store import store_for
from smtp_helpers import SmtpServer
from helpers_http import (Item, LocalServer, article_page, hours_ago, http_server, rss20,  # noqa: F401
                          seed_articles, wait_for, write_config)

ROOT = Path(__file__).resolve().parent.parent
OUTLETS = ["The Guardian", "Reuters", "Al Jazeera", "Euronews", "AP News"]


def publish(server: LocalServer, indexes: range | list[int], path: str = "/rss.xml") -> str:
    """Publish seed articles as pages and a feed listing them; return the feed's URL."""
    seeds = seed_articles()
    items = []
    for i in indexes:
        url = server.set(f"/news/{i}", article_page(seeds[i].title, seeds[i].paragraphs, site=OUTLETS[i],
                                                    published=hours_ago(i + 1)))
        items.append(Item(seeds[i].title, url, f"urn:{i}", hours_ago(i + 1), " ".join(seeds[i].paragraphs[:2])))
    return server.set(path, rss20("Example News", server.base, items), content_type="application/rss+xml")


def briefing(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefing", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=180, **kwargs)


# --------------------------------------------------------------------------- cron rules

@pytest.mark.parametrize("field,names", [
    ("1-5", "mon,tue,wed,thu,fri"), ("0", "sun"), ("7", "sun"), ("0,6", "sat,sun"), ("*", "*"),
    ("*/2", "tue,thu,sat,sun"), ("mon-wed", "mon,tue,wed"), ("5-7", "fri,sat,sun")])
def test_cron_weekdays_use_standard_numbering(field, names):
    assert cron_weekdays(field) == names


def test_weekday_schedule_fires_on_weekdays_only():
    tz = zoneinfo.ZoneInfo("Europe/London")
    trigger = cron_trigger("0 6 * * 1-5", tz)
    monday = dt.datetime(2026, 11, 23, tzinfo=tz)  # a Monday
    fires = fire_times(trigger, monday, monday + dt.timedelta(days=7))
    assert [f.strftime("%a %H:%M") for f in fires] == ["Mon 06:00", "Tue 06:00", "Wed 06:00", "Thu 06:00",
                                                      "Fri 06:00"]
    assert cron_trigger("30 15 6 * * *", tz).get_next_fire_time(None, monday).strftime("%H:%M:%S") == "06:15:30"


def test_bad_schedules_are_reported_together_with_their_key_paths(tmp_path):
    config = parse_config({"topics": [{"slug": "a", "schedule": "0 25 * * *"},
                                      {"slug": "b", "schedule": "0 6 * * 1-9"},
                                      {"slug": "c", "schedule": "0 6 * * *"}]}, tmp_path / "briefing.yaml")
    with pytest.raises(ConfigError) as info:
        triggers(config)
    assert "topics[0].schedule" in str(info.value) and "topics[1].schedule" in str(info.value)
    assert "topics[2]" not in str(info.value)


def test_a_repeated_hour_fires_twice_but_builds_one_brief(tmp_path, monkeypatch):
    """When clocks go back, APScheduler fires 01:30 twice; the store makes it one brief."""
    tz = zoneinfo.ZoneInfo("Europe/London")
    day = dt.datetime(2026, 10, 25, tzinfo=tz)  # BST ends at 02:00 BST
    fires = fire_times(cron_trigger("30 1 * * *", tz), day, day + dt.timedelta(hours=23))
    assert len(fires) == 2 and {f.date() for f in fires} == {day.date()}

    from briefing import collect as collect_module, pipeline

    config = parse_config({"timezone": "Europe/London", "output": str(tmp_path / "out"),
                           "topics": [{"slug": "t", "schedule": "30 1 * * *"}]}, tmp_path / "briefing.yaml")
    builds = []

    def fake_build(config, topic, date, output, scheduled):
        builds.append(date)
        with store_for(config) as store:
            store.record_brief(topic.slug, date, [], ["fake.pdf"], scheduled=scheduled)
        return [Path("fake.pdf")]

    monkeypatch.setattr(pipeline, "_build_and_record", fake_build)
    monkeypatch.setattr(collect_module, "collect", lambda *a, **k: collect_module.CollectReport())
    results = [pipeline.run_topic(config, config.topic("t"), fire.date(), scheduled=True) for fire in fires]
    assert builds == [day.date()]
    assert results[1].skipped and "already built" in results[1].skipped


def test_missed_run_is_found_within_the_catch_up_window(tmp_path):
    config = parse_config({"timezone": "UTC", "catch_up_hours": 3}, tmp_path / "briefing.yaml")
    trigger = cron_trigger("0 6 * * *", dt.timezone.utc)
    at = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc)
    assert missed_run(config, trigger, at) == dt.datetime(2026, 11, 23, 6, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert missed_run(config, trigger, at.replace(hour=10)) is None  # more than 3 h ago
    assert missed_run(config, trigger, at.replace(hour=5)) is None  # not yet due today


# --------------------------------------------------------------------------- the lock

def test_a_second_build_of_a_locked_topic_is_refused_cleanly(tmp_path):
    path = write_config(tmp_path / "briefing.yaml", [{"slug": "ukraine", "sources": []}], lock_wait_seconds=0.5)
    config = load_config(path)
    with topic_lock(config, "ukraine"):
        started = time.monotonic()
        result = briefing("build", "--config", str(path))
        assert result.returncode == 75, result.stderr
        assert "topic 'ukraine' is being built by another process" in result.stderr
        assert "Traceback" not in result.stderr
        assert time.monotonic() - started < 15
        from briefing.pipeline import run_topic

        with pytest.raises(BusyError):  # an flock is per open file: this process waits too
            run_topic(config, config.topic("ukraine"))
    assert not (tmp_path / "output" / dt.date.today().isoformat()).exists()


# --------------------------------------------------------------------------- real runs

@pytest.mark.slow
def test_run_builds_a_brief_from_what_the_server_served(tmp_path, http_server):
    feed = publish(http_server, range(5))
    path = write_config(tmp_path / "briefing.yaml", [{"slug": "ukraine", "title": "Ukraine: guarantees",
                                                       "sources": [{"feed": feed}]}])
    result = briefing("run", "--config", str(path))
    assert result.returncode == 0, result.stderr
    assert f"feed {feed}: 5 new, 0 duplicate" in result.stdout
    config = load_config(path)
    with store_for(config) as store:
        today = dt.datetime.now(zoneinfo.ZoneInfo(config.timezone)).date()
        record = store.brief("ukraine", today)
        assert record is not None and len(store.brief_article_ids(record.id)) == 5
    brief_json = tmp_path / "output" / today.isoformat() / "ukraine.json"
    assert str(brief_json) in result.stdout
    data = json.loads(brief_json.read_text())
    assert {s["outlet"] for s in data["sources"]} == set(OUTLETS)
    assert {s["url"] for s in data["sources"]} == {http_server.url(f"/news/{i}") for i in range(5)}
    assert data["summary"]
    assert (tmp_path / "output" / today.isoformat() / "ukraine.pdf").read_bytes().startswith(b"%PDF")


def _timezone_away_from_midnight() -> str:
    """A zone where local midnight is not within the next hour or the last one (the test needs a
    missed run earlier today and a run a few seconds ahead on the same local date)."""
    for name in ("UTC", "America/New_York", "Asia/Tokyo", "Asia/Kolkata", "Pacific/Auckland"):
        now = dt.datetime.now(zoneinfo.ZoneInfo(name))
        if 1 <= now.hour <= 22:
            return name
    return "UTC"


@pytest.mark.slow
def test_schedule_catches_up_runs_on_time_and_stops_on_sigterm(tmp_path, http_server, request):
    feed = publish(http_server, range(3))
    other = publish(http_server, [3, 4], path="/other.xml")
    tzname = _timezone_away_from_midnight()
    tz = zoneinfo.ZoneInfo(tzname)
    now = dt.datetime.now(tz)
    missed = now - dt.timedelta(minutes=30)
    soon = now + dt.timedelta(seconds=20)
    smtp = SmtpServer().__enter__()  # the dawn run ends by emailing the brief
    request.addfinalizer(lambda: smtp.__exit__(None, None, None))
    path = write_config(tmp_path / "briefing.yaml", [
        {"slug": "missed", "sources": [{"feed": feed}], "schedule": f"{missed.second} {missed.minute} {missed.hour} * * *"},
        {"slug": "soon", "title": "Soon topic", "sources": [{"feed": other}],
         "schedule": f"{soon.second} {soon.minute} {soon.hour} * * *", "recipients": ["desk@example.org"]},
    ], timezone=tzname, catch_up_hours=2,
        smtp={"host": "127.0.0.1", "port": smtp.port, "security": "none", "timeout": 10})
    day = now.date().isoformat()
    output = tmp_path / "output" / day
    log_path = tmp_path / "schedule.log"
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "briefing", "schedule", "--config", str(path)],
                                cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, text=True)
        try:
            assert wait_for(lambda: (output / "missed.pdf").exists(), 90), log_path.read_text()
            assert wait_for(lambda: (output / "soon.pdf").exists(), 90), log_path.read_text()
            assert wait_for(lambda: "topic soon: scheduled run done" in log_path.read_text(), 30)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    log = log_path.read_text()
    assert "topic missed: the run at" in log and "catching up now" in log
    assert "topic missed: catch-up run done" in log
    assert "topic soon: scheduled run started" in log
    assert "SIGTERM received: stopping" in log and "scheduler stopped" in log
    assert "Traceback" not in log
    # The scheduled run emailed its brief, with the PDF that was archived.
    assert wait_for(lambda: smtp.messages, 10), log
    assert [m.rcpt_tos for m in smtp.messages] == [["desk@example.org"]]
    assert b"Soon topic - " + day.encode() in smtp.messages[0].data
    config = load_config(path)
    with store_for(config) as store:
        assert store.brief("missed", now.date()).scheduled and store.brief("soon", now.date()).scheduled

    # Started again the same day: today's briefs exist, so nothing is caught up twice.
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "schedule", "--config", str(path)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "catching up" not in out and "scheduler stopped" in out
