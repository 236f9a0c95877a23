"""Make a sentence read as a brief line: drop lead-in phrases and trailing asides, never add words."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .text import clean_space

if TYPE_CHECKING:
    from spacy.tokens import Span

MAX_WORDS = 38
_OPEN_QUOTES = "\"\u201c\u2018'"
_CLOSE_QUOTES = "\"\u201d\u2019'"


def _subject_start(span: "Span") -> int | None:
    root = span.root
    for child in root.children:
        if child.dep_ in ("nsubj", "nsubjpass", "expl"):
            return child.left_edge.i
    return None


_ASIDE_MARKS = frozenset("after as while since even though although whereas".split())
LONG_WORDS = 22  # a line longer than this loses a trailing aside if it has one


def _trailing_aside(span: "Span", start: int) -> int:
    """Where a trailing aside begins: ', leaving ...' always; ', even after ...' in a long line."""
    doc, root = span.doc, span.root
    for child in root.children:
        if child.dep_ != "advcl" or child.i < root.i or doc[child.left_edge.i - 1].text != ",":
            continue
        cut = child.left_edge.i - 1
        if child.tag_ == "VBG":
            return cut
        marks = {t.lower_ for t in child.children if t.dep_ in ("mark", "advmod")}
        if marks & _ASIDE_MARKS and span.end - start > LONG_WORDS and cut - start >= 12:
            return cut
    return span.end


def shorten(span: "Span") -> str:
    """The sentence without a leading 'Speaking on TV after the talks,' or a trailing ', leaving ...'."""
    doc = span.doc
    start, end = span.start, span.end
    subj = _subject_start(span)
    if subj is not None and subj > start:
        lead = doc[start:subj]
        # Only cut a lead-in that ends with a comma: it is an aside, not part of the subject.
        if lead[-1].text == "," and len(lead) <= 20 and lead.root.dep_ in ("prep", "advcl", "advmod", "npadvmod", "pcomp"):
            start = subj
    end = min(end, _trailing_aside(span, start))
    text = doc[start:end].text
    text = clean_space(text).rstrip(",;: ")
    text = _balance_quotes(text)
    text = _cap_length(text)
    if text and not re.search(r"[.!?\"\u201d\u2019…]$", text):
        text += "."
    return text[:1].upper() + text[1:]


def _balance_quotes(text: str) -> str:
    """Pair quote marks a sentence split left alone: a quote that opened in the previous
    sentence gets its opening mark back; one left open is closed."""
    first_close, first_open = text.find("\u201d"), text.find("\u201c")
    if first_close != -1 and (first_open == -1 or first_close < first_open):
        text = "\u201c" + text
    if text.count("\u201c") > text.count("\u201d"):
        text += "\u201d"
    first = text.find('"')
    if first > 0 and not text[first - 1].isspace():  # '... advice," she said': a closing mark first
        text = '"' + text
    if text.count('"') % 2 == 1:
        text = text[:-1] if text.endswith('"') and first != len(text) - 1 else text + '"'
    return text


def _cap_length(text: str) -> str:
    words = text.split()
    if len(words) <= MAX_WORDS:
        return text
    # Cut at the first clause boundary after a readable stretch.
    m = re.search(r"(;| \u2014 | - |, which |, who |, while |, but |, though )", " ".join(words[12:]))
    if m:
        head = " ".join(words[:12]) + " " + " ".join(words[12:])[:m.start()]
        return head.rstrip(",;") + "…"
    return " ".join(words[:MAX_WORDS]).rstrip(",;") + "…"
