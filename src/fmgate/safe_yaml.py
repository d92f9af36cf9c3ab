"""YAML loading that a memo author cannot turn against the reader.

Only plain data is accepted: no Python tags, no anchors or aliases (so no
"billion laughs" expansion), and a size cap checked before parsing. Line
numbers of top-level keys are kept so errors can point at them. Whatever the
constructors raise on (a 13th month, ``!!int abc``, a number too long to
print) is an InputError naming the line and the field, never a traceback.
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


class _BadValue(Exception):
    """A node the constructors refuse or build into something the reader cannot use."""

    def __init__(self, node: yaml.Node, message: str, fix: str) -> None:
        super().__init__(message)
        self.node, self.message, self.fix = node, message, fix


def _refuse_shared_nodes(root: yaml.Node) -> None:
    """An alias makes the composer reuse a node object: seeing one twice means an alias."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise _BadValue(
                node,
                "anchors and aliases are not allowed",
                "write the value out in full where the alias ('*name') stands",
            )
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
_VALUE = "tag:yaml.org,2002:value"
_INT = "tag:yaml.org,2002:int"


class _NotPlain(Exception):
    """A node that only the full constructor handles (merge keys, !!set, !!omap, complex keys)."""


# Python refuses to print integers longer than this (sys.get_int_max_str_digits): far past any real value.
MAX_INT_BITS = 4096

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_WHAT = {
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:binary": "base64 data",
}
_QUOTE = "or put the value in quotes to keep it as text"


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _scalar(node: yaml.ScalarNode, loader: Any, json_values: bool) -> Any:
    """One scalar through the safe constructor; whatever it raises is a bad value at this node."""
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:  # an unknown tag, !!seq on a scalar, bad base64
        raise _BadValue(
            node,
            f"{_short(node.value)} cannot be read as {tag}: {exc.problem}",
            "write plain mappings, lists and scalars, without tags",
        ) from None
    except Exception as exc:  # a month of 13 (ValueError), !!bool maybe (KeyError), !!timestamp x, ...
        if node.tag == _INT and len(node.value) > 1000:
            raise _BadValue(
                node,
                f"the number {_short(node.value)} is too large",
                "write a number of at most a few hundred digits, or quote it to keep it as text",
            ) from None
        if node.tag == _TIMESTAMP:
            detail = str(exc) if isinstance(exc, ValueError) else "not in YYYY-MM-DD form"
            raise _BadValue(
                node,
                f"{_short(node.value)} is not a valid date or time ({detail})",
                f"write a real calendar date as YYYY-MM-DD (times as YYYY-MM-DDTHH:MM:SSZ), {_QUOTE}",
            ) from None
        what = _WHAT.get(node.tag, "a value of that type")
        raise _BadValue(
            node, f"{_short(node.value)} cannot be read as {tag} ({what})", f"write {what} or drop the {tag} tag"
        ) from None
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise _BadValue(
            node,
            f"the number {_short(node.value)} is too large",
            "write a number of at most a few hundred digits, or quote it to keep it as text",
        )
    if json_values:
        if isinstance(value, bytes):
            raise _BadValue(node, "binary (!!binary) values are not allowed here", "write the value as text")
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise _BadValue(
                node, f"{_short(node.value)} is not a finite number", "write a finite number (not .inf or .nan)"
            )
    return value


def _plain_value(node: yaml.Node, loader: Any, json_values: bool, depth: int = 0) -> Any:
    """Build plain mappings, lists and scalars straight from the nodes.

    Front matter is almost always plain data, and the generic constructor's
    bookkeeping costs more than the parse itself; scalars still go through the
    safe constructor, so dates, numbers and booleans resolve exactly as before.
    """
    if isinstance(node, yaml.ScalarNode):
        # the composer has resolved the tag already; a string is its own value
        return node.value if node.tag == _STR else _scalar(node, loader, json_values)
    if depth >= MAX_NESTING:
        raise _BadValue(
            node,
            f"values are nested more than {MAX_NESTING} levels deep",
            "flatten the value: memos and settings need a few levels at most",
        )
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_plain_value(item, loader, json_values, depth + 1) for item in node.value]
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        built = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag in (_MERGE, _VALUE):
                raise _NotPlain
            name = _plain_value(key, loader, json_values, depth + 1)
            try:
                hash(name)
            except TypeError:
                raise _BadValue(
                    key,
                    f"the key {_short(key.value)} is not a name (YAML read a {type(name).__name__})",
                    "write the key as plain text, without a tag",
                ) from None
            built[name] = _plain_value(value, loader, json_values, depth + 1)
        return built
    raise _NotPlain


# the collection tags the safe constructor builds (the plain path handles map and seq itself)
_COLLECTIONS = frozenset({_MAP, _SEQ, "tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"})


def _check_nodes(root: yaml.Node, loader: Any, json_values: bool) -> None:
    """Check every node first, so the full constructor meets no value it cannot build."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in (_STR, _MERGE, _VALUE):  # merge and value keys are the constructor's
                _scalar(node, loader, json_values)
            continue
        if node.tag not in _COLLECTIONS:  # !!python/tuple [..], !!str {..}, !local {..}
            kind = "mapping" if isinstance(node, yaml.MappingNode) else "list"
            raise _BadValue(
                node,
                f"a {kind} cannot be read as {node.tag.replace('tag:yaml.org,2002:', '!!')}",
                "write plain mappings, lists and scalars, without tags",
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def _construct(node: yaml.Node, loader: Any, json_values: bool) -> Any:
    try:
        return _plain_value(node, loader, json_values)
    except _NotPlain:
        _check_nodes(node, loader, json_values)
        return loader.construct_document(node)


def _field_of(root: yaml.Node, target: yaml.Node) -> str | None:
    """The dotted path (list items by index, as pydantic names them) to *target* under *root*."""
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, where = stack.pop()
        if node is target:
            return (".".join(where[:8]) + ("..." if len(where) > 8 else "")) or None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                stack.append((key, (*where, name)))
                stack.append((value, (*where, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*where, str(i))) for i, item in enumerate(node.value))
    return None


def load_yaml(
    text: str, *, path: str, line_offset: int = 0, max_bytes: int = MAX_YAML_BYTES, json_values: bool = False
) -> tuple[Any, dict[str, int]]:
    """Parse YAML text; return the data and the 1-based line of each top-level key.

    A value the constructors cannot build (a 13th month, ``!!int abc``, a number
    too long to print) is an InputError naming the line and the field. With
    *json_values* (data that becomes JSON: memos, settings) binary values and
    non-finite numbers are refused too.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise InputError(
            f"YAML is {size} bytes, more than the {max_bytes}-byte limit",
            path=path,
            fix="move bulky content into evidence input files",
        )
    loader = _Loader(text)
    node = None
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
        data = _construct(node, loader, json_values) if node is not None else None
    except _BadValue as bad:
        raise InputError(
            bad.message,
            path=path,
            field=_field_of(node, bad.node) if node is not None else None,
            line=bad.node.start_mark.line + 1 + line_offset,
            fix=bad.fix,
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: no mark, a position
        line = text.count("\n", 0, max(0, exc.position)) + 1 + line_offset
        code = exc.character if isinstance(exc.character, int) else None
        which = f" #x{code:04x}" if code is not None else ""
        raise InputError(
            f"YAML cannot be read: unacceptable character{which}: {exc.reason}",
            path=path,
            line=line,
            fix="remove the character, or write it as an escape in a double-quoted string"
            + (f' ("\\u{code:04x}")' if code is not None and code <= 0xFFFF else ""),
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        at: int | None = mark.line + 1 + line_offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            f"YAML cannot be read: {problem}",
            path=path,
            line=at,
            fix="correct the YAML syntax (plain mappings, lists and scalars only)",
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        # the full constructor's own surprises (its scalars were checked above): still bad input
        at = node.start_mark.line + 1 + line_offset if node is not None else None
        raise InputError(
            f"YAML cannot be read: {type(exc).__name__}: {exc}",
            path=path,
            line=at,
            fix="write plain mappings, lists and scalars, without tags",
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


def load_yaml_file(
    path: str, *, display: str | None = None, max_bytes: int = MAX_YAML_BYTES, json_values: bool = False
) -> tuple[Any, dict[str, int]]:
    """Read and parse a YAML file with the same limits."""
    shown = display or path
    text = read_bounded_text(
        path, shown=shown, max_bytes=max_bytes, too_big_fix="keep settings and memos small; data belongs in input files"
    )
    return load_yaml(text, path=shown, max_bytes=max_bytes, json_values=json_values)
