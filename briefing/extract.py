"""The extract stage: from articles to actors, decisions, open questions, quotes and stories.

One parse per article (spaCy), then small methods in ``briefing.nlp``: actors, cues,
deadlines, corroboration clusters, phrasing, quotes. Every item keeps the verbatim
sentences it came from as evidence.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from pathlib import Path
from dataclasses import dataclass, field
from urllib.parse import urlparse

from .models import Actor, Article, Evidence, Item, Quote, Source, Story
from .nlp.actors import ActorIndex, find_actors
from .nlp.cluster import Group, Vectors, average_linkage, cosine, merge, terms
from .nlp.corpus import Corpus, Sentence, build_corpus
from .nlp.cues import Cue, find_cues, is_background
from .nlp.model import load_model
from .nlp.parsecache import ParseCache
from .nlp.phrasing import shorten
from .nlp.text import clean_space
from .nlp.quotes import find_quotes

log = logging.getLogger(__name__)

QUESTION_KINDS = ("deadline", "unconfirmed", "unresolved", "disputed")
CLAIM_THRESHOLD = 0.2  # cosine to a group's centroid to count as the same point
QUESTION_THRESHOLD = 0.2  # open questions of one kind are few: merge more readily
SUPPORT_LOOKUP = 12  # candidate sentences share one of a group's heaviest words
SUPPORT_THRESHOLD = 0.30  # a sentence elsewhere this close to a group corroborates it
CENTROID_MERGE = 0.25  # centroid cosine at which two groups are one point
JOIN_THRESHOLD = 0.2  # groups linked by a shared sentence join only when broadly alike
OFF_LEAD = 0.06
ARTICLE_STORY = 0.12  # articles this alike (on average) tell one story
MAX_EVIDENCE = 8
EVIDENCE_MIN = 0.15  # a sentence this close to the line shown reports the same point
DUE_SLACK_DAYS = 3  # deadlines of one point reported from articles dated days apart
DEADLINE_JOIN = 0.1  # ... and about broadly the same thing  # below this similarity to the lead story a sentence belongs elsewhere


@dataclass
class Extraction:
    sources: list[Source]
    actors: list[Actor]
    decisions: list[Item]
    open_questions: list[Item]
    facts: list[Item]
    quotes: list[Quote]
    stories: list[Story] = field(default_factory=list)


@dataclass
class _Analysed:
    corpus: Corpus
    index: ActorIndex
    cues: dict[int, list[Cue]]
    vectors: list[dict[str, float]]
    lead: dict[str, float] = field(default_factory=dict)
    by_term: dict[str, list[int]] = field(default_factory=dict)
    article_group: dict[str, int] = field(default_factory=dict)  # source -> event group, 0 = lead
    content: list[set[str]] = field(default_factory=list)  # each sentence's words, names aside

    def candidates(self, words: set[str]) -> set[int]:
        """Sentences sharing a word with the given set (an inverted index keeps this fast)."""
        out: set[int] = set()
        for w in words:
            out.update(self.by_term.get(w, ()))
        return out


def _outlet(article: Article) -> str | None:
    if article.outlet:
        return article.outlet
    if article.url:
        host = urlparse(article.url).hostname or ""
        return host.removeprefix("www.") or None
    return None


def _sources(articles: list[Article], ids: list[str]) -> list[Source]:
    return [Source(id=sid, title=a.title or None, outlet=_outlet(a), url=a.url, path=a.path,
                   published=a.published.isoformat() if a.published else None, lead=_lead(a.text))
            for sid, a in zip(ids, articles)]


def _lead(text: str, words: int = 14) -> str:
    first = " ".join(text.split()[:words])
    return first + ("…" if len(text.split()) > words else "")


def _category(cues: list[Cue]) -> str:
    for kind in QUESTION_KINDS:
        if any(c.kind == kind for c in cues):
            return kind
    return "claim"


def _order(sentences: list[Sentence], members: list[int]) -> list[int]:
    # Leads first: outlets put the news of the day at the top.
    return sorted(members, key=lambda i: (sentences[i].position, sentences[i].article))


def _best_per_source(a: _Analysed, members: list[int], centroid: dict[str, float]) -> dict[str, int]:
    best: dict[str, tuple[float, int]] = {}
    for i in members:
        s = a.corpus.sentences[i]
        sim = cosine(a.vectors[i], centroid) - (0.05 if s.is_title else 0.0)
        if s.source not in best or sim > best[s.source][0]:
            best[s.source] = (sim, i)
    return {src: i for src, (_, i) in best.items()}


def _representative(a: _Analysed, members: list[int], centroid: dict[str, float], prefer: str | None) -> int:
    def key(i: int) -> tuple:
        s = a.corpus.sentences[i]
        words = len(s.text.split())
        has = prefer is None or any(c.kind == prefer for c in a.cues[i])
        # A line must stand alone: no 'He said:' opening, no quote torn from its speaker.
        first = s.span[0]
        standalone = first.pos_ != "PRON" and not first.is_quote and first.text not in ("\u201c", '"')
        return (standalone, has, _actor_subject(a, i), not s.is_title, 8 <= words <= 40,
                cosine(a.vectors[i], centroid))
    return max(members, key=key)


def _item(a: _Analysed, g: Group, kind: str | None) -> Item:
    sents = a.corpus.sentences
    centroid = g.centroid()
    prefer = kind if kind in QUESTION_KINDS else ("decision" if any(
        c.kind == "decision" for i in g.members for c in a.cues[i]) else None)
    rep = _representative(a, g.members, centroid, prefer)
    # Only sentences that tell the point of the line shown count as its evidence and outlets:
    # a group can gather context around a point, and that must not inflate its corroboration.
    members = [i for i in g.members if _tells(a, i, rep)]
    per_source = _best_per_source(a, members, centroid)
    for src, idx in _support(a, g, centroid, set(per_source)).items():
        if _tells(a, idx, rep):
            per_source[src] = idx
    order = sorted(per_source, key=lambda s: int(s[1:]))
    evidence = [Evidence(source=src, quote=sents[per_source[src]].text) for src in order]
    # The representative's own sentence leads the evidence; other members follow, so every
    # sentence the item merged stays traceable (capped to keep the HTML readable).
    shown = {per_source[src] for src in order}
    lead = [e for e in evidence if e.quote == sents[rep].text] or [Evidence(sents[rep].source, sents[rep].text)]
    rest = [e for e in evidence if e not in lead]
    extra = [Evidence(sents[i].source, sents[i].text) for i in _order(sents, members)
             if i not in shown and i != rep and not sents[i].is_title]
    evidence = (lead + rest + extra)[:MAX_EVIDENCE]
    actors = Counter(n for i in members for n in a.index.by_sentence.get(i, []))
    due = None
    if kind == "deadline":
        dues = [c.due for i in g.members for c in a.cues[i] if c.kind == "deadline" and c.due]
        due = max(dues).isoformat() if dues else None
    text = shorten(sents[rep].span)
    phrase = next((c.phrase for c in a.cues[rep] if c.kind == "deadline"), "")
    if kind == "deadline" and phrase and phrase not in text:
        text = clean_space(sents[rep].text)  # the line must keep what is due when
    if prefer is None and any(c.kind == "proposal" for c in a.cues[rep]):
        text = "Proposal: " + text
    # Who acted leads the list: the subject of the line shown, then whoever the sentences name most.
    doer = _subject_actor(a, rep)
    named = [n for n, _ in actors.most_common(6)]
    if doer:
        named = [doer] + [n for n in named if n != doer][:5]
    return Item(text=text, sources=order, evidence=evidence,
                actors=named, kind=kind if kind in QUESTION_KINDS else None,
                due=due, score=_score(a, g, per_source, rep))


def _tells(a: _Analysed, i: int, rep: int) -> bool:
    """Does sentence i report the point of the representative sentence?"""
    return i == rep or cosine(a.vectors[i], a.vectors[rep]) >= EVIDENCE_MIN


def _content(vec: dict[str, float]) -> set[str]:
    return {t for t in vec if not t.startswith("@")}


def _support(a: _Analysed, g: Group, centroid: dict[str, float], have: set[str]) -> dict[str, int]:
    """Other outlets that report the same point in other words (corroboration beyond the group).

    A sentence supports the point when it is close to the group's centroid and shares at
    least two content words with it (names alone do not make two sentences one point).
    """
    core = _content(centroid)
    heaviest = sorted(core, key=lambda t: (-centroid[t], t))[:SUPPORT_LOOKUP]
    best: dict[str, tuple[float, int]] = {}
    for i in sorted(a.candidates(set(heaviest))):
        s = a.corpus.sentences[i]
        if s.source in have:
            continue
        vec = a.vectors[i]
        if len(a.content[i] & core) < 2:
            continue
        sim = cosine(vec, centroid)
        if sim >= SUPPORT_THRESHOLD and (s.source not in best or sim > best[s.source][0]):
            best[s.source] = (sim, i)
    return {src: i for src, (_, i) in best.items()}


def _subject_actor(a: _Analysed, i: int) -> str | None:
    """The actor named as the subject of the main clause (or of what its verb of saying reports)."""
    root = a.corpus.sentences[i].span.root
    for verb in (root, *[c for c in root.children if c.dep_ == "ccomp"]):
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                # The subject's head first: 'U.S. Senator Jane Doe' is Jane Doe, not the US.
                name = a.index.named_in(i, [child]) or a.index.named_in(i, child.subtree)
                if name:
                    return name
    return None


def _actor_subject(a: _Analysed, i: int) -> bool:
    """Someone named does or says it: the main clause's subject is an actor."""
    span = a.corpus.sentences[i].span
    mentions = a.index.tokens.get(i, set())
    for child in span.root.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return any(t.i in mentions for t in child.subtree)
    return False


def _score(a: _Analysed, g: Group, per_source: dict[str, int], rep: int) -> float:
    """Corroboration first, then what kind of point it is, how central to the lead story, how early told."""
    n = len(per_source)
    centrality = cosine(g.centroid(), a.lead) if a.lead else 0.0
    earliest = min(max(a.corpus.sentences[i].position, 0) for i in g.members)
    acted = _actor_subject(a, rep)
    cued = bool(a.cues[rep])
    decided = any(c.kind in ("decision", "proposal") for i in g.members for c in a.cues[i])
    # Scene-setting ('The announcement came during a summit ...') names no one acting and
    # carries no cue: it is context, however many outlets repeat it.
    context = 0.0 if acted or cued else -1.5
    return n + 1.5 * centrality + (0.4 if earliest <= 2 else 0.0) + (0.5 if acted else 0.0) \
        + (0.4 if decided else 0.0) + context


def _lead_centroid(vectors: list[dict[str, float]], sentences: list[Sentence]) -> dict[str, float]:
    """Terms shared by many outlets define the lead story."""
    per_source: dict[str, set[str]] = {}
    for s, v in zip(sentences, vectors):
        per_source.setdefault(s.source, set()).update(v)
    df = Counter(t for terms_ in per_source.values() for t in terms_)
    n = len(per_source)
    need = 2 if n >= 2 else 1
    total: dict[str, float] = {}
    for v in vectors:
        for t, w in v.items():
            if df[t] >= need:
                total[t] = total.get(t, 0.0) + w * df[t] / n
    norm = sum(x * x for x in total.values()) ** 0.5 or 1.0
    return {t: x / norm for t, x in total.items()}


def _due(a: _Analysed, g: Group) -> dt.date | None:
    dues = [c.due for i in g.members for c in a.cues[i] if c.kind == "deadline" and c.due]
    return max(dues) if dues else None


def _join_deadlines(a: _Analysed, groups: list[Group]) -> list[Group]:
    """Outlets dated a day apart give one deadline two dates: same point, due within days, is one."""
    out: list[Group] = []
    for g in sorted(groups, key=lambda g: -len(g.members)):
        due = _due(a, g)
        target = next((o for o in out if due and _due(a, o) and abs((_due(a, o) - due).days) <= DUE_SLACK_DAYS
                       and cosine(o.centroid(), g.centroid()) >= DEADLINE_JOIN), None)
        if target is None:
            out.append(g)
        else:
            for i in g.members:
                target.add(i, a.vectors[i])
    return out


def _groups(a: _Analysed, category: dict[int, str], kind: str, threshold: float) -> list[Group]:
    members = [i for i, c in category.items() if c == kind]
    groups = average_linkage(a.vectors, _order(a.corpus.sentences, members), threshold)
    # Groups whose centroids are close tell one point in different words and sentence shapes;
    # open questions of one kind share their cue words, so they need a little more alike.
    return _join_shared(a, merge(groups, CENTROID_MERGE * (threshold / CLAIM_THRESHOLD)))


def _join_shared(a: _Analysed, groups: list[Group]) -> list[Group]:
    """Two groups that one outlet's sentence corroborates are one point told in two ways."""
    owner: dict[int, int] = {}
    parent = list(range(len(groups)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for gi, g in enumerate(groups):
        for i in g.members:
            owner[i] = gi
    for gi, g in enumerate(groups):
        centroid = g.centroid()
        for i in _support(a, g, centroid, {a.corpus.sentences[m].source for m in g.members}).values():
            other = owner.get(i)
            if other is None or find(other) == find(gi):
                owner.setdefault(i, gi)
                continue
            if cosine(centroid, groups[other].centroid()) >= JOIN_THRESHOLD:
                parent[find(other)] = find(gi)
    joined: dict[int, Group] = {}
    for gi, g in enumerate(groups):
        root = joined.setdefault(find(gi), Group())
        for i in g.members:
            root.add(i, a.vectors[i])
    return list(joined.values())


def _article_groups(a: _Analysed) -> dict[str, int]:
    """Articles grouped by what they are about; group 0 is the lead story (the most articles).

    A topic fed by a broad feed gets articles on several events: each event is a story."""
    sources = a.corpus.source_ids
    total: dict[str, dict[str, float]] = {sid: {} for sid in sources}
    for s, vec in zip(a.corpus.sentences, a.vectors):
        bag = total[s.source]
        for t, v in vec.items():
            if not t.startswith("@"):  # names recur across unrelated stories of one region
                bag[t] = bag.get(t, 0.0) + v
    vectors = []
    for sid in sources:
        norm = sum(v * v for v in total[sid].values()) ** 0.5 or 1.0
        vectors.append({t: v / norm for t, v in total[sid].items()})
    groups = average_linkage(vectors, list(range(len(sources))), ARTICLE_STORY)
    sizes = Counter(s.source for s in a.corpus.sentences)
    groups.sort(key=lambda g: (-len(g.members), -sum(sizes[sources[i]] for i in g.members), min(g.members)))
    return {sources[i]: n for n, g in enumerate(groups) for i in g.members}


def _stories(a: _Analysed, claim_groups: list[Group], items: list[Item]) -> tuple[list[Story], dict[int, int]]:
    """Content far from the lead story, told by few outlets, forms other stories (one line each):
    articles about another event, and runs of sentences off the lead inside an article."""
    sents = a.corpus.sentences
    off: list[tuple[int, Group, Item]] = []
    other_event: dict[int, int] = {}
    for gi, (g, item) in enumerate(zip(claim_groups, items)):
        events = {a.article_group.get(src, 0) for src in item.sources}
        if 0 not in events:
            other_event[gi] = min(events)
        elif len(item.sources) == 1 and cosine(g.centroid(), a.lead) < OFF_LEAD:
            off.append((gi, g, item))
    # Off-lead groups told next to each other in one article are one story.
    story_of: dict[int, int] = {}
    stories: list[Story] = []
    runs: dict[tuple[str, int], int] = {}
    for gi, g, item in sorted(off, key=lambda x: min(sents[i].position for i in x[1].members)):
        s = sents[g.members[0]]
        key = next(((s.source, p) for p in range(s.position - 2, s.position + 1) if (s.source, p) in runs), None)
        if key is None:
            stories.append(Story(id=len(stories) + 1, text=item.text, sources=list(item.sources),
                                 evidence=list(item.evidence)))
            sid = len(stories)
        else:
            sid = runs[key]
        runs[(s.source, s.position)] = sid
        story_of[gi] = sid
    # A story of one sentence is an aside, not a story.
    sizes = Counter(story_of.values())
    keep = {sid for sid, n in sizes.items() if n >= 2}
    story_of = {gi: sid for gi, sid in story_of.items() if sid in keep}
    renumber = {sid: k + 1 for k, sid in enumerate(sorted(keep))}
    stories = [Story(id=renumber[s.id], text=s.text, sources=s.sources, evidence=s.evidence)
               for s in stories if s.id in keep]
    story_of = {gi: renumber[sid] for gi, sid in story_of.items()}
    # Each other event is one story, told by its best-corroborated item.
    for event in sorted(set(other_event.values())):
        best = max((gi for gi, e in other_event.items() if e == event),
                   key=lambda gi: (len(items[gi].sources), items[gi].score))
        sid = len(stories) + 1
        stories.append(Story(id=sid, text=items[best].text, sources=sorted(
            {src for gi, e in other_event.items() if e == event for src in items[gi].sources},
            key=lambda x: int(x[1:])), evidence=list(items[best].evidence)))
        for gi, e in other_event.items():
            if e == event:
                story_of[gi] = sid
    return stories, story_of


def extract(articles: list[Article], cache_dir: Path | None = None) -> Extraction:
    """Actors, decisions, open questions, facts, quotes and stories of a cluster of articles.

    With ``cache_dir``, each article's parse is kept there and reused by later builds."""
    nlp = load_model()
    cache = ParseCache(cache_dir, nlp) if cache_dir else None
    corpus = build_corpus(articles, nlp, cache)
    log.info("parsed %d articles into %d sentences", len(articles), len(corpus.sentences))
    index = find_actors(corpus)
    sents = corpus.sentences
    background = {s.idx: is_background(s.span, s.anchor) for s in sents}
    cues = {s.idx: find_cues(s.span, s.anchor, background[s.idx]) for s in sents}
    bags = [terms(s.span, index.by_sentence.get(s.idx, []), index.tokens.get(s.idx, set())) for s in sents]
    vec = Vectors.fit(bags)
    a = _Analysed(corpus, index, cues, [vec.vector(b) for b in bags])
    a.content = [_content(v) for v in a.vectors]
    a.article_group = _article_groups(a)
    lead_sents = [(s, v) for s, v in zip(sents, a.vectors) if a.article_group.get(s.source, 0) == 0]
    a.lead = _lead_centroid([v for _, v in lead_sents], [s for s, _ in lead_sents])
    # Headlines corroborate (as support) but do not make items of their own.
    category = {s.idx: _category(cues[s.idx]) for s in sents
                if not s.is_title and _worth_reporting(s) and not background[s.idx]
                and not _scene_setting(a, s.idx)}
    for i in [s.idx for s in sents if s.idx in category or s.is_title]:
        for t in a.vectors[i]:
            a.by_term.setdefault(t, []).append(i)
    claim_groups = _groups(a, category, "claim", CLAIM_THRESHOLD)
    facts = [_item(a, g, None) for g in claim_groups]
    stories, story_of = _stories(a, claim_groups, facts)
    for gi, item in enumerate(facts):
        item.story = story_of.get(gi, 0)
    decisions = [f for f, g in zip(facts, claim_groups)
                 if any(c.kind in ("decision", "proposal") for i in g.members for c in cues[i])]
    questions: list[Item] = []
    for kind in QUESTION_KINDS:
        groups = _groups(a, category, kind, QUESTION_THRESHOLD)
        if kind == "deadline":
            groups = _join_deadlines(a, groups)
        for g in groups:
            item = _item(a, g, kind)
            lead_sources = any(a.article_group.get(src, 0) == 0 for src in item.sources)
            near = cosine(g.centroid(), a.lead) >= OFF_LEAD or len(item.sources) > 1
            item.story = 0 if lead_sources and near else -1  # -1: another story than the lead
            questions.append(item)
    quotes = [Quote(speaker=q.speaker, text=q.text, source=q.source) for q in find_quotes(corpus, index)]
    return Extraction(sources=_sources(articles, corpus.source_ids), actors=index.actors,
                      decisions=decisions, open_questions=questions, facts=facts, quotes=quotes,
                      stories=stories)


_FIGURES = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})


def _scene_setting(a: _Analysed, i: int) -> bool:
    """'The announcement came during a summit at ...': nobody named acts, nothing is decided or
    open, no figure is given. Such a sentence sets the scene; it makes no point of its own."""
    if a.cues[i] or _actor_subject(a, i):
        return False
    return not any(t.ent_type_ in _FIGURES for t in a.corpus.sentences[i].span)


def _worth_reporting(s: Sentence) -> bool:
    """A sentence can enter the brief when it reads on its own (news of the day is checked apart)."""
    words = len(s.text.split())
    return 6 <= words <= 80 and not s.text.rstrip().endswith(":")
