"""Evidence read where the data lives: SQL tables and queries, and Parquet/CSV datasets.

A memo may name a source from fmgate.yaml instead of committing a file
(see :class:`fmgate.memo.EvidenceRef`). :mod:`.reference` resolves that name
against the trusted settings into a :class:`~.reference.Reference`, plain
data the notebook receives as its input parameter; :mod:`.sql` and
:mod:`.dataset` read it in the notebook's kernel, in the database or on
Spark, and :mod:`.digest` fixes what was read, so the pin in the memo and
the provenance of the evidence can be checked again later.
"""

from .reference import Reference, SourceUnreachable, resolve

__all__ = ["Reference", "SourceUnreachable", "resolve"]
