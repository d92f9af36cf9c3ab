"""Property-based fuzzing of memo front matter, from the parser up to whole commands with real OPA.

Properties, for any value of any YAML type in any field:

* never a traceback: parsing ends in a memo or an InputError, a command in an exit code;
* bad input is exit 2 naming the file, the line and the field, with a fix;
* never approved: a memo is accepted only when PyYAML itself can build it, the memo model
  accepts it and it can go to OPA as JSON; a command approves only such a memo;
* nothing is written outside the scratch folder (``site`` writes only into its --out).

The "ci" profile (the default, see tests/conftest.py) keeps these to a few hundred parser
examples and a few dozen commands; HYPOTHESIS_PROFILE=long runs twenty times as many.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from fmgate.cli import main
from fmgate.engine import Engine
from fmgate.errors import EXIT_BAD_INPUT, InputError
from fmgate.memo import Memo, parse_memo
from fuzz_strategies import BadValue, any_values, bad_values, budget, json_plain, plain_words, reference_load
from repo_fixtures import MINIMAL_SETTINGS, REPO_ROOT

# COMPLETE_BUY of tests/test_cli_check.py, one line per field: approved as it stands
BASE = [
    ("id", "reply-drafting"),
    ("title", "Draft support replies with a bought model"),
    ("workload", "support-reply-drafting"),
    ("workload_shape", "standard"),
    ("decision", "buy"),
    ("status", "proposed"),
    ("date", "2026-11-02"),
    ("owner", "dana.kim"),
    ("proposer", "{team: support, type: in-house, person: ana.ruiz}"),
    ("reviewers", "[lee.wong]"),
    ("engineering_started", "null"),
    ("supersedes", "null"),
    ("buy_alternative", "{provider: example-ai, model: frontier-1, deployment: public-api}"),
    ("dimensions", "{criticality: supportive, workflow_complexity: simple, control_need: low}"),
    (
        "candidates",
        '{buy: "Meets the quality bar today.", fine-tune: "Volume is far below where distillation '
        'pays.", build: "We do not sell models."}',
    ),
    ("rationale_tags", "[quality]"),
    ("gates_claimed", "[]"),
    ("evidence", "{}"),
]
FIELDS = [key for key, _ in BASE]
NESTED = [
    ("proposer", "team"),
    ("proposer", "type"),
    ("buy_alternative", "model"),
    ("buy_alternative", "deployment"),
    ("dimensions", "criticality"),
    ("candidates", "buy"),
    ("candidates", "fine-tune"),
    ("evidence", "usage_log"),
    ("evidence", "cost_model"),
    ("build", "committed_capital_usd"),
    ("build", "model_is_product"),
    ("domain", "expected_retraining_interval_days"),
]
NOW = "2026-11-24"
SHOWN = "memos/fuzz.md"


@dataclass(frozen=True)
class Target:
    """Where a value goes: a top-level field, a field inside a mapping field, or a new field."""

    field: str
    child: str | None = None

    @property
    def path(self) -> str:
        return f"{self.field}.{self.child}" if self.child else self.field


targets = st.one_of(
    st.sampled_from(FIELDS).map(Target),
    st.sampled_from(NESTED).map(lambda pair: Target(*pair)),
    plain_words.filter(lambda w: w not in FIELDS and w not in {"build", "domain"}).map(Target),
)


def memo_text(target: Target, value: str, body: str = "Body.\n") -> tuple[str, int]:
    """The base memo with *value* at *target*; the memo and the line the value is on."""
    value = f"{{{target.child}: {value}}}" if target.child else value
    rows = [(key, text) for key, text in BASE]
    if target.field in FIELDS:
        rows[FIELDS.index(target.field)] = (target.field, value)
    else:
        rows.append((target.field, value))
    line = 2 + [key for key, _ in rows].index(target.field)
    return "---\n" + "".join(f"{key}: {text}\n" for key, text in rows) + "---\n" + body, line


def front_matter(text: str) -> str:
    return text.split("---\n", 2)[1]


def acceptable(text: str) -> bool:
    """What may be accepted: PyYAML builds it, it is JSON for OPA, the memo model takes it."""
    loaded, data = reference_load(front_matter(text))
    if not loaded or not isinstance(data, dict) or not json_plain(data):
        return False
    if not all(isinstance(key, str) for key in data):
        return False
    try:
        Memo.model_validate(data)
    except ValidationError:
        return False
    return True


def assert_names_file_and_place(error: InputError) -> None:
    assert error.exit_code == EXIT_BAD_INPUT
    assert error.path == SHOWN, error
    assert error.fix, error
    assert error.line is not None or error.field is not None, error


# --- the parser: many examples --------------------------------------------------------------


@settings(max_examples=budget(300))
@given(target=targets, value=any_values)
def test_any_value_in_any_field_parses_or_is_bad_input(target: Target, value: str) -> None:
    text, _ = memo_text(target, value)
    try:
        memo = parse_memo(text, path=Path(SHOWN), relpath=SHOWN)
    except InputError as error:
        assert_names_file_and_place(error)
        return
    assert acceptable(text), f"accepted what PyYAML or the memo model refuses: {value!r}"
    json.dumps(memo.policy_view(), allow_nan=False)  # what goes to OPA


@settings(max_examples=budget(300))
@given(target=targets, bad=bad_values)
def test_a_bad_value_is_bad_input_naming_its_line_and_field(target: Target, bad: BadValue) -> None:
    text, line = memo_text(target, bad.text)
    with pytest.raises(InputError) as caught:
        parse_memo(text, path=Path(SHOWN), relpath=SHOWN)
    error = caught.value
    assert_names_file_and_place(error)
    assert error.line == line, (error, bad)
    expected = target.path + bad.suffix
    assert error.field is not None, (error, bad)
    assert error.field == expected if bad.exact else error.field.startswith(target.path), (error, bad)


@settings(max_examples=budget(100))
@given(body=st.text(max_size=200), head=st.text(max_size=40))
def test_any_text_around_the_front_matter_parses_or_is_bad_input(body: str, head: str) -> None:
    text, _ = memo_text(Target("title"), "t", body)
    for candidate in (text, head + text, head, "---\n" + head, text.replace("---\n", head, 1)):
        try:
            parse_memo(candidate, path=Path(SHOWN), relpath=SHOWN)
        except InputError as error:
            assert error.path == SHOWN and error.fix


# --- whole commands with the real OPA: a few dozen examples --------------------------------------


@dataclass
class Scratch:
    base: Path
    repo: Path
    out: Path

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Every file under the scratch folder but the fuzzed memo and the register."""
        files = {}
        for path in self.base.rglob("*"):
            if path.is_file() and path != self.repo / SHOWN and self.out not in path.parents:
                stat = path.stat()
                files[path.relative_to(self.base).as_posix()] = (stat.st_size, stat.st_mtime_ns)
        return files


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory, opa_bin: str) -> Iterator[Scratch]:
    """One decision repository and one OPA server for every example; the current folder inside it."""
    base = tmp_path_factory.mktemp("fuzz")
    repo = base / "repo"
    (repo / "memos").mkdir(parents=True)
    (repo / "evidence").mkdir()
    shutil.copytree(REPO_ROOT / "policies", repo / "policies")
    shutil.copytree(REPO_ROOT / "schemas", repo / "schemas")
    (repo / "fmgate.yaml").write_text(MINIMAL_SETTINGS)
    (base / "cwd").mkdir()
    with Engine.start_local(repo / "policies", opa_bin=opa_bin) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("FMGATE_OPA_URL", server.base_url)
        patch.setenv("FMGATE_OPA_TOKEN", server.token)
        patch.chdir(base / "cwd")
        yield Scratch(base, repo, base / "register")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def assert_bad_input_report(code: int, err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    if code == EXIT_BAD_INPUT:
        assert SHOWN in err and "fix:" in err, err
        assert re.search(re.escape(SHOWN) + r":\d+: ", err) or "field '" in err, err


def check(scratch: Scratch, text: str) -> tuple[int, str, str]:
    memo = scratch.repo / SHOWN
    memo.write_text(text, encoding="utf-8")
    before = scratch.snapshot()
    result = run("--repo", str(scratch.repo), "check", str(memo), "--now", NOW, "--format", "json")
    assert scratch.snapshot() == before, "check wrote a file"
    return result


def test_the_base_memo_is_approved(scratch: Scratch) -> None:
    """The fuzzed memos start from an approved one, so a denial is the fuzzed value's doing."""
    text, _ = memo_text(Target("title"), "Draft support replies with a bought model")
    code, out, err = check(scratch, text)
    assert code == 0, err
    assert json.loads(out)["outcome"] == "approved"


@settings(max_examples=budget(40))
@given(target=targets, value=any_values)
def test_check_never_approves_bad_input_and_never_crashes(scratch: Scratch, target: Target, value: str) -> None:
    text, _ = memo_text(target, value)
    code, out, err = check(scratch, text)
    event(f"exit {code}")
    assert code in (0, 1, 2), err
    assert_bad_input_report(code, err)
    if code == 0:
        assert acceptable(text), f"approved what PyYAML or the memo model refuses: {value!r}"
        assert json.loads(out)["allowed"] is True
    if code == 2:
        assert out == ""


@settings(max_examples=budget(20))
@given(target=targets, bad=bad_values)
def test_check_of_a_bad_value_is_exit_2_naming_line_and_field(scratch: Scratch, target: Target, bad: BadValue) -> None:
    text, line = memo_text(target, bad.text)
    code, out, err = check(scratch, text)
    assert code == 2 and out == "", err
    assert f"fmgate: error: {SHOWN}:{line}: field '{target.path}" in err, err
    assert "fix:" in err and "Traceback" not in err


@settings(max_examples=budget(12))
@given(target=targets, value=any_values)
def test_site_and_relitigate_write_only_the_register_and_approve_nothing_unreadable(
    scratch: Scratch, target: Target, value: str
) -> None:
    good, _ = memo_text(Target("status"), "approved")
    (scratch.repo / "memos" / "good.md").write_text(good.replace("reply-drafting", "good-one"), encoding="utf-8")
    text, _ = memo_text(target, value)
    (scratch.repo / SHOWN).write_text(text, encoding="utf-8")
    try:
        before = scratch.snapshot()
        code, out, err = run("--repo", str(scratch.repo), "relitigate", "--now", NOW)
        assert code in (0, 1, 2), err
        assert_bad_input_report(code, err)
        code, out, err = run("--repo", str(scratch.repo), "site", "--out", str(scratch.out), "--now", NOW)
        event(f"site exit {code}")
        assert code in (0, 2), err
        assert_bad_input_report(code, err)
        assert scratch.snapshot() == before, "a command wrote outside the register"
        pages = {p.name for p in (scratch.out / "memos").glob("*.html")}
        assert "good-one.html" in pages
        if code == 2:
            assert "leaves out" in err
    finally:
        (scratch.repo / "memos" / "good.md").unlink()
