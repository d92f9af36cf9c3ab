#!/usr/bin/env bash
# Remakes the importer fixtures in tests/importers/fixtures/ with the real tools:
#
#   inspect_ai/            three iterations of an "icd_coding" task, each a log
#                          as inspect-ai writes it: 1 JSON (1 epoch), 2 .eval
#                          (2 epochs, inspect's default format), 3 JSON (2 epochs)
#   inspect_ai_eval_set/   an 'eval_set' log folder: two .eval logs beside the
#                          eval-set.json and logs.json manifests inspect writes
#   inspect_ai_converted/  iteration 2 converted to JSON ('inspect log convert'),
#                          so one run can be present in both formats
#   promptfoo/             'promptfoo eval -o' results of two rounds with the echo
#                          provider; the second round ran with --repeat 2
#   VERSIONS               the tool versions that wrote them
#
# inspect-ai runs its mockllm/model with custom outputs that carry token usage
# (without usage inspect counts tokens with a tokenizer it would download), so
# nothing leaves the machine. The tools are installed outside the project:
# inspect-ai into a venv at $INSPECT_VENV, promptfoo with npm under $PROMPTFOO_DIR.
# The sidecars and not_a_result.json beside the fixtures are written by hand.
set -euo pipefail

INSPECT_VERSION=${INSPECT_VERSION:-0.3.285}
PROMPTFOO_VERSION=${PROMPTFOO_VERSION:-0.121.20}
INSPECT_VENV=${INSPECT_VENV:-/tmp/inspect-venv}
PROMPTFOO_DIR=${PROMPTFOO_DIR:-/tmp/promptfoo-work}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/tests/importers/fixtures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { printf 'fixtures: %s\n' "$*"; }

# ---- the tools ---------------------------------------------------------------
if [ "$("$INSPECT_VENV/bin/inspect" --version 2>/dev/null)" != "$INSPECT_VERSION" ]; then
  say "installing inspect-ai $INSPECT_VERSION into $INSPECT_VENV"
  python3 -m venv "$INSPECT_VENV"
  "$INSPECT_VENV/bin/pip" install --quiet "inspect-ai==$INSPECT_VERSION"
fi
promptfoo="$PROMPTFOO_DIR/node_modules/.bin/promptfoo"
if [ "$("$promptfoo" --version 2>/dev/null | head -1)" != "$PROMPTFOO_VERSION" ]; then
  say "installing promptfoo $PROMPTFOO_VERSION under $PROMPTFOO_DIR"
  mkdir -p "$PROMPTFOO_DIR"
  npm install --prefix "$PROMPTFOO_DIR" --no-audit --no-fund "promptfoo@$PROMPTFOO_VERSION" >/dev/null
fi
export PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_CONFIG_DIR="$work/promptfoo-home"
export XDG_DATA_HOME="$work/xdg-data" XDG_CACHE_HOME="$work/xdg-cache" INSPECT_DISPLAY=none

rm -rf "$out/inspect_ai" "$out/inspect_ai_eval_set" "$out/inspect_ai_converted" "$out/promptfoo"
mkdir -p "$out/inspect_ai" "$out/promptfoo"

# ---- inspect-ai ----------------------------------------------------------------
cat > "$work/icd_coding.py" <<'EOF'
"""An ICD-10 coding task for inspect-ai's mockllm/model: the mock answers from a table."""
import sys

from inspect_ai import Task, eval, eval_set, task
from inspect_ai.dataset import Sample
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import exact, includes
from inspect_ai.solver import generate, system_message

NOTES = {
    "note-1": ("Burning on urination, positive urine culture.", "N39.0"),
    "note-2": ("Irregularly irregular pulse on ECG.", "I48.91"),
    "note-3": ("HbA1c 8.1%, on metformin.", "E11.9"),
    "note-4": ("Wheeze, reversible on spirometry.", "J45.909"),
    "note-5": ("Elevated blood pressure on three visits.", "I10"),
}
PROMPTS = {
    "system_prompt": "You are a clinical coder. Answer with one ICD-10-CM code.",
    "few_shot": "You are a clinical coder. Example: 'dysuria, nitrites' -> N39.0. Answer with one code.",
    "chain_of_thought": "You are a clinical coder. Reason step by step, then give one ICD-10-CM code.",
}
# per variant and note: the code alone, the code inside a sentence, or a wrong code
ANSWERS = {
    "system_prompt": ["code", "wrong", "code", "wrong", "code"],      # includes 0.6
    "few_shot": ["code", "code", "code", "wrong", "code"],            # includes 0.8
    "chain_of_thought": ["code", "sentence", "code", "code", "code"],  # includes 1.0, exact 0.8
}


def answer(messages, tools, tool_choice, config) -> ModelOutput:
    variant = next(v for v, p in PROMPTS.items() if p == messages[0].text)
    index = next(i for i, (text, _) in enumerate(NOTES.values()) if text == messages[-1].text)
    code = list(NOTES.values())[index][1]
    content = {"code": code, "sentence": f"The note supports {code}.", "wrong": "R69"}[ANSWERS[variant][index]]
    output = ModelOutput.from_content(model="mockllm/model", content=content)
    words = len(content.split())
    output.usage = ModelUsage(input_tokens=40, output_tokens=words, total_tokens=40 + words)
    return output


@task
def icd_coding(variant: str = "system_prompt") -> Task:
    return Task(dataset=[Sample(id=n, input=text, target=code) for n, (text, code) in NOTES.items()],
                solver=[system_message(PROMPTS[variant]), generate()], scorer=[includes(), exact()])


def model():
    return get_model("mockllm/model", custom_outputs=answer)


if __name__ == "__main__":
    if sys.argv[1] == "eval":
        variant, log_dir, log_format, epochs = sys.argv[2:]
        log = eval(icd_coding(variant=variant), model=model(), log_dir=log_dir, log_format=log_format,
                   epochs=int(epochs), display="none")[0]
        assert log.status == "success", log.error
    else:
        ok, logs = eval_set([icd_coding(variant="system_prompt"), icd_coding(variant="few_shot")],
                            log_dir=sys.argv[2], model=model(), display="none")
        assert ok, [log.error for log in logs]
EOF
py="$INSPECT_VENV/bin/python"
say "inspect-ai: three iterations"
(cd "$work" && "$py" icd_coding.py eval system_prompt "$out/inspect_ai" json 1)
sleep 1.2   # eval.created has whole seconds: keep the iterations apart
(cd "$work" && "$py" icd_coding.py eval few_shot "$out/inspect_ai" eval 2)
sleep 1.2
(cd "$work" && "$py" icd_coding.py eval chain_of_thought "$out/inspect_ai" json 2)
say "inspect-ai: an eval set"
(cd "$work" && "$py" icd_coding.py set "$out/inspect_ai_eval_set")
say "inspect-ai: iteration 2 as JSON"
"$INSPECT_VENV/bin/inspect" log convert --to json --output-dir "$out/inspect_ai_converted" \
  "$(ls "$out"/inspect_ai/*.eval)" >/dev/null

# ---- promptfoo ------------------------------------------------------------------
cat > "$work/tests.yaml" <<'EOF'
- vars: {note: "Dysuria, culture positive: N39.0", code: N39.0}
  assert: [{type: contains, value: "{{code}}"}]
- vars: {note: "Irregular pulse on ECG", code: I48.91}
  assert: [{type: contains, value: "{{code}}"}, {type: icontains, value: irregular}]
- vars: {note: "HbA1c 8.1 on metformin (E11.9)", code: E11.9}
  assert: [{type: contains, value: "{{code}}"}]
- vars: {note: "Wheeze, reversible on spirometry", code: J45.909}
  assert: [{type: contains, value: "{{code}}"}, {type: icontains, value: wheeze}]
  options:
    # the answer parser of the chain-of-thought prompt fails here: promptfoo records an error
    transform: "output.includes('step by step') ? (() => { throw new Error('no code found in the answer'); })() : output"
EOF
cat > "$work/round-1.yaml" <<'EOF'
description: icd-coding prompts, round 1
prompts:
  - label: v1 system prompt
    raw: "You are a clinical coder. Code this note: {{note}}"
  - label: v2 few-shot (3 examples)
    raw: "Examples: 'irregular pulse' -> I48.91; 'polyuria' -> E11.9; 'dysuria' -> N39.0. Code this note: {{note}}"
  - label: v3 chain of thought
    raw: "Think step by step about this note: {{note}}. The codes in play are I48.91, J45.909, E11.9 and N39.0; reply with the right one"
providers: [echo]
tests: file://tests.yaml
EOF
cat > "$work/round-2.yaml" <<'EOF'
description: icd-coding prompts, round 2
prompts:
  - label: v4 retrieval of coding guidance
    raw: "Coding guidance retrieved for this note: N39.0 (UTI), I48.91 (AF), E11.9 (T2DM), J45.909 (asthma). Note: {{note}}"
providers: [echo]
tests: file://tests.yaml
EOF
pf_eval() {  # promptfoo exits 100 when a test failed or errored; the results are written all the same
  local rc=0
  (cd "$work" && "$promptfoo" eval --no-cache --no-progress-bar --no-table --no-write "$@" >>"$work/promptfoo.log" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 100 ]; then cat "$work/promptfoo.log" >&2; exit "$rc"; fi
}
say "promptfoo: round 1, and round 2 with --repeat 2"
pf_eval -c round-1.yaml -o round-1.json
sleep 1.2
pf_eval -c round-2.yaml -o round-2.json --repeat 2
cp "$work/round-1.json" "$work/round-2.json" "$out/promptfoo/"

# ---- the versions -----------------------------------------------------------------
"$py" - "$out" <<'EOF'
import glob, json, os, sys
out = sys.argv[1]
log = json.load(open(sorted(glob.glob(f"{out}/inspect_ai/*.json"))[0]))
pf = json.load(open(f"{out}/promptfoo/round-1.json"))
with open(f"{out}/VERSIONS", "w") as f:
    f.write("# written by scripts/make_log_fixtures.sh; the tools that wrote the fixtures in this folder\n")
    f.write(f"inspect-ai {log['eval']['packages']['inspect_ai']} (log format version {log['version']}), "
            f"Python {sys.version.split()[0]}\n")
    f.write(f"promptfoo {pf['metadata']['promptfooVersion']} (results version {pf['results']['version']}), "
            f"Node.js {pf['metadata']['nodeVersion']}\n")
EOF
say "done:"; cat "$out/VERSIONS"
