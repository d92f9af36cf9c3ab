"""Decision throughput: fmgate's per-decision cost against a raw OPA query.

Generates N buy memos and decides them all as `fmgate check` does: one OPA
server for the whole run, memos sent in batches with a few queries in flight.
The rate counts everything from opening the session (parsing every memo,
starting OPA, loading data) to the last decision.

Then, on the same server, it times (a) fmgate deciding each memo alone through
its library API (evidence lookup, input building, the opa-python-client call,
result checks) and (b) a plain `POST /v1/data/...` of the same inputs. Both run
in this process, interleaved in rounds, so machine noise hits them alike; their
ratio is the overhead fmgate adds to a query. Every round is a fresh invocation;
as in the other benchmarks the best round counts. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

import requests

from _common import buy_memo, closing_line, scratch_repository
from fmgate.evaluate import DecisionSession, decide_all

TARGET_RATIO = 1.5
TARGET_RATE = 500.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memos", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    root = scratch_repository()
    for i in range(args.memos):
        (root / "memos" / f"bench-{i:05d}.md").write_text(buy_memo(i))
    now = dt.date(2026, 11, 24)

    whole_runs: list[float] = []
    decide_phases: list[float] = []
    fmgate_s: list[float] = []
    raw_s: list[float] = []
    for _ in range(args.rounds):
        # a fresh invocation each round: parse every memo, start OPA, load data, decide them all
        started = time.perf_counter()
        with DecisionSession.open(root) as session:
            memos = [session.repo.load(p) for p in session.repo.memo_paths()]
            deciding = time.perf_counter()
            decisions = decide_all(session, memos, now)
            finished = time.perf_counter()
            whole_runs.append(finished - started)
            decide_phases.append(finished - deciding)
            approved = sum(d.allowed for d in decisions)

            # then one query per memo on the same server: fmgate's library call against a raw POST
            inputs = [session.policy_input(m, now) for m in memos]
            url = f"{session.engine.base_url}/v1/data/fmgate/decision/decision"
            raw = requests.Session()
            raw.headers["Authorization"] = f"Bearer {session.engine.token}"
            t0 = time.perf_counter()
            for document in inputs:
                raw.post(url, json={"input": document}, timeout=30).json()["result"]
            raw_s.append((time.perf_counter() - t0) / len(inputs))
            t0 = time.perf_counter()
            for memo in memos:
                session.decide(memo, now)
            fmgate_s.append((time.perf_counter() - t0) / len(memos))

    whole_run, decide_phase = min(whole_runs), min(decide_phases)
    per_decision, per_raw = min(fmgate_s), min(raw_s)
    rate = args.memos / whole_run
    print(
        f"{args.memos} memos ({approved} approved) decided in {whole_run:.2f}s "
        f"including server start: {rate:.0f} decisions/s (target >= {TARGET_RATE:.0f}); "
        f"deciding alone took {decide_phase:.2f}s ({args.memos / decide_phase:.0f}/s)",
        file=sys.stderr,
    )
    print(f"per decision: fmgate {per_decision * 1e3:.3f} ms, raw POST {per_raw * 1e3:.3f} ms", file=sys.stderr)
    print(
        closing_line(
            "decisions",
            "seconds_per_decision",
            per_decision,
            per_raw,
            TARGET_RATIO,
            decisions_per_second=round(rate, 1),
            rate_target=TARGET_RATE,
            deciding_per_second=round(args.memos / decide_phase, 1),
            rate_ok=rate >= TARGET_RATE,
            memos=args.memos,
            rounds_seconds=[round(t, 3) for t in whole_runs],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
