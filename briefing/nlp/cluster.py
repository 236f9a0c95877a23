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

from .lexicon import SPEECH_VERBS
from .text import stem

_CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}
_SKIP_LEMMAS = SPEECH_VERBS | {"be", "have", "do", "also", "would", "will", "could", "monday", "tuesday",
                               "wednesday", "thursday", "friday", "saturday", "sunday", "percent", "year",
                               "day", "week", "time", "people", "thing", "way"}
_NAME_ENTS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}


def terms(span, actors: Iterable[str]) -> list[str]:
    """Content stems of a sentence, with its actors as '@name' terms."""
    out = [f"@{a}" for a in actors]
    for tok in span:
        if tok.is_stop or tok.is_punct or not any(c.isalnum() for c in tok.text):
            continue
        if tok.pos_ not in _CONTENT_POS or tok.lemma_.lower() in _SKIP_LEMMAS:
            continue
        if tok.ent_type_ in _NAME_ENTS and actors:
            continue  # the actor terms stand for names
        out.append(stem(tok.lemma_ if tok.pos_ != "PROPN" else tok.text))
    return out


@dataclass
class Vectors:
    idf: dict[str, float]

    @classmethod
    def fit(cls, bags: list[list[str]]) -> "Vectors":
        df = Counter(t for bag in bags for t in set(bag))
        n = max(len(bags), 1)
        return cls({t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()})

    def vector(self, bag: list[str]) -> dict[str, float]:
        vec = {t: self.idf.get(t, 1.0) for t in set(bag)}
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

    def centroid(self) -> dict[str, float]:
        norm = math.sqrt(sum(v * v for v in self.total.values())) or 1.0
        return {t: v / norm for t, v in self.total.items()}

    def add(self, idx: int, vec: dict[str, float]) -> None:
        self.members.append(idx)
        for t, v in vec.items():
            self.total[t] = self.total.get(t, 0.0) + v


def group(vectors: list[dict[str, float]], order: list[int], threshold: float) -> list[Group]:
    """Greedy single pass in the given order (most salient first): join the closest group or start one."""
    groups: list[Group] = []
    index: dict[str, set[int]] = defaultdict(set)
    for idx in order:
        vec = vectors[idx]
        if not vec:
            continue
        candidates = set().union(*(index[t] for t in vec if t in index)) if vec else set()
        best, best_sim = None, threshold
        for g in candidates:
            sim = cosine(vec, groups[g].centroid())
            if sim >= best_sim:
                best, best_sim = g, sim
        if best is None:
            groups.append(Group())
            best = len(groups) - 1
        groups[best].add(idx, vec)
        for t in vec:
            index[t].add(best)
    return groups
