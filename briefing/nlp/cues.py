"""Cues in one parsed sentence: decision, proposal, unconfirmed, disputed, unresolved, deadline.

Each cue is found from the parse (lemmas, negation, modality, subjects) plus a few
phrase patterns; none depends on who or what the news is about.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .deadlines import find_deadline

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

DECISION_VERBS = frozenset("""
agree announce approve adopt decide commit pledge promise vow sign launch order impose lift ban
coordinate co-ordinate arrange convene set begin start task appoint unveil establish create deploy
allocate provide invite schedule confirm accept suspend halt cancel withdraw extend postpone grant
sanction authorize authorise introduce implement enforce pass veto nominate elect fund finance
help lead guarantee broker host hold resume reach approve endorse join send ratify
""".split())
PROPOSAL_VERBS = frozenset("propose offer suggest float recommend present".split())
CONFIRM_VERBS = frozenset("confirm verify accept acknowledge corroborate substantiate endorse approve".split())
DISPUTE_VERBS = frozenset("reject deny dismiss dispute oppose refuse rebuff contest object disagree "
                          "clash accuse condemn criticise criticize refute".split())
_HEDGE_MODALS = frozenset("could might may".split())
_NEG = frozenset({"not", "n't", "never", "no"})

_UNCONFIRMED_RE = re.compile(
    r"\b(reportedly|allegedly|unconfirmed|unverified|could not (?:be )?(?:independently )?verif|"
    r"declined to (?:comment|confirm)|did not respond to (?:a )?request|no official confirmation|"
    r"(?:has|have) yet to (?:confirm|respond|comment|accept))", re.I)
_UNRESOLVED_RE = re.compile(
    r"\b((?:remain(?:s|ed)?|still|is|was|were|are|be)\s+(?:largely\s+|still\s+)?(?:unclear|uncertain|undecided|"
    r"unresolved|murky|in doubt|unknown|to be (?:seen|determined|decided|worked out))|"
    r"(?:not|never)\s+(?:yet\s+)?(?:been\s+)?(?:discussed|resolved|decided|determined|clarified|specified|"
    r"settled|finali[sz]ed|agreed|addressed)|"
    r"no (?:date|location|venue|timeline|time|timetable|deadline|details?|agreement|decision)\b[^.]{0,40}?"
    r"(?:has|have|had|was|were)\s+(?:yet\s+)?(?:been\s+)?(?:set|agreed|announced|reached|made|given|fixed)|"
    r"did not (?:specify|resolve|say when|disclose|address)|uncertainty remains|remains? to be seen|"
    r"open question|left open|unanswered|uncertain whether|unclear whether|unclear how|unclear what|"
    r"not clear (?:whether|how|when|what)|remain(?:s|ed)? (?:undecided|unsettled))", re.I)
_DISPUTE_RE = re.compile(r"\b(at odds|disagree(?:ment|d|s)?|sticking point|divided over|split over|"
                         r"(?:most )?contentious|dispute[sd]?|rift|pushed back|clash(?:ed|es)? over)\b", re.I)
_BACKGROUND_RE = re.compile(r"\b(last year|years? ago|months ago|in the past|previously|decades?|"
                            r"(?:19|20)\d\d)\b", re.I)


@dataclass
class Cue:
    kind: str  # decision | proposal | unconfirmed | disputed | unresolved | deadline
    due: dt.date | None = None
    phrase: str = ""


def _negated(tok: "Token") -> bool:
    if any(c.dep_ == "neg" or c.lower_ in _NEG for c in tok.children):
        return True
    # "yet to confirm", "failed to confirm", "no ... has confirmed"
    head = tok.head
    if tok.dep_ == "xcomp" and head.lemma_ in ("fail", "refuse", "decline"):
        return True
    return any(c.dep_ in ("nsubj", "nsubjpass") and any(d.lower_ == "no" for d in c.children) for c in tok.children)


def _modals(tok: "Token") -> set[str]:
    return {c.lower_ for c in tok.children if c.dep_ == "aux" and c.tag_ == "MD"}


def is_background(span: "Span", anchor: dt.date) -> bool:
    """History retold for context ('launched an invasion in February 2022') is not news of the day."""
    for m in _BACKGROUND_RE.finditer(span.text):
        word = m.group(1)
        if word.isdigit() and int(word) >= anchor.year:
            continue
        return True
    return False


def find_cues(span: "Span", anchor: dt.date) -> list[Cue]:
    """All cues a sentence carries, strongest first."""
    text = span.text
    cues: list[Cue] = []
    deadline = find_deadline(text, anchor)
    if deadline:
        cues.append(Cue("deadline", deadline.due, deadline.phrase))
    if _UNCONFIRMED_RE.search(text) or any(t.lemma_ in CONFIRM_VERBS and _negated(t) for t in span):
        cues.append(Cue("unconfirmed"))
    if any(t.lemma_ in DISPUTE_VERBS and t.pos_ == "VERB" and not _negated(t) for t in span) or _DISPUTE_RE.search(text):
        cues.append(Cue("disputed"))
    if _UNRESOLVED_RE.search(text):
        cues.append(Cue("unresolved"))
    cues += _decision_cues(span, anchor)
    return cues


def _decision_cues(span: "Span", anchor: dt.date) -> list[Cue]:
    if is_background(span, anchor) or text_is_question(span.text):
        return []
    for tok in span:
        if tok.pos_ not in ("VERB", "NOUN") or _negated(tok) and tok.lemma_ != "rule":
            continue
        lemma = tok.lemma_.lower()
        if tok.pos_ == "NOUN":
            if lemma in ("proposal", "offer", "plan") and tok.dep_ in ("dobj", "pobj") and tok.head.pos_ == "VERB" \
                    and tok.head.lemma_ in ("present", "make", "put", "table", "unveil", "announce", "submit"):
                return [Cue("proposal" if lemma != "plan" else "decision")]
            continue
        if lemma == "rule" and any(c.lower_ == "out" for c in tok.children):
            return [Cue("decision")]
        if lemma in PROPOSAL_VERBS:
            return [Cue("proposal")]
        if lemma in DECISION_VERBS and not (_modals(tok) & _HEDGE_MODALS):
            return [Cue("decision")]
    return []


def text_is_question(text: str) -> bool:
    return text.rstrip(" \"'\u201d\u2019").endswith("?")
