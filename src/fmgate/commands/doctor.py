"""`fmgate doctor`: is everything fmgate needs ready, and how to fix what is not."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import load_config
from ..engine import OPA_VERSION, Engine, find_opa, opa_version
from ..errors import EXIT_ENGINE, EXIT_OK, FmgateError
from ..repo import Repository, find_root

PYTHON_PACKAGES = [
    "opa-python-client",
    "papermill",
    "great-expectations",
    "pandas",
    "pyarrow",
    "nbconvert",
    "jupyterlab",
    "ipykernel",
    "matplotlib",
    "pydantic",
]


@dataclass
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _python_packages() -> list[Finding]:
    findings = []
    for name in PYTHON_PACKAGES:
        try:
            findings.append(Finding(name, True, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            findings.append(Finding(name, False, "not installed", "run 'make setup'"))
    return findings


def _kernel() -> Finding:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
    except Exception as exc:  # a broken Jupyter install is exactly what doctor reports
        return Finding("notebook kernel", False, str(exc), "run 'make setup'")
    if "python3" in specs:
        return Finding("notebook kernel", True, f"python3 at {specs['python3']}")
    return Finding(
        "notebook kernel", False, "no 'python3' kernel", "run '.venv/bin/python -m ipykernel install --sys-prefix'"
    )


def _sources(config: Any, root: Path) -> list[Finding]:
    """Each source in fmgate.yaml: a SQL source answers a query; a dataset source's root is there; Java for Spark."""
    from ..sources import SourceUnreachable
    from ..sources.reference import Reference

    findings: list[Finding] = []
    for name, source in sorted(config.settings.sources.items()):
        label = f"source {name}"
        if source.kind == "sql":
            reference = Reference("usage_log", "sql", name, source=name, url_env=source.url_env, url=source.url)
            try:
                from ..sources.sql import connect

                cwd = os.getcwd()
                os.chdir(root)  # an embedded database's path is relative to the repository
                try:
                    with connect(reference) as connection:
                        findings.append(Finding(label, True, f"{connection.dialect.name}, answering"))
                finally:
                    os.chdir(cwd)
            except SourceUnreachable as exc:
                findings.append(Finding(label, False, exc.message, exc.fix or ""))
        else:
            where = str(source.root)
            local = "://" not in where
            there = (root / where).exists() if local else True
            detail = f"{where} ({source.engine})" + ("" if local else ": object store, not checked here")
            findings.append(Finding(label, there, detail, "" if there else "mount or create the dataset root"))
            if source.engine == "spark":
                java = shutil.which("java")
                findings.append(
                    Finding(
                        "java (for Spark)",
                        java is not None,
                        java or "not found",
                        "" if java else "install a Java 17 runtime",
                    )
                )
    return findings


def diagnose(root: Path | None) -> list[Finding]:
    findings: list[Finding] = []
    try:
        repo = Repository(find_root(root))
        config = load_config(repo.root, repo.policy_defaults())
        findings.append(Finding("fmgate.yaml", True, str(repo.root / "fmgate.yaml")))
    except FmgateError as exc:
        return [Finding("repository", False, str(exc), exc.fix or "")]
    if os.environ.get("FMGATE_OPA_URL"):
        findings.append(Finding("opa", True, f"remote server {os.environ['FMGATE_OPA_URL']} (not started here)"))
    else:
        try:
            binary = find_opa()
            version = opa_version(binary)
            same = version == OPA_VERSION
            findings.append(
                Finding(
                    "opa",
                    same,
                    f"{binary} version {version}",
                    "" if same else f"run 'make setup' to install v{OPA_VERSION}",
                )
            )
            with Engine.start_local(repo.policies_dir, opa_bin=binary):
                findings.append(Finding("opa server", True, "started on loopback with token auth, healthy"))
        except FmgateError as exc:
            findings.append(Finding("opa", False, exc.message, exc.fix or ""))
    regal = repo.root / ".tools" / "bin" / "regal"
    if regal.exists() or shutil.which("regal"):
        findings.append(Finding("regal", True, str(regal if regal.exists() else shutil.which("regal"))))
    else:
        findings.append(Finding("regal", False, "not found (needed by 'make test' only)", "run 'make setup'"))
    findings.extend(_python_packages())
    findings.append(_kernel())
    findings.extend(_sources(config, repo.root))
    notebooks = sorted((repo.root / "notebooks").glob("*.ipynb"))
    findings.append(
        Finding(
            "notebooks",
            bool(notebooks),
            f"{len(notebooks)} in notebooks/",
            "" if notebooks else "restore notebooks/ from the repository",
        )
    )
    return findings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("doctor", help="check that OPA, Python packages and the kernel are ready")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    findings = diagnose(args.repo)
    for finding in findings:
        mark = "ok " if finding.ok else "NO "
        line = f"{mark} {finding.name}: {finding.detail}"
        if not finding.ok and finding.fix:
            line += f"\n      fix: {finding.fix}"
        print(line)
    broken = [f for f in findings if not f.ok]
    print("ready" if not broken else f"{len(broken)} problem(s) to fix")
    return EXIT_OK if not broken else EXIT_ENGINE
