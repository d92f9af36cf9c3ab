from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from fmgate.cli import main
from fmgate.errors import InputError
from fmgate.memo import load_memo
from fmgate.repo import Repository
from fmgate.scaffold import VERB_GATES, scaffold

TODAY = dt.date(2026, 11, 24)
REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tmp_path(tmp_path: Path) -> Path:
    """A folder with the repository's policy data, which `fmgate new` reads."""
    (tmp_path / "policies").mkdir()
    shutil.copy(REPO_ROOT / "policies" / "data.json", tmp_path / "policies" / "data.json")
    return tmp_path


@pytest.mark.parametrize("verb", ["buy", "fine-tune", "build"])
def test_scaffolded_memo_parses_and_names_its_inputs(tmp_path: Path, verb: str) -> None:
    memo_path, inputs, _ = scaffold(Repository(tmp_path), "new-thing", verb, TODAY)
    memo = load_memo(memo_path, tmp_path)
    assert memo.memo.decision == verb and memo.memo.status == "proposed"
    assert inputs.is_dir()
    assert all(ref.path.startswith("evidence/new-thing/inputs/") for ref in memo.memo.evidence.values())


def test_never_overwrites(tmp_path: Path) -> None:
    repo = Repository(tmp_path)
    memo_path, _, _ = scaffold(repo, "taken", "buy", TODAY)
    memo_path.write_text("---\nid: taken\ntitle: mine\n---\nmy words\n")
    with pytest.raises(InputError) as caught:
        scaffold(Repository(tmp_path), "taken", "fine-tune", TODAY)
    assert "nothing was written" in str(caught.value)
    assert memo_path.read_text().endswith("my words\n")


def test_bad_id(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        scaffold(Repository(tmp_path), "Bad Id", "buy", TODAY)
    assert caught.value.field == "--id"


def test_cli_new_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "fmgate.yaml").write_text("{}\n")
    assert main(["--repo", str(tmp_path), "new", "--id", "cli-made", "--decision", "buy"]) == 0
    assert (tmp_path / "memos" / "cli-made.md").is_file()
    assert "created evidence/cli-made/inputs/README.md" in capsys.readouterr().out
    assert main(["--repo", str(tmp_path), "new", "--id", "cli-made", "--decision", "buy"]) == 2
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["--repo", str(tmp_path), "new", "--id", "x", "--decision", "sell"])
    assert usage.value.code == 2


# --- the inputs guide -----------------------------------------------------------------------------


def required_evidence(root: Path) -> dict:
    return json.loads((root / "policies" / "data.json").read_text())["fmgate"]["defaults"]["required_evidence"]


def sections(guide: str) -> dict[str, str]:
    """Input kind -> its section of the guide."""
    parts = re.split(r"^## ", guide, flags=re.M)[1:]
    return {part.split(":", 1)[0]: part for part in parts}


@pytest.mark.parametrize("verb", ["buy", "fine-tune", "build"])
def test_the_guide_lists_what_the_policy_data_requires(tmp_path: Path, verb: str) -> None:
    from fmgate.evidence.specs import INPUTS

    _, inputs, readme = scaffold(Repository(tmp_path), "new-thing", verb, TODAY)
    assert readme == inputs / "README.md"
    guide = readme.read_text()
    found = sections(guide)
    needs = required_evidence(tmp_path)
    required = set(needs["verbs"][verb]).union(*(needs["gates"][g] for g in VERB_GATES[verb]))
    listed = {kind for kind, text in found.items() if "Needed by" in text}
    expected = required | ({"task_changes"} if "usage_log" in required else set())
    assert listed == expected
    for kind in expected - {"cost_model"}:
        for column in INPUTS[kind].names:  # every column, as the reader names it
            assert f"| `{column}` |" in found[kind], (kind, column)
    if verb == "buy":
        assert "The policy requires no input for buy" in guide


def test_the_guide_follows_the_policy_data_not_a_copy(tmp_path: Path) -> None:
    data_path = tmp_path / "policies" / "data.json"
    data = json.loads(data_path.read_text())
    data["fmgate"]["defaults"]["required_evidence"]["verbs"]["buy"] = ["head_to_head"]
    data_path.write_text(json.dumps(data))
    _, _, readme = scaffold(Repository(tmp_path), "bought", "buy", TODAY)
    found = sections(readme.read_text())
    assert "Needed by the verb buy" in found["head_to_head"]
    assert "Optional" in found["cost_model"]


def test_the_verb_gates_are_those_of_the_decision_policy() -> None:
    rego = (REPO_ROOT / "policies" / "fmgate" / "decision" / "decision.rego").read_text()
    line = re.search(r"^verb_gates := (\{.*\})$", rego, flags=re.M).group(1)
    parsed = {
        verb: set(re.findall(r'"([a-z_]+)"', gates))
        for verb, gates in re.findall(r'"([a-z-]+)": (set\(\)|\{[^}]*\})', line)
    }
    assert parsed == {verb: set(gates) for verb, gates in VERB_GATES.items()}


def example_file(section: str, folder: Path, file_name: str) -> Path:
    """Write the example of a guide section to the file a newcomer would make from it (Parquet as CSV)."""
    body = re.search(r"```\w+\n(.*?)```", section, flags=re.S).group(1)
    path = folder / (file_name[: -len(".parquet")] + ".csv" if file_name.endswith(".parquet") else file_name)
    path.write_text(body)
    return path


def test_every_example_in_the_guide_reads_and_passes_its_checks(tmp_path: Path) -> None:
    """Copied into a file of the name given, each example row is read and meets every critical expectation."""
    from fmgate.evidence import corpus, cost, domain
    from fmgate.evidence.io import read_table
    from fmgate.evidence.specs import INPUTS
    from fmgate.evidence.validate import is_valid, validate_frame

    as_of = dt.date(2026, 11, 24)
    seen = set()
    for verb in ("fine-tune", "build"):
        _, inputs, readme = scaffold(Repository(tmp_path), f"ex-{verb}", verb, TODAY)
        for kind, section in sections(readme.read_text()).items():
            file_name = re.search(r"`([^`]+)`", section).group(1)
            path = example_file(section, inputs, file_name)
            seen.add(kind)
            if kind == "cost_model":
                evidence = cost.evaluate(path, horizon_quarters=4)
                assert evidence.valid, evidence.all_errors()
                continue
            if kind == "domain_data":
                outcomes, _ = domain.scan(path, as_of=as_of)
            elif kind == "corpus_manifest":
                outcomes, _ = corpus.scan(path, as_of=as_of)
            else:
                outcomes = validate_frame(read_table(path, INPUTS[kind]), kind, as_of=as_of)
            assert is_valid(outcomes), (kind, [o.message() for o in outcomes if not o.success])
            assert all(o.success for o in outcomes), kind
    assert seen == set(INPUTS) | {"cost_model"}


def test_a_readme_already_there_is_never_overwritten(tmp_path: Path) -> None:
    inputs = tmp_path / "evidence" / "mine" / "inputs"
    inputs.mkdir(parents=True)
    (inputs / "README.md").write_text("my notes\n")
    with pytest.raises(InputError, match="nothing was written"):
        scaffold(Repository(tmp_path), "mine", "fine-tune", TODAY)
    assert (inputs / "README.md").read_text() == "my notes\n"
    assert not (tmp_path / "memos" / "mine.md").exists()


def test_without_policy_data_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "policies" / "data.json").unlink()
    with pytest.raises(InputError, match="policy data not found"):
        scaffold(Repository(tmp_path), "early", "fine-tune", TODAY)
    assert not (tmp_path / "memos" / "early.md").exists()
    assert not (tmp_path / "evidence" / "early").exists()


def test_every_input_spec_has_one_example_value_per_column() -> None:
    from fmgate.evidence.specs import INPUTS

    for spec in INPUTS.values():
        assert len(spec.example) == len(spec.columns), (
            f"{spec.name}: InputSpec.example needs one value per column (give a new column its example value)"
        )
