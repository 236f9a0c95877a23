"""Glue for `briefing build`: read articles, extract, compose, render."""
from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from pathlib import Path

from .config import DEFAULT_CONFIG, Config, TopicConfig, default_config, load_config
from .errors import InputError
from .models import Article

log = logging.getLogger(__name__)


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
    if inputs:
        articles = read_inputs(inputs)
    else:
        articles = collect_for_build(config, topic_cfg, date)
    if not articles:
        where = ", ".join(str(p) for p in inputs) or f"topic {topic_cfg.slug!r}"
        raise InputError(f"{where}: no readable articles")
    return build_from_articles(config, topic_cfg, articles, date, output or config.output)


def collect_for_build(config: Config, topic: TopicConfig, date: dt.date) -> list[Article]:
    """Articles for a build without --input: the topic's folders (the store once collected)."""
    folders = [Path(s.value) for s in topic.sources if s.kind == "folder"]
    if not folders:
        raise InputError(f"{config.path}: topic {topic.slug!r} has no folder source; run `briefing collect` first")
    return read_inputs(folders)


def build_from_articles(config: Config, topic: TopicConfig, articles: list[Article],
                        date: dt.date, output: Path) -> list[Path]:
    from .compose import compose
    from .extract import extract
    from .render import render_brief

    for article in articles:
        article.anchor = article.published or date
    log.info("extracting from %d articles", len(articles))
    extraction = extract(articles)
    brief = compose(extraction, topic=topic.slug, title=topic.title, date=date)
    return render_brief(brief, output, templates=config.templates, paper=config.paper)
