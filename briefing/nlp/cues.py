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
from .lexicon import AGENT_NOUNS, MONTHS, TITLE_WORDS
from .lexicon import SPEECH_VERBS as SPEECH_VERBS_ALL

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

DECISION_VERBS = frozenset("""
agree announce approve adopt decide commit pledge promise vow sign launch order impose lift ban
coordinate co-ordinate arrange convene set begin start task appoint unveil establish create deploy
allocate provide invite schedule confirm accept suspend halt cancel withdraw extend postpone grant
sanction authorize authorise introduce implement enforce pass veto nominate elect fund finance
help lead guarantee broker host resume reach approve endorse send ratify
raise cut increase reduce lower freeze hike sell buy acquire close expand hire invest release publish
file sue charge recall merge declare designate restore reopen reestablish re-establish reactivate
exchange donate pledge allocate earmark
""".split())
PROPOSAL_VERBS = frozenset("propose offer suggest float recommend present".split())
CONFIRM_VERBS = frozenset("confirm verify accept acknowledge corroborate substantiate endorse approve".split())
DISPUTE_VERBS = frozenset("reject deny dismiss dispute oppose refuse rebuff contest object disagree "
                          "clash accuse condemn criticise criticize refute".split())
_TAKEN = frozenset("lead charge responsibility control step steps action measure measures".split())
_HEDGE_MODALS = frozenset("could might may".split())
_NEG = frozenset({"not", "n't", "never", "no"})

_UNCONFIRMED_RE = re.compile(
    r"\b(reportedly|allegedly|unconfirmed|unverified|could not (?:be )?(?:independently )?verif|"
    r"declined to (?:comment|confirm)|did not respond to (?:a )?request|no official confirmation|"
    r"(?:has|have) yet to (?:confirm|respond|comment|accept)|"
    r"(?:people|sources|officials|persons?) (?:familiar|briefed) with|speaking on condition of anonymity|"
    r"(?:un|not )named (?:sources|officials)|anonymous (?:sources|officials)|is said to|are said to|"
    r"according to (?:sources|reports|media reports))", re.I)
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
                         r"(?:most )?contentious|disputed|rift|pushed back|clash(?:ed|es)? over)\b", re.I)
# Risks and outcomes that depend on what comes next: open, though nobody says 'unclear'.
_RISK_RE = re.compile(
    r"\b(could|may|might) (?:well )?(?:follow|rise|increase|spread|worsen|escalate|collapse|fail|need|"
    r"be needed|be required|continue|delay|come|trigger|spark|lead to|push)\b|"
    r"\bfurther (?:rises|hikes|increases|cuts|spread|escalation|action|sanctions|talks|strikes)\b|"
    r"\b(?:will|would) depend (?:up)?on\b|\bdepends? (?:up)?on (?:how|whether|what)\b|"
    r"\b(?:very |deeply )?(?:worrying|concerning)\b|\bconcerns? (?:that|about|over)\b|"
    r"\bfears? (?:that|of)\b|\brisks? (?:of|that)\b|\bshortages?\b|"
    r"\bfew (?:[a-z]+ ){1,3}(?:are|were|is|was) available\b",
    re.I)
# Idioms of a position taken: ruling something out is a decision too.
_RULED_OUT_RE = re.compile(r"\b(off the table|red line|non-negotiable|ruled? out|rules out|ruling out)\b", re.I)
_PAST_MONTH_RE = re.compile(r"\b(?:in|from|since|last)\s+(january|february|march|april|may|june|july|august|"
                            r"september|october|november|december)\b(?!\s+\d)", re.I)
# 'up from 2023', 'than last year', 'compared with 2022': a comparison, not history.
_COMPARED_RE = re.compile(r"\b(?:from|since|than|compared (?:with|to)|versus|vs\.?|over)\s+(?:in\s+|the\s+)?$", re.I)
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


_TIME_PATH = frozenset("pobj prep npadvmod advmod nummod compound amod det quantmod tmod pcomp nmod "
                       "punct cc conj advcl xcomp ccomp".split())


def _in_modifier(span: "Span", char: int) -> bool:
    """Does the time at this offset date something other than the main event?

    'The pact signed in 2001' (a clause on a noun) and 'exceeded last year's total' (a
    comparison) do not make a sentence history; 'troops invaded in February 2022' does."""
    tok = next((t for t in span if t.idx <= char < t.idx + len(t.text) + 1), None)
    while tok is not None and tok.dep_ != "ROOT":
        if tok.dep_ not in _TIME_PATH:
            return True
        tok = tok.head
    return False


def is_background(span: "Span", anchor: dt.date) -> bool:
    """History retold for context ('launched an invasion in February 2022') is not news of the day.

    A past date inside a clause that describes a noun ('the agreement signed in 2001') does not
    make the sentence history."""
    for m in _PAST_MONTH_RE.finditer(span.text):
        month = MONTHS.index(m.group(1).lower()) + 1
        if month != anchor.month and (anchor.month - month) % 12 <= 6 \
                and not _in_modifier(span, span.start_char + m.start(1)):
            return True
    for m in _BACKGROUND_RE.finditer(span.text):
        word = m.group(1)
        if word.isdigit() and int(word) >= anchor.year:
            continue
        if _in_modifier(span, span.start_char + m.start(1)) or _COMPARED_RE.search(span.text[:m.start(1)]):
            continue
        return True
    return False


_STANCE_ADJ = frozenset("open ready willing prepared keen eager".split())
_STANCE_VERBS = frozenset("accept agree support join attend meet consider back endorse sign approve".split())
_NAME_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP"})


def _names(tok: "Token") -> set[str]:
    return {t.text for t in tok.subtree if t.ent_type_ in _NAME_ENTS or t.pos_ == "PROPN"}


def _attributed_stance(span: "Span") -> bool:
    """One side speaking for another ('X said Y was open to ...', 'Y might accept'): a claim the
    other side has not confirmed."""
    for verb in span:
        if verb.lemma_ not in SPEECH_VERBS_ALL or verb.pos_ != "VERB":
            continue
        speaker = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        for comp in (c for c in verb.children if c.dep_ == "ccomp"):
            subj = next((c for c in comp.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is None or speaker is None or subj.pos_ == "PRON" or speaker.pos_ == "PRON":
                continue
            if subj.lower_ == speaker.lower_ or (_names(subj) & _names(speaker)):
                continue  # speaking for oneself is a statement, not a claim about another
            hedged = bool(_modals(comp) & _HEDGE_MODALS)
            if comp.lemma_ == "be" and any(c.dep_ == "acomp" and c.lemma_ in _STANCE_ADJ for c in comp.children):
                return True
            if comp.lemma_ in _STANCE_VERBS and (hedged or comp.tag_ in ("VBD", "VBN")):
                return True
    return False


def find_cues(span: "Span", anchor: dt.date, background: bool | None = None) -> list[Cue]:
    """All cues a sentence carries, strongest first (``background``: is_background, if known)."""
    text = span.text
    if background is None:
        background = is_background(span, anchor)
    cues: list[Cue] = []
    deadline = find_deadline(text, anchor)
    if deadline:
        cues.append(Cue("deadline", deadline.due, deadline.phrase))
    if _UNCONFIRMED_RE.search(text) or any(t.lemma_ in CONFIRM_VERBS and _negated(t) for t in span) \
            or _attributed_stance(span):
        cues.append(Cue("unconfirmed"))
    if (any(t.lemma_ in DISPUTE_VERBS and t.pos_ == "VERB" and not _negated(t) for t in span)
            or _DISPUTE_RE.search(text)) and not background:
        cues.append(Cue("disputed"))
    if _UNRESOLVED_RE.search(text) or (_RISK_RE.search(text) and not background):
        cues.append(Cue("unresolved"))
    cues += _decision_cues(span, background)
    return cues


def _is_main_predicate(tok: "Token") -> bool:
    """The verb carries the sentence's news: its root, or what a root verb of saying reports.

    'the minister hosted the delegation' in a relative clause, or 'under pressure to offer refunds',
    is not a decision of the day.
    """
    hops = 0
    while tok.dep_ != "ROOT" and hops < 4:
        if tok.dep_ in ("conj",):
            tok = tok.head
        elif tok.dep_ == "ccomp" and tok.head.pos_ in ("VERB", "AUX"):
            tok = tok.head
        elif tok.dep_ == "xcomp" and tok.head.pos_ == "VERB":
            tok = tok.head
        else:
            return False
        hops += 1
    return tok.dep_ == "ROOT"


_AGENT_PRONOUNS = frozenset("he she they we i you".split())
_AGENT_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP"})


def _agentive(subj: "Token") -> bool:
    """People and bodies decide; 'the war will start again' is no decision."""
    if subj.dep_ == "agent":
        subj = next((c for c in subj.children if c.dep_ == "pobj"), subj)
    if subj.lower_ in _AGENT_PRONOUNS:
        return True
    # The head of the subject decides: 'the minister's delegation' can, 'the mayor's push' cannot.
    heads = [subj] + [c for c in subj.children if c.dep_ == "conj"]
    return any(h.ent_type_ in _AGENT_ENTS or h.lemma_.lower() in AGENT_NOUNS or h.lower_ in TITLE_WORDS
               for h in heads)


def _has_agent(tok: "Token") -> bool:
    """Someone does it: an agentive subject on the verb or on the verb it completes ('will help arrange')."""
    for t in (tok, tok.head):
        subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass", "agent")), None)
        if subj is not None:
            return _agentive(subj)
        if t.dep_ not in ("xcomp", "conj"):
            break
    return False


def _decision_cues(span: "Span", background: bool) -> list[Cue]:
    if background or text_is_question(span.text):
        return []
    if _RULED_OUT_RE.search(span.text):
        return [Cue("decision")]
    for tok in span:
        if tok.pos_ not in ("VERB", "NOUN") or _negated(tok) and tok.lemma_ != "rule":
            continue
        lemma = tok.lemma_.lower()
        if tok.pos_ == "NOUN":
            if lemma in ("proposal", "offer", "plan", "plans") and tok.dep_ in ("dobj", "pobj") \
                    and tok.head.pos_ == "VERB" and _is_main_predicate(tok.head) \
                    and tok.head.lemma_ in ("present", "make", "put", "table", "unveil", "announce", "submit"):
                return [Cue("proposal" if lemma in ("proposal", "offer") else "decision")]
            continue
        if not _is_main_predicate(tok) or not _has_agent(tok):
            continue
        if lemma == "rule" and any(c.lower_ == "out" for c in tok.children):
            return [Cue("decision")]
        if lemma == "take" and any(c.dep_ == "dobj" and c.lemma_ in _TAKEN for c in tok.children):
            return [Cue("decision")]
        if lemma in PROPOSAL_VERBS:
            return [Cue("proposal")]
        if lemma in DECISION_VERBS and not (_modals(tok) & _HEDGE_MODALS):
            return [Cue("decision")]
    return []


def text_is_question(text: str) -> bool:
    return text.rstrip(" \"'\u201d\u2019").endswith("?")
