"""Content digests of inputs that are not in git, computed where the data is.

A SQL input's digest is computed in the database over the rows and columns
fmgate reads: each row is hashed (MD5 of the row as text, its first 60 bits)
and the hashes are summed, so the digest does not depend on the order the
database returns rows in and nothing but two numbers leaves the database.
The row count and the sum are then hashed with SHA-256, with the dialect
and the column list, into ``sha256:<hex>``. A row changed, added or removed
changes the digest (barring a 2**-60 coincidence; the sum is a checksum
against change, not a defence against someone crafting rows to collide).
The text of a row is the database's own, so the same rows in two dialects
have different digests: a pin belongs to its source.

A dataset's digest hashes, in path order, each file's path relative to the
dataset's root, its size and the SHA-256 of its bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

VERSION = "fmgate-digest-1"
_MASK60 = (1 << 60) - 1


def _sqlite_row_hash(*values: Any) -> int:
    text = "\x1f".join("\\N" if v is None else (v.hex() if isinstance(v, bytes) else str(v)) for v in values)
    return int(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:15], 16) & _MASK60


class _ExactSum:
    """SQLite's SUM overflows at 2**63; the digest's sum is kept exact, as text."""

    def __init__(self) -> None:
        self.total = 0

    def step(self, value: int | None) -> None:
        if value is not None:
            self.total += int(value)

    def finalize(self) -> str:
        return str(self.total)


def prepare(engine: Engine) -> None:
    """Give connections of *engine* the functions their dialect's digest needs (SQLite's come from here)."""
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _register(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.create_function("fmgate_row_hash", -1, _sqlite_row_hash, deterministic=True)
            dbapi_connection.create_aggregate("fmgate_exact_sum", 1, _ExactSum)


def _quoted(connection: Connection, names: Sequence[str]) -> list[str]:
    preparer = connection.dialect.identifier_preparer
    return [f"fmgate_input.{preparer.quote(name)}" for name in names]


def _aggregate_sql(dialect: str, columns: list[str]) -> str | None:
    if dialect == "postgresql":
        row = f"ROW({', '.join(columns)})::text"
        return (
            f"SELECT count(*), COALESCE(SUM(('x' || substr(md5({row}), 1, 15))::bit(60)::bigint), 0)::text "
            "FROM ({inner}) AS fmgate_input"
        )
    if dialect == "sqlite":
        return (
            f"SELECT count(*), COALESCE(fmgate_exact_sum(fmgate_row_hash({', '.join(columns)})), '0') "
            "FROM ({inner}) AS fmgate_input"
        )
    return None


def compute(connection: Connection, subquery: sa.Subquery, columns: Sequence[str]) -> str | None:
    """``sha256:<hex>`` of the rows of *subquery* (its *columns*), or None for a dialect without a digest."""
    dialect = connection.dialect.name
    template = _aggregate_sql(dialect, _quoted(connection, columns))
    if template is None:
        return None
    inner = str(subquery.element.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    count, total = connection.execute(sa.text(template.replace("{inner}", inner))).one()
    return seal(VERSION, dialect, ",".join(columns), str(int(count)), str(total))


def seal(*parts: str) -> str:
    """``sha256:`` and the hex SHA-256 of *parts*, each length-prefixed so no two lists collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return "sha256:" + digest.hexdigest()


def files_digest(entries: Iterable[tuple[str, int, str]]) -> str:
    """The digest of a dataset from (relative path, size, sha256) of each file, in path order."""
    parts = [VERSION, "dataset"]
    for relative, size, sha in sorted(entries):
        parts += [relative, str(size), sha]
    return seal(*parts)
