"""YAML with line numbers, and JSON-schema checks whose messages say where and what to do.

Shared by every YAML input: monograph front matter, variant definitions, patient files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import Problem

KeyPath = tuple[Any, ...]


class _NoDatesLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so the schema checks them and says where."""


_NoDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class YamlDoc:
    """Parsed YAML data with the line of every key, for error messages."""

    path: Path
    data: Any
    lines: dict[KeyPath, int]
    first_line: int
    what: str = "the file"  # how messages name the file, e.g. "the patient file"

    def line(self, key: KeyPath) -> int:
        """The line of ``key`` or of its nearest enclosing key."""
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key, self.first_line)


def parse_yaml(path: Path, text: str, first_line: int = 1, what: str = "the file",
               as_text: bool = False) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse YAML text that starts on ``first_line`` of ``path``.

    With ``as_text`` every scalar is the text exactly as written: no YAML 1.1 guessing, so
    ``0012345`` stays "0012345" (not the octal number 5349) and ``no`` stays "no" (not False).
    """
    loader = yaml.BaseLoader if as_text else _NoDatesLoader
    try:
        node = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark else 0)
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(path, line, f"YAML syntax error in {what}: {reason}; "
                              "check indentation, colons and quotes on this line")]
    if not isinstance(data, dict):
        return None, [Problem(path, first_line, f"{what} must be YAML fields "
                              "('name: value', one per line)")]
    lines: dict[KeyPath, int] = {}
    _map_lines(node, (), first_line, lines)
    return YamlDoc(path, data, lines, first_line, what), []


def _map_lines(node: yaml.Node, key: KeyPath, first_line: int, out: dict[KeyPath, int]) -> None:
    out[key] = first_line + node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _map_lines(v, (*key, k.value), first_line, out)
            # a field's errors point at its key, which is where an author looks
            out[(*key, k.value)] = first_line + k.start_mark.line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _map_lines(item, (*key, i), first_line, out)


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A JSON schema shipped in leafletgen/schema/."""
    return json.loads(resources.files("leafletgen").joinpath(f"schema/{name}").read_text())


def schema_problems(doc: YamlDoc, schema_name: str, docs_hint: str,
                    private: bool = False) -> list[Problem]:
    """Every schema violation in ``doc``, each as advice at the offending line.

    With ``private`` messages name the schema's fields but never repeat a key or value that
    is not the schema's own: for files holding patient data, which must not reach terminals
    or logs.
    """
    schema = load_schema(schema_name)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [
        Problem(doc.path, doc.line(_key_of(e)), _explain(e, docs_hint, doc.what, private))
        for e in sorted(validator.iter_errors(doc.data), key=lambda e: [str(p) for p in e.path])
    ]


def _key_of(error: jsonschema.ValidationError) -> KeyPath:
    """The key an author should look at: the unknown field itself, else the failing value."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        if unknown:
            return (*path, unknown[0])
    return path


def _unknown_fields(error: jsonschema.ValidationError) -> list[str]:
    allowed = set(error.schema.get("properties", {}))
    return sorted(str(k) for k in error.instance if k not in allowed)


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
        known = ", ".join(sorted(error.schema.get("properties", {})))
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
        allowed_values = ", ".join(str(v) for v in error.validator_value)
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
            return (f"{field}: {error.instance!r} was read as a number; put it in quotes, "
                    f'e.g. {path[-1]}: "{error.instance}"')
        return f"{field}: expected {error.validator_value}, found {found} {error.instance!r}"
    if kind in ("minItems", "minLength"):
        return f"{field} must not be empty"
    if kind == "pattern":
        described = error.schema.get("description", f"the pattern {error.validator_value}")
        shown = "" if private else f": {error.instance!r}"
        return f"{field}{shown} is not {described}"
    if private:
        # jsonschema's own messages quote the value: say only which rule the field breaks
        return f"{field} breaks the rule '{kind}' of {what}"
    return f"{field}: {error.message}"
