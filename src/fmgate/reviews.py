"""A pull request's reviews, as the policies read them (``input.pull_request.reviews``).

GitHub lists every review ever submitted, oldest first; what stands is each
reviewer's latest review that took a position. This module only reduces that
list: which reviews count (the head commit, senior reviewers, not the author)
is the policy's decision (MEMO-REVIEW).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError

#: Review states that take a position; COMMENTED and PENDING leave the earlier one standing.
DECIDING_STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


def latest_reviews(api_reviews: list[Any], *, source: str = "reviews") -> list[dict[str, str]]:
    """Each reviewer's latest deciding review: ``{"login", "state", "commit_id"}``, sorted by login.

    *api_reviews* is the list that ``GET /repos/{owner}/{repo}/pulls/{number}/reviews``
    returns (``gh api --paginate`` may hand it over as several lists, which
    are joined first). Entries without a user or a deciding state are skipped.
    """
    latest: dict[str, tuple[str, int, dict[str, str]]] = {}
    for position, review in enumerate(_flatten(api_reviews, source)):
        user = review.get("user")
        login = user.get("login") if isinstance(user, dict) else None
        state = str(review.get("state") or "").upper()
        if not isinstance(login, str) or not login.strip() or state not in DECIDING_STATES:
            continue
        key = login.strip().lower()
        submitted = str(review.get("submitted_at") or "")
        entry = {"login": login.strip(), "state": state, "commit_id": str(review.get("commit_id") or "")}
        current = latest.get(key)
        if current is None or (submitted, position) >= current[:2]:
            latest[key] = (submitted, position, entry)
    return [latest[key][2] for key in sorted(latest)]


def _flatten(value: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise InputError(
            "the reviews are not a JSON list",
            path=source,
            fix="pass the output of 'gh api repos/OWNER/REPO/pulls/N/reviews --paginate'",
        )
    items: list[dict[str, Any]] = []
    for item in value:
        if isinstance(item, list):
            items.extend(_flatten(item, source))
        elif isinstance(item, dict):
            items.append(item)
    return items


def read_reviews(path: Path) -> list[dict[str, str]]:
    """The latest reviews in a file written by ``gh api .../reviews --paginate`` (one or more JSON lists)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"the reviews file cannot be read: {exc.strerror}",
            path=str(path),
            field="--reviews",
            fix="pass the file the workflow's 'gh api' step wrote",
        ) from None
    decoder = json.JSONDecoder()
    documents: list[Any] = []
    position = 0
    while True:  # --paginate prints one JSON list per page, back to back
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError as exc:
            raise InputError(
                f"the reviews file is not JSON: {exc}",
                path=str(path),
                field="--reviews",
                fix="pass the output of 'gh api repos/OWNER/REPO/pulls/N/reviews --paginate'",
            ) from None
        if not isinstance(value, list):  # an error answer ({"message": ...}) is not an empty review list
            raise InputError(
                f"the reviews file holds a JSON {type(value).__name__}, not a list of reviews",
                path=str(path),
                field="--reviews",
                fix="check that 'gh api repos/OWNER/REPO/pulls/N/reviews --paginate' succeeded",
            )
        documents.append(value)
    return latest_reviews(documents, source=str(path))


def approvals_at(head: str, logins: list[str]) -> list[dict[str, str]]:
    """Reviews for approvals named on the command line (``--approval LOGIN``): each approves *head*."""
    return [{"login": login.strip(), "state": "APPROVED", "commit_id": head} for login in logins if login.strip()]


def pull_request_input(
    author: str | None, head: str, reviews: list[dict[str, str]], approvals: list[str]
) -> dict[str, Any]:
    """``input.pull_request``: the author, the head commit and each reviewer's standing review."""
    by_login = {r["login"].lower(): r for r in reviews}
    for review in approvals_at(head, approvals):
        by_login[review["login"].lower()] = review
    return {"author": author, "head": head, "reviews": [by_login[k] for k in sorted(by_login)]}
