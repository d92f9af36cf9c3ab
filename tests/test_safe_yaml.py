from __future__ import annotations

import pytest
import yaml

from fmgate.errors import InputError
from fmgate.safe_yaml import load_yaml


def test_plain_mapping_with_key_lines() -> None:
    data, lines = load_yaml("a: 1\nb:\n  - x\nc: {d: 2}\n", path="f.yaml", line_offset=1)
    assert data == {"a": 1, "b": ["x"], "c": {"d": 2}}
    assert lines == {"a": 2, "b": 3, "c": 5}


def test_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    with pytest.raises(InputError) as caught:
        load_yaml(bomb, path="bomb.yaml")
    assert "aliases" in str(caught.value)
    assert "bomb.yaml:1" in str(caught.value)


def test_python_tags_are_refused() -> None:
    with pytest.raises(InputError):
        load_yaml("a: !!python/object/apply:os.system ['true']\n", path="evil.yaml")


def test_oversized_text_is_refused_before_parsing() -> None:
    with pytest.raises(InputError) as caught:
        load_yaml("a: " + "x" * 2000 + "\n", path="big.yaml", max_bytes=1000)
    assert "limit" in str(caught.value)


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(InputError) as caught:
        load_yaml("a: 1\nb: [unclosed\nc: 2\n", path="bad.yaml", line_offset=1)
    assert "bad.yaml:" in str(caught.value)
    assert caught.value.line is not None and caught.value.line >= 3


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [x, 2.5, true, null, 2026-11-02]\nc: {d: 'yes', e: yes, f: 0x1f, g: 1_000}\n",
        "when: 2026-11-02T10:00:00Z\nempty: []\nnested: [[1, 2], {k: v}]\n~: tilde key\n3: int key\n",
        "base: {a: 1}\nmerged:\n  <<: {a: 2, b: 3}\n  c: 4\n",
        "s: !!set {a, b}\no: !!omap [{x: 1}, {y: 2}]\nbin: !!binary aGVsbG8=\n",
        "? [complex, key]\n: value\n",
        "dup: 1\ndup: 2\n",
        "- a\n- {b: c}\n",
        "just text\n",
    ],
)
def test_fast_construction_matches_pyyaml(text: str) -> None:
    try:
        expected = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        with pytest.raises(InputError):
            load_yaml(text, path="x.yaml")
        return
    assert load_yaml(text, path="x.yaml")[0] == expected


def test_deep_nesting_is_bad_input_naming_the_line() -> None:
    assert load_yaml("a: " + "[" * 31 + "1" + "]" * 31 + "\n", path="m.md")[0]["a"] is not None
    with pytest.raises(InputError) as caught:
        load_yaml("title: t\nowner:\n  " + "[" * 600 + "]" * 600 + "\n", path="m.md", line_offset=1)
    assert "nested more than 32 levels" in str(caught.value) and caught.value.line is not None


# Values the YAML constructors raise on (or build but nothing downstream can use) are bad input
# naming the line and the field: never a ValueError, KeyError or TypeError from deep in PyYAML.
@pytest.mark.parametrize(
    "text, line, field, words",
    [
        ("title: t\ndate: 2026-13-45\n", 2, "date", "not a valid date"),
        ("title: t\ndate: 2026-02-30\n", 2, "date", "not a valid date"),
        ("title: t\ndate: 0000-01-01\n", 2, "date", "not a valid date"),
        ("a: 1\nwhen: 2026-01-01 25:61:00\n", 2, "when", "not a valid date"),
        ("a: 1\nwhen: 2026-01-01T00:00:00+99:00\n", 2, "when", "not a valid date"),
        ("a:\n  b:\n    - ok\n    - 2026-13-45\n", 4, "a.b.1", "not a valid date"),
        ("a: {2026-13-45: x}\n", 1, "a.2026-13-45", "not a valid date"),
        ("n: " + "1" * 5000 + "\n", 1, "n", "too large"),
        ("n: !!int abc\n", 1, "n", "!!int"),
        ("n: !!float abc\n", 1, "n", "!!float"),
        ("n: !!bool maybe\n", 1, "n", "!!bool"),
        ("n: !!timestamp abc\n", 1, "n", "not a valid date"),
        ("a: 1\n!!seq k: 1\n", 2, "k", "!!seq"),
        ("a: 1\nb: !foo bar\n", 2, "b", "!foo"),
        # the full constructor's path (merge keys, sets) checks its scalars the same way
        ("base: {a: 1}\nm:\n  <<: {a: 2}\n  d: 2026-13-45\n", 4, "m.d", "not a valid date"),
        ("s: !!set {2026-13-45}\n", 1, "s.2026-13-45", "not a valid date"),
    ],
)
def test_values_the_constructors_reject_are_bad_input_naming_line_and_field(
    text: str, line: int, field: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_yaml(text, path="f.yaml")
    error = caught.value
    assert error.path == "f.yaml" and error.line == line and error.field == field
    assert words in error.message and error.fix


@pytest.mark.parametrize(
    "text, field",
    [
        ("notes: !!binary /w==\n", "notes"),
        ("a: [1, .inf]\n", "a.1"),
        ("a: {b: .nan}\n", "a.b"),
        ("n: 0x" + "f" * 4000 + "\n", "n"),
    ],
)
def test_json_values_refuse_what_json_cannot_carry(text: str, field: str) -> None:
    with pytest.raises(InputError) as caught:
        load_yaml(text, path="f.yaml", json_values=True)
    assert caught.value.field == field and caught.value.line == 1


@pytest.mark.parametrize(
    "text, line, field",
    [
        ("a: 1\nb: x\x1fy\n", 2, None),  # found by the fuzz tests: a character YAML forbids had no line
        ("a: 1\nb: !local {c: 1}\n", 2, "b"),
        ("a: 1\nb: !!python/tuple [1, 2]\n", 2, "b"),
        ("a: 1\nb: {c: !!str {d: 1}}\n", 2, "b.c"),
        ("a: 1\nb: [&x 1, *x]\n", 2, "b.1"),
        ("a: 1\nb: " + "[" * 40 + "]" * 40 + "\n", 2, "b.0.0.0.0.0.0.0..."),
    ],
)
def test_what_yaml_refuses_names_its_line_and_field(text: str, line: int, field: str | None) -> None:
    with pytest.raises(InputError) as caught:
        load_yaml(text, path="f.yaml", line_offset=0)
    assert caught.value.line == line and caught.value.field == field and caught.value.fix
