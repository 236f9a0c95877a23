"""The compose stage: rank what extraction found and choose the bottom line.

The JSON keeps every item, ranked; the page template trims. The bottom line is the
3-5 best-corroborated points of the lead story that do not repeat each other.
"""
from __future__ import annotations

import datetime as dt
import re

from .extract import Extraction
from .models import Brief, Item, Quote
from .nlp.cluster import canonical

SUMMARY_MIN, SUMMARY_MAX = 3, 5
_SAME_POINT = 0.34  # word overlap above which two bullets say the same thing


def _words(text: str) -> set[str]:
    return {canonical(w) for w in re.findall(r"[A-Za-z][A-Za-z\-]{2,}", text) if len(w) > 3}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / (min(len(a), len(b)) or 1)


def _rank(items: list[Item]) -> list[Item]:
    # Lead story first, then corroboration and centrality (the score), then text for stable order.
    return sorted(items, key=lambda i: (i.story != 0, -i.score, i.text))


def _bag(item: Item) -> set[str]:
    return _words(item.text)


def _summary(candidates: list[Item], questions: list[Item]) -> list[Item]:
    """The best-corroborated distinct points; the leading open question keeps a place among them."""
    top_question = next((q for q in _rank(questions) if q.story == 0 and len(q.sources) >= 2), None)
    if top_question is not None:
        candidates = [c for c in candidates if c is not top_question]
    chosen: list[Item] = []
    bags: list[set[str]] = []
    quotes: set[str] = set()
    for item in _rank([i for i in candidates if i.story == 0]):
        bag = _bag(item)
        evidence = {e.quote for e in item.evidence}
        # One point told twice (same words, or the same sentence as evidence) is said once.
        if any(_overlap(bag, b) > _SAME_POINT for b in bags) or evidence & quotes:
            continue
        quotes |= evidence
        if len(chosen) >= SUMMARY_MIN and len(item.sources) < 2:
            break
        chosen.append(item)
        bags.append(bag)
        if len(chosen) == SUMMARY_MAX - (top_question is not None):
            break
    if top_question is not None:
        chosen.insert(min(2, len(chosen)), top_question)
    return [Item(text=i.text, sources=i.sources, evidence=i.evidence, actors=i.actors, score=i.score)
            for i in chosen]


def _dedupe(items: list[Item]) -> list[Item]:
    """Drop an item whose text is nearly the same as a better-ranked one."""
    out: list[Item] = []
    bags: list[set[str]] = []
    for item in items:
        bag = _bag(item)
        if any(_overlap(bag, b) > 0.8 for b in bags):
            continue
        out.append(item)
        bags.append(bag)
    return out


def _quotes(quotes: list[Quote], actor_rank: dict[str, int]) -> list[Quote]:
    seen: set[str] = set()
    out = []
    for q in sorted(quotes, key=lambda q: (actor_rank.get(q.speaker, 99), -min(len(q.text.split()), 40))):
        key = " ".join(sorted(_words(q.text)))
        if key in seen:
            continue
        seen.add(key)
        out.append(q)
    return out


def compose(extraction: Extraction, *, topic: str, title: str, date: dt.date) -> Brief:
    """Assemble the Brief: ranked sections, the bottom line, quotes and stories."""
    decisions = _dedupe(_rank(extraction.decisions))
    questions = _dedupe(_rank(extraction.open_questions))
    summary = _summary(extraction.facts, questions)
    actor_rank = {a.name: i for i, a in enumerate(extraction.actors)}
    return Brief(
        topic=topic, title=title, date=date.isoformat(),
        generated_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        sources=extraction.sources, summary=summary, actors=extraction.actors,
        decisions=decisions, open_questions=questions,
        quotes=_quotes(extraction.quotes, actor_rank), stories=extraction.stories)
