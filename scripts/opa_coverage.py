"""Run `opa test` with coverage and fail below a minimum percentage."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min", type=float, default=95.0, help="minimum coverage percent")
    parser.add_argument("--opa", default=os.path.join(".tools", "bin", "opa"))
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()

    verbose = subprocess.run([args.opa, "test", *args.paths], capture_output=True, text=True)
    print(verbose.stdout.strip().splitlines()[-1] if verbose.stdout.strip() else verbose.stderr.strip())
    if verbose.returncode != 0:
        subprocess.run([args.opa, "test", "--verbose", *args.paths])
        return 1
    report = subprocess.run(
        [args.opa, "test", "--coverage", "--format", "json", *args.paths], capture_output=True, text=True
    )
    if report.returncode != 0:
        print(report.stderr, file=sys.stderr)
        return 1
    coverage = json.loads(report.stdout)
    percent = float(coverage.get("coverage", 0.0))
    for name, info in sorted(coverage.get("files", {}).items()):
        if name.endswith("_test.rego"):
            continue
        file_percent = float(info.get("coverage", 0.0))
        missed = [f"{r['start']['row']}-{r['end']['row']}" for r in info.get("not_covered", [])]
        print(f"  {file_percent:6.2f}%  {name}" + (f"  (not covered: {', '.join(missed)})" if missed else ""))
    print(f"rego coverage {percent:.2f}% (minimum {args.min:.0f}%)")
    return 0 if percent >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
