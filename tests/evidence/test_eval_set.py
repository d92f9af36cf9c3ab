"""eval_set: valid items, their threshold boundary, duplicates and overlap with training data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fmgate.evidence import eval_set

from .helpers import AS_OF, write_rows


def items(n: int, prefix: str = "q") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"{prefix}{i}" for i in range(n)],
            "input": [f"Question number {i}" for i in range(n)],
            "expected": [f"answer {i}" for i in range(n)],
        }
    )


def test_exactly_200_valid_items() -> None:
    assert eval_set.measure(items(200))["items_valid"] == 200


def test_199_valid_items_when_one_of_200_repeats_an_input() -> None:
    frame = items(200)
    frame.loc[199, "input"] = "  QUESTION   number 0 "  # the same as item 0 after normalising
    m = eval_set.measure(frame)
    assert m["items_total"] == 200
    assert m["items_valid"] == 199
    assert m["duplicate_inputs"] == 1


def test_a_repeated_input_counts_once() -> None:
    frame = pd.DataFrame(
        {"id": ["a", "b", "c"], "input": ["Hello world", "hello  WORLD", "hello\tworld "], "expected": ["x", "y", "z"]}
    )
    m = eval_set.measure(frame)
    assert m["items_valid"] == 1 and m["duplicate_inputs"] == 2


def test_repeated_ids_and_blank_fields() -> None:
    frame = pd.DataFrame(
        {"id": ["a", "a", "b", "c", "d"], "input": ["1", "2", "  ", "4", None], "expected": ["x", "y", "z", "", "w"]}
    )
    m = eval_set.measure(frame)
    assert m == {
        "items_total": 5,
        "items_valid": 1,
        "duplicate_ids": 1,
        "empty_fields": 3,
        "duplicate_inputs": 0,
        "overlap_with_training": None,
    }


def test_an_input_repeated_by_an_item_with_a_repeated_id_still_counts_once() -> None:
    frame = pd.DataFrame({"id": ["a", "a", "b"], "input": ["x", "y", "y"], "expected": ["1", "2", "3"]})
    m = eval_set.measure(frame)
    assert m["items_valid"] == 2  # 'a'/x and 'b'/y; the second 'a' is a repeated id


def test_overlap_with_training_data_invalidates_an_item() -> None:
    overlap = np.array([False, True, False])
    m = eval_set.measure(items(3), overlap)
    assert m["overlap_with_training"] == 1 and m["items_valid"] == 2


def test_overlap_is_found_by_streaming_the_domain_data(tmp_path: Path) -> None:
    domain = write_rows(
        tmp_path / "domain.csv",
        pd.DataFrame(
            {
                "id": [f"d{i}" for i in range(7)],
                "text": ["unrelated"] * 5 + ["question NUMBER 2", None],
                "quality": ["high"] * 7,
            }
        ),
    )
    path = write_rows(tmp_path / "eval.jsonl", items(200))
    evidence = eval_set.evaluate(path, domain, as_of=AS_OF, batch_size=2)
    assert evidence.valid
    assert evidence.measurements["overlap_with_training"] == 1
    assert evidence.measurements["items_valid"] == 199
    assert [i.name for i in evidence.inputs] == ["eval_set", "domain_data"]


def test_null_ids_invalidate_the_evidence(tmp_path: Path) -> None:
    frame = items(3)
    frame.loc[1, "id"] = None
    evidence = eval_set.evaluate(write_rows(tmp_path / "eval.csv", frame), as_of=AS_OF)
    assert not evidence.valid
    assert any("'id'" in e and "missing" in e for e in evidence.all_errors())
