"""The gazetteer format, loader and merge rules: good files load, bad ones name file, line and field."""
import logging
import textwrap
import warnings

import pytest

from entityres.gazetteer import GazetteerError, Gazetteer, load_gazetteer, read_file
from entityres.gazetteer.schema import Alias, Entry

GOOD = """\
source: test-notes
entries:
  - id: person:ada-example
    type: person
    name: Ada Example
    wikidata: Q42
    names:
      en: [Ada Example, A. Example]
      fa: [آدا اگزمپل]
      ar: [{name: آدا إكزامبل, source: newswire}]
  - id: place:exampleton
    type: place
    name: Exampleton
    kind: city
    geonames: 123
    parent: place:examplestan
    names:
      fa: اگزمپلتون
  - id: place:examplestan
    type: place
    name: Examplestan
    kind: country
    names: {}
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path, text, name="bad.yaml"):
    path = write(tmp_path, name, text)
    with pytest.raises(GazetteerError) as info:
        read_file(path)
    return str(info.value)


def test_good_file_loads_with_sources_and_lines(tmp_path):
    entries = read_file(write(tmp_path, "good.yaml", GOOD))
    (ada, line), (town, _), _ = entries
    assert line == 3
    assert ada.wikidata == "Q42"
    assert [a.source for a in ada.names["fa"]] == ["test-notes"]  # the file's source
    assert [a.source for a in ada.names["ar"]] == ["newswire"]  # the alias's own
    assert [a.name for a in town.names["fa"]] == ["اگزمپلتون"]  # a single string is a list of one
    assert ("en", "Ada Example") in ada.aliases() and ("fa", "آدا اگزمپل") in ada.aliases()


def test_entries_given_the_same_fields_share_their_record_and_a_changed_copy_does_not():
    a, b = (Entry.model_validate({"id": f"person:{x}", "type": "person", "name": x.upper()}) for x in "ab")
    c = Entry.model_validate({"id": "person:c", "type": "person", "name": "C", "wikidata": "Q1"})
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__  # one set, not one an entry
    assert a.model_fields_set == {"id", "type", "name"} and c.model_fields_set == {"id", "type", "name", "wikidata"}
    changed = a.model_copy(update={"wikidata": "Q2"})
    assert changed.model_fields_set == {"id", "type", "name", "wikidata"}
    with pytest.raises(ValueError):
        b.name = "Z"  # frozen
    assert a.model_fields_set == b.model_fields_set == {"id", "type", "name"}


def test_an_alias_is_a_small_frozen_record_validated_as_the_file_gives_it():
    entry = Entry.model_validate({"id": "person:x", "type": "person", "name": "X",
                                  "names": {"fa": ["  ایکس  یک "], "en": [{"name": "Ex", "source": "notes"}]}})
    alias = entry.names["fa"][0]
    assert alias == Alias(name="ایکس یک") and not hasattr(alias, "__dict__")  # slots: no dict an alias
    with pytest.raises(AttributeError):
        alias.name = "y"
    assert entry.model_dump()["names"] == {"fa": ({"name": "ایکس یک", "source": None},),
                                           "en": ({"name": "Ex", "source": "notes"},)}
    assert Entry.model_validate(entry.model_dump(mode="json")) == entry


PERSON_X = "entries:\n  - id: person:x\n    type: person\n    name: X\n"


@pytest.mark.parametrize("tail,expected", [
    ("    names:\n      fa: [ایکس, 12]\n", "bad.yaml:6: person:x: names.fa[1]: expected a name"),
    ("    names:\n      fa: [[ایکس]]\n", "bad.yaml:6: person:x: names.fa[0]: expected a name"),
    ("    wikidta: Q1\n", "bad.yaml:5: person:x: wikidta: unknown field"),
    ("    names:\n      en: ['  ']\n", "bad.yaml:6: person:x: names.en[0].name: empty name"),
    ("    names:\n      fa:\n        - {name: ایکس, sourse: x}\n", "bad.yaml:7: person:x: names.fa[0].sourse: unknown field"),
    ("    names:\n      fa:\n        - {source: x}\n", "bad.yaml:7: person:x: names.fa[0].name: missing required field"),
    ("    names: [X]\n", "bad.yaml:5: person:x: names:"),
])
def test_bad_field_names_file_line_and_field(tmp_path, tail, expected):
    assert expected in error_of(tmp_path, PERSON_X + tail)


def test_missing_name(tmp_path):
    assert ":2: person:x: name: missing required field" in error_of(tmp_path, """\
        entries:
          - id: person:x
            type: person
        """)


def test_bad_ids_qids_types_and_languages(tmp_path):
    assert "not an entry ID" in error_of(tmp_path, "entries:\n  - {id: Person X, type: person, name: X}\n")
    assert "does not start with its type" in error_of(tmp_path, "entries:\n  - {id: place:x, type: person, name: X}\n")
    assert "not a Wikidata QID" in error_of(tmp_path, "entries:\n  - {id: person:x, type: person, name: X, wikidata: '7747'}\n")
    assert "type" in error_of(tmp_path, "entries:\n  - {id: thing:x, type: thing, name: X}\n")
    assert "not a language code" in error_of(tmp_path, "entries:\n  - {id: person:x, type: person, name: X, names: {'1!': [X]}}\n")
    assert "places only" in error_of(tmp_path, "entries:\n  - {id: person:x, type: person, name: X, geonames: 5}\n")


def test_an_entry_made_is_taken_as_it_is_and_a_dict_is_checked():
    # A model that holds an entry (a Match) takes an Entry as it is: pydantic would run the entry's
    # consistency check again for each. Given as a dict, the entry is still checked.
    import pydantic

    from entityres import Match
    from entityres.explanation import Explanation
    from entityres.gazetteer.schema import Entry

    entry = Entry(id="person:x", type="person", name="X")
    assert Entry.model_validate(entry) is entry
    assert Match(entry=entry, score=1.0, explanation=Explanation(how="exact")).entry is entry
    # not checked again: even one made without a check (model_construct) is taken as it is
    unchecked = Entry.model_construct(id="place:x", type="person", name="X")
    assert Match(entry=unchecked, score=1.0, explanation=Explanation(how="exact")).entry is unchecked
    made = Match(entry={"id": "person:x", "type": "person", "name": "X"}, score=1.0, explanation=Explanation(how="exact"))
    assert made.entry == entry and made.entry.model_fields_set == entry.model_fields_set
    with pytest.raises(pydantic.ValidationError, match="does not start with its type"):
        Match(entry={"id": "place:x", "type": "person", "name": "X"}, score=1.0, explanation=Explanation(how="exact"))
    with pytest.raises(pydantic.ValidationError, match="places only"):
        Entry.model_validate({"id": "person:x", "type": "person", "name": "X", "geonames": 5})


def test_every_error_of_a_file_is_listed(tmp_path):
    msg = error_of(tmp_path, """\
        entries:
          - {id: person:a, type: person, name: A, colour: red}
          - {id: person:b, type: person, name: B, wikidata: x}
        """)
    assert ":2: person:a: colour" in msg and ":3: person:b: wikidata" in msg


def test_malformed_yaml_and_duplicate_keys(tmp_path):
    msg = error_of(tmp_path, "entries:\n  - id: person:x\n    name: [unclosed\n")
    assert "bad.yaml:4: invalid YAML" in msg and "started on line 3" in msg
    msg = error_of(tmp_path, "entries:\n  - id: person:x\n    type: person\n    name: X\n    name: Y\n")
    assert "bad.yaml:5: entries[0].name: duplicate key 'name' (first given on line 4)" in msg
    assert "expected a mapping" in error_of(tmp_path, "just a string\n")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("entries:\n  - {id: person:x, type: person, name: Jos\xe9}\n".encode("latin-1"))
    with pytest.raises(GazetteerError, match="latin1.yaml: not UTF-8"):
        read_file(path)


def test_empty_file_has_no_entries(tmp_path):
    assert read_file(write(tmp_path, "empty.yaml", "")) == []


def test_user_entry_extends_bundled_entry(tmp_path):
    write(tmp_path, "mine.yaml", """\
        entries:
          - id: person:vladimir-putin
            type: person
            name: Vladimir Putin
            names:
              fa: [پوتينِ تست]
            description: my note
        """)
    gz = load_gazetteer([tmp_path], cache=False)
    putin = gz["person:vladimir-putin"]
    fa = [a.name for a in putin.names["fa"]]
    assert "ولادیمیر پوتین" in fa and fa[-1] == "پوتينِ تست"  # bundled names kept, user's added
    assert putin.description == "my note"
    assert putin.wikidata == "Q7747"  # not set by the user: the bundled value stays
    assert any(i.kind == "override" and i.entry_id == "person:vladimir-putin" for i in gz.issues)


def test_user_entry_with_replace_replaces(tmp_path):
    write(tmp_path, "mine.yaml", """\
        entries:
          - {id: person:vladimir-putin, type: person, name: V. Putin, replace: true, names: {en: [V. Putin]}}
        """)
    putin = load_gazetteer([tmp_path], cache=False)["person:vladimir-putin"]
    assert putin.name == "V. Putin" and set(putin.names) == {"en"} and putin.wikidata is None


def test_new_user_entry_is_added_and_matched(tmp_path):
    write(tmp_path, "mine.yaml", GOOD)
    gz = load_gazetteer([tmp_path / "mine.yaml"], cache=False)
    assert "person:ada-example" in gz and "place:moscow" in gz
    assert gz.match("آدا اگزمپل", "fa")[0].entry.id == "person:ada-example"


def test_duplicate_id_in_one_load_is_reported_and_merged(tmp_path, caplog):
    write(tmp_path, "a.yaml", "entries:\n  - {id: person:dup, type: person, name: Dup, names: {en: [Dup One]}}\n")
    write(tmp_path, "b.yaml", "entries:\n  - {id: person:dup, type: person, name: Dup, names: {en: [Dup Two]}}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # logged through the library's logger, not a Python warning
        with caplog.at_level(logging.WARNING, logger="entityres"):
            gz = load_gazetteer([tmp_path], bundled=False, cache=False)
    assert any("duplicate_id" in r.getMessage() and r.name.startswith("entityres") for r in caplog.records)
    names = [a.name for a in gz["person:dup"].names["en"]]
    assert names == ["Dup One", "Dup Two"]  # nothing the user wrote is lost
    (issue,) = [i for i in gz.issues if i.kind == "duplicate_id"]
    assert issue.file.endswith("b.yaml") and issue.line == 2 and "a.yaml:2" in issue.message
    with pytest.raises(GazetteerError, match="duplicate_id"):
        load_gazetteer([tmp_path], bundled=False, cache=False, strict=True)


def test_shared_alias_is_kept_on_both_and_marked(tmp_path):
    write(tmp_path, "a.yaml", """\
        entries:
          - {id: place:springfield-east, type: place, name: Springfield East, names: {en: [Springfield]}}
          - {id: place:springfield-west, type: place, name: Springfield West, names: {en: [Springfield]}}
        """)
    gz = load_gazetteer([tmp_path], bundled=False, cache=False)
    assert any(i.kind == "shared_alias" and "springfield" in i.message for i in gz.issues)
    found = gz.match("Springfield")
    assert {m.entry.id for m in found[:2]} == {"place:springfield-east", "place:springfield-west"}
    assert all(m.explanation.ambiguous for m in found[:2])
    assert found[0].score < 1.0  # an ambiguous alias is weighed down


def test_dangling_reference_is_an_error(tmp_path, caplog):
    write(tmp_path, "a.yaml", "entries:\n  - {id: place:x, type: place, name: X, parent: place:nowhere}\n")
    with caplog.at_level(logging.WARNING, logger="entityres"):
        gz = load_gazetteer([tmp_path], bundled=False, cache=False)
    assert [r.getMessage() for r in caplog.records] == [str(gz.errors()[0])]
    assert "a.yaml:2: error: dangling_reference" in caplog.records[0].getMessage()
    assert [i.kind for i in gz.errors()] == ["dangling_reference"]


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(GazetteerError, match="no such file or folder"):
        load_gazetteer([tmp_path / "absent.yaml"], cache=False)


def test_errors_of_several_files_are_all_reported(tmp_path):
    write(tmp_path, "a.yaml", "entries:\n  - {id: person:a, type: person}\n")
    write(tmp_path, "b.yaml", "entries: [\n")
    with pytest.raises(GazetteerError) as info:
        load_gazetteer([tmp_path], bundled=False, cache=False)
    assert "a.yaml:2" in str(info.value) and "b.yaml" in str(info.value)


def test_from_entries_validates():
    gz = Gazetteer.from_entries([{"id": "person:q1", "type": "person", "name": "Ada Example"}], cache=False)
    assert len(gz) == 1 and gz.get("person:q1").name == "Ada Example"
    with pytest.raises(ValueError):
        Gazetteer.from_entries([{"id": "person:q1", "type": "person"}], cache=False)


# --- entries held in their stored form (entityres.gazetteer.entries.StoredEntry)

STORED = [
    {"id": "person:ada-example", "type": "person", "name": "Ada Example", "wikidata": "Q42", "prominence": 0.0,
     "names": {"en": ["Ada Example", "A. Example"], "ar": [{"name": "آدا إكزامبل", "source": "newswire"}]}},
    {"id": "place:exampleton", "type": "place", "name": "Exampleton", "kind": "city", "geonames": 123,
     "parent": "place:examplestan", "country": "place:examplestan", "names": {"fa": ["اگزمپلتون"]}},
    {"id": "place:examplestan", "type": "place", "name": "Examplestan", "kind": "country", "replace": True},
]


@pytest.mark.parametrize("raw", STORED, ids=lambda r: r["id"])
def test_a_stored_entry_reads_and_makes_the_entry_it_was_made_from(raw):
    from entityres.gazetteer.entries import StoredEntry, made, stored

    entry = Entry.model_validate(raw)
    held = stored(entry)
    assert isinstance(held, StoredEntry) and stored(held) is held
    for field in Entry.model_fields:
        assert getattr(held, field) == getattr(entry, field), field
    assert held.aliases() == entry.aliases() and held.aliases(sources=True) == entry.aliases(sources=True)
    again = made(held)
    assert type(again) is Entry and again == entry and again is not made(held)
    assert again.model_fields_set == entry.model_fields_set  # what the merge of a user's entry reads
    # made as model_construct makes it, field by field in the model's order
    constructed = Entry.model_construct(held._given, **{f: getattr(held, f) for f in Entry.model_fields})
    assert list(again.__dict__.items()) == list(constructed.__dict__.items()) and repr(again) == repr(constructed)
    assert again.__pydantic_extra__ is None and again.__pydantic_private__ is None
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        again.name = "Another"  # still frozen
    assert again.model_dump(mode="json", exclude_defaults=True) == entry.model_dump(mode="json", exclude_defaults=True)
    assert held == entry and entry == held and held == stored(Entry.model_validate(raw))
    other = entry.model_copy(update={"name": entry.name + " Jr"})
    assert held != other and other != held and held != stored(other)
    with pytest.raises(AttributeError):
        held.nickname  # noqa: B018 - not a field
    import copy
    import pickle

    for again in (pickle.loads(pickle.dumps(held)), copy.deepcopy(held)):  # to Spark's workers, batch processes
        assert type(again) is StoredEntry and again == entry and made(again) == entry


def test_an_entry_made_from_its_stored_form_needs_nothing_model_construct_would_add():
    # StoredEntry.entry() sets the model's dict itself: every default it fills in must be shared
    # safely, and the model must have nothing else that model_construct would set up
    from entityres.gazetteer.entries import _OTHER_FIELDS

    assert all(v is None or type(v) in (bool, int, float, str, tuple) for v in _OTHER_FIELDS.values())
    assert all(Entry.model_fields[f].default_factory is None for f in _OTHER_FIELDS)
    assert Entry.__pydantic_post_init__ is None and not Entry.__private_attributes__
    assert Entry.model_config.get("extra") == "forbid"


def test_a_gazetteer_holds_stored_entries_and_makes_each_entry_once_when_asked():
    from entityres.gazetteer.entries import StoredEntry

    gz = Gazetteer.from_entries(STORED, cache=False)
    gz.index  # noqa: B018 - the build reads the stored form
    assert all(type(e) is StoredEntry for e in gz._entries._made)
    assert [m.entry.id for m in gz.match("Exampleton", limit=1)] == ["place:exampleton"]
    assert len(gz.match("Examplestan Exampleton", limit=3)) > 1
    # matching reads the candidates as held: only the entries it returns are made
    assert {e.id for e in gz._entries._made if type(e) is Entry} == {m.entry.id for m in gz.match("Examplestan Exampleton", limit=3)}
    first = gz["place:exampleton"]
    assert type(first) is Entry and gz["place:exampleton"] is first and first.geonames == 123
    assert [e.id for e in gz] == [r["id"] for r in STORED]
    assert gz.id_of_name("examplestan") == "place:examplestan"


def test_stored_entries_are_smaller_than_models():
    import tracemalloc

    from entityres.gazetteer.entries import stored

    raws = [{"id": f"person:p{i}", "type": "person", "name": f"Name {i} Example", "names": {"en": [f"Name {i} Example"]}}
            for i in range(2000)]
    entries = [Entry.model_validate(r) for r in raws]
    tracemalloc.start()
    try:
        models = [Entry.model_validate(r) for r in raws]
        as_models = tracemalloc.get_traced_memory()[0]
        del models
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        held = [stored(e) for e in entries]
        del entries  # the models go; their strings and aliases stay with the stored entries
        as_held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert len(held) == 2000 and as_held < as_models / 2


def test_shared_aliases_lists_each_key_claimed_by_more_than_one_entry_with_its_entries_in_order():
    from entityres.gazetteer.entries import stored
    from entityres.gazetteer.index import alias_key, shared_aliases

    raws = [{"id": "place:springfield-a", "type": "place", "name": "Springfield", "names": {"en": ["Springfield", "SPRINGFIELD"]}},
            {"id": "place:shelbyville", "type": "place", "name": "Shelbyville", "names": {"fa": ["شلبی‌ویل"]}},
            {"id": "place:springfield-b", "type": "place", "name": "Springfield", "names": {"en": ["Capital City"]}},
            {"id": "place:springfield-c", "type": "place", "name": "Springfield", "names": {"en": ["capital city"]}}]
    entries = [stored(Entry.model_validate(r)) for r in raws]
    shared, keyed = shared_aliases(entries)
    spring, capital = alias_key("Springfield"), alias_key("Capital City")
    assert shared == sorted([(spring, ["place:springfield-a", "place:springfield-b", "place:springfield-c"]),
                             (capital, ["place:springfield-b", "place:springfield-c"])])
    assert keyed["place:springfield-a"] == (entries[0], (spring,))  # one key for two spellings of it
    assert keyed["place:shelbyville"][1] == tuple(sorted({alias_key("Shelbyville"), alias_key("شلبی‌ویل")}))


def test_a_loaded_file_holds_its_entries_stored_and_read_file_gives_models(tmp_path):
    from entityres.gazetteer.entries import StoredEntry

    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    gz = load_gazetteer([path], bundled=False, cache=False)
    assert gz._entries._made and all(type(e) is StoredEntry for e in gz._entries._made)
    read = read_file(path)
    assert all(type(e) is Entry for e, _ in read) and [e for e, _ in read] == list(gz)


def test_resolve_reads_the_entries_it_links_as_held_and_makes_none():
    from entityres import Resolver

    gz = Gazetteer.from_entries(STORED, cache=False)
    resolver = Resolver(gazetteer=gz, cache=False, tagger=None)
    place = resolver.resolve("شهردار اگزمپلتون دیروز سخنرانی کرد.", "fa")
    person = resolver.resolve("قالت آدا إكزامبل إن الاجتماع انتهى.", "ar")
    assert [m.entity_id for m in place.mentions] == ["place:exampleton"]
    assert [(e.id, e.wikidata) for e in person.entities] == [("person:ada-example", "Q42")]
    assert not any(type(e) is Entry for e in gz._entries._made)
