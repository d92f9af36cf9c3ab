"""The few git operations the pull-request job needs, with errors a person can act on."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from .errors import EngineError, InputError

FETCH_FIX = (
    "fetch the base branch with its history: in GitHub Actions use "
    "actions/checkout with 'fetch-depth: 0'; locally 'git fetch origin <base>'"
)


def git(root: Path, *args: str, check: bool = True, binary: bool = False) -> subprocess.CompletedProcess:
    try:
        completed = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=not binary, timeout=120)
    except FileNotFoundError:
        raise EngineError("git is not installed", fix="install git") from None
    except subprocess.TimeoutExpired:
        raise EngineError(f"git {' '.join(args)} timed out", fix="check the repository's health") from None
    if check and completed.returncode != 0:
        stderr = completed.stderr if isinstance(completed.stderr, str) else completed.stderr.decode(errors="replace")
        raise InputError(f"git {' '.join(args)} failed: {stderr.strip()}", path=str(root), fix=FETCH_FIX)
    return completed


def ensure_work_tree(root: Path) -> None:
    result = git(root, "rev-parse", "--is-inside-work-tree", check=False)
    if result.returncode != 0 or result.stdout.strip() != "true":
        raise InputError(
            "not a git work tree", path=str(root), fix="run fmgate ci inside a clone of the decision repository"
        )


def resolve_commit(root: Path, ref: str) -> str:
    result = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if result.returncode != 0:
        shallow = git(root, "rev-parse", "--is-shallow-repository", check=False).stdout.strip() == "true"
        why = "this is a shallow clone without it" if shallow else "no such branch, tag or commit here"
        raise InputError(f"base ref {ref!r} cannot be found: {why}", field="--base", fix=FETCH_FIX)
    return result.stdout.strip()


def merge_base(root: Path, base: str, head: str = "HEAD") -> str:
    result = git(root, "merge-base", base, head, check=False)
    if result.returncode != 0 or not result.stdout.strip():
        raise InputError(f"the branch has no common history with {base[:12]}", field="--base", fix=FETCH_FIX)
    return result.stdout.strip()


def changed_paths(root: Path, since: str) -> list[str]:
    """Paths changed since *since*: committed, staged, unstaged and untracked."""
    diff = git(root, "diff", "--name-only", "-z", "--no-renames", since).stdout
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "-z").stdout
    return sorted({p for p in (diff + untracked).split("\0") if p})


def export_tree(root: Path, ref: str, paths: list[str], dest: Path) -> None:
    """Write the files under *paths* as they are at *ref* into *dest* (nothing is checked out)."""
    present = [p for p in paths if git(root, "cat-file", "-e", f"{ref}:{p}", check=False).returncode == 0]
    dest.mkdir(parents=True, exist_ok=True)
    if not present:
        return
    archive = git(root, "archive", "--format=tar", ref, "--", *present, binary=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            # the archive comes from our own repository, but never trust paths blindly
            if member.issym() or member.islnk() or member.name.startswith("/") or ".." in Path(member.name).parts:
                continue
            tar.extract(member, dest, filter="data")


def show_file(root: Path, ref: str, path: str) -> str | None:
    """A file's text at *ref*, or None when it did not exist there."""
    result = git(root, "show", f"{ref}:{path}", check=False)
    return result.stdout if result.returncode == 0 else None


def toplevel(start: Path) -> Path:
    """The top folder of the git work tree holding *start*."""
    result = git(start, "rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0 or not result.stdout.strip():
        raise InputError(
            "not a git work tree",
            path=str(start),
            fix="pass --repo the checkout of the pull request's branch (a git clone)",
        )
    return Path(result.stdout.strip()).resolve()


def tree_blobs(root: Path, ref: str, folder: str) -> dict[str, str]:
    """Path (relative to *folder*) -> git blob id of every file under *folder* at *ref*."""
    listing = git(root, "ls-tree", "-r", "-z", ref, "--", folder, check=False).stdout
    blobs = {}
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob":
            blobs[path[len(folder) :].lstrip("/")] = parts[2]
    return blobs


def blob_id(content: bytes) -> str:
    """The id git gives a file with these bytes (SHA-1 repositories)."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
