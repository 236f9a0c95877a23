"""Small text helpers shared by the extraction methods."""
from __future__ import annotations

import functools
import re
import unicodedata

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def fold(text: str) -> str:
    """Lowercase, strip accents, straighten quotes and dashes, squeeze spaces."""
    text = unicodedata.normalize("NFKD", text).translate(_QUOTES)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).strip().lower()


@functools.lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of a folded word, with dashes dropped ("co-ordinate" = "coordinate")."""
    word = fold(word).replace("-", "")
    return _stemmer().stemWord(word)


def clean_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
