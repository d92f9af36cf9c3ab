"""Build jsonschema's IRI grammar when an IRI is first checked, not when jsonschema is imported.

``import jsonschema`` registers its format checkers at once, and the checker
for the ``iri`` and ``iri-reference`` formats comes from ``rfc3987_syntax``,
which compiles three Earley parsers from a grammar file as it is imported:
about 1.5 seconds, in every process that imports jsonschema. The evidence
notebooks' kernels import it through great-expectations (and altair), and
collect's workers through papermill (and nbformat); none of them ever checks
an IRI.

:func:`defer` puts a stand-in for the ``rfc3987_syntax`` module in place
before jsonschema is imported. The stand-in is the real package's module
object with its code not yet run: the first call of ``is_valid_syntax`` (how
jsonschema uses it), or the first look-up of any other name, runs the real
package code and from then on everything is the real package's. Results are
the same; only the moment the parsers are built changes.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from typing import Any

NAME = "rfc3987_syntax"
_LOCK = threading.RLock()


def defer() -> bool:
    """Install the stand-in, unless the package is already imported, absent, or jsonschema was imported.

    Returns True when the stand-in is in place (now or from an earlier call).
    """
    with _LOCK:
        current = sys.modules.get(NAME)
        if current is not None:
            return bool(getattr(current, "_fmgate_deferred", False))
        if "jsonschema" in sys.modules:
            return False
        try:
            spec = importlib.util.find_spec(NAME)
            parser = importlib.util.find_spec("lark")
        except (ImportError, ValueError):
            return False
        if spec is None or spec.loader is None or parser is None:
            return False  # jsonschema would go without the IRI checker; so must we
        module = importlib.util.module_from_spec(spec)

        def load() -> Any:
            with _LOCK:
                if module.__dict__.get("_fmgate_deferred"):
                    for name in ("_fmgate_deferred", "__getattr__", "is_valid_syntax"):
                        module.__dict__.pop(name, None)
                    spec.loader.exec_module(module)  # type: ignore[union-attr]
            return module

        def is_valid_syntax(term: str, value: str) -> Any:
            return load().is_valid_syntax(term, value)

        def __getattr__(name: str) -> Any:
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return getattr(load(), name)

        module.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
        module.__getattr__ = __getattr__  # type: ignore[method-assign]
        module._fmgate_deferred = True  # type: ignore[attr-defined]
        sys.modules[NAME] = module
        return True
