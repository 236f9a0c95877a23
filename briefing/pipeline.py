"""Glue for `briefing build`: read articles, extract, compose, render."""
from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import DEFAULT_CONFIG, Config, TopicConfig, default_config, load_config
from .errors import InputError
from .models import Article

if TYPE_CHECKING:
    from .collect import CollectReport, Progress

log = logging.getLogger(__name__)

# One brief reads at most this many articles (the newest): 5,000 articles in a window would
# take many minutes and gigabytes to parse, for a page that shows a handful of points. The
# rest stay unused in the store, so a later brief whose window still holds them reads them.
MAX_BRIEF_ARTICLES = 1000


def slugify(name: str) -> str:
    """A file-safe topic slug from a folder name (never from an article title)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:64] or "brief"


def today(config: Config) -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(config.timezone)).date()


def _load(config_path: Path | None, inputs: list[Path]) -> Config:
    # With --input, a missing default config is fine: build with defaults.
    if config_path is None and inputs and not DEFAULT_CONFIG.exists():
        return default_config(Path.cwd() / "briefing.yaml")
    return load_config(config_path)


def read_inputs(inputs: list[Path]) -> list[Article]:
    """Articles from folders or files given with --input; errors name the path."""
    from .reader import list_article_files, read_file

    articles: list[Article] = []
    for path in inputs:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        files = list_article_files(path) if path.is_dir() else [path]
        if not files:
            raise InputError(f"{path}: no .txt, .md or .html articles in this folder")
        for file in files:
            article = read_file(file)
            if article:
                articles.append(article)
    return articles


def _topic_for(config: Config, topic: str | None, inputs: list[Path]) -> TopicConfig:
    if inputs and topic is None:
        name = inputs[0].resolve().name if inputs[0].is_dir() else inputs[0].resolve().parent.name
        return TopicConfig(slug=slugify(name), title=name.replace("-", " ").replace("_", " ").strip().title(),
                           sources=[])
    return config.topic(topic)


def build_brief(config_path: Path | None, topic: str | None, inputs: list[Path],
                date: dt.date | None, output: Path | None) -> list[Path]:
    """Build one brief and return the paths of its HTML, PDF and JSON."""
    config = _load(config_path, inputs)
    topic_cfg = _topic_for(config, topic, inputs)
    date = date or today(config)
    if not inputs:
        return build_from_store(config, topic_cfg, date, output or config.output)
    articles = read_inputs(inputs)
    if not articles:
        where = ", ".join(str(p) for p in inputs) or f"topic {topic_cfg.slug!r}"
        raise InputError(f"{where}: no readable articles")
    return build_from_articles(config, topic_cfg, articles, date, output or config.output)


def collect_for_build(config: Config, topic: TopicConfig, date: dt.date) -> list[Article]:
    """Articles for a build without --input: the topic's articles in its window, from the store."""
    from .store import articles_for_build

    return [article for _, article in articles_for_build(config, topic, date)]


def build_from_store(config: Config, topic: TopicConfig, date: dt.date, output: Path, *,
                     scheduled: bool = False) -> list[Path]:
    """`briefing build` without --input: build from the store under the topic's lock.

    The topic's drop folders are local and cheap to read, so they are stored first: a file
    dropped since the last collect is in the brief (feeds and pages wait for `collect`).
    """
    from .collect import collect
    from .locking import topic_lock

    with topic_lock(config, topic.slug):
        collect(config, [topic.slug], kinds=("folder",))
        return _build_and_record(config, topic, date, output, scheduled)


def _build_and_record(config: Config, topic: TopicConfig, date: dt.date, output: Path,
                      scheduled: bool) -> list[Path]:
    """Build from the store, then record the brief and the articles it used in one transaction
    (after rendering: a crash before the record rebuilds the same articles next time)."""
    from .store import articles_for_build, store_for

    pairs = articles_for_build(config, topic, date)
    if not pairs:
        raise InputError(f"topic {topic.slug!r}: no new articles in the store for {date} (window "
                         f"{topic.window_hours:g} h); run `briefing collect` or `briefing run` first")
    if len(pairs) > MAX_BRIEF_ARTICLES:  # the store lists them oldest first
        log.warning("topic %s: %d articles in the window; the brief reads the newest %d", topic.slug,
                    len(pairs), MAX_BRIEF_ARTICLES)
        pairs = pairs[-MAX_BRIEF_ARTICLES:]
    paths = build_from_articles(config, topic, [a for _, a in pairs], date, output)
    with store_for(config) as store:
        store.record_brief(topic.slug, date, [i for i, _ in pairs], paths, scheduled=scheduled)
    return paths


@dataclass
class RunResult:
    """What `briefing run` did for one topic: the collect report and the brief's paths."""

    topic: str
    report: CollectReport | None = None
    paths: list[Path] = field(default_factory=list)
    skipped: str | None = None  # why nothing was built (a scheduled brief already exists)


def run_topic(config: Config, topic: TopicConfig, date: dt.date | None = None, output: Path | None = None,
              *, scheduled: bool = False, progress: Progress | None = None) -> RunResult:
    """Collect the topic's sources, then build its brief from the store, under the topic's lock.

    A scheduled run builds at most one brief per topic and local date (a repeated hour on a
    daylight-saving day, a catch-up and the cron firing, or two schedulers, all agree).
    """
    from .collect import collect
    from .locking import topic_lock
    from .store import store_for

    date = date or today(config)
    with topic_lock(config, topic.slug):
        if scheduled:
            with store_for(config) as store:
                done = store.brief(topic.slug, date)
            if done and done.scheduled:
                return RunResult(topic.slug, skipped=f"the scheduled brief for {date} was already built")
        report = collect(config, [topic.slug], progress)
        try:
            paths = _build_and_record(config, topic, date, output or config.output, scheduled)
        except InputError as exc:
            if report.all_failed:
                raise InputError(f"every source of topic {topic.slug!r} failed and the store has no "
                                 f"articles for {date}: no brief built") from exc
            raise
    return RunResult(topic.slug, report, paths)


def build_from_articles(config: Config, topic: TopicConfig, articles: list[Article],
                        date: dt.date, output: Path) -> list[Path]:
    from .compose import compose
    from .extract import extract
    from .reader import bound_article
    from .render import render_brief

    if len(articles) > MAX_BRIEF_ARTICLES:
        log.warning("%d articles; the brief reads the newest %d", len(articles), MAX_BRIEF_ARTICLES)
        newest = sorted(range(len(articles)), key=lambda i: articles[i].published or date)[-MAX_BRIEF_ARTICLES:]
        articles = [articles[i] for i in sorted(newest)]
    for article in articles:
        bound_article(article)  # articles from the store were collected by older versions too
        article.anchor = article.published or date
    log.info("extracting from %d articles", len(articles))
    extraction = extract(articles, cache_dir=output / ".cache" / "parse")
    brief = compose(extraction, topic=topic.slug, title=topic.title, date=date)
    paths = render_brief(brief, output, templates=config.templates, paper=config.paper)
    # Every build refreshes output/index.html and applies retention (never to this brief).
    from .archive import update_archive

    update_archive(output, retention_days=config.retention_days, today=today(config),
                   keep=[date.isoformat()], templates=config.templates)
    return paths
