"""Gazetteer of Korean local governments: the rows are complete and consistent, and questions resolve to places."""

import ast
import subprocess
import sys
from collections import Counter, defaultdict
from importlib import resources

import pytest
import yaml

from assistant.gazetteer import Place, in_capital_region, places, province_of, resolve

from conftest import ROOT


def raw():
    return yaml.safe_load(resources.files("assistant.data").joinpath("gazetteer.yaml").read_text(encoding="utf-8"))


def one(text: str) -> Place:
    found = resolve(text)
    assert len(found) == 1, (text, [p.label for p in found])
    return found[0]


# --- the rows ---------------------------------------------------------------------------------------------------

def test_counts_per_kind():
    kinds = Counter(p.kind for p in places())
    assert kinds == {"특별시": 1, "광역시": 6, "특별자치시": 1, "도": 6, "특별자치도": 3, "시": 75, "군": 82, "자치구": 69}
    assert sum(1 for p in places() if p.province is None) == 17
    assert sum(1 for p in places() if p.province is not None) == 226


def test_header_names_sources_and_as_of_date():
    head = (ROOT / "assistant" / "data" / "gazetteer.yaml").read_text(encoding="utf-8").split("places:")[0]
    for source in ("지방자치단체 행정구역 및 인구 현황", "수도권정비계획법」 제2조", "지방자치법」 제2조"):
        assert source in head
    assert raw()["as_of"] == "2024-12-31"


def test_every_row_has_a_population_that_adds_up():
    """The populations were transcribed from one table: each 시·도 is the sum of its 시·군·구, the 17 sum to the
    national total, and a few rows are where they should be (the two largest cities, the smallest county)."""
    assert all(isinstance(p.population, int) and p.population > 0 for p in places())
    totals = defaultdict(int)
    for p in places():
        if p.province is not None:
            totals[p.province] += p.population
    provinces = {p.name: p for p in places() if p.province is None}
    assert {n: t for n, t in totals.items()} == {n: provinces[n].population for n in totals}
    assert sum(p.population for p in provinces.values()) == raw()["population_total"]
    cities = sorted((p for p in places() if p.kind == "시"), key=lambda p: -p.population)
    assert [p.name for p in cities[:2]] == ["수원시", "용인시"]
    assert min(places(), key=lambda p: p.population).name == "울릉군"
    assert raw()["population_as_of"] == "2025-12-31" and "주민등록인구" in raw()["population_source"]


def test_the_provinces():
    names = {p.name for p in places() if p.province is None}
    assert names == {"서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시", "울산광역시",
                     "세종특별자치시", "경기도", "강원특별자치도", "충청북도", "충청남도", "전북특별자치도", "전라남도",
                     "경상북도", "경상남도", "제주특별자치도"}


def test_rows_per_province_and_changes_since_2023():
    per = Counter(p.province for p in places() if p.province)
    assert per["서울특별시"] == 25 and per["경기도"] == 31 and per["대구광역시"] == 9 and per["경상북도"] == 22
    assert "세종특별자치시" not in per and "제주특별자치도" not in per  # no 기초; 제주시·서귀포시 are 행정시
    gunwi = [p for p in places() if p.name == "군위군"]
    assert [p.province for p in gunwi] == ["대구광역시"]


def test_every_local_row_has_an_existing_province_and_its_capital_region():
    provinces = {p.name: p for p in places() if p.province is None}
    assert {n for n, p in provinces.items() if p.capital_region} == {"서울특별시", "인천광역시", "경기도"}
    for p in places():
        if p.province is not None:
            assert p.province in provinces, p
            assert p.capital_region == provinces[p.province].capital_region, p
            assert province_of(p) is provinces[p.province]
            assert in_capital_region(p) == p.capital_region


def test_kinds_sit_under_the_right_provinces():
    kind_of = {p.name: p.kind for p in places() if p.province is None}
    for p in places():
        if p.kind == "자치구":
            assert kind_of[p.province] in ("특별시", "광역시"), p
        elif p.kind == "시":
            assert kind_of[p.province] in ("도", "특별자치도"), p
        elif p.kind == "군":
            assert kind_of[p.province] in ("광역시", "도", "특별자치도"), p


def test_names_unique_per_province():
    seen = Counter((p.province, p.name) for p in places())
    assert [k for k, n in seen.items() if n > 1] == []


def test_no_form_names_two_rows_outside_ambiguous():
    data = raw()
    rows = defaultdict(set)
    for r in data["places"]:
        label = r["name"] if r["province"] is None else f"{r['province']} {r['name']}"
        for form in [r["name"], r["en"], *r["short"]]:
            rows[form.lower()].add(label)
    shared = {form: labels for form, labels in rows.items() if len(labels) > 1}
    listed = {form.lower(): set(c) for form, c in data["ambiguous"].items()}
    assert shared == listed
    assert {"중구", "동구", "서구", "남구", "북구", "강서구", "고성군", "고성"} <= set(listed)
    assert all(len(c) > 1 for c in listed.values())


def test_fields_are_well_formed():
    for p in places():
        assert p.en and p.en.isascii() and isinstance(p.capital_region, bool), p
        assert all(isinstance(s, str) and s and s != p.name for s in p.short), p
        assert p.en.endswith("-gu") == (p.kind == "자치구"), p
    assert all("인구" not in str(r) for r in raw()["places"])  # no population or other figures


def test_areas_resolve_to_rows():
    labels = {p.label for p in places()}
    areas = raw()["areas"]
    assert {a["name"] for a in areas} >= {"송도", "판교", "해운대", "센텀시티", "동탄", "세종"}
    assert all(a["in"] in labels for a in areas)


# --- resolution -------------------------------------------------------------------------------------------------

def test_hwaseong_question():
    p = one("화성시는 인구 90만인데 신청돼요?")
    assert (p.name, p.province, p.capital_region) == ("화성시", "경기도", True)


def test_songdo_is_yeonsu_gu_in_incheon():
    p = one("송도에 공장 옮기면")
    assert (p.name, p.province) == ("연수구", "인천광역시") and in_capital_region(p)


def test_haeundae_gu_is_not_daegu():
    assert [p.label for p in resolve("해운대구")] == ["부산광역시 해운대구"]
    assert all(p.name != "대구광역시" for p in resolve("해운대구에 있는 센텀시티"))


def test_cheongju():
    p = one("청주")
    assert (p.name, p.province, p.capital_region) == ("청주시", "충청북도", False)


def test_ambiguous_short_name_needs_its_province():
    assert one("부산 중구").label == "부산광역시 중구"
    assert resolve("중구") == []
    assert resolve("중구청 위치가 어디예요?") == []
    assert [p.label for p in resolve("서울 중구와 부산 중구")] == ["서울특별시 중구", "부산광역시 중구"]
    assert one("Jung-gu, Busan").label == "부산광역시 중구"
    assert one("경남 고성군").label == "경상남도 고성군"
    assert one("Goseong, Gangwon").label == "강원특별자치도 고성군"
    assert resolve("고성") == [] and resolve("Goseong") == []
    assert one("광주 북구").label == "광주광역시 북구"


def test_english_names_whole_words_case_insensitive():
    assert one("Changwon").name == "창원시"
    assert one("a plant in CHANGWON?").name == "창원시"
    assert resolve("Changwonese") == []
    assert one("Gyeonggi-do Hwaseong").name == "화성시"


def test_gunwi_is_in_daegu():
    p = one("군위군")
    assert p.province == "대구광역시" and province_of(p).name == "대구광역시"


@pytest.mark.parametrize("text,label", [
    ("판교 테크노밸리 입주", "경기도 성남시"),
    ("센텀시티 사무실", "부산광역시 해운대구"),
    ("동탄 신도시", "경기도 화성시"),
    ("세종으로 이전하면", "세종특별자치시"),
    ("경기 광주에 공장", "경기도 광주시"),
    ("광주에 공장", "광주광역시"),
    ("군위군", "대구광역시 군위군"),
])
def test_areas_and_short_forms(text, label):
    assert one(text).label == label


def test_longest_match_first_and_qualifying_province_dropped():
    assert [p.label for p in resolve("서울과 강남구")] == ["서울특별시 강남구", "서울특별시"]
    assert [p.label for p in resolve("서울 강남구")] == ["서울특별시 강남구"]


def test_everyday_words_are_not_places():
    for text in ("예산 지원이 되나요", "경기 침체 지역", "고령화 대응", "권한을 부여", "역량 함양", "", "   "):
        assert resolve(text) == [], text


def test_every_name_resolves_to_itself_when_qualified():
    for p in places():
        text = p.name if p.province is None else f"{p.province} {p.name}"
        assert resolve(text) == [p], text


# --- the module -------------------------------------------------------------------------------------------------

def test_import_assistant_does_not_load_the_gazetteer():
    code = "import sys, assistant; print('assistant.gazetteer' in sys.modules, 'yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "False"


def test_module_size_limits():
    source = (ROOT / "assistant" / "gazetteer.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) < 200
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            assert node.end_lineno - node.lineno + 1 < 40, node.name


def test_gwangju_si_alone_is_ambiguous_between_the_metropolitan_city_and_the_gyeonggi_city():
    """People say 광주시 of 광주광역시 as often as of 경기도 광주시: alone it names neither (the checker then asks)."""
    from assistant.gazetteer import resolve

    assert resolve("광주시도 신청돼요?") == []
    assert [p.label for p in resolve("경기도 광주시")] == ["경기도 광주시"]
    assert [p.label for p in resolve("광주 특구")] == ["광주광역시"]
