"""Actors: the people and bodies that act or speak, merged across outlets, with roles.

The small model mislabels names, so a label is never taken from one mention: each
name's kind is decided from evidence across the whole cluster (labels of all its
mentions, full-name forms, titles, where it stands in the sentence) and a gazetteer
of places. Media cited only as the channel of a statement are not actors.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from ..models import Actor
from .corpus import Corpus
from .lexicon import (GROUP_NOUNS, HONORIFICS, LOCATIVE_PREPS, MEDIA_NAME_ENDINGS, MEDIA_NOUNS, MONTHS,
                      SPEECH_VERBS, TERRITORY_WORDS, TITLE_WORDS, WEEKDAYS, ACTION_VERBS)
from .places import gazetteer
from .text import clean_space, fold

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
_MEDIA_VERBS = {"report", "cite", "quote", "publish", "broadcast", "air", "reveal"}
_TIME_WORDS = set(WEEKDAYS) | set(MONTHS) | {"today", "yesterday", "tomorrow"}


@dataclass
class Mention:
    text: str
    label: str
    sent: int
    source: str
    start: int  # token offsets in the doc; -1 for a part of a joined name
    end: int
    root: "Token | None"
    role: str | None = None
    titled: bool = False
    indefinite: bool = False  # 'declared a PHEIC': a thing, not a body


@dataclass
class Group:
    key: tuple[str, str]
    mentions: list[Mention] = field(default_factory=list)
    kind: str | None = None  # person | organization | country | group, None when not an actor
    name: str = ""
    extra_aliases: set[str] = field(default_factory=set)

    @property
    def sources(self) -> set[str]:
        return {m.source for m in self.mentions}


@dataclass
class ActorIndex:
    actors: list[Actor]
    by_sentence: dict[int, list[str]]  # sentence idx -> actor names in reading order
    tokens: dict[int, set[int]] = field(default_factory=dict)  # sentence idx -> token positions of mentions
    at: dict[tuple[int, int], str] = field(default_factory=dict)  # (sentence, token) -> actor name

    def named_in(self, sent: int, toks) -> str | None:
        """The first actor named among the given tokens of a sentence."""
        for t in toks:
            name = self.at.get((sent, t.i))
            if name:
                return name
        return None


def _norm(text: str) -> str:
    text = fold(text)
    text = re.sub(r"^(the|a|an) ", "", text)
    return re.sub(r"('s|')$", "", text).strip()


# ---------------------------------------------------------------- mentions

def _clean_entity(ent: "Span", lower_words: set[str]) -> "Span | None":
    """Drop leading articles, honorifics and titles, a bracketed abbreviation and a trailing possessive."""
    start, end = ent.start, ent.end
    doc = ent.doc
    for i in range(start, end):
        if doc[i].text in ("(", "[", "–", "—", ";"):
            end = i  # "World Health Organization (WHO": the abbreviation is read separately
            break
    while start < end and (doc[start].lower_ in ("the", "a", "an") or doc[start].lower_ in HONORIFICS
                           or (end - start > 1 and ent.label_ == "PERSON" and _is_title_word(doc[start], lower_words))):
        start += 1
    while end > start and doc[end - 1].text in ("'s", "\u2019s", "'", "\u2019", "-", ",", "."):
        end -= 1
    if end <= start:
        return None
    span = doc[start:end]
    if "\n" in span.text or not span.text[:1].isupper():
        return None
    return span


def _is_title_word(tok: "Token", lower_words: set[str]) -> bool:
    """'Treasurer' in 'Treasurer Jim Chalmers' is a title: a word the articles also write in lower case."""
    low = tok.lower_
    return low in TITLE_WORDS or (low in lower_words and tok.pos_ != "PROPN") or (
        low in lower_words and low.endswith(("er", "or", "ist", "ent", "ary")))


def _role_before(span: "Span") -> str | None:
    """A title right before a name: 'German Chancellor [Olaf Scholz]'."""
    doc = span.doc
    i = span.start - 1
    while i >= 0 and doc[i].lower_ in HONORIFICS:
        i -= 1
    words: list["Token"] = []
    while i >= span.sent.start:
        tok = doc[i]
        low = tok.lower_
        if tok.is_punct and tok.text not in ("-", "\u2011"):
            break
        if tok.pos_ in ("DET", "VERB", "AUX", "PRON", "ADP", "CCONJ", "SCONJ", "NUM") and low != "of":
            break
        if tok.tag_ == "POS" or low in ("'s", "\u2019s"):
            break
        if low == "of" and not (i > span.sent.start and doc[i - 1].lower_ in TITLE_WORDS):
            break
        words.insert(0, tok)
        i -= 1
    while words and words[0].lower_ == "of":
        words.pop(0)
    if not any(w.lower_ in TITLE_WORDS or w.lower_.replace("-", "") in TITLE_WORDS for w in words):
        return None
    return clean_space(doc[words[0].i:words[-1].i + 1].text) if words else None


def _role_after(span: "Span") -> str | None:
    """An apposition: '[Jens Stoltenberg], NATO secretary-general,' or '[Peskov]' as appos of 'spokesman'."""
    root = span.root
    for child in root.children:
        if child.dep_ == "appos" and child.i >= span.end:
            return _appos_text(child)
    if root.dep_ == "appos" and root.head.i < span.start:
        head = root.head
        if head.lower_ in TITLE_WORDS or any(t.lower_ in TITLE_WORDS for t in head.lefts):
            toks = [t for t in head.subtree if t.i < span.start and t.i >= head.left_edge.i]
            toks = [t for t in toks if not t.is_punct and t.pos_ not in ("DET", "PRON")]
            if toks:
                return clean_space(span.doc[toks[0].i:toks[-1].i + 1].text)
    return None


def _org_role(span: "Span") -> str | None:
    """A body's role is an apposition after its name: 'the Reserve Bank, the country's central bank'."""
    for child in span.root.children:
        if child.dep_ == "appos" and child.i >= span.end and child.pos_ == "NOUN" \
                and span.end < len(span.doc) and span.doc[span.end].text == ",":
            return _appos_text(child)
    return None


def _appos_text(head: "Token") -> str | None:
    toks = []
    for t in head.subtree:
        if t.dep_ in ("relcl", "acl") or t.lower_ in ("who", "which", "that"):
            break
        toks.append(t)
    toks = [t for t in toks if not (t.is_punct and t.text != "-")]
    while toks and toks[0].pos_ == "DET":
        toks.pop(0)
    if not toks or len(toks) > 10:
        return None
    text = clean_space(head.doc[toks[0].i:toks[-1].i + 1].text)
    return text if any(t.lower_ in TITLE_WORDS or t.pos_ == "NOUN" for t in toks) else None


def _split_joined(text: str) -> list[str]:
    """'Navalny-Peskov' names two people; 'Secretary-General' does not."""
    parts = re.split(r"[\-\u2013\u2014/]", text)
    if " " not in text and len(parts) > 1 and all(p[:1].isupper() and len(p) > 2 for p in parts):
        return parts
    return [text]


def _abbreviation(span: "Span") -> str | None:
    """'World Health Organization (WHO)': the short form in brackets right after a name."""
    doc = span.doc
    i = span.end
    if i + 1 < len(doc) and doc[i].text == "(":
        j = i + 1
        while j < len(doc) and doc[j].text != ")" and j - i <= 4:
            j += 1
        short = doc[i + 1:j].text.strip()
        if short and short[:1].isupper() and len(short) <= 12 and short != span.text:
            return short
    return None


def _mentions(corpus: Corpus, abbreviations: dict[str, str]) -> list[Mention]:
    out: list[Mention] = []
    for sent in corpus.sentences:
        for ent in sent.span.ents:
            if ent.label_ not in NAME_LABELS:
                continue
            span = _clean_entity(ent, corpus.lower_words)
            if span is None:
                continue
            short = _abbreviation(span)
            if short and len(span) > 1:
                abbreviations[_norm(short)] = _norm(span.text)
            parts = _split_joined(span.text)
            if len(parts) > 1:
                out += [Mention(p, "", sent.idx, sent.source, -1, -1, None) for p in parts]
                continue
            # 'Mr Bailey', 'Dr Okafor': an honorific makes a name a person's, whatever the model says.
            label = "PERSON" if span.start > 0 and span.doc[span.start - 1].lower_ in HONORIFICS else ent.label_
            # People get titles before or after their name; bodies only an apposition
            # ('the Reserve Bank, the country's central bank').
            role = (_role_before(span) or _role_after(span)) if label == "PERSON" else _org_role(span)
            indefinite = span.start > 0 and span.doc[span.start - 1].lower_ in ("a", "an")
            out.append(Mention(span.text, label, sent.idx, sent.source, span.start, span.end,
                               span.root, role, titled=role is not None or label != ent.label_,
                               indefinite=indefinite))
    return out


# ---------------------------------------------------------------- grouping

def _is_common_word(text: str, corpus: Corpus, nationalities: set[str]) -> bool:
    """Title-cased common words ('Guarantees', 'European Countries') occur in lower case elsewhere."""
    words = re.findall(r"[A-Za-z]+", text)
    if not words or words[-1].lower() not in corpus.lower_words:
        return False
    return all(w.lower() in corpus.lower_words or w.lower() in nationalities for w in words)


def _person_forms(mentions: list[Mention]) -> dict[str, int]:
    """Full names (two or more words) that the model tags PERSON at least once."""
    forms: dict[str, int] = Counter()
    for m in mentions:
        if len(m.text.split()) >= 2 and m.label == "PERSON":
            forms[_norm(m.text)] += 1
    return forms


def _surname_key(norm: str, surnames: dict[str, str]) -> str | None:
    last = norm.split()[-1]
    if last in surnames:
        return surnames[last]
    for known, key in surnames.items():
        # Spelling variants of one surname ("Navalny"/"Navalnyy").
        if len(last) > 4 and known[:4] == last[:4] and fuzz.ratio(known, last) >= 88:
            return key
    return None


def _initials(norm: str) -> str:
    return "".join(w[0] for w in norm.split() if w not in ("of", "for", "and", "the", "de", "on"))


def _org_key(norm: str, known: dict[str, str], abbreviations: dict[str, str]) -> str:
    """One key for an organisation's full name, its abbreviation and its spelling variants."""
    if norm in abbreviations:
        return abbreviations[norm]
    if norm in known:
        return known[norm]
    compact = norm.replace(".", "")
    for other in list(known.values()):
        # 'RBA' for 'Reserve Bank of Australia'; 'Centres'/'Centers' in a long name.
        if " " not in compact and len(compact) >= 2 and compact == _initials(other) and len(other.split()) >= 2:
            return other
        if len(norm) >= 12 and len(other) >= 12 and fuzz.ratio(norm, other) >= 92:
            return other
    known[norm] = norm
    return norm


def _first_name_key(norm: str, full: dict[str, int], full_key: dict[str, str]) -> str | None:
    """'Wang' for 'Wang Yi': some names put the family name first; link when only one full name fits."""
    if " " in norm:
        return None
    hits = {full_key[f] for f in full if f.split()[0] == norm and len(f.split()) == 2}
    return hits.pop() if len(hits) == 1 else None


def _group(mentions: list[Mention], corpus: Corpus, abbreviations: dict[str, str]) -> dict[tuple[str, str], Group]:
    gaz = gazetteer()
    full = _person_forms(mentions)
    full_key, surnames = _person_keys(full)
    nationalities = {fold(m.text) for m in mentions if m.label == "NORP"}
    orgs: dict[str, str] = {}
    groups: dict[tuple[str, str], Group] = {}
    for m in mentions:
        norm = _norm(m.text)
        if not norm or norm in _TIME_WORDS or _is_common_word(m.text, corpus, nationalities):
            continue
        pkey = full_key.get(norm) or _surname_key(norm, surnames) or _first_name_key(norm, full, full_key)
        iso = gaz.country(norm)
        if pkey and (len(norm.split()) == 1 or norm in full or m.label == "PERSON"):
            key = ("p", pkey)
        elif iso:
            key = ("c", iso)
        else:
            key = ("n", _org_key(norm, orgs, abbreviations))
        groups.setdefault(key, Group(key)).mentions.append(m)
    _add_untagged(groups, corpus)
    return groups


def _person_keys(full: dict[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    """Group keys for full names, and for a bare surname the key it stands for.

    One surname is one person unless the cluster names people with different first
    initials under it ('Shinzo Abe' and 'Akie Abe'): then each full name is its own
    person and a bare surname goes to the one named most.
    """
    by_last: dict[str, list[str]] = defaultdict(list)
    for form in full:
        by_last[form.split()[-1]].append(form)
    full_key: dict[str, str] = {}
    surnames: dict[str, str] = {}
    for last, forms in by_last.items():
        initials = {f.split()[0][:1] for f in forms}
        if len(initials) > 1:
            for f in forms:
                full_key[f] = f
            surnames[last] = max(forms, key=lambda f: (full[f], len(f)))
        else:
            for f in forms:
                full_key[f] = last
            surnames[last] = last
    return full_key, surnames


def _add_untagged(groups: dict[tuple[str, str], Group], corpus: Corpus) -> None:
    """Known surnames the model did not tag at all still count as mentions."""
    surnames: dict[str, Group] = {}
    for k, g in sorted(groups.items(), key=lambda kg: -len(kg[1].mentions)):
        if k[0] == "p":
            surnames.setdefault(k[1].split()[-1], g)
    seen = {(m.sent, m.start) for g in groups.values() for m in g.mentions}
    for sent in corpus.sentences:
        for tok in sent.span:
            if tok.pos_ == "PROPN" and tok.ent_type_ == "" and tok.lower_ in surnames \
                    and (sent.idx, tok.i) not in seen:
                surnames[tok.lower_].mentions.append(
                    Mention(tok.text, "", sent.idx, sent.source, tok.i, tok.i + 1, tok))


def _is_locative(m: Mention) -> bool:
    """'at the White House', 'in Brussels': the name is where something happens."""
    root = m.root
    return root is not None and root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPS


def _is_territory(m: Mention) -> bool:
    """'occupied X', 'annexation of X', 'reclaim X': the name is land that is held or taken."""
    root = m.root
    if root is None:
        return False
    if any(c.lemma_.lower() in TERRITORY_WORDS or c.lower_.split("-")[-1] in TERRITORY_WORDS for c in root.children):
        return True
    head = root.head.head if root.dep_ == "pobj" else root.head
    return root.dep_ in ("dobj", "pobj") and head.lemma_.lower() in TERRITORY_WORDS


def _is_channel(m: Mention, outlets: set[str]) -> bool:
    """'told Fox News', 'on Truth Social', 'the TASS news agency': a medium, not an actor."""
    if _norm(m.text) in outlets:
        return True
    words = m.text.lower().split()
    if words and words[-1] in MEDIA_NAME_ENDINGS and m.label != "PERSON":
        return True
    root = m.root
    if root is None:
        return False
    doc = root.doc
    nxt = doc[m.end] if m.end < len(doc) else None
    if nxt is not None and nxt.lower_ in MEDIA_NOUNS or (nxt is not None and nxt.lower_ == "news"):
        return True
    if root.dep_ in ("dobj", "dative") and root.head.lemma_ in ("tell", "give"):
        return True
    # 'Reuters reported', 'quoted by TASS', 'according to AFP': how news travels, not who acts.
    if root.dep_ == "nsubj" and root.head.lemma_ in _MEDIA_VERBS:
        return True
    if root.dep_ == "pobj" and root.head.lower_ == "to" and root.head.head.lower_ == "according":
        return True
    if root.dep_ == "pobj" and root.head.dep_ == "agent" and root.head.head.lemma_ in _MEDIA_VERBS:
        return True
    if root.dep_ == "pobj" and root.head.lower_ in ("on", "via", "through", "to"):
        verb = root.head.head
        if verb.lemma_ in SPEECH_VERBS or verb.lemma_ in ("speak", "post", "appear") or verb.lower_ in MEDIA_NOUNS:
            return True
    return False


def _is_acting(m: Mention) -> bool:
    """Subject of a verb, the agent of a passive, or the owner of a subject ('the mayor's team said')."""
    root = m.root
    if root is None:
        return False
    if root.dep_ in _SUBJECT_DEPS:
        return True
    if root.dep_ == "pobj" and root.head.dep_ == "agent":
        return True
    if root.dep_ == "poss" and root.head.dep_ in _SUBJECT_DEPS:
        return True
    return m.titled


def _speaks_or_decides(m: Mention) -> bool:
    """An organisation acts when it says, decides or does something agentive, not 'returns'."""
    if not _is_acting(m) or m.root is None:
        return False
    verb = m.root.head if m.root.dep_ != "poss" else m.root.head.head
    if m.root.dep_ == "pobj":
        verb = verb.head.head
    return verb.lemma_ in SPEECH_VERBS or verb.lemma_ in ACTION_VERBS


def _named_often(group: Group) -> bool:
    """Several outlets keep naming it, mostly as a participant: 'fined Volkswagen', not only as a
    modifier ('GDP growth', 'Covid rules'), which names a thing."""
    ms = group.mentions
    modifier = sum(1 for m in ms if m.root is not None and m.root.dep_ in ("compound", "amod", "nmod"))
    return len(group.sources) >= 2 and len(ms) >= 3 and modifier * 2 <= len(ms)


def _decide_kind(group: Group, outlets: set[str]) -> str | None:
    gaz = gazetteer()
    kind, key = group.key
    ms = group.mentions
    labels = Counter(m.label for m in ms if m.label)
    if kind == "p":
        return "person"
    if kind == "c":
        # A country acts as the subject itself; 'Australia's central bank' is the bank acting.
        return "country" if any(m.root is not None and m.root.dep_ in _SUBJECT_DEPS for m in ms) else None
    norm = key
    channel = sum(_is_channel(m, outlets) for m in ms)
    if channel * 2 >= len(ms):
        return None
    if gaz.is_place(norm) and not any(m.titled for m in ms):
        return None
    top = labels.most_common(1)[0][0] if labels else ""
    if top in ("GPE", "LOC", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "NORP"):
        return None
    locative = sum(_is_locative(m) for m in ms)
    if locative * 2 >= len(ms):
        return None
    if any(_is_territory(m) for m in ms) and not any(_speaks_or_decides(m) for m in ms):
        return None
    if top == "PERSON":
        # Reporters introduce people by full name; a lone word tagged PERSON is usually a place
        # or a thing the small model got wrong, unless a title vouches for it.
        return "person" if any(m.titled for m in ms) else None
    if any(m.indefinite for m in ms):
        return None  # 'declared a PHEIC': a designation, not a body
    # A body acts when it says or decides something, or when several outlets keep naming it.
    if top == "ORG" and (any(_speaks_or_decides(m) for m in ms) or _named_often(group)):
        return "organization"
    return None


def _display_name(group: Group) -> str:
    if group.kind == "country":
        return gazetteer().country_names.get(group.key[1], group.mentions[0].text)
    forms = Counter(clean_space(m.text) for m in group.mentions)
    if group.kind == "person":
        multi = {f: c for f, c in forms.items() if len(f.split()) >= 2}
        if multi:
            return max(multi, key=lambda f: (multi[f], len(f)))
    return max(forms, key=lambda f: (forms[f], f.isupper(), len(f)))


def _choose_role(group: Group) -> str | None:
    roles = [m.role for m in group.mentions if m.role]
    if not roles:
        return None
    votes = Counter(fold(r) for r in roles)
    best = max(votes, key=lambda r: (votes[r], len(r)))
    display = Counter(r for r in roles if fold(r) == best).most_common(1)[0][0]
    return display[:1].upper() + display[1:]


def _capital_metonyms(groups: dict[tuple[str, str], Group], outlets: set[str]) -> None:
    """'Moscow did not confirm': a capital acting stands for its country's government."""
    gaz = gazetteer()
    for key, group in list(groups.items()):
        if key[0] != "n":
            continue
        iso = gaz.capital_of(key[1])
        acting = [m for m in group.mentions if _is_acting(m) and not _is_channel(m, outlets)]
        if iso and acting:
            target = groups.setdefault(("c", iso), Group(("c", iso)))
            target.mentions.extend(acting)
            target.extra_aliases.add(acting[0].text)


def _group_actors(corpus: Corpus) -> dict[str, Group]:
    """Nationality + collective noun subjects: 'European leaders', 'German officials'."""
    groups: dict[str, Group] = {}
    for sent in corpus.sentences:
        for tok in sent.span:
            if tok.lower_ in GROUP_NOUNS and tok.dep_ in _SUBJECT_DEPS and tok.tag_ in ("NNS", "NNPS"):
                mods = [c for c in tok.lefts if c.ent_type_ == "NORP" and c.dep_ in ("amod", "compound")]
                if mods:
                    name = f"{mods[0].text} {tok.lower_}"
                    g = groups.setdefault(fold(name), Group(("g", fold(name))))
                    g.mentions.append(Mention(name, "NORP", sent.idx, sent.source, mods[0].i, tok.i + 1, tok))
    return {k: g for k, g in groups.items() if len(g.mentions) >= 2}


def find_actors(corpus: Corpus) -> ActorIndex:
    """Actors of the cluster, ranked by how many outlets mention them and how often."""
    outlets = {_norm(a.outlet) for a in corpus.articles if a.outlet}
    abbreviations: dict[str, str] = {}
    mentions = _mentions(corpus, abbreviations)
    groups = _group(mentions, corpus, abbreviations)
    _capital_metonyms(groups, outlets)
    for group in groups.values():
        group.kind = _decide_kind(group, outlets)
    for key, g in _group_actors(corpus).items():
        g.kind = "group"
        groups[("g", key)] = g
    actors: list[Actor] = []
    by_sentence: dict[int, list[tuple[int, str]]] = defaultdict(list)
    tokens: dict[int, set[int]] = defaultdict(set)
    at: dict[tuple[int, int], str] = {}
    for group in groups.values():
        if not group.kind:
            continue
        group.name = _display_name(group)
        aliases = sorted({clean_space(m.text) for m in group.mentions} | group.extra_aliases - {group.name})
        actors.append(Actor(name=group.name, kind=group.kind, role=_choose_role(group) if group.kind in ("person", "organization") else None,
                            aliases=[a for a in aliases if a != group.name], mentions=len(group.mentions),
                            sources=sorted(group.sources, key=lambda s: int(s[1:]))))
        for m in group.mentions:
            by_sentence[m.sent].append((m.start, group.name))
            tokens[m.sent].update(range(m.start, m.end))
            for t in range(m.start, m.end):
                at[(m.sent, t)] = group.name
    weight = {"person": 0, "organization": 0, "group": 1, "country": 2}
    actors.sort(key=lambda a: (-(len(a.sources) - weight[a.kind]), -a.mentions, a.name))
    ordered = {s: list(dict.fromkeys(n for _, n in sorted(v))) for s, v in by_sentence.items()}
    return ActorIndex(actors, ordered, dict(tokens), at)
