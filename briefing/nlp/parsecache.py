"""Keep each article's parse on disk (spaCy DocBin), so a rebuild does not parse it again.

The key is a hash of the pipeline's name and version and the exact texts parsed, so a
changed article or a new model never reads a stale parse. A cache that cannot be read
or written costs time, never correctness.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

# Above this many characters the parse is split over both cores.
PARALLEL_CHARS = 400_000


class ParseCache:
    def __init__(self, folder: Path, nlp: "Language") -> None:
        self.folder = folder
        self.nlp = nlp
        meta = nlp.meta
        self.salt = f"{meta.get('name')}-{meta.get('version')}-{','.join(nlp.pipe_names)}"

    def key(self, texts: list[str]) -> str:
        h = hashlib.sha256(self.salt.encode())
        for t in texts:
            h.update(t.encode("utf-8", "surrogatepass") + b"\0")
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.spacy"

    def get(self, key: str) -> "list[Doc] | None":
        from spacy.tokens import DocBin

        try:
            data = self._path(key).read_bytes()
            return list(DocBin().from_bytes(data).get_docs(self.nlp.vocab))
        except FileNotFoundError:
            return None
        except Exception as exc:  # a damaged entry is parsed again
            log.debug("parse cache %s unreadable: %s", key, exc)
            return None

    def put(self, key: str, docs: "list[Doc]") -> None:
        from spacy.tokens import DocBin

        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(DocBin(store_user_data=False, docs=docs).to_bytes())
            os.replace(tmp, path)
        except OSError as exc:
            log.debug("parse cache not written: %s", exc)


def parse_groups(nlp: "Language", groups: list[list[str]], cache: ParseCache | None) -> list[list["Doc"]]:
    """Parse groups of texts (one group per article), reusing cached parses."""
    out: list[list["Doc"] | None] = [None] * len(groups)
    keys = [cache.key(g) for g in groups] if cache else []
    todo = []
    for i, group in enumerate(groups):
        docs = cache.get(keys[i]) if cache else None
        if docs is not None and len(docs) == len(group):
            out[i] = docs
        else:
            todo.append(i)
    texts = [t for i in todo for t in groups[i]]
    if texts:
        n_process = 2 if sum(map(len, texts)) > PARALLEL_CHARS and (os.cpu_count() or 1) > 1 else 1
        parsed = iter(nlp.pipe(texts, batch_size=256, n_process=n_process))
        for i in todo:
            out[i] = [next(parsed) for _ in groups[i]]
            if cache:
                cache.put(keys[i], out[i])
    log.info("parsed %d article(s), %d from the cache", len(todo), len(groups) - len(todo))
    return [docs or [] for docs in out]
