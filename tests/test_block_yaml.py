"""The fast block-YAML reader: it gives what PyYAML gives, or gives up (None) and leaves the file to PyYAML."""
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from entityres.gazetteer import block_yaml
from entityres.gazetteer.loader import bundled_files, read_file
from entityres.gazetteer.yaml_source import load_yaml


def pyyaml(text):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return "<error>"


def agrees(text):
    fast = block_yaml.parse(text)
    if fast is not None:
        assert fast[0] == pyyaml(text), text
        assert [type(v) for v in _leaves(fast[0])] == [type(v) for v in _leaves(pyyaml(text))]
    return fast is not None


def _leaves(value):
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in [k] + _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: p.name)
def test_bundled_files_read_fast_and_the_same(path):
    text = path.read_text(encoding="utf-8")
    fast = block_yaml.parse(text)
    assert fast is not None
    data, lines = load_yaml(path, text)
    assert fast[0] == data
    assert {k: v for k, v in fast[1].items() if len(k) == 2} == {k: v for k, v in lines.items() if len(k) == 2}


@pytest.mark.parametrize("text", [
    "a: yes", "a: Off", "a: null", "a: ~", "a:", "a: Null", "a: 0x1F", "a: 012", "a: 1_000", "a: 1:20", "a: -1",
    "a: +1", "a: .inf", "a: -.5", "a: 1e3", "a: 1.5e3", "a: 3.", "a: x # note", "a: x#y", "a: 'x' # note",
    "a: [x, y z, 'it''s', \"q\\\"\\u0041\\x41\"]", "a: [1, yes, null, 2.5]", "a: []", "a: {}", "a: [x, [y, z]]",
    "a: {name: x, source: y}", "a: [x, {name: y, source: z}]", "- a\n- b", "a:\n- x\n- y\nb: 1",
    "a:\n  b: 1\n  c:\n    - x\n    -\n      d: e", "entries:\n  - id: x\n    names:\n      fa: [ب]\n  - id: y",
    "# c\na: 1\n\n# d\nb: 2", "a: -x", "a: x-", "a: 'a: b'", "a: \"\"", "a: ''", "a: [' x ']",
])
def test_supported_snippets_match_pyyaml(text):
    assert agrees(text)


@pytest.mark.parametrize("text", [
    "a: 2001-12-14", "a: b: c", "a: |\n  x", "a: >\n  x", "a: &x 1\nb: *x", "a: !!str 1", "a:\n  b: 1\n  b: 2",
    "a: 1\na: 2", "a: x\n  y", "a: [x,]", "a: [x", "a: 'x", "a: \"x", "key with space: 1", "---\na: 1", "a: [x]y",
    "a:\ty", "a: \"\\a\"", "? a\n: b", "a: {x: 1, x: 2}", "a: [a: b]", "yes: 1", "1: x", "a: <<", "- - a", "a: x:",
    "", "just text", "a: \ufeffx", "a: x\r\nb: y",
])
def test_everything_else_is_left_to_pyyaml(text):
    assert block_yaml.parse(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_any_scalar_reads_as_pyyaml_reads_it(s):
    for text in (f"a: [{s}]", f"a: {s}", f"- {s}", f'a: "{s}"', f"a: '{s}'", f"a: {{name: {s}}}", f"{s}: 1"):
        agrees(text)


def test_read_file_errors_keep_their_lines(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("source: me\nentries:\n  - id: person:x\n    type: person\n    name: X\n    names:\n"
                    "      fa: [ایکس, 5]\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"g\.yaml:7: person:x: names\.fa\[1\]: expected a name"):
        read_file(path)
    path.write_text("source: me\nentries:\n  - id: person:x\n    type: person\n    name: X\n    names:\n"
                    "      fa: [ایکس]\n", encoding="utf-8")
    [(entry, line)] = read_file(path)
    assert line == 3 and entry.names["fa"][0].source == "me"


def test_flow_collections_nested_deep_are_left_to_pyyaml_which_names_the_line(tmp_path):
    # The fuzzer's find: 566 unclosed "[" took the recursive flow reader past Python's recursion limit.
    inside = block_yaml.FLOW_DEPTH
    assert block_yaml.parse(f"x: {'[' * inside}a{']' * inside}\n")[0] == yaml.safe_load(f"x: {'[' * inside}a{']' * inside}")
    assert block_yaml.parse(f"x: {'[' * (inside + 1)}a{']' * (inside + 1)}\n") is None
    path = tmp_path / "g.yaml"
    head = "source: me\nentries:\n  - id: person:x\n    type: person\n    name: X\n    names:\n      fa: "
    for tail, error in [("[" * 600 + "a" + "]" * 600, r"g\.yaml:7: collections nested more than 64 deep"),
                        ("[" * 600 + "a", r"g\.yaml:\d+: invalid YAML")]:
        path.write_text(head + tail + "\n", encoding="utf-8")
        with pytest.raises(Exception, match=error):
            read_file(path)


_SCALARS = st.one_of(st.text(max_size=12), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
_DOCS = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(alphabet="abxyz_-.019 :", min_size=1, max_size=6), inner,
                                                 max_size=4)), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(_DOCS, st.booleans(), st.sampled_from([None, False, True]))
def test_documents_pyyaml_writes_read_the_same(doc, unicode, flow):
    text = yaml.safe_dump(doc, allow_unicode=unicode, default_flow_style=flow, sort_keys=False)
    fast = block_yaml.parse(text)
    if fast is not None:
        assert fast[0] == yaml.safe_load(text)
