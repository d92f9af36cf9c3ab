"""git plumbing for the pull-request job, on real repositories in a temporary folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fmgate import gitutil
from fmgate.errors import EXIT_BAD_INPUT, InputError


def sh(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def two_commits(tmp_path: Path) -> tuple[Path, str, str]:
    root = tmp_path / "origin"
    root.mkdir()
    sh(root, "init", "-q", "-b", "main")
    sh(root, "config", "user.email", "t@example.com")
    sh(root, "config", "user.name", "t")
    (root / "policies").mkdir()
    (root / "policies" / "p.rego").write_text("package p\n")
    (root / "fmgate.yaml").write_text("{}\n")
    sh(root, "add", "-A")
    sh(root, "commit", "-qm", "base")
    base = sh(root, "rev-parse", "HEAD")
    sh(root, "checkout", "-q", "-b", "feature")
    (root / "policies" / "p.rego").write_text("package p\n\nx := 1\n")
    (root / "memos").mkdir()
    (root / "memos" / "m.md").write_text("---\nid: m\n---\n")
    sh(root, "add", "-A")
    sh(root, "commit", "-qm", "feature")
    return root, base, sh(root, "rev-parse", "HEAD")


def test_changed_paths_include_untracked(two_commits: tuple[Path, str, str]) -> None:
    root, base, _ = two_commits
    (root / "scratch.txt").write_text("x")
    assert gitutil.changed_paths(root, base) == ["memos/m.md", "policies/p.rego", "scratch.txt"]


def test_export_tree_reads_the_base_without_checkout(two_commits: tuple[Path, str, str], tmp_path: Path) -> None:
    root, base, _ = two_commits
    dest = tmp_path / "trusted"
    gitutil.export_tree(root, base, ["policies", "fmgate.yaml", "notebooks"], dest)
    assert (dest / "policies" / "p.rego").read_text() == "package p\n"
    assert not (dest / "notebooks").exists()
    assert sh(root, "rev-parse", "--abbrev-ref", "HEAD") == "feature"


def test_unknown_base_ref(two_commits: tuple[Path, str, str]) -> None:
    root, _, _ = two_commits
    with pytest.raises(InputError) as caught:
        gitutil.resolve_commit(root, "origin/nope")
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert "fetch-depth: 0" in str(caught.value)


def test_shallow_clone_without_the_base_commit(two_commits: tuple[Path, str, str], tmp_path: Path) -> None:
    root, base, _ = two_commits
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{root}", str(clone)],
        check=True,
        capture_output=True,
    )
    with pytest.raises(InputError) as caught:
        gitutil.resolve_commit(clone, base)
    assert "shallow clone" in str(caught.value)
    assert "fetch-depth: 0" in str(caught.value)


def test_detached_head_with_history_is_fine(two_commits: tuple[Path, str, str]) -> None:
    root, base, head = two_commits
    sh(root, "checkout", "-q", "--detach", head)
    assert gitutil.merge_base(root, gitutil.resolve_commit(root, base)) == base


def test_unrelated_history(two_commits: tuple[Path, str, str]) -> None:
    root, _, _ = two_commits
    sh(root, "checkout", "-q", "--orphan", "island")
    sh(root, "commit", "-qm", "island", "--allow-empty")
    island = sh(root, "rev-parse", "HEAD")
    sh(root, "checkout", "-q", "feature")
    with pytest.raises(InputError) as caught:
        gitutil.merge_base(root, island)
    assert "no common history" in str(caught.value)


def test_not_a_work_tree(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        gitutil.ensure_work_tree(tmp_path)
