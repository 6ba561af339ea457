"""Importers (GeoNames, Wikidata, OpenSanctions): small files in each source's exact format, imported,
loaded back and matched."""
import bz2
import gzip
import json
import math
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, strategies as st

from entityres.cli import main
from entityres.gazetteer.importers import import_geonames, import_opensanctions, import_wikidata
from entityres.gazetteer.importers.core import prominence, yaml_str
from entityres.gazetteer.loader import load_gazetteer
from entityres.gazetteer.match import MATCH_THRESHOLD
from entityres.gazetteer.yaml_source import SourceError

DATA = Path(__file__).parent / "data" / "importers"
TABLE = DATA / "geonames_table.txt"
ALT = DATA / "geonames_alternate_names.txt"


def load_alone(path):
    gz = load_gazetteer([path], bundled=False, cache=False, strict=True)
    assert not gz.errors()
    return gz


def top(gz, name, lang, type=None):
    matches = gz.match(name, lang=lang, type=type)
    return matches[0].entry.id if matches else None


def accepted(gz, name, lang, type=None):
    return {m.entry.id for m in gz.match(name, lang=lang, type=type) if m.score >= MATCH_THRESHOLD}


# --- GeoNames ------------------------------------------------------------------------------------

def test_geonames_round_trip(tmp_path):
    out = tmp_path / "places.yaml"
    report = import_geonames(TABLE, out, ALT, link=False, progress=False)
    gz = load_alone(out)
    assert report.entries == len(gz) == 9  # all of class A and P; the river (H) is not kept by default
    kabul = gz["place:kabul"]
    assert (kabul.kind, kabul.geonames, kabul.wikidata) == ("city", 1138958, "Q5838")
    assert kabul.parent == "place:kabul-1138957" and kabul.country == "place:afghanistan"
    assert gz[kabul.parent].kind == "province" and gz[kabul.parent].parent == "place:afghanistan"
    assert [a.name for a in kabul.names["fa"]] == ["کابل"]
    assert [a.name for a in kabul.names["prs"]] == ["کابل"]  # fa-AF
    assert [a.name for a in kabul.names["und-Arab"]] == ["کابول"]  # no language: filed by script
    assert "ru" not in kabul.names  # not a kept language
    assert all(a.source == "geonames" for aliases in kabul.names.values() for a in aliases)
    assert gz["place:afghanistan"].kind == "country" and gz["place:afghanistan"].parent is None
    assert gz["place:herat"].name == "Herāt" and gz["place:herat"].parent == "place:herat-1140025"
    # a city and its province share a name in GeoNames: both are candidates
    assert accepted(gz, "کابل", "fa") == {"place:kabul", "place:kabul-1138957"}
    assert "place:tehran" in accepted(gz, "طهران", "ar")
    assert "place:herat" in accepted(gz, "هرات", "prs")
    assert top(gz, "ولایت هرات", "fa") == "place:herat-1140025"
    assert top(gz, "افغانستان", "fa") == "place:afghanistan"


def test_geonames_options(tmp_path):
    out = tmp_path / "places.yaml"
    import_geonames(TABLE, out, ALT, languages=["fa"], min_population=1000, classes=["A", "P", "H"], link=False,
                    progress=False)
    gz = load_alone(out)
    assert "place:deh-e-kuchak" not in gz  # 120 people
    assert gz["place:kabul-river"].kind == "feature"
    assert set(gz["place:tehran"].names) == {"en", "fa"}
    with pytest.raises(ValueError, match="feature class"):
        import_geonames(TABLE, out, classes=["X"], link=False)


def test_geonames_ids_do_not_depend_on_input_order(tmp_path):
    reversed_table = tmp_path / "reversed.txt"
    reversed_table.write_text("".join(reversed(TABLE.read_text(encoding="utf-8").splitlines(True))), encoding="utf-8")
    import_geonames(TABLE, tmp_path / "a.yaml", ALT, link=False, progress=False)
    import_geonames(reversed_table, tmp_path / "b.yaml", ALT, link=False, progress=False)
    a, b = load_alone(tmp_path / "a.yaml"), load_alone(tmp_path / "b.yaml")
    assert {e.id: e.geonames for e in a} == {e.id: e.geonames for e in b}
    # the city outranks the province of the same name and keeps the bare slug; nothing is dropped
    assert a["place:tehran"].kind == "city" and a["place:tehran-110791"].kind == "province"


def test_geonames_links_to_bundled_entries(tmp_path):
    out = tmp_path / "places.yaml"
    report = import_geonames(TABLE, out, ALT, progress=False)
    assert report.linked == 5  # Afghanistan, Iran, Kabul, Herat, Tehran have the same GeoNames IDs there
    bundled = load_gazetteer()
    gz = load_gazetteer([out], cache=False, strict=True)
    assert not gz.errors()
    kabul = gz["place:kabul"]
    assert kabul.parent == bundled["place:kabul"].parent == "place:afghanistan"  # curated fields kept
    assert kabul.name == bundled["place:kabul"].name
    assert "کابول" in [a.name for a in kabul.names["und-Arab"]]
    # the provinces (not in the bundled data under these GeoNames IDs) never take a bundled ID
    assert gz["place:kabul-1138957"].kind == "province"
    assert len(gz) == len(bundled) + 4


@pytest.mark.parametrize("suffix,opener", [(".gz", gzip.open), (".bz2", bz2.open)])
def test_geonames_compressed_input(tmp_path, suffix, opener):
    for src in (TABLE, ALT):
        with open(src, "rb") as f, opener(tmp_path / (src.name + suffix), "wb") as g:
            shutil.copyfileobj(f, g)
    import_geonames(TABLE, tmp_path / "plain.yaml", ALT, link=False, progress=False)
    import_geonames(tmp_path / (TABLE.name + suffix), tmp_path / "packed.yaml", tmp_path / (ALT.name + suffix),
                    link=False, progress=False)
    assert (tmp_path / "plain.yaml").read_text().split("\n", 1)[1] == (tmp_path / "packed.yaml").read_text().split("\n", 1)[1]


def test_geonames_malformed_input_names_file_and_line(tmp_path):
    lines = TABLE.read_text(encoding="utf-8").splitlines(True)
    bad = tmp_path / "bad.txt"
    bad.write_text("".join(lines[:2]) + "1\tX\tX\n" + "".join(lines[2:]), encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.txt:3: expected 19 tab-separated columns"):
        import_geonames(bad, tmp_path / "o.yaml", link=False, progress=False)
    cols = lines[1].split("\t")
    cols[14] = "many"
    bad.write_text(lines[0] + "\t".join(cols), encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.txt:2: population: expected a whole number"):
        import_geonames(bad, tmp_path / "o.yaml", link=False, progress=False)
    bad.write_bytes(lines[0].encode() + b"\xff\xfe\n")
    with pytest.raises(SourceError, match=r"bad\.txt:2: not UTF-8"):
        import_geonames(bad, tmp_path / "o.yaml", link=False, progress=False)
    bad.write_text(lines[0] + lines[0], encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.txt:2: 1149361 given again \(first on line 1\)"):
        import_geonames(bad, tmp_path / "o.yaml", link=False, progress=False)
    alt = tmp_path / "alt.txt"
    alt.write_text("1\t1149361\tfa\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"alt\.txt:1: expected 10 tab-separated columns"):
        import_geonames(TABLE, tmp_path / "o.yaml", alt, link=False, progress=False)


def test_geonames_country_info_gives_countries_to_a_table_without_them(tmp_path):
    cities = tmp_path / "cities.txt"
    cities.write_text("".join(l for l in TABLE.read_text(encoding="utf-8").splitlines(True) if "\tP\t" in l),
                      encoding="utf-8")
    info = tmp_path / "countryInfo.txt"
    info.write_text("#ISO\tISO3\n" + "\t".join(["AF", "AFG", "004", "AF", "Afghanistan", "Kabul", "647500", "37172386",
                                                 "AS", ".af", "AFN", "Afghani", "93", "", "", "fa-AF,ps", "1149361", "", ""])
                    + "\n", encoding="utf-8")
    import_geonames(cities, tmp_path / "o.yaml", ALT, country_info=info, link=False, progress=False)
    alone = yaml.safe_load((tmp_path / "o.yaml").read_text(encoding="utf-8"))
    assert all("parent" not in e for e in alone["entries"])  # the country is neither imported nor bundled
    import_geonames(cities, tmp_path / "o.yaml", ALT, country_info=info, progress=False)
    gz = load_gazetteer([tmp_path / "o.yaml"], cache=False, strict=True)
    assert gz["place:deh-e-kuchak"].parent == "place:afghanistan"  # the bundled country of that GeoNames ID


@given(st.text(min_size=1, max_size=30))
@example("a\n")  # a plain word and a newline: "$" matched before it, and the newline was lost
def test_yaml_str_reads_back_as_the_same_string(text):
    assert yaml.safe_load(f"a: [{yaml_str(text)}]") == {"a": [text]}
    assert yaml.safe_load(f"a: {yaml_str(text)}") == {"a": text}


def test_cli_import_geonames(tmp_path, capsys):
    out = tmp_path / "places.yaml"
    code = main(["gazetteer", "import", "geonames", str(TABLE), "--alternate-names", str(ALT), "--languages", "fa,ar",
                 "--min-population", "1000", "-o", str(out), "--no-link"])
    _, err = capsys.readouterr()
    assert code == 0 and "8 entries (0 people, 8 places)" in err
    assert set(load_alone(out)["place:kabul"].names) == {"en", "fa", "ar"}
    assert main(["gazetteer", "check", "--alone", str(out)]) == 0
    code = main(["gazetteer", "import", "geonames", str(ALT), "-o", str(out)])
    _, err = capsys.readouterr()
    assert code == 2 and f"{ALT}:1: expected 19 tab-separated columns" in err


# --- Wikidata ------------------------------------------------------------------------------------

WIKIDATA = DATA / "wikidata_dump.json"
SPARQL = DATA / "wikidata_sparql.json"


def test_wikidata_dump_round_trip(tmp_path):
    out = tmp_path / "wd.yaml"
    report = import_wikidata(WIKIDATA, out, link=False, progress=False)
    assert (report.people, report.places, report.skipped) == (3, 1, 2)  # a film and a property left out
    gz = load_alone(out)
    khamenei = gz["person:ali-khamenei"]
    assert khamenei.wikidata == "Q57336" and khamenei.description == "Supreme Leader of Iran since 1989"
    assert [a.name for a in khamenei.names["fa"]] == ["سید علی خامنه‌ای", "آیت‌الله خامنه‌ای"]
    assert "de" not in khamenei.names and all(a.source == "wikidata" for a in khamenei.names["ar"])
    assert khamenei.prominence == prominence(12) == round(math.log(13) / math.log(201), 3)
    # two people of one name: the one with more sitelinks keeps the plain slug
    assert gz["person:zahra-karimi"].wikidata == "Q999000001"
    assert gz["person:zahra-karimi-q999000004"].description == "Iranian painter"
    town = gz["place:qala-e-now"]
    assert (town.kind, town.geonames, [a.name for a in town.names["prs"]]) == ("city", 999000002, ["قلعه نو"])
    assert top(gz, "علي خامنئي", "ar") == "person:ali-khamenei"
    assert top(gz, "قلعه نو", "fa", type="place") == "place:qala-e-now"
    assert {m.entry.id for m in gz.match("زهرا کریمی", "fa")} >= {"person:zahra-karimi", "person:zahra-karimi-q999000004"}


def test_wikidata_links_and_references_to_bundled_entries(tmp_path):
    out = tmp_path / "wd.yaml"
    report = import_wikidata(WIKIDATA, out, progress=False)
    assert report.linked == 1
    gz = load_gazetteer([out], cache=False, strict=True)
    assert gz["person:ali-khamenei"].country == "place:iran"  # bundled, curated
    assert "آیت‌الله خامنه‌ای" in [a.name for a in gz["person:ali-khamenei"].names["fa"]]
    assert gz["person:zahra-karimi"].country == "place:afghanistan"  # P27 Q889, a bundled QID
    assert gz["place:qala-e-now"].country == "place:afghanistan"


def test_wikidata_dump_compressed_and_malformed(tmp_path):
    packed = tmp_path / "dump.json.bz2"
    packed.write_bytes(bz2.compress(WIKIDATA.read_bytes()))
    assert import_wikidata(packed, tmp_path / "a.yaml", link=False, progress=False).entries == 4
    lines = WIKIDATA.read_text(encoding="utf-8").splitlines(True)
    bad = tmp_path / "bad.json"
    bad.write_text("".join(lines[:3]) + '{"type":"item","id":"Q1",\n' + "".join(lines[3:]), encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.json:4: invalid JSON"):
        import_wikidata(bad, tmp_path / "b.yaml", link=False, progress=False)
    bad.write_text('{"something": 1}\n', encoding="utf-8")
    with pytest.raises(SourceError, match="expected Wikidata entity JSON"):
        import_wikidata(bad, tmp_path / "b.yaml", link=False, progress=False)


def test_wikidata_sparql_result(tmp_path):
    out = tmp_path / "q.yaml"
    assert import_wikidata(SPARQL, out, link=False, progress=False).entries == 2
    gz = load_alone(out)
    person, town = gz["person:zahra-karimi"], gz["place:qala-e-now"]
    assert {lang: [a.name for a in names] for lang, names in person.names.items()} == {
        "en": ["Zahra Karimi"], "fa": ["زهرا کریمی"], "ar": ["زهراء كريمي"]}
    assert person.prominence == prominence(3) and person.description == "Iranian physicist"
    assert town.kind == "city" and [a.name for a in town.names["fa"]] == ["قلعه نو", "قلعه‌نو", "قلعه ناو"]
    data = json.loads(SPARQL.read_text(encoding="utf-8"))
    del data["results"]["bindings"][1]["item"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.json: results\.bindings\[1\]: no \?item"):
        import_wikidata(bad, out, link=False, progress=False)
    data = json.loads(SPARQL.read_text(encoding="utf-8"))
    for row in data["results"]["bindings"]:
        row.pop("type", None)
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SourceError, match="people or places"):
        import_wikidata(bad, out, link=False, progress=False)
    report = import_wikidata(bad, out, entity_type="place", link=False, progress=False)
    assert (report.people, report.places) == (0, 2)
    assert load_alone(out)["place:zahra-karimi"].kind == "feature"  # no class given: a feature


# --- OpenSanctions -------------------------------------------------------------------------------

FTM = DATA / "opensanctions.ftm.json"


def test_opensanctions_round_trip(tmp_path):
    out = tmp_path / "os.yaml"
    report = import_opensanctions(FTM, out, link=False, progress=False)
    assert (report.people, report.skipped) == (3, 1)  # the company is no person
    gz = load_alone(out)
    rahimi = gz["person:hossein-rahimi"]  # in two datasets: keeps the plain slug
    assert {lang: [a.name for a in names] for lang, names in rahimi.names.items()} == {
        "en": ["Hossein Rahimi", "Hosein Rahimi"], "und-Arab": ["حسین رحیمی"]}  # no weak alias by default
    assert gz["person:hossein-rahimi-ofac-99999"].name == "Hossein Rahimi"
    assert [a.name for a in gz["person:vladimir-putin"].names["und-Cyrl"]] == ["Владимир Путин"]
    assert gz["person:vladimir-putin"].wikidata == "Q7747"
    assert top(gz, "حسين رحيمي", "ar") in {"person:hossein-rahimi", "person:hossein-rahimi-ofac-99999"}
    assert top(gz, "بوتين", "ar") == "person:vladimir-putin"
    import_opensanctions(FTM, out, weak_aliases=True, link=False, progress=False)
    assert "Abu Ali" in [a.name for a in load_alone(out)["person:hossein-rahimi"].names["en"]]


def test_opensanctions_links_to_bundled_people_and_countries(tmp_path):
    info = tmp_path / "countryInfo.txt"
    info.write_text("\n".join("\t".join([cc, "", "", "", name] + [""] * 11 + [gid, "", ""])
                              for cc, name, gid in (("IR", "Iran", "130758"), ("RU", "Russia", "2017370"))) + "\n",
                    encoding="utf-8")
    out = tmp_path / "os.yaml"
    assert import_opensanctions(FTM, out, country_info=info, progress=False).linked == 1
    gz = load_gazetteer([out], cache=False, strict=True)
    putin = gz["person:vladimir-putin"]
    assert putin.name == "Vladimir Putin" and "Владимир Путин" in [a.name for a in putin.names["und-Cyrl"]]
    assert gz["person:hossein-rahimi"].country == "place:iran"


def test_opensanctions_malformed(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(FTM.read_text(encoding="utf-8") + '{"id": "x", "schema": "Person", "properties": {"name": "X"}}\n',
                   encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.json:5: properties\.name: expected a list of strings"):
        import_opensanctions(bad, tmp_path / "o.yaml", link=False, progress=False)
    bad.write_text('{"id": "x", "schema": "Person"\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.json:1: invalid JSON"):
        import_opensanctions(bad, tmp_path / "o.yaml", link=False, progress=False)


def test_cli_import_wikidata_and_opensanctions(tmp_path, capsys):
    out = tmp_path / "x.yaml"
    assert main(["gazetteer", "import", "wikidata", str(SPARQL), "--types", "place", "-o", str(out), "--no-link"]) == 0
    assert [e.id for e in load_alone(out)] == ["place:qala-e-now"]
    assert main(["gazetteer", "import", "opensanctions", str(FTM), "--weak-aliases", "-o", str(out), "--no-link"]) == 0
    _, err = capsys.readouterr()
    assert "3 entries (3 people, 0 places)" in err and "1 source records left out" in err
