"""A pull request's reviews reduced to each reviewer's standing review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fmgate.errors import InputError
from fmgate.reviews import latest_reviews, pull_request_input, read_reviews


def review(login: str, state: str, commit: str = "h2", at: str = "2026-11-02T10:00:00Z") -> dict:
    return {"user": {"login": login}, "state": state, "commit_id": commit, "submitted_at": at}


def test_the_latest_deciding_review_of_each_reviewer_stands() -> None:
    reviews = [
        review("lee.wong", "APPROVED", "h1", "2026-11-01T09:00:00Z"),
        review("lee.wong", "COMMENTED", "h2", "2026-11-03T09:00:00Z"),  # a comment leaves the approval standing
        review("sam.ortiz", "APPROVED", "h2", "2026-11-01T09:00:00Z"),
        review("Sam.Ortiz", "CHANGES_REQUESTED", "h2", "2026-11-02T09:00:00Z"),
        review("kai.berg", "APPROVED", "h2", "2026-11-02T09:00:00Z"),
        review("kai.berg", "DISMISSED", "h2", "2026-11-04T09:00:00Z"),
        {"user": None, "state": "APPROVED"},
        review("ghost", "PENDING"),
    ]
    assert latest_reviews(reviews) == [
        {"login": "kai.berg", "state": "DISMISSED", "commit_id": "h2"},
        {"login": "lee.wong", "state": "APPROVED", "commit_id": "h1"},
        {"login": "Sam.Ortiz", "state": "CHANGES_REQUESTED", "commit_id": "h2"},
    ]


def test_paginated_output_is_read_page_after_page(tmp_path: Path) -> None:
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([review("lee.wong", "APPROVED")]) + "\n" + json.dumps([review("sam.ortiz", "APPROVED")]))
    assert [r["login"] for r in read_reviews(path)] == ["lee.wong", "sam.ortiz"]
    path.write_text("")
    assert read_reviews(path) == []


@pytest.mark.parametrize("text", ["{not json", '{"message": "Not Found"}'])
def test_a_reviews_file_that_is_not_a_list_is_bad_input(tmp_path: Path, text: str) -> None:
    path = tmp_path / "reviews.json"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_reviews(path)
    assert info.value.path == str(path) and "gh api" in str(info.value)


def test_missing_reviews_file_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_reviews(tmp_path / "nope.json")
    assert info.value.field == "--reviews"


def test_command_line_approvals_approve_the_head_and_replace_a_review() -> None:
    reviews = [{"login": "lee.wong", "state": "CHANGES_REQUESTED", "commit_id": "h2"}]
    document = pull_request_input("ana.ruiz", "h2", reviews, ["Lee.Wong", " ", "sam.ortiz"])
    assert document == {
        "author": "ana.ruiz",
        "head": "h2",
        "reviews": [
            {"login": "Lee.Wong", "state": "APPROVED", "commit_id": "h2"},
            {"login": "sam.ortiz", "state": "APPROVED", "commit_id": "h2"},
        ],
    }
