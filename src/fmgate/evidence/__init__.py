"""The evidence layer: read, validate and measure each evidence kind into a JSON document.

One module per job: :mod:`.io` reads input files, :mod:`.validate` runs the
great-expectations suites, one module per kind measures it (:mod:`.eval_set`,
:mod:`.prompting`, :mod:`.usage`, :mod:`.head_to_head`, :mod:`.cost`,
:mod:`.domain`, :mod:`.corpus`), :mod:`.document` writes the evidence
document with its provenance and :mod:`.plots` draws what a reviewer looks at.
The notebooks under ``notebooks/`` call these; :mod:`fmgate.collect` runs them.

Submodules are imported on use, so importing this package stays cheap.
"""

from .specs import KINDS

__all__ = ["KINDS"]
