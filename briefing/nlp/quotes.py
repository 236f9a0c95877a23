"""Direct quotes and who said them ('"...", the minister said'; 'he said' resolved to the last
person who was the subject of a sentence, the most salient one)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .actors import ActorIndex
from .corpus import Corpus, Sentence
from .lexicon import SPEECH_VERBS

_QUOTE_RE = re.compile(r"[\u201c\"]([^\u201c\u201d\"]{20,600})[\u201d\"]")
_PRONOUNS = {"he", "she"}
MIN_WORDS = 8  # shorter quoted bits are phrases inside a reporter's sentence, not statements


@dataclass
class FoundQuote:
    speaker: str
    text: str
    source: str
    sent: int


def _subject_person(sent: Sentence, index: ActorIndex, persons: set[str]) -> str | None:
    """The person who is the subject of the sentence's main verb, if one is named there."""
    for child in sent.span.root.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            name = index.named_in(sent.idx, child.subtree)
            return name if name in persons else None
    return None


def _speaker(sent: Sentence, index: ActorIndex, last_subject: str | None) -> str | None:
    """Subject of the reporter's verb of saying (outside the quote marks): a named actor, or
    'he'/'she' for the last subject."""
    quoted = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(sent.span.text)]
    base = sent.span.start_char
    for tok in sent.span:
        inside = any(a <= tok.idx - base < b for a, b in quoted)
        if tok.lemma_ in SPEECH_VERBS and tok.pos_ == "VERB" and not inside:
            for child in tok.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    if child.lower_ in _PRONOUNS:
                        return last_subject
                    return index.named_in(sent.idx, child.subtree)
    return None


def _statement(text: str) -> bool:
    text = text.strip()
    return len(text.split()) >= MIN_WORDS and text[:1].isupper()


def find_quotes(corpus: Corpus, index: ActorIndex) -> list[FoundQuote]:
    """Quoted statements whose speaker is one of the actors."""
    persons = {a.name for a in index.actors if a.kind == "person"}
    out: list[FoundQuote] = []
    last_subject: dict[int, str | None] = {}
    for sent in corpus.sentences:
        if sent.is_title:
            continue
        quoted = [q for q in _QUOTE_RE.findall(sent.span.text) if _statement(q)]
        if quoted:
            speaker = _speaker(sent, index, last_subject.get(sent.article))
            if speaker:
                out += [FoundQuote(speaker, q.strip(" ,"), sent.source, sent.idx) for q in quoted]
        subject = _subject_person(sent, index, persons)
        if subject:
            last_subject[sent.article] = subject
    return out
