"""Split articles into paragraphs, drop boilerplate and headings, parse each once."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..models import Article

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from .parsecache import ParseCache

# Lines outlets add around the story: never content.
_BOILERPLATE = re.compile(
    r"^(read more( here)?|read more:.*|advertisement|sign up.*|subscribe.*|share this.*|follow us.*|"
    r"click here.*|related:.*|watch:.*|listen:.*|image:.*|photo:.*|getty images|reuters|ap|afp|"
    r"copyright.*|all rights reserved.*|this story has been updated.*|contact us.*)$", re.I)
# "Riyadh, 11 March 2023 (TDI):", "LONDON, June 6 (Reuters) -", "WASHINGTON (AP) —": a dateline
# in front of the first sentence.
_DATELINE = re.compile(r"^[A-Z][A-Za-z .'\-]{1,40}?(?:,\s*(?:\d{1,2}\s+[A-Z][a-z]+\.?|[A-Z][a-z]+\.?\s+\d{1,2})"
                       r"(?:,?\s*\d{4})?)?\s*\([A-Za-z. ]{2,24}\)\s*[:\-\u2013\u2014]+\s*"
                       r"|^[A-Z]{3,}(?:[ ,]+[A-Z]{2,})*\s+[\u2013\u2014-]+\s+")
_END_PUNCT = re.compile(r"[.!?\"'\u201d\u2019:;)\]]$")
MAX_PARAGRAPH_CHARS = 5000


@dataclass
class Sentence:
    idx: int
    source: str
    article: int
    position: int  # order within its article; 0 is the lead
    span: "Span"
    anchor: dt.date
    is_title: bool = False

    @functools.cached_property
    def text(self) -> str:
        return self.span.text.strip()


@dataclass
class Corpus:
    articles: list[Article]
    source_ids: list[str]
    docs: list[tuple[str, "Doc", bool]] = field(default_factory=list)  # (source, doc, is_title)
    sentences: list[Sentence] = field(default_factory=list)
    lower_words: set[str] = field(default_factory=set)


def is_heading(line: str) -> bool:
    """A short line with no closing punctuation: a subheading, not a sentence."""
    words = line.split()
    return len(words) <= 14 and not _END_PUNCT.search(line)


def paragraphs(text: str) -> tuple[list[str], list[str]]:
    """(content paragraphs, headings) of an article body."""
    paras, heads = [], []
    for line in text.split("\n"):
        line = line.strip()
        if not line or _BOILERPLATE.match(line):
            continue
        if is_heading(line):
            heads.append(line)
            continue
        line = _DATELINE.sub("", line, count=1)
        # Very long "paragraphs" (a page dump) are cut into pieces the parser handles well.
        while len(line) > MAX_PARAGRAPH_CHARS:
            cut = line.rfind(". ", 0, MAX_PARAGRAPH_CHARS) + 1 or MAX_PARAGRAPH_CHARS
            paras.append(line[:cut])
            line = line[cut:].strip()
        if line:
            paras.append(line)
    return paras, heads


def build_corpus(articles: list[Article], nlp, cache: "ParseCache | None" = None) -> Corpus:
    """Parse every article once (titles included) into one Corpus; reuse cached parses."""
    from .parsecache import parse_groups

    ids = [f"S{i + 1}" for i in range(len(articles))]
    corpus = Corpus(articles=articles, source_ids=ids)
    jobs: list[tuple[str, int, bool, str]] = []
    groups: list[list[str]] = []
    for a_idx, (sid, article) in enumerate(zip(ids, articles)):
        start = len(jobs)
        if article.title.strip():
            jobs.append((sid, a_idx, True, article.title.strip()))
        paras, _ = paragraphs(article.text)
        jobs += [(sid, a_idx, False, p) for p in paras]
        groups.append([j[3] for j in jobs[start:]])
    docs = [doc for group in parse_groups(nlp, groups, cache) for doc in group]
    positions: dict[int, int] = {}
    for (sid, a_idx, is_title, _), doc in zip(jobs, docs):
        corpus.docs.append((sid, doc, is_title))
        anchor = articles[a_idx].anchor or articles[a_idx].published or dt.date.today()
        for sent in doc.sents:
            if not any(t.is_alpha for t in sent):
                continue
            pos = positions.get(a_idx, 0)
            positions[a_idx] = pos + 1
            corpus.sentences.append(Sentence(len(corpus.sentences), sid, a_idx, -1 if is_title else pos,
                                             sent, anchor, is_title))
        if not is_title:
            corpus.lower_words.update(t.text for t in doc if t.is_alpha and t.text.islower())
    return corpus
