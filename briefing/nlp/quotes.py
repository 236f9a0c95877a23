"""Direct quotes and who said them ('"...", Rutte said'; 'he said' resolved to the last person named)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .actors import ActorIndex
from .corpus import Corpus
from .lexicon import SPEECH_VERBS

_QUOTE_RE = re.compile(r"[\u201c\"]([^\u201c\u201d\"]{20,600})[\u201d\"]")
_PRONOUNS = {"he", "she", "they"}


@dataclass
class FoundQuote:
    speaker: str
    text: str
    source: str
    sent: int


def _speaker(sent, index: ActorIndex, last_person: str | None) -> str | None:
    """Subject of the sentence's speech verb: a named actor, or a pronoun for the last person named."""
    for tok in sent.span:
        if tok.lemma_ in SPEECH_VERBS and tok.pos_ == "VERB":
            for child in tok.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    if child.lower_ in _PRONOUNS:
                        return last_person
                    phrase = sent.span.doc[child.left_edge.i:child.right_edge.i + 1].text
                    name = index.find(phrase) or index.find(child.text)
                    if name:
                        return name
                    names = index.by_sentence.get(sent.idx, [])
                    for n in names:
                        if n.split()[-1] in phrase:
                            return n
    return None


def find_quotes(corpus: Corpus, index: ActorIndex) -> list[FoundQuote]:
    """Quotes of at least five words whose speaker is one of the actors."""
    persons = {a.name for a in index.actors if a.kind == "person"}
    out: list[FoundQuote] = []
    last_person: dict[int, str | None] = {}
    for sent in corpus.sentences:
        if sent.is_title:
            continue
        names = index.by_sentence.get(sent.idx, [])
        speaker = None
        quoted = _QUOTE_RE.findall(sent.span.text)
        if quoted:
            speaker = _speaker(sent, index, last_person.get(sent.article))
        for q in quoted:
            if speaker and len(q.split()) >= 5:
                out.append(FoundQuote(speaker, q.strip(" ,"), sent.source, sent.idx))
        for n in names:
            if n in persons:
                last_person[sent.article] = n
    return out
