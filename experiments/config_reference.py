"""The configuration reference of docs/CONFIG.md, generated from src/maskaae/config.py and the modules that hold
its sections (config_sections.py, config_train.py), so that each setting
is described once: by the comment beside its field.

For every field of Config's sections (data, model, loss, train, eval) and of Config itself (the top-level
keys), the reference gives its dotted key, its default as `Config()` has it (as JSON), its choices where the
annotation is a Literal, and its meaning: the comment lines directly above the field (contiguous, at the
field's indentation) joined, then the field's inline comment. The file is read with `ast` (the fields) and
`tokenize` (the comments); nothing guesses: a field without a comment of its own gets an empty meaning,
which checks/test_record.py refuses. experiments/tables.py writes the table as `config-reference`.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import tokenize
import types
import typing
from pathlib import Path
from typing import Any, Literal, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
# Config itself, then the modules of its sections
CONFIG_FILES = [ROOT / "src" / "maskaae" / name for name in ("config.py", "config_sections.py", "config_train.py")]
ROOT_CLASS = "Config"


class Entry(NamedTuple):
    """One config key of the reference."""

    section: str  # "" for a top-level key, else the section's name (data, model, ..)
    key: str  # dotted: train.batch_size; a top-level key bare
    default: Any  # as Config() has it
    choices: tuple[Any, ...]  # the Literal's values; () where the annotation is not a Literal
    meaning: str  # the field's comments, joined


class Source(NamedTuple):
    """What config.py says, read without running it: each section's class and docstring, and each key's
    comment and default expression."""

    sections: dict[str, tuple[str, str]]  # section name -> (class name, docstring), in Config's order
    comments: dict[str, str]  # dotted key -> meaning ("" where the field has no comment of its own)
    literals: dict[str, Any]  # dotted key -> the default written as a literal (fields whose default is one)


def _comments(text: str) -> tuple[dict[int, tuple[int, str]], dict[int, str]]:
    """The comments of a Python source by line: (own-line comments: line -> (column, text), inline comments:
    line -> text); the text without the '#' and the spaces after it."""
    own, inline = {}, {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.COMMENT:
            continue
        line, column = token.start
        body = token.string[1:].strip()
        if token.line[:column].strip():
            inline[line] = body
        else:
            own[line] = (column, body)
    return own, inline


def _meaning(node: ast.AnnAssign, own: dict[int, tuple[int, str]], inline: dict[int, str]) -> str:
    """The comment lines directly above a field at its indentation, then its inline comment, joined."""
    above = []
    line = node.lineno - 1
    while line in own and own[line][0] == node.col_offset:
        above.append(own[line][1])
        line -= 1
    parts = [*reversed(above)]
    parts += [inline[n] for n in range(node.lineno, (node.end_lineno or node.lineno) + 1) if n in inline]
    return " ".join(part for part in parts if part)


def _fields(node: ast.ClassDef) -> list[ast.AnnAssign]:
    return [item for item in node.body if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)]


def read_source(texts: str | list[str]) -> Source:
    """Config's sections and every key's comment from the text of config.py and of the modules that hold its
    sections (ast and tokenize only)."""
    classes: dict[str, ast.ClassDef] = {}
    notes: dict[str, tuple[dict[int, tuple[int, str]], dict[int, str]]] = {}  # class -> its file's comments
    for text in [texts] if isinstance(texts, str) else texts:
        comments_of_text = _comments(text)
        for node in ast.parse(text).body:
            if isinstance(node, ast.ClassDef):
                classes[node.name], notes[node.name] = node, comments_of_text
    if ROOT_CLASS not in classes:
        raise ValueError(f"config.py defines no class {ROOT_CLASS}")
    sections: dict[str, tuple[str, str]] = {}
    comments: dict[str, str] = {}
    literals: dict[str, Any] = {}

    def add(key: str, node: ast.AnnAssign, owner: str) -> None:
        comments[key] = _meaning(node, *notes[owner])
        if node.value is not None:
            try:
                literals[key] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError):  # not a literal, such as field(default_factory=..)
                pass

    top = []
    for node in _fields(classes[ROOT_CLASS]):
        name, annotation = node.target.id, node.annotation
        if isinstance(annotation, ast.Name) and annotation.id in classes:
            section = classes[annotation.id]
            sections[name] = (section.name, " ".join((ast.get_docstring(section) or "").split()))
            for item in _fields(section):
                add(f"{name}.{item.target.id}", item, section.name)
        else:
            top.append(node)
    for node in top:
        add(node.target.id, node, ROOT_CLASS)
    return Source(sections, comments, literals)


def _choices(hint: Any) -> tuple[Any, ...]:
    """The values of a Literal annotation (also inside an optional one); () for any other type."""
    if typing.get_origin(hint) is Literal:
        return typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return tuple(value for arg in typing.get_args(hint) for value in _choices(arg))
    return ()


def config_entries(paths: list[Path] = CONFIG_FILES) -> list[Entry]:
    """Every config key, top-level keys first, then each section's in the order config.py declares them."""
    from maskaae import config as module

    source = read_source([path.read_text() for path in paths])
    defaults = module.Config()
    files = ", ".join(p.name for p in paths)
    entries = []
    owners = [("", type(defaults), defaults)] + [(name, type(getattr(defaults, name)), getattr(defaults, name))
                                                 for name in source.sections]
    for section, cls, values in owners:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if not section and f.name in source.sections:
                continue
            key = f"{section}.{f.name}" if section else f.name
            if key not in source.comments:
                raise ValueError(f"{key}: in the imported maskaae.config ({module.__file__}) but not in {files}")
            default = getattr(values, f.name)
            if key in source.literals and source.literals[key] != default:
                raise ValueError(f"{key}: {files} writes {source.literals[key]!r}, the imported maskaae.config "
                                 f"({module.__file__}) has {default!r}; import this checkout's src/")
            entries.append(Entry(section, key, default, _choices(hints[f.name]), source.comments[key]))
    missing = set(source.comments) - {entry.key for entry in entries}
    if missing:
        raise ValueError(f"{sorted(missing)}: in {files} but not in the imported maskaae.config ({module.__file__})")
    return entries


def _json(value: Any) -> str:
    """A value as the reference writes it: strings in backticks, anything else as JSON in backticks."""
    if isinstance(value, str) and value:
        return f"`{value}`"
    return f"`{json.dumps(value)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def config_reference() -> list[str]:
    """The reference as Markdown table lines: key | default | choices | meaning; the top-level keys, then a
    bold row per section (its class's docstring) and the section's keys."""
    source = read_source([path.read_text() for path in CONFIG_FILES])
    lines = ["| key | default | choices | meaning |", "|---|---|---|---|"]
    section = ""
    for entry in config_entries():
        if entry.section != section:
            section = entry.section
            lines.append(f"| **{section}** | | | {_cell(source.sections[section][1])} |")
        choices = ", ".join(_json(value) for value in entry.choices)
        lines.append(f"| `{entry.key}` | {_json(entry.default)} | {choices} | {_cell(entry.meaning)} |")
    return lines


if __name__ == "__main__":
    print("\n".join(config_reference()))
