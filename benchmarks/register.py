"""The decision register at scale: check, relitigate and site over N memos, against OPA's own time.

Generates a repository of N memos (default 1,000): buy memos (``buy_memo``)
plus a share (default 10%) of approved fine-tune memos built from the
cost-at-scale example (``ticket-triage-distillation``), each with copies of
that example's evidence documents (``evidence/ticket-triage-distillation/*.json``)
rewritten to the new memo id; every other one also has its head-to-head
``run_date`` moved back 150 days, so half of them are due (RELIT-DUE) and the
gates, evidence checks and RELIT-* rules all run. Inputs and rendered
notebooks are not copied: none of the three commands reads them.

Each round times, as the command line runs them (each opens its own OPA
server, parses every memo, decides, closes):

* check: ``DecisionSession.open`` + ``decide_all``
* relitigate: ``DecisionSession.open`` + ``due_decisions``
* site: ``DecisionSession.open`` + ``build_site``

(all three decide through ``decide_all``: batches on the batch rule, 4 queries
in flight) and, right after each, on that command's own server, the raw OPA
evaluation of the inputs it decided (``session.policy_input(memo, now)``,
built outside every timing): the same batches POSTed to
``/v1/data/fmgate/decision/decisions`` with the session's token, 4 in flight.
That raw time is the OPA evaluation the command performs. After the site, every
memo's input is also POSTed to ``/v1/data/fmgate/decision/decision`` one at a
time: the baseline.

Closing metric: (check + relitigate + site - those OPA times) / N, the
per-memo cost beyond OPA's evaluation, against the sequential raw evaluation
time per memo (one query per memo, one at a time). Minimum of each quantity over the rounds (each
round's own ratio is reported too). Also reported: the ratio without the three
session opens (each parses every memo, starts OPA and loads its data), and the
site's size in bytes per memo for N and for N/2 (a second repository of the
first N/2 memos), which should agree within 25% (``site_size_ok``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from _common import REPO_ROOT, buy_memo, closing_line, scratch_repository
from fmgate.evaluate import BATCH_SIZE, DecisionSession, decide_all
from fmgate.relitigation import due_decisions
from fmgate.site import build_site

TARGET_RATIO = 2.0
SIZE_TOLERANCE = 0.25
EXAMPLE = "ticket-triage-distillation"
CONCURRENCY = 4  # decide_all's default workers
DECISION_PATH = "/v1/data/fmgate/decision/decision"
BATCH_PATH = "/v1/data/fmgate/decision/decisions"


def log(message: str) -> None:
    print(f"register: {message}", file=sys.stderr, flush=True)


def example_documents() -> dict[str, str]:
    folder = REPO_ROOT / "evidence" / EXAMPLE
    documents = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.json"))}
    if not documents:
        raise SystemExit(f"no evidence documents in {folder}: run 'make demo' (or fmgate collect) first")
    return documents


def fine_tune_memo(template: str, memo_id: str, index: int) -> str:
    text = template.replace(EXAMPLE, memo_id)  # the id line and every evidence path
    text = re.sub(r"(?m)^workload: .*$", f"workload: bench-ft-workload-{index:05d}", text, count=1)
    return re.sub(r"(?m)^status: .*$", "status: approved", text, count=1)


def generate(root: Path, count: int, share: float, documents: dict[str, str], now: dt.date) -> int:
    """Write *count* memos into the repository at *root*; returns how many are fine-tunes."""
    template = (REPO_ROOT / "memos" / f"{EXAMPLE}.md").read_text(encoding="utf-8")
    every = max(1, round(1 / share)) if share > 0 else 0
    old_run = (now - dt.timedelta(days=150)).isoformat()
    fine_tunes = 0
    for i in range(count):
        memo_id = f"bench-{i:05d}"
        if every and i % every == every - 1:
            (root / "memos" / f"{memo_id}.md").write_text(fine_tune_memo(template, memo_id, i), encoding="utf-8")
            folder = root / "evidence" / memo_id
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in documents.items():
                document = json.loads(text.replace(EXAMPLE, memo_id))
                if name == "head_to_head.json" and fine_tunes % 2 == 1:
                    document["measurements"]["run_date"] = old_run  # due for re-litigation
                (folder / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
            fine_tunes += 1
        else:
            (root / "memos" / f"{memo_id}.md").write_text(buy_memo(i), encoding="utf-8")
    return fine_tunes


def evaluation_day(documents: dict[str, str]) -> dt.date:
    """The day the example's evidence was produced: the copies are fresh on it."""
    days = []
    for text in documents.values():
        generated = (json.loads(text).get("provenance") or {}).get("generated_at")
        if isinstance(generated, str):
            days.append(dt.date.fromisoformat(generated[:10]))
    return max(days) if days else dt.datetime.now(dt.UTC).date()


def site_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _post(http: requests.Session, url: str, token: str | None, document: dict) -> None:
    response = http.post(url, json={"input": document}, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    response.raise_for_status()
    response.json()["result"]


def raw_sequential(session: DecisionSession, inputs: list[dict]) -> list[float]:
    """Each input's POST time, one request at a time."""
    url, token = session.engine.base_url + DECISION_PATH, session.engine.token
    times = []
    with requests.Session() as http:
        for document in inputs:
            t0 = time.perf_counter()
            _post(http, url, token, document)
            times.append(time.perf_counter() - t0)
    return times


def raw_batched(session: DecisionSession, inputs: list[dict]) -> float:
    """Wall time of the inputs POSTed in decide_all's batches, CONCURRENCY in flight (a session per thread)."""
    url, token = session.engine.base_url + BATCH_PATH, session.engine.token
    size = max(1, min(BATCH_SIZE, -(-len(inputs) // (2 * CONCURRENCY))))
    batches = [{"batch": inputs[i : i + size]} for i in range(0, len(inputs), size)]
    local = threading.local()
    opened: list[requests.Session] = []

    def post(document: dict) -> None:
        http = getattr(local, "http", None)
        if http is None:
            http = local.http = requests.Session()
            opened.append(http)
        _post(http, url, token, document)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(post, batches))
    elapsed = time.perf_counter() - t0
    for http in opened:
        http.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--memos", type=int, default=1000, help="memos in the repository (default 1000)")
    parser.add_argument(
        "--fine-tune-share", type=float, default=0.1, help="share of approved fine-tune memos (default 0.1)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the minimum counts (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    args = parser.parse_args()
    if args.memos < 2 or args.rounds < 1 or not 0 <= args.fine_tune_share <= 1:
        parser.error("need --memos >= 2, --rounds >= 1 and 0 <= --fine-tune-share <= 1")

    documents = example_documents()
    now = evaluation_day(documents)
    root = scratch_repository()
    half_root = scratch_repository()
    try:
        fine_tunes = generate(root, args.memos, args.fine_tune_share, documents, now)
        generate(half_root, args.memos // 2, args.fine_tune_share, documents, now)
        log(f"{args.memos} memos ({fine_tunes} approved fine-tunes) in {root}, evaluated on {now}")

        phases: dict[str, list[float]] = {k: [] for k in ("check", "relitigate", "site", "open")}
        raw: dict[str, list[float]] = {k: [] for k in ("check", "relitigate", "site", "baseline")}
        outcome: dict[str, int] = {}
        for round_no in range(1, args.rounds + 1):
            opens = 0.0
            # check: decide_all, then the same inputs raw, in the same batches, on the same server
            t0 = time.perf_counter()
            with DecisionSession.open(root) as session:
                opens += time.perf_counter() - t0
                decisions = decide_all(session, session.repo.memos, now)
                elapsed = time.perf_counter() - t0
                inputs = [session.policy_input(m, now) for m in session.repo.memos]  # untimed
                raw["check"].append(raw_batched(session, inputs))
                t1 = time.perf_counter()
            phases["check"].append(elapsed + time.perf_counter() - t1)  # + closing the server

            # relitigate: due_decisions, then the approved memos' inputs raw
            t0 = time.perf_counter()
            with DecisionSession.open(root) as session:
                opens += time.perf_counter() - t0
                due, evaluated = due_decisions(session, now)
                elapsed = time.perf_counter() - t0
                inputs = [session.policy_input(m, now) for m in session.repo.memos if m.memo.status == "approved"]
                raw["relitigate"].append(raw_batched(session, inputs))
                t1 = time.perf_counter()
            phases["relitigate"].append(elapsed + time.perf_counter() - t1)

            # site: build_site, then every memo's input raw; then one query per memo, one at a time (the baseline)
            t0 = time.perf_counter()
            with DecisionSession.open(root) as session:
                opens += time.perf_counter() - t0
                site = build_site(session, root / "site", now, force=True)
                elapsed = time.perf_counter() - t0
                inputs = [session.policy_input(m, now) for m in session.repo.memos]
                raw["site"].append(raw_batched(session, inputs))
                raw["baseline"].append(sum(raw_sequential(session, inputs)))
                t1 = time.perf_counter()
            phases["site"].append(elapsed + time.perf_counter() - t1)  # + closing the server
            phases["open"].append(opens)

            outcome = {
                "approved": sum(d.allowed for d in decisions),
                "denied": sum(not d.allowed for d in decisions),
                "relit_evaluated": len(evaluated),
                "relit_due": len(due),
                "site_pages": site.memos,
            }
            log(
                f"round {round_no}: check {phases['check'][-1]:.2f}s (raw {raw['check'][-1]:.2f}s), "
                f"relitigate {phases['relitigate'][-1]:.2f}s (raw {raw['relitigate'][-1]:.2f}s), "
                f"site {phases['site'][-1]:.2f}s (raw {raw['site'][-1]:.2f}s); session opens {opens:.2f}s"
            )

        with DecisionSession.open(half_root) as session:
            build_site(session, half_root / "site", now, force=True)
        size_n, size_half = site_bytes(root / "site"), site_bytes(half_root / "site")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(half_root, ignore_errors=True)

    n, half = args.memos, args.memos // 2
    check_s, relit_s, site_s = min(phases["check"]), min(phases["relitigate"]), min(phases["site"])
    open_s = min(phases["open"])
    opa_in_commands = min(raw["check"]) + min(raw["relitigate"]) + min(raw["site"])
    beyond = (check_s + relit_s + site_s - opa_in_commands) / n
    raw_per_memo = min(raw["baseline"]) / n
    per_memo_n, per_memo_half = size_n / n, size_half / half
    size_ratio = per_memo_n / per_memo_half
    size_ok = abs(size_ratio - 1) <= SIZE_TOLERANCE
    round_ratios = [
        round((c + r + s - rc - rr - rs) / b, 3)
        for c, r, s, rc, rr, rs, b in zip(
            phases["check"],
            phases["relitigate"],
            phases["site"],
            raw["check"],
            raw["relitigate"],
            raw["site"],
            raw["baseline"],
        )
    ]
    log(f"{outcome}")
    log(
        f"per memo: fmgate beyond OPA {beyond * 1e3:.3f} ms, raw OPA evaluation {raw_per_memo * 1e3:.3f} ms; "
        f"session opens {open_s:.2f}s in all"
    )
    log(f"site: {per_memo_n:.0f} bytes/memo at {n}, {per_memo_half:.0f} at {half} (ratio {size_ratio:.3f})")
    print(
        closing_line(
            "register",
            "seconds_per_memo_beyond_opa",
            beyond,
            raw_per_memo,
            TARGET_RATIO,
            memos=n,
            fine_tunes=fine_tunes,
            rounds=args.rounds,
            now=now.isoformat(),
            raw_concurrency={"check": CONCURRENCY, "relitigate": CONCURRENCY, "site": CONCURRENCY, "baseline": 1},
            check_seconds=round(check_s, 4),
            relitigate_seconds=round(relit_s, 4),
            site_seconds=round(site_s, 4),
            session_open_seconds=round(open_s, 4),
            opa_seconds={k: round(min(v), 4) for k, v in raw.items() if k != "baseline"},
            baseline_seconds=round(min(raw["baseline"]), 4),
            round_ratios=round_ratios,
            ratio_without_session_opens=round((beyond - open_s / n) / raw_per_memo, 4),
            site_bytes_per_memo=round(per_memo_n, 1),
            site_bytes_per_memo_half=round(per_memo_half, 1),
            site_size_ratio=round(size_ratio, 4),
            site_size_ok=size_ok,
            **outcome,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
