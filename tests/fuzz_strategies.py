"""Hypothesis strategies shared by the fuzz tests (tests/test_fuzz_*.py).

YAML values are generated as text, one line each (flow style), so a value can
be put in any field of a memo or of fmgate.yaml and the line it lands on is
known. Two families:

* :func:`yaml_values`: anything YAML can say, every type, tags, anchors,
  unicode, huge and deep values, text that is not YAML at all;
* :func:`bad_values`: values that must be bad input wherever they stand (a date
  that is no calendar date, a tag its text does not fit, binary, .inf, numbers
  too long to print, anchors, nesting past the limit), each with the path of
  the bad value under the field it is put in.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import settings
from hypothesis import strategies as st

from fmgate.safe_yaml import MAX_INT_BITS, MAX_NESTING


def budget(examples: int) -> int:
    """*examples* under the default "ci" profile (100 examples), scaled up under "long"."""
    return max(1, examples * settings.default.max_examples // 100)


# --- scalars ----------------------------------------------------------------------------------

# characters that end a line in YAML: a value must stay on its line
_BREAKS = "\n\r\x85\u2028\u2029"


def _date_text(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


invalid_dates = (
    st.builds(lambda y, m, d: (y, m, d), st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))
    .filter(lambda t: not _is_date(*t))
    .map(lambda t: _date_text(*t))
)
invalid_times = st.one_of(
    st.builds(
        lambda d, h, m: f"{d.isoformat()} {h:02d}:{m:02d}:00", st.dates(), st.integers(24, 99), st.integers(0, 99)
    ),
    st.builds(lambda d, h: f"{d.isoformat()}T00:00:00+{h:02d}:00", st.dates(), st.integers(24, 99)),
)
valid_dates = st.dates().map(lambda d: d.isoformat())
valid_times = st.datetimes(timezones=st.sampled_from([None, dt.UTC])).map(
    lambda d: d.isoformat().replace("+00:00", "Z")
)

huge_ints = st.integers(MAX_INT_BITS // 3 + 10, MAX_INT_BITS // 3 + 400).map(lambda n: "9" * n)
huge_hex = st.integers(MAX_INT_BITS // 4 + 2, MAX_INT_BITS // 4 + 200).map(lambda n: "0x" + "f" * n)
non_finite = st.sampled_from([".inf", "-.inf", "+.inf", ".nan", ".NaN", ".Inf", "-.INF"])

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=_BREAKS, exclude_categories=("Cs",)), max_size=30
)
plain_words = st.from_regex(r"[a-z][a-z0-9_.-]{0,15}", fullmatch=True)
anchors = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)

# tags whose text they cannot read: every one must be bad input
failing_tags = st.one_of(
    st.sampled_from(
        [
            "!!int abc",
            "!!int 1.5",
            "!!float abc",
            "!!bool maybe",
            "!!bool 2",
            "!!timestamp soon",
            "!!seq abc",
            "!!map abc",
            "!foo bar",
            "!local {a: 1}",
            "!!python/name:os.system ''",
            "!!python/object/apply:os.system ['true']",
            "!!python/tuple [1, 2]",
            "!<tag:example.com,2026:x> y",
            "!!str {a: 1}",
            "!!int [1]",
        ]
    ),
    invalid_dates.map(lambda d: f"!!timestamp {d}"),
    plain_words.filter(lambda w: not w.isdigit()).map(lambda w: f"!!int {w}x"),
)

scalars = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.integers(0, 1200).map(lambda n: "1" + "0" * n),  # past a float's range, short of the limit
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(
        [
            "0x1F",
            "0o17",
            "0b101",
            "1_000",
            "190:20:30",
            "+12",
            "-0",
            "1e3",
            "1E+3",
            "6.8523015e+5",
            "true",
            "false",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "True",
            "NO",
            "null",
            "~",
            "Null",
            "NULL",
            "''",
            '""',
            "'it''s'",
            "-",
            "?",
            ":",
            "#",
            "|",
            ">",
            "@x",
            "`x",
            "%x",
            "&",
            "*",
            "!",
            "=",
        ]
    ),
    non_finite,
    valid_dates,
    valid_times,
    invalid_dates,
    invalid_times,
    words.map(json.dumps),
    words.map(lambda w: json.dumps(w, ensure_ascii=False)),
    words,  # raw text: may not be YAML at all
    plain_words,
    st.binary(max_size=12).map(lambda b: f"!!binary {base64.b64encode(b).decode() or 'AA=='}"),
    failing_tags,
    st.sampled_from(
        [
            "!!str 12",
            "!!float 1",
            "!!int '7'",
            "!!bool true",
            "!!null ''",
            "!!set {a, b}",
            "!!omap [{a: 1}, {b: 2}]",
            "!!pairs [{a: 1}]",
            "!!binary aGVsbG8=",
        ]
    ),
    huge_ints,
    huge_hex,
)


# --- collections ------------------------------------------------------------------------------


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _flow_map(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


keys = st.one_of(
    plain_words,
    st.sampled_from(["1", "2026-01-01", "null", "true", "~", "<<", "=", '"a b"', "? x"]),
    words.map(json.dumps),
)

yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(_flow_list),
        st.lists(st.tuples(keys, inner), max_size=4).map(_flow_map),
        st.tuples(anchors, inner).map(lambda t: f"&{t[0]} {t[1]}"),  # an anchor (refused with its alias)
        st.tuples(anchors, inner).map(lambda t: f"[&{t[0]} {t[1]}, *{t[0]}]"),
        inner.map(lambda v: "{<<: {a: " + v + "}, b: 1}"),
    ),
    max_leaves=12,
)

deep_values = st.integers(0, 3 * MAX_NESTING).map(lambda n: "[" * n + "1" + "]" * n)
any_values = st.one_of(yaml_values, deep_values)


# --- values that are bad input wherever they stand --------------------------------------------


@dataclass(frozen=True)
class BadValue:
    text: str
    #: where the bad node is under the field the value is put in ("" for the value itself)
    suffix: str
    #: the error names exactly that path (False: the field's path begins with it)
    exact: bool = True


_bad_scalars = st.one_of(
    invalid_dates,
    invalid_times,
    failing_tags,
    huge_ints,
    huge_hex,
    non_finite,
    st.binary(min_size=1, max_size=8).map(lambda b: "!!binary " + base64.b64encode(b).decode()),
)


def _wrap(bad: BadValue, shape: str, key: str, filler: str) -> BadValue:
    if shape == "list":
        return BadValue(f"[{filler}, {bad.text}]", f".1{bad.suffix}", bad.exact)
    if shape == "map":
        return BadValue(f"{{{key}: {bad.text}}}", f".{key}{bad.suffix}", bad.exact)
    return bad


def _wrapped(depth: int) -> st.SearchStrategy[BadValue]:
    base = _bad_scalars.map(lambda text: BadValue(text, ""))
    for _ in range(depth):
        base = st.builds(
            _wrap,
            base,
            st.sampled_from(["list", "map", "none"]),
            st.from_regex(r"k[a-z]{0,6}", fullmatch=True),
            st.sampled_from(["1", "ok", "x"]),
        )
    return base


bad_values = st.one_of(
    st.integers(0, 3).flatmap(_wrapped),
    st.integers(MAX_NESTING + 1, 4 * MAX_NESTING).map(lambda n: BadValue("[" * n + "1" + "]" * n, "", False)),
    anchors.map(lambda a: BadValue(f"[&{a} x, *{a}]", "", False)),
    anchors.map(lambda a: BadValue(f"{{k: &{a} [1], j: *{a}}}", "", False)),
)


# --- an oracle ----------------------------------------------------------------------------------


def json_plain(value: Any, depth: int = 0) -> bool:
    """Whether *value* (from PyYAML) can go to OPA as JSON: no bytes, no .inf/.nan, no unprintable ints."""
    if depth > MAX_NESTING:
        return False
    if isinstance(value, bytes):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() <= MAX_INT_BITS
    if isinstance(value, dict):
        return all(json_plain(k, depth + 1) and json_plain(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(json_plain(v, depth + 1) for v in value)
    return True


def reference_load(text: str) -> tuple[bool, Any]:
    """PyYAML's own safe load (the same C parser): (whether it could build the data, the data)."""
    try:
        return True, yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:
        return False, None
