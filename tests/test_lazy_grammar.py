"""jsonschema's IRI grammar is built on first use, with the same answers as when built on import."""

from __future__ import annotations

import json
import subprocess
import sys

CHECKS = """
import json, sys
deferred = {defer}
if deferred:
    from fmgate import lazy_grammar
    assert lazy_grammar.defer() is True
import jsonschema
built_on_import = "syntax_parser" in vars(sys.modules["rfc3987_syntax"])
checker = jsonschema.FormatChecker()
values = ["http://example.com/\u00e4?q=1#f", "not an iri", "../a b", "../a/b?c", "", 5]
answers = [[checker.conforms(v, f) for v in values] for f in ("iri", "iri-reference")]
validator = jsonschema.Draft202012Validator({{"format": "iri"}}, format_checker=checker)
errors = [e.message for e in validator.iter_errors("not an iri")]
import rfc3987_syntax
print(json.dumps({{"built_on_import": built_on_import, "answers": answers, "errors": errors,
                  "parser": type(rfc3987_syntax.syntax_parser).__name__}}))
"""


def run(defer: bool) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHECKS.format(defer=defer)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_iri_checks_answer_the_same_deferred_or_not() -> None:
    eager, deferred = run(False), run(True)
    assert eager["built_on_import"] is True and deferred["built_on_import"] is False
    assert deferred["answers"] == eager["answers"]
    assert eager["answers"][0][:2] == [True, False]  # the check is real, not switched off
    assert deferred["errors"] == eager["errors"] and deferred["errors"]
    assert deferred["parser"] == eager["parser"] == "Lark"


def test_defer_does_nothing_once_jsonschema_is_imported() -> None:
    code = (
        "import jsonschema, sys\nfrom fmgate import lazy_grammar\n"
        "print(lazy_grammar.defer(), hasattr(sys.modules['rfc3987_syntax'], '_fmgate_deferred'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
