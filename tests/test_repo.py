from __future__ import annotations

from pathlib import Path

import pytest

from fmgate.errors import InputError
from fmgate.repo import Repository, find_root, resolve_inside


def test_find_root_walks_up(tmp_path: Path) -> None:
    (tmp_path / "fmgate.yaml").write_text("{}\n")
    nested = tmp_path / "memos" / "deep"
    nested.mkdir(parents=True)
    assert find_root(nested) == tmp_path.resolve()


def test_find_root_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        find_root(tmp_path)
    assert "--repo" in str(caught.value)


@pytest.mark.parametrize("path", ["../outside.csv", "/etc/passwd", "evidence/../../x.csv"])
def test_paths_outside_the_repository_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(InputError) as caught:
        resolve_inside(tmp_path, path, source="memos/m.md", field="evidence.usage_log")
    assert caught.value.field == "evidence.usage_log"


def test_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "secret.csv").write_text("x")
    (root / "link.csv").symlink_to(tmp_path / "secret.csv")
    with pytest.raises(InputError):
        resolve_inside(root, "link.csv", source="memos/m.md", field="evidence.eval_set")


def test_duplicate_memo_ids(tmp_path: Path) -> None:
    (tmp_path / "memos").mkdir()
    (tmp_path / "memos" / "a.md").write_text("---\nid: same\n---\n")
    (tmp_path / "memos" / "b.md").write_text("---\nid: same\n---\n")
    with pytest.raises(InputError) as caught:
        _ = Repository(tmp_path).memos
    assert "memos/a.md" in str(caught.value) and "memos/b.md" in str(caught.value)


def test_index_summarises_every_memo(tmp_path: Path) -> None:
    (tmp_path / "memos").mkdir()
    (tmp_path / "memos" / "a.md").write_text(
        "---\nid: a\nworkload: w\nstatus: approved\ndecision: buy\ndate: 2026-01-02\n---\n"
    )
    index = Repository(tmp_path).index()
    assert index["memos"]["a"] == {
        "id": "a",
        "path": "memos/a.md",
        "workload": "w",
        "status": "approved",
        "decision": "buy",
        "supersedes": None,
        "owner": None,
        "date": "2026-01-02",
    }
    assert index["by_workload"] == {"w": ["a"]}
    assert index["by_path"] == {"memos/a.md": "a"}


def test_load_reuses_the_repository_parse_only_for_its_own_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    (root / "memos").mkdir(parents=True)
    (root / "memos" / "a.md").write_text("---\nid: inside\n---\n")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "memos").mkdir(parents=True)
    (elsewhere / "memos" / "a.md").write_text("---\nid: outside\n---\n")
    repo = Repository(root)
    parsed = repo.memos[0]
    assert repo.load(root / "memos" / "a.md") is parsed
    assert repo.load(root / "memos" / ".." / "memos" / "a.md") is parsed
    # the same relative name from another working folder is another file
    monkeypatch.chdir(elsewhere)
    assert repo.load(Path("memos/a.md")).memo_id == "outside"
    monkeypatch.chdir(root)
    assert repo.load(Path("memos/a.md")) is parsed
