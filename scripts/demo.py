"""`make demo`: collect evidence for the example memos, decide them, say where to look.

Denials are part of the demo (some examples are meant to be denied), so only
bad input (2) or an engine failure (3) makes it fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FMGATE = str(ROOT / ".venv" / "bin" / "fmgate")


def step(title: str, *args: str) -> int:
    print(f"\n== {title}", flush=True)
    return subprocess.run([FMGATE, *args], cwd=ROOT).returncode


def main() -> int:
    memos = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "memos").glob("*.md"))
    if not memos:
        print("demo: no memos under memos/", file=sys.stderr)
        return 2
    code = step("Collecting evidence (notebooks run only where inputs changed)", "collect", *memos)
    if code != 0:
        return code
    code = step("Deciding every example memo", "check", *memos)
    if code not in (0, 1):
        return code
    code = step("Building the decision register", "site", "--out", "site", "--force")
    if code != 0:
        return code
    reports = sorted((ROOT / "evidence").glob("*/*.html"))
    print("\n== Where to look")
    print(f"decision register: {ROOT / 'site' / 'index.html'}")
    print(f"rendered notebooks ({len(reports)}):")
    for report in reports:
        print(f"  {report.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
