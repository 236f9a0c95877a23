"""Corroboration: sentences from different outlets that report the same point become one group.

Each sentence is a bag of content stems plus the actors it names (so "the US" and
"Washington" count as one), weighted by rarity (idf). Sentences join the group whose
centroid they are closest to (cosine) when that is above a threshold; an inverted
index keeps this near-linear for thousands of sentences.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from .lexicon import SPEECH_VERBS, SYNONYM_SETS, TITLE_WORDS
from .text import stem

_CANON = {stem(w): stem(words.split()[0]) for words in SYNONYM_SETS for w in words.split()}

_CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}
_SKIP_LEMMAS = SPEECH_VERBS | {"be", "have", "do", "also", "would", "will", "could", "monday", "tuesday",
                               "wednesday", "thursday", "friday", "saturday", "sunday", "percent", "year",
                               "day", "week", "time", "people", "thing", "way"}


ACTOR_WEIGHT = 0.5
_PREFIXES = {"co", "re", "pre", "non", "anti", "post", "counter", "de", "multi", "inter", "sub"}


def _glued(span) -> list[tuple[str, object]]:
    """Words with their head token; 'co-ordinate' becomes one word so it matches 'coordinate'."""
    out: list[tuple[str, object]] = []
    toks = list(span)
    i = 0
    while i < len(toks):
        tok = toks[i]
        if (tok.lower_ in _PREFIXES and i + 2 < len(toks) and toks[i + 1].text == "-"
                and not tok.whitespace_ and not toks[i + 1].whitespace_):
            out.append((tok.lower_ + toks[i + 2].lemma_.lower(), toks[i + 2]))
            i += 3
            continue
        out.append((tok.lemma_ if tok.pos_ != "PROPN" else tok.text, tok))
        i += 1
    return out


def terms(span, actors: Iterable[str], actor_tokens: set[int] = frozenset()) -> list[str]:
    """Content stems of a sentence, with its actors as '@name' terms (they stand for their mentions)."""
    out = [f"@{a}" for a in actors]
    for word, tok in _glued(span):
        if tok.is_stop or tok.is_punct or not any(c.isalnum() for c in tok.text):
            continue
        if tok.pos_ not in _CONTENT_POS or tok.lemma_.lower() in _SKIP_LEMMAS or tok.lower_ in TITLE_WORDS:
            continue
        if tok.i in actor_tokens:
            continue
        out.append(canonical(word))
    return out


def canonical(word: str) -> str:
    """The stem of a word, with news synonyms mapped to one ('assurance' -> 'guarante')."""
    st = stem(word)
    return _CANON.get(st, st)


@dataclass
class Vectors:
    idf: dict[str, float]

    @classmethod
    def fit(cls, bags: list[list[str]]) -> "Vectors":
        df = Counter(t for bag in bags for t in set(bag))
        n = max(len(bags), 1)
        return cls({t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()})

    def vector(self, bag: list[str]) -> dict[str, float]:
        # Names weigh half: two sentences about the same people need not make the same point.
        # dict.fromkeys keeps first-seen order: sums then add up the same way on every run.
        vec = {t: self.idf.get(t, 1.0) * (ACTOR_WEIGHT if t.startswith("@") else 1.0) for t in dict.fromkeys(bag)}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


@dataclass
class Group:
    members: list[int] = field(default_factory=list)
    total: dict[str, float] = field(default_factory=dict)
    norm2: float = 0.0  # squared length of total, kept as members join (no rescans)

    def centroid(self) -> dict[str, float]:
        norm = math.sqrt(self.norm2) or 1.0
        return {t: v / norm for t, v in self.total.items()}

    def similarity(self, vec: dict[str, float]) -> float:
        """Cosine between a unit vector and this group's centroid, without building the centroid."""
        if not self.norm2:
            return 0.0
        total = self.total
        return sum(v * total.get(t, 0.0) for t, v in vec.items()) / math.sqrt(self.norm2)

    def add(self, idx: int, vec: dict[str, float]) -> None:
        self.members.append(idx)
        self._sum(vec)

    def absorb(self, other: "Group") -> None:
        self.members += other.members
        self._sum(other.total)

    def _sum(self, vec: dict[str, float]) -> None:
        for t, v in vec.items():
            old = self.total.get(t, 0.0)
            self.total[t] = old + v
            self.norm2 += (old + v) ** 2 - old * old


CANDIDATE_TERMS = 6  # groups are looked up by a sentence's rarest words only
MERGE_TERMS = 8  # ... and by a group's heaviest words when groups merge


def _closest(vec: dict[str, float], groups: list[Group], index: dict[str, set[int]],
             threshold: float, terms: int = CANDIDATE_TERMS) -> tuple[int | None, float]:
    """The group most like ``vec`` among those sharing one of its heaviest words, if close enough."""
    top = sorted(vec, key=lambda t: (-vec[t], t))[:terms]
    candidates = set().union(*(index[t] for t in top if t in index))
    best, best_sim = None, threshold
    for g in sorted(candidates):
        sim = groups[g].similarity(vec)
        if sim >= best_sim:
            best, best_sim = g, sim
    return best, best_sim


def group(vectors: list[dict[str, float]], order: list[int], threshold: float) -> list[Group]:
    """Greedy single pass in the given order (most salient first): join the closest group or start one."""
    groups: list[Group] = []
    index: dict[str, set[int]] = defaultdict(set)
    for idx in order:
        vec = vectors[idx]
        if not vec:
            continue
        best, best_sim = _closest(vec, groups, index, threshold)
        if best is None:
            groups.append(Group())
            best = len(groups) - 1
        groups[best].add(idx, vec)
        for t in vec:
            index[t].add(best)
    return groups


def merge(groups: list[Group], threshold: float, passes: int = 3) -> list[Group]:
    """Join groups whose centroids are close: one pass of grouping leaves fragments of one point."""
    for _ in range(passes):
        groups.sort(key=lambda g: -len(g.members))
        kept: list[Group] = []
        index: dict[str, set[int]] = defaultdict(set)
        changed = False
        for g in groups:
            best, _ = _closest(g.centroid(), kept, index, threshold, MERGE_TERMS)
            if best is None:
                kept.append(g)
                best = len(kept) - 1
            else:
                kept[best].absorb(g)
                changed = True
            total = kept[best].total
            for t in sorted(total, key=lambda t: (-total[t], t))[:MERGE_TERMS]:
                index[t].add(best)
        groups = kept
        if not changed:
            break
    return groups


EXACT_LIMIT = 1500  # above this many sentences, the greedy pass stands in for exact linkage


def average_linkage(vectors: list[dict[str, float]], members: list[int], threshold: float) -> list[Group]:
    """Exact average-linkage clustering: merge the two groups whose sentences are, on average,
    most alike, until no pair reaches the threshold. Better than one greedy pass at keeping one
    point in one group and two points apart; O(n^2) memory, so only for moderate n."""
    import numpy as np

    members = [i for i in members if vectors[i]]
    if len(members) > EXACT_LIMIT:
        return merge(group(vectors, members, threshold), threshold)
    if not members:
        return []
    vocab: dict[str, int] = {}
    for i in members:
        for t in vectors[i]:
            vocab.setdefault(t, len(vocab))
    mat = np.zeros((len(members), len(vocab)), dtype=np.float32)
    for row, i in enumerate(members):
        for t, v in vectors[i].items():
            mat[row, vocab[t]] = v
    total = mat @ mat.T  # sum of pairwise similarities between groups (singletons to start)
    size = np.ones(len(members), dtype=np.float32)
    alive = np.ones(len(members), dtype=bool)
    np.fill_diagonal(total, -np.inf)
    clusters: dict[int, list[int]] = {r: [r] for r in range(len(members))}
    while True:
        avg = total / np.outer(size, size)
        avg[~alive, :] = -np.inf
        avg[:, ~alive] = -np.inf
        best = int(np.argmax(avg))
        a, b = divmod(best, len(members))
        if avg[a, b] < threshold:
            break
        # Merge b into a: sums add up, sizes add up.
        total[a, :] += total[b, :]
        total[:, a] += total[:, b]
        total[a, a] = -np.inf
        size[a] += size[b]
        alive[b] = False
        clusters[a] += clusters.pop(b)
    out = []
    for rows in clusters.values():
        g = Group()
        for r in sorted(rows):
            g.add(members[r], vectors[members[r]])
        out.append(g)
    return out
