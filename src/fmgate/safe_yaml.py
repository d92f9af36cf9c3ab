"""YAML loading that a memo author cannot turn against the reader.

Only plain data is accepted: no Python tags, no anchors or aliases (so no
"billion laughs" expansion), and a size cap checked before parsing. Line
numbers of top-level keys are kept so errors can point at them.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import InputError

MAX_YAML_BYTES = 256 * 1024
# far deeper than any memo or setting needs, far shallower than Python's recursion limit
MAX_NESTING = 32


# The C parser when PyYAML has it (several times faster on memo-sized text).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_shared_nodes(root: yaml.Node) -> None:
    """An alias makes the composer reuse a node object: seeing one twice means an alias."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases are not allowed", node.start_mark)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class _NotPlain(Exception):
    """A node that only the full constructor handles (merge keys, !!set, !!omap, complex keys)."""


def _plain_value(node: yaml.Node, loader: Any, depth: int = 0) -> Any:
    """Build plain mappings, lists and scalars straight from the nodes.

    Front matter is almost always plain data, and the generic constructor's
    bookkeeping costs more than the parse itself; scalars still go through the
    safe constructor, so dates, numbers and booleans resolve exactly as before.
    """
    if isinstance(node, yaml.ScalarNode):
        # the composer has resolved the tag already; a string is its own value
        return node.value if node.tag == _STR else loader.construct_object(node)
    if depth >= MAX_NESTING:
        raise yaml.constructor.ConstructorError(
            None, None, f"values are nested more than {MAX_NESTING} levels deep", node.start_mark)
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_plain_value(item, loader, depth + 1) for item in node.value]
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        built = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                raise _NotPlain
            built[_plain_value(key, loader, depth + 1)] = _plain_value(value, loader, depth + 1)
        return built
    raise _NotPlain


def _construct(node: yaml.Node, loader: Any) -> Any:
    try:
        return _plain_value(node, loader)
    except _NotPlain:
        return loader.construct_document(node)


def load_yaml(text: str, *, path: str, line_offset: int = 0,
              max_bytes: int = MAX_YAML_BYTES) -> tuple[Any, dict[str, int]]:
    """Parse YAML text; return the data and the 1-based line of each top-level key."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise InputError(
            f"YAML is {size} bytes, more than the {max_bytes}-byte limit",
            path=path, fix="move bulky content into evidence input files",
        )
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[str, int] = {}
        # an alias needs an anchor ('&') and a reference ('*'): text without both has no shared node
        if node is not None and "&" in text and "*" in text:
            _refuse_shared_nodes(node)
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    lines[str(key_node.value)] = key_node.start_mark.line + 1 + line_offset
        data = _construct(node, loader) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            f"YAML cannot be read: {problem}", path=path, line=line,
            fix="correct the YAML syntax (plain mappings, lists and scalars only)",
        ) from None
    finally:
        loader.dispose()
    return data, lines


def read_bounded_text(path: str, *, shown: str, max_bytes: int, too_big_fix: str) -> str:
    """Read a UTF-8 text file, never more than *max_bytes* + 1 bytes of it."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError("file not found", path=shown, fix="create it or correct the path") from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", path=shown, fix="name a readable file") from None
    if len(raw) > max_bytes:
        raise InputError(f"file is larger than the {max_bytes}-byte limit", path=shown, fix=too_big_fix)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("file is not UTF-8 text", path=shown, fix="save it as UTF-8") from None


def load_yaml_file(path: str, *, display: str | None = None,
                   max_bytes: int = MAX_YAML_BYTES) -> tuple[Any, dict[str, int]]:
    """Read and parse a YAML file with the same limits."""
    shown = display or path
    text = read_bounded_text(path, shown=shown, max_bytes=max_bytes,
                             too_big_fix="keep settings and memos small; data belongs in input files")
    return load_yaml(text, path=shown, max_bytes=max_bytes)
