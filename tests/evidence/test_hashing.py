"""Text normalisation and hashing used for duplicate and overlap checks."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fmgate.evidence.hashing import DistinctCounter, FirstSeen, hash_strings, normalize_text


def test_normalisation_trims_lowercases_and_collapses_whitespace() -> None:
    values = pa.array(["  Hello   World ", "hello world", "HELLO\tWORLD", "Héllo\u00a0 Wörld", "a\n\nb", None, ""])
    assert normalize_text(values).to_pylist() == [
        "hello world",
        "hello world",
        "hello world",
        "héllo wörld",
        "a b",
        None,
        "",
    ]


def test_rows_without_runs_are_untouched_apart_from_case() -> None:
    values = pa.array(["One two", "three"])
    assert normalize_text(values).to_pylist() == ["one two", "three"]


def test_equal_normalised_texts_hash_equal() -> None:
    hashes = hash_strings(normalize_text(pa.array(["A  b", "a b", "a c"])))
    assert hashes[0] == hashes[1] != hashes[2]


def test_distinct_counter_across_batches() -> None:
    counter = DistinctCounter()
    counter.add(np.array([1, 2, 2], dtype=np.int64))
    counter.add(np.array([2, 3], dtype=np.int64))
    counter.add(np.array([], dtype=np.int64))
    assert counter.distinct() == 3
    assert counter.duplicates == 2
    assert DistinctCounter().distinct() == 0


def test_first_seen_marks_only_first_occurrences_across_batches() -> None:
    seen = FirstSeen()
    assert seen.first(np.array([5, 6, 5])).tolist() == [True, True, False]
    assert seen.first(np.array([6, 7, 7])).tolist() == [False, True, False]


def test_short_and_long_strings_hash_consistently() -> None:
    short = ["", "a", "a\0", "abcdefgh", "abcdefghi", "x" * 16, "x" * 17, "y" * 32, "y" * 33, "é", "d123"]
    values = pa.array(short * 2)
    hashes = hash_strings(values)
    n = len(short)
    assert (hashes[:n] == hashes[n:]).all()  # equal strings, equal hashes, whatever the path
    assert len(set(hashes[:n].tolist())) == n  # different strings, different hashes
    sliced = hash_strings(values.slice(3, 4))
    assert sliced.tolist() == hashes[3:7].tolist()


def test_fixed_width_hash_separates_strings_of_equal_length() -> None:
    values = pa.array([f"id-{i:06d}" for i in range(50_000)])
    assert len(np.unique(hash_strings(values))) == 50_000


def test_ascii_and_unicode_paths_normalise_alike() -> None:
    ascii_batch = normalize_text(pa.array(["Tab\there", "two  spaces", "cr\r\nlf", "plain text"]))
    mixed_batch = normalize_text(pa.array(["Tab\there", "two  spaces", "cr\r\nlf", "plain text", "ü"]))
    assert ascii_batch.to_pylist() == mixed_batch.to_pylist()[:4] == ["tab here", "two spaces", "cr lf", "plain text"]


def test_sliced_arrays_normalise_correctly() -> None:
    values = pa.array(["x  y", "A  B", "c d", "E\tF"]).slice(1, 3)
    assert normalize_text(values).to_pylist() == ["a b", "c d", "e f"]


def test_whitespace_runs_are_found_across_scan_chunks(monkeypatch) -> None:
    from fmgate.evidence import hashing

    monkeypatch.setattr(hashing, "_SCAN_CHUNK", 4)  # pairs straddle chunk edges
    values = pa.array(["abc  d", "abcd", "ab\tcd", "a b c d  e"])
    assert normalize_text(values).to_pylist() == ["abc d", "abcd", "ab cd", "a b c d e"]


def test_plain_rows_are_those_already_in_normal_form_but_for_case() -> None:
    from fmgate.evidence.hashing import plain_rows

    values = ["Ab c", " ab", "ab ", "a  b", "a\tb", "", None, "é", "x", "A.B-C_D~", "\x7f", "a\x1cb"]
    expected = [True, False, False, False, False, False, False, False, True, True, True, False]
    assert plain_rows(pa.array(values)).tolist() == expected
    assert plain_rows(pa.array(values).slice(2, 5)).tolist() == expected[2:7]


def test_hashing_the_normal_form_in_place_matches_normalising_first() -> None:
    from fmgate.evidence.hashing import hash_normalized

    values = pa.array(
        [
            "Plain Text",
            "  Padded  ",
            "Two  Spaces",
            "TAB\tHERE",
            "Ünïcode Ä",
            "",
            "X" * 1500,
            " " + "y" * 1100,
            None,
            "a",
        ]
    )
    mask = np.array([True, True, True, True, True, True, True, True, False, True])
    expected = hash_strings(normalize_text(values.filter(pa.array(mask))))
    assert hash_normalized(values, mask).tolist() == expected.tolist()
    valid = values.filter(values.is_valid())
    assert hash_normalized(valid).tolist() == hash_strings(normalize_text(valid)).tolist()


def test_a_string_hashes_the_same_whatever_its_neighbours() -> None:
    # Strings are read in groups as wide as the longest of them, and those near the end of the
    # buffer from a copy: neither may change a hash.
    words = ["", "a", "abcdefgh", "abcdefghi", "x" * 100, "y" * 128, "z" * 129, "w" * 700, "v" * 1024, "u" * 1025]
    alone = [hash_strings(pa.array([w]))[0] for w in words]
    together = hash_strings(pa.array(words))
    reversed_ = hash_strings(pa.array(words[::-1]))[::-1]
    assert together.tolist() == alone == reversed_.tolist()
    assert len(set(alone)) == len(words)


def test_ascii_whitespace_runs_collapse_as_the_regular_expression_does() -> None:
    from fmgate.evidence.hashing import _SPACE_RUN, _collapse_ascii

    values = pa.array(["a \t b", "a\n\n\nb", "x\x0b\x0cy", "one  two   three", "a\x1c b", "plain"])
    assert _collapse_ascii(values).to_pylist() == pc.replace_substring_regex(values, _SPACE_RUN, " ").to_pylist()
