"""YAML inputs: aliases, merge keys, depth, size, duplicate keys, characters and schema patterns.

Every YAML file leafletgen reads (front matter, variants, the glossary, patient files) goes
through yamlsource.parse_yaml and schema_problems, so these rules hold for all of them.
"""

import json
import re
import textwrap
import time
from pathlib import Path

import jsonschema
import pytest

from leafletgen.checks.glossary import load_glossary
from leafletgen.limits import MAX_YAML_BYTES, MAX_YAML_DEPTH
from leafletgen.source import yamlsource
from leafletgen.source.monograph import load
from leafletgen.source.patient import read_patient
from leafletgen.source.variants import load_variant
from leafletgen.source.yamlsource import load_schema, parse_yaml, schema_problems

from .conftest import STYLES, monograph_text
from .test_patient import NAME, PATIENT

FILE = Path("x.yaml")

# nine lines that expand to 10^9 strings when every alias is followed
BOMB = textwrap.dedent("""\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """)


def parsed(text: str, **options) -> list[str]:
    doc, problems = parse_yaml(FILE, text, **options)
    assert doc is None
    return [str(p) for p in problems]


@pytest.mark.parametrize("as_text", [False, True])
def test_an_alias_bomb_is_refused_at_the_first_alias_at_once(as_text):
    start = time.perf_counter()
    assert parsed(BOMB, what="the front matter", as_text=as_text) == [
        "x.yaml:2: YAML aliases (*a) are not allowed in the front matter: write the value out "
        "in full where it is needed"]
    assert time.perf_counter() - start < 1


def test_a_private_file_does_not_repeat_the_alias_name():
    text = "name: &Jordan Jordan\nalso: *Jordan\n"
    [problem] = parsed(text, what="the patient file", as_text=True, private=True)
    assert problem.startswith("x.yaml:2: YAML aliases (*name) are not allowed")
    assert "Jordan" not in problem


def test_merge_keys_are_not_merges():
    # '<<' is an ordinary key, which no schema knows; an explicit merge tag is refused
    doc, _ = parse_yaml(FILE, "<<: {a: 1}\nb: 2\n")
    assert doc.data == {"<<": {"a": 1}, "b": 2}
    assert parsed("b: 2\n!!merge x: {a: 1}\n") == [
        "x.yaml:2: YAML merge keys (<<) are not allowed in the file; write the fields out in "
        "full"]


@pytest.mark.parametrize("as_text", [False, True])
def test_deep_nesting_is_an_error_at_its_line_not_a_crash(as_text):
    text = "name: x\nforms: " + "[" * 500 + "]" * 500 + "\n"
    assert parsed(text, first_line=2, as_text=as_text) == [
        f"x.yaml:3: the file nests values more than {MAX_YAML_DEPTH} levels deep here (lists "
        "and fields inside each other); flatten it"]
    ok = "forms: " + "[" * (MAX_YAML_DEPTH - 1) + "]" * (MAX_YAML_DEPTH - 1) + "\n"
    assert parse_yaml(FILE, ok)[0] is not None


def test_yaml_over_the_size_limit_is_refused_before_it_is_parsed():
    text = "a: b\n" + "# padding\n" * (MAX_YAML_BYTES // 10 + 1)
    assert parsed(text, what="the patient file") == [
        "x.yaml:1: the patient file is 65 KB, more than the 64 KB leafletgen reads; "
        "shorten it (see 'Limits' in README.md)"]


@pytest.mark.parametrize("char,name", [
    ("\x00", "U+0000 (NUL)"), ("\x07", "U+0007 (a control character)"),
    ("\x7f", "U+007F (DEL)"), ("\x85", "U+0085 (a control character)"),
    ("\ufffe", "U+FFFE (a noncharacter)"), ("\uffff", "U+FFFF (a noncharacter)"),
    ("\ufdd0", "U+FDD0 (a noncharacter)"), ("\U0001fffe", "U+1FFFE (a noncharacter)"),
])
def test_characters_that_are_never_text_are_refused_at_their_line(char, name):
    assert parsed(f"a: b\nc: d{char}e\n") == [
        f"x.yaml:2: character {name} is not allowed in the file; delete it"]


@pytest.mark.parametrize("escape,code", [("\\0", "U+0000 (NUL)"), ("\\uFFFE", "U+FFFE"),
                                         ("\\x1b", "U+001B"), ("\\ud800", "U+D800")])
def test_escaped_forbidden_characters_are_reported_by_field(escape, code):
    doc, problems = parse_yaml(FILE, f'name: "a{escape}b"\n', first_line=2)
    assert problems == []
    [problem] = [str(p) for p in schema_problems(doc, "monograph.schema.json", "docs")
                 if "character" in p.message]
    assert problem.startswith(f"x.yaml:2: name: character {code}")


def test_duplicate_keys_are_recorded_at_the_duplicate():
    text = "a: 1\nb:\n  c: 2\n  d: 3\n  c: 4\na: 5\n"
    doc, problems = parse_yaml(FILE, text)
    assert problems == []
    assert doc.duplicates == ((("b", "c"), 5, 3), (("a",), 6, 1))
    # keys equal as YAML values are duplicates too ('yes' and 'true' are both True)
    assert parse_yaml(FILE, "yes: 1\ntrue: 2\n")[0].duplicates == (((("true",), 2, 1)),)
    assert parse_yaml(FILE, "a: 1\n'a': 2\n", as_text=True)[0].duplicates == (
        (("a",), 2, 1),)


def test_duplicate_front_matter_field_is_an_error(write_monograph):
    path = write_monograph(text=monograph_text(name="Testamol\nname: Other"))
    monograph, problems = load(path)
    assert monograph is None
    assert [f"{p.line}: {p.message}" for p in problems] == [
        "3: name is given twice in the front matter (first on line 2); keep one"]


def test_duplicate_key_in_a_nested_front_matter_field(write_monograph):
    glossary = '{spasticity: "stiff muscles", spasticity: "tight muscles"}'
    path = write_monograph(text=monograph_text(glossary=glossary))
    _, problems = load(path)
    assert [p.message for p in problems] == [
        "glossary.spasticity is given twice in the front matter (first on line 12); keep one"]


def test_duplicate_key_in_a_variant(styles):
    path = styles / "variants" / "patient.yaml"
    text = path.read_text()
    path.write_text(text.replace("min_body_pt:", "template: patient.html.j2\nmin_body_pt:", 1))
    variant, problems = load_variant(path, styles)
    assert variant is None
    [problem] = problems
    assert "template is given twice in a variant definition (first on line" in problem.message


def test_duplicate_term_in_the_glossary(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text((STYLES / "glossary.yaml").read_text() + "zzterm: one\nzzterm: two\n")
    glossary, problems = load_glossary(path)
    assert glossary is None
    assert [p.message for p in problems][-1] == (
        "zzterm is given twice in the glossary (first on line "
        f"{len(path.read_text().splitlines()) - 1}); keep one")


def patient_problems(tmp_path, text: str) -> list[str]:
    path = tmp_path / "patient.yaml"
    path.write_text(text, encoding="utf-8")
    patient, problems = read_patient(path)
    assert patient is None
    return [f"{p.line}: {p.message}" for p in problems]


def test_duplicate_patient_name_is_an_error_not_the_last_value(tmp_path):
    text = PATIENT.replace(f"  name: {NAME}\n", f"  name: {NAME}\n  name: Other Person\n")
    assert patient_problems(tmp_path, text) == [
        "3: patient.name is given twice in the patient file (first on line 2); keep one"]


def test_duplicate_unknown_patient_key_is_not_repeated(tmp_path):
    text = PATIENT + "Jordan Smith: a\nJordan Smith: b\n"
    problems = patient_problems(tmp_path, text)
    assert problems[0] == ("19: a field is given twice in the patient file (first on line "
                           "18); keep one")
    assert not any("Jordan" in p for p in problems)


@pytest.mark.parametrize("blank", ['" "', '"   "', '"\\t"', '"\\n"', "' \u3000'"])
def test_a_blank_patient_name_is_an_error_naming_the_field(tmp_path, blank):
    text = PATIENT.replace(f"name: {NAME}", f"name: {blank}")
    assert patient_problems(tmp_path, text) == [
        "2: patient.name must not be blank (only spaces or line breaks); write it"]


@pytest.mark.parametrize("old,new,line,field", [
    ("dose: 2 tablets (20 mg)", 'dose: " "', 10, "medicines.0.dose"),
    ("directions: Take 2 tablets (20 mg) every morning with food.", 'directions: "  "', 12,
     "medicines.0.directions"),
    ("contact: {name: Ward 9 pharmacy, phone: 555 0100}", 'contact: {name: " ", phone: 555}',
     7, "contact.name"),
    ("prescriber: {name: Dr Ada Example}", 'prescriber: {name: " "}', 6, "prescriber.name"),
    ("- [2, 10 mg]", '- [2, " "]', 17, "medicines.0.taper.rows.1.1"),
])
def test_other_blank_patient_fields_are_errors(tmp_path, old, new, line, field):
    assert old in PATIENT
    assert patient_problems(tmp_path, PATIENT.replace(old, new)) == [
        f"{line}: {field} must not be blank (only spaces or line breaks); write it"]


def test_blank_required_front_matter_text_is_an_error(write_monograph):
    path = write_monograph(text=monograph_text(generic_name='" "', drug_class='"\\t"'))
    _, problems = load(path)
    assert [p.message for p in problems] == [
        "drug_class must not be blank (only spaces or line breaks); write it",
        "generic_name must not be blank (only spaces or line breaks); write it"]


def test_patient_file_bomb_and_brackets_are_errors_at_their_line(tmp_path):
    for text, line in ((PATIENT + BOMB, 19), (PATIENT.replace(
            f"name: {NAME}", "name: " + "[" * 500 + "]" * 500), 2)):
        start = time.perf_counter()
        [problem] = patient_problems(tmp_path, text)
        assert problem.startswith(f"{line}: ")
        assert time.perf_counter() - start < 2


def test_a_patient_file_over_the_limit_is_refused(tmp_path):
    text = PATIENT + "# padding\n" * (MAX_YAML_BYTES // 10 + 1)
    [problem] = patient_problems(tmp_path, text)
    assert problem.startswith("1: ")


def test_private_mode_never_quotes_the_parser():
    [problem] = parsed("name: Jordan\n  bad: [", what="the patient file", as_text=True,
                       private=True)
    assert problem == ("x.yaml:2: the patient file is not valid YAML here; check indentation, "
                       "colons and quotes on this line")


# Python's '$' also matches before a final line feed, and jsonschema uses re.search
@pytest.mark.parametrize("schema,path,good", [
    ("monograph.schema.json", ("slug",), "baclofen-oral"),
    ("monograph.schema.json", ("language",), "pt-BR"),
    ("monograph.schema.json", ("version",), "1.2"),
    ("monograph.schema.json", ("sources", 0, "id"), "lioresal"),
    ("monograph.schema.json", ("sources", 0, "url"), "https://example.org/x"),
    ("patient.schema.json", ("medicines", 0, "monograph"), "baclofen"),
    ("variant.schema.json", ("name",), "patient-large"),
])
def test_patterns_reject_a_trailing_line_feed(schema, path, good):
    node = load_schema(schema)
    for part in path:
        node = node["items"] if isinstance(part, int) else node["properties"][part]
    pattern = node["pattern"]
    assert re.search(pattern, good)
    for bad in (good + "\n", good + "\n\n", "\n" + good, good + " "):
        assert not re.search(pattern, bad), (pattern, bad)


def test_every_anchored_pattern_of_every_schema_rejects_a_trailing_line_feed():
    for name in ("monograph", "patient", "variant", "glossary"):
        text = json.dumps(load_schema(f"{name}.schema.json"))
        for pattern in re.findall(r'"pattern": "((?:[^"\\]|\\.)*)"', text):
            pattern = json.loads(f'"{pattern}"')
            if pattern.endswith("$"):
                assert pattern.endswith("(?!\\n)$"), (name, pattern)


def test_slug_and_language_with_a_line_feed_are_errors(write_monograph):
    path = write_monograph(text=monograph_text(slug='"pwn\\n"', language='"en\\n"'))
    monograph, problems = load(path)
    assert monograph is None
    assert [p.message for p in problems] == [
        "language: 'en\\n' is not a language tag such as en, fr or pt-BR",
        "slug: 'pwn\\n' is not lower-case letters, digits and single hyphens, "
        "e.g. baclofen-oral"]


def test_glossary_terms_with_a_line_feed_are_errors(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text('"oral\\n": by mouth\n')
    _, problems = load_glossary(path)
    assert [p.message for p in problems] == [
        "top level: 'oral\\n' is not a term in lower case: letters, spaces and hyphens"]


def test_the_schemas_are_valid_json_schemas():
    for name in ("monograph", "patient", "variant", "glossary"):
        jsonschema.Draft202012Validator.check_schema(load_schema(f"{name}.schema.json"))


def test_libyaml_and_pyyaml_read_every_shipped_file_alike():
    """The C parser is only faster: same data, same key lines, for each kind of file."""
    import yaml

    from leafletgen.source import yamlsource

    assert yaml.__with_libyaml__, "PyYAML without libyaml: parsing falls back to Python"
    assert yamlsource._LOADERS[False] is not yamlsource._NoDatesLoader
    root = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8").split("---\n")[1]
             for p in sorted((root / "leaflets").glob("*.md"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((root / "styles").rglob("*.yaml"))]
    texts.append((root / "examples" / "patient.yaml").read_text(encoding="utf-8"))
    for text in texts:
        for as_text in (False, True):
            fast, _ = parse_yaml(FILE, text, as_text=as_text)
            loaders = dict(yamlsource._LOADERS)
            try:
                yamlsource._LOADERS.update({False: yamlsource._NoDatesLoader,
                                            True: yamlsource._TextLoader})
                slow, _ = parse_yaml(FILE, text, as_text=as_text)
            finally:
                yamlsource._LOADERS.update(loaders)
            assert fast is not None and slow is not None
            assert (fast.data, fast.lines) == (slow.data, slow.lines)


# --- documents found valid are not validated again in the next process

@pytest.fixture
def verdicts(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of the user's, and a validator that counts its documents."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(yamlsource, "_pruned", [])
    return tmp_path / "cache" / "leafletgen" / yamlsource.VERDICTS


@pytest.fixture
def validated(monkeypatch) -> list[object]:
    seen: list[object] = []
    make = yamlsource._validator.__wrapped__

    class Counting:
        def __init__(self, name):
            self.validator = make(name)

        def iter_errors(self, data):
            seen.append(data)
            return self.validator.iter_errors(data)

    monkeypatch.setattr(yamlsource, "_validator", Counting)
    return seen


def variant_doc(text: str | None = None):
    path = STYLES / "variants" / "patient.yaml"
    doc, problems = parse_yaml(path, text or path.read_text(encoding="utf-8"))
    assert problems == [] and doc is not None
    return doc


def test_a_valid_document_is_validated_once(verdicts, validated):
    assert schema_problems(variant_doc(), "variant.schema.json", "docs") == []
    assert len(validated) == 1 and len(list(verdicts.iterdir())) == 1
    assert schema_problems(variant_doc(), "variant.schema.json", "docs") == []
    assert len(validated) == 1  # the verdict kept: not validated again
    changed = (STYLES / "variants" / "patient.yaml").read_text().replace("min_body_pt: 12",
                                                                         "min_body_pt: 13")
    assert schema_problems(variant_doc(changed), "variant.schema.json", "docs") == []
    assert len(validated) == 2 and len(list(verdicts.iterdir())) == 2
    # another schema is another verdict, even for the same data
    assert schema_problems(variant_doc(), "glossary.schema.json", "docs") != []


def test_an_invalid_document_is_validated_every_time(verdicts, validated):
    wrong = (STYLES / "variants" / "patient.yaml").read_text().replace("min_body_pt: 12",
                                                                       "min_body_pt: twelve")
    first = schema_problems(variant_doc(wrong), "variant.schema.json", "docs")
    assert any("min_body_pt" in str(p) for p in first)
    assert schema_problems(variant_doc(wrong), "variant.schema.json", "docs") == first
    assert len(validated) == 2
    assert not verdicts.exists() or list(verdicts.iterdir()) == []


def test_nothing_about_a_patient_is_kept(verdicts, validated, tmp_path):
    path = tmp_path / "patient.yaml"
    path.write_text(PATIENT, encoding="utf-8")
    for _ in range(2):
        read_patient(path)
    assert len(validated) == 2
    assert not verdicts.exists() or list(verdicts.iterdir()) == []
    assert NAME not in "".join(p.name for p in (tmp_path / "cache").rglob("*"))


def test_validation_without_a_writable_cache_folder(tmp_path, monkeypatch, validated):
    blocker = tmp_path / "cache"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    for _ in range(2):
        assert schema_problems(variant_doc(), "variant.schema.json", "docs") == []
    assert len(validated) == 2
