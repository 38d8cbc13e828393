"""YAML with line numbers, and JSON-schema checks whose messages say where and what to do.

Shared by every YAML input: monograph front matter, variant definitions, patient files.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import BaseConstructor, SafeConstructor
from yaml.resolver import BaseResolver, Resolver

import leafletgen.textcheck as textcheck
from leafletgen.errors import Problem
from leafletgen.files import cache_home, prune_oldest
from leafletgen.limits import (
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    TooLarge,
    describe,
    first_forbidden,
    forbidden_characters,
    kilobytes,
    read_limited,
)

if TYPE_CHECKING:
    import jsonschema

# jsonschema (and the libraries it loads) is imported when a document is validated, not when
# one validated before, unchanged, is read again: see _known_valid.

KeyPath = tuple[Any, ...]
VERDICTS = "schema-verdicts"  # in the user's cache folder: documents found valid
KEEP_VERDICTS = 4096
_pruned: list[bool] = []  # whether this process pruned the verdicts already


class _Refused(Exception):
    """YAML that leafletgen refuses to read (an alias, a merge key, nesting too deep)."""

    def __init__(self, mark: yaml.Mark, kind: str, detail: str = ""):
        super().__init__(kind)
        self.mark = mark
        self.kind = kind
        self.detail = detail


class _Guarded:
    """Loader hooks: no aliases (``*name``) and no merge keys (``<<``), nesting at most
    MAX_YAML_DEPTH levels, and every duplicate key recorded.

    An alias repeats a value without writing it out again: nine lines of aliases of aliases
    expand to gigabytes ("billion laughs"), and no leafletgen file has a use for them. Nodes
    are composed recursively, so the depth limit also keeps deep brackets from exhausting
    Python's stack.
    """

    def __init__(self, stream: str):
        super().__init__(stream)  # type: ignore[call-arg]
        self.depth = 0
        # each duplicate key's node, with the node of the key's first occurrence
        self.duplicates: dict[yaml.Node, yaml.Node] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            event = self.peek_event()  # type: ignore[attr-defined]
            raise _Refused(event.start_mark, "alias", event.anchor)
        if self.depth >= MAX_YAML_DEPTH:
            raise _Refused(self.peek_event().start_mark, "depth")  # type: ignore[attr-defined]
        self.depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first: dict[Any, yaml.Node] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(key_node.start_mark, "merge")
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            try:
                seen = first.setdefault(key, key_node)
            except TypeError:
                continue  # an unhashable key: the constructor reports it
            if seen is not key_node:
                self.duplicates[key_node] = seen
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


def _resolvers_without(*tags: str) -> dict:
    return {key: [(tag, rx) for tag, rx in resolvers if tag not in tags]
            for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class _NoDatesLoader(_Guarded, yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so the schema checks them and says where; '<<' is
    an ordinary key (which no schema knows), not a merge."""

    yaml_implicit_resolvers = _resolvers_without("tag:yaml.org,2002:timestamp",
                                                 "tag:yaml.org,2002:merge")


class _TextLoader(_Guarded, yaml.BaseLoader):
    """Every scalar is text as written."""


# libyaml's parser (C) reads the text into events several times faster than PyYAML's own;
# the nodes are still composed in Python, so the guards above see every one of them.
_LOADERS: dict[bool, Any] = {False: _NoDatesLoader, True: _TextLoader}
try:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]
except ImportError:  # PyYAML built without libyaml: the Python parser
    pass
else:
    class _CSafeEvents(Composer, CParser, SafeConstructor, Resolver):
        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    class _CBaseEvents(Composer, CParser, BaseConstructor, BaseResolver):
        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            BaseConstructor.__init__(self)
            BaseResolver.__init__(self)

    class _FastNoDatesLoader(_Guarded, _CSafeEvents):
        yaml_implicit_resolvers = _NoDatesLoader.yaml_implicit_resolvers

    class _FastTextLoader(_Guarded, _CBaseEvents):
        pass

    _LOADERS = {False: _FastNoDatesLoader, True: _FastTextLoader}


@dataclass(frozen=True)
class YamlDoc:
    """Parsed YAML data with the line of every key, for error messages."""

    path: Path
    data: Any
    lines: dict[KeyPath, int]
    first_line: int
    what: str = "the file"  # how messages name the file, e.g. "the patient file"
    # keys given twice in one mapping: (key path, line, line of the first occurrence); the
    # data holds the last value, so schema_problems reports them as errors
    duplicates: tuple[tuple[KeyPath, int, int], ...] = ()

    def line(self, key: KeyPath) -> int:
        """The line of ``key`` or of its nearest enclosing key."""
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key, self.first_line)


MAX_REPORTED = 10  # forbidden characters reported per file; the rest would be noise


def read_yaml_text(path: Path, what: str) -> tuple[str | None, list[Problem]]:
    """The text of a YAML file, read no further than MAX_YAML_BYTES (a file that grows, a
    device); None and the problem when it cannot be read."""
    try:
        return read_limited(path, MAX_YAML_BYTES).decode("utf-8"), []
    except TooLarge as exc:
        return None, [Problem(path, 1, f"{what} is {kilobytes(exc.size)} or more, more than "
                              f"the {kilobytes(MAX_YAML_BYTES)} leafletgen reads; shorten it "
                              "(see 'Limits' in README.md)")]
    except UnicodeDecodeError:
        return None, [Problem(path, 1, f"{what} is not UTF-8 text; save it with UTF-8 "
                              "encoding")]
    except OSError as exc:
        return None, [Problem(path, 1, f"cannot read {what}: {exc.strerror}")]


def parse_yaml(path: Path, text: str, first_line: int = 1, what: str = "the file",
               as_text: bool = False, private: bool = False,
               max_bytes: int = MAX_YAML_BYTES) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse YAML text that starts on ``first_line`` of ``path``.

    With ``as_text`` every scalar is the text exactly as written: no YAML 1.1 guessing, so
    ``0012345`` stays "0012345" (not the octal number 5349) and ``no`` stays "no" (not False).

    Refused, with the line where it happens (limits.py): text over ``max_bytes``, characters
    that are never text (NUL, U+FFFE, ...), aliases (``*name``), merge keys, nesting deeper
    than MAX_YAML_DEPTH. Keys given twice are recorded in the doc (``duplicates``) and
    reported by ``schema_problems``, which every reader calls next. With ``private`` no
    message quotes the file (the parser's own wording may): for files holding patient data.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        return None, [Problem(path, first_line, f"{what} is {kilobytes(size)}, more than the "
                              f"{kilobytes(max_bytes)} leafletgen reads; shorten it (see "
                              "'Limits' in README.md)")]
    bad = [Problem(path, first_line + line, f"character {describe(char)} is not allowed in "
                   f"{what}; delete it") for line, char in forbidden_characters(text)]
    if bad:
        return None, bad[:MAX_REPORTED]
    # NFC: composed and decomposed accents are the same letters; spoofing characters
    # (textcheck) are reported by schema_problems, at the field they are in
    text = textcheck.normalize(text)
    loader = _LOADERS[as_text](text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError:
            # what is wrong is said in PyYAML's words, the same with or without libyaml
            loader.dispose()
            loader = (_TextLoader if as_text else _NoDatesLoader)(text)
            node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        return None, [Problem(path, first_line + exc.mark.line,
                              _refusal(exc, what, private))]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark else 0)
        if private:
            return None, [Problem(path, line, f"{what} is not valid YAML here; check "
                                  "indentation, colons and quotes on this line")]
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(path, line, f"YAML syntax error in {what}: {reason}; "
                              "check indentation, colons and quotes on this line")]
    except RecursionError:  # the depth limit should make this unreachable
        return None, [Problem(path, first_line, f"{what} is nested too deeply to read; "
                              f"nest values at most {MAX_YAML_DEPTH} levels deep")]
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return None, [Problem(path, first_line, f"{what} must be YAML fields "
                              "('name: value', one per line)")]
    lines: dict[KeyPath, int] = {}
    duplicates: list[tuple[KeyPath, int, int]] = []
    if node is not None:
        _map_lines(node, (), first_line, lines, loader.duplicates, duplicates)
    return YamlDoc(path, data, lines, first_line, what, tuple(duplicates)), []


def _refusal(exc: _Refused, what: str, private: bool) -> str:
    if exc.kind == "alias":
        # an anchor's name is the author's own word: a patient file's may be personal
        alias = "*name" if private else f"*{exc.detail}"
        return (f"YAML aliases ({alias}) are not allowed in {what}: write the value out in "
                "full where it is needed")
    if exc.kind == "merge":
        return f"YAML merge keys (<<) are not allowed in {what}; write the fields out in full"
    return (f"{what} nests values more than {MAX_YAML_DEPTH} levels deep here (lists and "
            "fields inside each other); flatten it")


def _map_lines(node: yaml.Node, key: KeyPath, first_line: int, out: dict[KeyPath, int],
               duplicate_of: dict[yaml.Node, yaml.Node],
               duplicates: list[tuple[KeyPath, int, int]]) -> None:
    """Record the line of every key path. Aliases are refused and nesting is bounded, so
    this visits each node once, at most MAX_YAML_DEPTH levels deep."""
    out[key] = first_line + node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _map_lines(v, (*key, k.value), first_line, out, duplicate_of, duplicates)
            # a field's errors point at its key, which is where an author looks
            out[(*key, k.value)] = first_line + k.start_mark.line
            if k in duplicate_of:
                duplicates.append(((*key, k.value), first_line + k.start_mark.line,
                                   first_line + duplicate_of[k].start_mark.line))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _map_lines(item, (*key, i), first_line, out, duplicate_of, duplicates)


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A JSON schema shipped in leafletgen/schema/."""
    return json.loads(resources.files("leafletgen").joinpath(f"schema/{name}").read_text())


def schema_problems(doc: YamlDoc, schema_name: str, docs_hint: str,
                    private: bool = False) -> list[Problem]:
    """Every schema violation in ``doc``, each as advice at the offending line.

    Also what the schema cannot see: keys given twice (the data keeps only the last value)
    and characters that are never text (NUL, U+FFFE, ...), which a YAML escape such as
    "\\0" can put in a value.

    With ``private`` messages name the schema's fields but never repeat a key or value that
    is not the schema's own: for files holding patient data, which must not reach terminals
    or logs.
    """
    schema = load_schema(schema_name)
    verdict = None if private else _known_valid(schema_name, doc.data)
    if verdict is not None and verdict.exists():
        errors = []
    else:
        errors = [e for e in _validator(schema_name).iter_errors(doc.data)
                  if not _reported_as_empty(e)]
        if not errors and verdict is not None:
            _remember_valid(verdict)
    return [
        *_source_problems(doc, schema, private),
        *(Problem(doc.path, doc.line(_key_of(e)), _explain(e, docs_hint, doc.what, private),
                  field=field_of_error(e))
          for e in sorted(errors, key=lambda e: [str(p) for p in e.path])),
    ]


@cache
def _validator(schema_name: str) -> jsonschema.Draft202012Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(
        load_schema(schema_name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _known_valid(schema_name: str, data: Any) -> Path | None:
    """Where the verdict "``data`` is valid under the schema" is kept in the user's cache
    folder, by a hash of the schema, the installed jsonschema and the data, so that an
    unchanged document (a monograph's front matter, a variant) is not validated again in the
    next process. None when there is no cache folder. Never used for patient files: nothing
    about a patient is kept, not even a hash.
    """
    try:
        folder = cache_home() / VERDICTS
    except RuntimeError:
        return None
    key = hashlib.sha256()
    for part in (schema_name, _schema_digest(schema_name), _validator_stamp(), repr(data)):
        key.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return folder / key.hexdigest()


def _remember_valid(verdict: Path) -> None:
    try:
        verdict.parent.mkdir(parents=True, exist_ok=True)
        verdict.touch()
        if not _pruned:
            _pruned.append(True)
            prune_oldest(verdict.parent, KEEP_VERDICTS)
    except OSError:
        pass  # a read-only cache folder: validated again next time


@cache
def _schema_digest(name: str) -> str:
    return hashlib.sha256(json.dumps(load_schema(name), sort_keys=True).encode()).hexdigest()


@cache
def _validator_stamp() -> str:
    """The installed jsonschema, told apart without importing it: its files' paths, sizes and
    times change when another version is installed."""
    spec = importlib.util.find_spec("jsonschema")
    stamp = []
    for name in ("__init__.py", "validators.py", "_keywords.py", "_format.py"):
        path = Path(spec.origin).parent / name if spec and spec.origin else Path(name)
        try:
            stat = os.stat(path)
            stamp.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            stamp.append(f"{path}:missing")
    return "|".join(stamp)


def field_of_error(error: jsonschema.ValidationError) -> str:
    """The dotted field a schema violation is about: the missing field for a required one,
    the object holding an unknown field (its name may be data), else the failing value's."""
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        required: list[Any] = list(error.validator_value)  # type: ignore[arg-type]
        missing = [r for r in required if r not in error.instance]
        if missing:
            path.append(str(missing[0]))
    return ".".join(path) or "body"


NOT_BLANK = "\\S"  # the schemas' pattern for text that must not be only spaces


def _reported_as_empty(error: jsonschema.ValidationError) -> bool:
    """An empty text breaks minLength and the not-blank pattern: report it once."""
    return (error.validator == "pattern" and error.validator_value == NOT_BLANK
            and error.instance == "")


def _source_problems(doc: YamlDoc, schema: dict[str, Any], private: bool) -> list[Problem]:
    problems = []
    for key, line, first in doc.duplicates:
        field = _field_name(key, schema, private)
        problems.append(Problem(doc.path, line, f"{field} is given twice in {doc.what} (first "
                                f"on line {first}); keep one",
                                field=".".join(map(str, key))))
    found = 0
    texts = list(_texts(doc.data, ()))
    whole = "\n".join(text for _, text in texts)
    for key, text in texts:
        char = first_forbidden(text)
        spoof = textcheck.first_problem(text, whole) if char is None else None
        if (char is not None or spoof is not None) and found < MAX_REPORTED:
            found += 1
            field = _field_name(key, schema, private)
            message = f"character {describe(char)} is not allowed; delete it" if char \
                else spoof
            problems.append(Problem(doc.path, doc.line(key), f"{field}: {message}",
                                    field=".".join(map(str, key))))
    return problems


def _texts(value: Any, key: KeyPath):
    """Every key and text in ``value``, each with the key path where it is."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield (*key, k), k
            yield from _texts(v, (*key, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _texts(v, (*key, i))


def _field_name(key: KeyPath, schema: dict[str, Any], private: bool) -> str:
    """How a message names the field at ``key``: its path, or in private mode the path only
    as far as the schema names it (a key the schema does not know may be patient data)."""
    shown: list[str] = []
    node: dict[str, Any] | None = schema
    for part in key:
        node = _resolve(schema, node) if node is not None else None
        if isinstance(part, int):
            node = node.get("items") if node is not None else None
        else:
            node = node.get("properties", {}).get(part) if node is not None else None
            if node is None and private:
                return f"a field in {'.'.join(shown)}" if shown else "a field"
        shown.append(str(part))
    return ".".join(shown) or "top level"


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a local "$ref" (#/$defs/x) followed."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node if isinstance(node, dict) else {}


def _key_of(error: jsonschema.ValidationError) -> KeyPath:
    """The key an author should look at: the unknown field itself, else the failing value."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(_schema_of(error).get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        if unknown:
            return (*path, unknown[0])
    return path


def _unknown_fields(error: jsonschema.ValidationError) -> list[str]:
    allowed = set(_schema_of(error).get("properties", {}))
    instance: Any = error.instance
    return sorted(str(k) for k in instance if k not in allowed)


def _explain(error: jsonschema.ValidationError, docs_hint: str, what: str,
             private: bool) -> str:
    """Advice for one violation. ``private`` messages use only the schema's own words (field
    names, allowed values, rules), never a key or value from the file."""
    path = tuple(error.absolute_path)
    field = ".".join(str(p) for p in path) or "top level"
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1]
        where = f" in {field}" if path else ""
        return f"missing required field '{missing}'{where}; add '{missing}: ...' (see {docs_hint})"
    if kind == "additionalProperties":
        known = ", ".join(sorted(_schema_of(error).get("properties", {})))
        unknown = _unknown_fields(error)
        if private:
            # the key itself may be patient data ("Jordan Smith: allergic to ..."): count it
            these = "a field that is" if len(unknown) == 1 else f"{len(unknown)} fields that are"
            where = f"{field}: " if path else ""
            return f"{where}{these} not part of {what}; known fields: {known}"
        where = f" in {field}" if path else ""
        names = "', '".join(unknown)
        return f"unknown field '{names}'{where}; known fields: {known}"
    # what the messages below say the offending value is: the value, or in private mode nothing
    quoted = "" if private else f": '{error.instance}'"
    if kind == "format" and error.validator_value == "date":
        return f"{field}{quoted} is not a valid date; write it as YYYY-MM-DD"
    if kind == "enum":
        values: Any = error.validator_value
        allowed_values = ", ".join(str(v) for v in values)
        return f"{field}{quoted} is not allowed; use one of: {allowed_values}"
    if kind == "type":
        found = type(error.instance).__name__
        if private:
            expected = error.validator_value
            expected = " or ".join(expected) if isinstance(expected, list) else expected
            found = "nothing" if error.instance is None else found
            return f"{field}: expected {expected}, found {found}"
        if error.validator_value == "string" and isinstance(error.instance, int | float):
            # YAML reads 1.0 or 2026 as numbers; the fix is quoting, say so
            return (f"{field}: {error.instance} was read as a number; put it in quotes, "
                    f'e.g. {path[-1]}: "{error.instance}"')
        return (f"{field}: expected {error.validator_value}, found {found} "
                f"'{textcheck.printable(error.instance)}'")
    if kind in ("minItems", "minLength"):
        return f"{field} must not be empty"
    if kind == "maxLength":
        return (f"{field} is longer than the {error.validator_value} characters it may be; "
                "shorten it")
    if kind == "maxItems":
        return (f"{field} has more than the {error.validator_value} entries it may have; "
                "split it")
    if kind == "pattern" and error.validator_value == NOT_BLANK:
        return f"{field} must not be blank (only spaces or line breaks); write it"
    if kind == "pattern":
        described = _schema_of(error).get("description", f"the pattern {error.validator_value}")
        shown = "" if private else f": '{textcheck.printable(error.instance)}'"
        return f"{field}{shown} is not {described}"
    if private:
        # jsonschema's own messages quote the value: say only which rule the field breaks
        return f"{field} breaks the rule '{kind}' of {what}"
    return f"{field}: {error.message}"


def _schema_of(error: jsonschema.ValidationError) -> Mapping[str, Any]:
    """The (sub)schema an error comes from; ours are all objects, never true/false schemas."""
    schema = error.schema
    return schema if isinstance(schema, Mapping) else {}
