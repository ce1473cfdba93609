"""The bundled gazetteer: China's prefecture-level cities and the world's major cities, found by
their Chinese and common English names."""

import json
from importlib import resources

import pytest

from handlers.chapters.gazetteer import gazetteer
from handlers.chapters.names import place_key


@pytest.mark.parametrize("name,city,country", [
    ("苏州", "苏州", "CN"), ("苏州市", "苏州", "CN"), ("Suzhou", "苏州", "CN"), ("宿州", "宿州", "CN"),
    ("北京", "北京", "CN"), ("Beijing", "北京", "CN"), ("Xi'an", "西安", "CN"), ("乌鲁木齐", "乌鲁木齐", "CN"),
    ("Urumqi", "乌鲁木齐", "CN"), ("延边朝鲜族自治州", "延边", "CN"), ("香港", "香港", "CN"),
    ("台北", "台北", "CN"), ("纽约", "纽约", "US"), ("New York", "纽约", "US"), ("伦敦", "伦敦", "GB"),
    ("London", "伦敦", "GB"), ("新加坡", "新加坡", "SG"), ("东京", "东京", "JP"), ("巴黎", "巴黎", "FR"),
    ("悉尼", "悉尼", "AU"), ("洛杉矶", "洛杉矶", "US"), ("多伦多", "多伦多", "CA"), ("São Paulo", "圣保罗", "BR"),
    ("Frankfurt", "法兰克福", "DE"),
])
def test_cities_by_chinese_and_english_names(name, city, country):
    place = gazetteer().city(name)
    assert (place.name, place.country) == (city, country)


def test_the_bigger_city_comes_first_and_a_country_narrows():
    assert gazetteer().city("London").country == "GB"
    assert gazetteer().city("London", "CA").english == "London"
    assert gazetteer().city("Suzhou").province == "江苏"   # not 宿州 (安徽), a quarter its size
    assert gazetteer().city("纽约", "FR") is None


@pytest.mark.parametrize("name,province", [("江苏", "江苏"), ("江苏省", "江苏"), ("Jiangsu", "江苏"),
                                           ("广西", "广西"), ("广西壮族自治区", "广西"), ("新疆", "新疆"),
                                           ("内蒙古", "内蒙古"), ("加利福尼亚", "加利福尼亚")])
def test_provinces(name, province):
    assert gazetteer().provinces_named(name)[0].name == province


@pytest.mark.parametrize("name,code", [("美国", "US"), ("USA", "US"), ("United States", "US"),
                                       ("英国", "GB"), ("韩国", "KR"), ("日本", "JP"), ("德国", "DE"),
                                       ("中国", "CN")])
def test_countries(name, code):
    assert gazetteer().country_named(name).code == code


def test_every_province_of_china_has_its_prefecture_level_cities():
    data = json.loads(resources.files("handlers.chapters.data").joinpath("gazetteer.json").read_text("utf-8"))
    chinese = [p for p in data["places"] if p[3] == "CN"]
    assert len(chinese) >= 340                       # 333 prefecture-level, the municipalities, SARs …
    provinces = {p[1] for p in data["provinces"] if p[0] == "CN"}
    assert len(provinces) == 34
    assert provinces == {p[2] for p in chinese}
    jiangsu = {p[0] for p in chinese if p[2] == "江苏"}
    assert jiangsu == {"南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江",
                       "泰州", "宿迁"}
    assert all(-90 <= p[4] <= 90 and -180 <= p[5] <= 180 for p in data["places"])


def test_place_keys_fold_what_people_type_differently():
    assert place_key("ＮＥＷ  York") == place_key("new-york") == "newyork"
    assert place_key("苏州市") == place_key("苏州") == "苏州"
    assert place_key("São Paulo") == "saopaulo"
