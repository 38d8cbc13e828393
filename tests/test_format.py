"""Format 2: what a real medicine needs, and nothing written lost without a word."""

from __future__ import annotations

import shutil

import leafletgen
from leafletgen.checks.plan import plan
from leafletgen.source.migrate import migrate_file
from leafletgen.source.monograph import load

from .conftest import BODY, STYLES, monograph_text
from .test_validation import found, line_of


def messages(path, styles=STYLES) -> list[str]:
    return [f"{p.line}: {p.message}" for p in plan([path], styles).problems]


def test_text_for_an_audience_no_variant_shows_is_an_error(write_monograph):
    body = BODY + "\n## counselling\n\n::: patient\nAsk us anything.\n:::\n"
    path = write_monograph(text=monograph_text(body=body))
    [message] = messages(path)
    assert message.startswith(f"{line_of(path, 'Ask us anything')}: patient text in section "
                              "'counselling' is printed by no patient leaflet (patient, "
                              "patient-large); only the clinician leaflet shows it.")


def test_text_for_both_reaching_one_audience_only_names_the_other(write_monograph, styles):
    variant = styles / "variants" / "clinician.yaml"
    variant.write_text(variant.read_text().replace("  - id: storage\n", "  - id: storagex\n")
                       .replace('    heading: "Storage and handling"\n', ""))
    text = variant.read_text()
    start = text.index("  - id: storagex")
    variant.write_text(text[:start] + text[start:].split("\n", 1)[1])
    path = write_monograph(text=monograph_text(body=BODY + "\n## storage\n\nKeep it cool.\n"))
    problems = messages(path, styles)
    assert any(p.startswith(f"{line_of(path, 'Keep it cool')}: clinician text in section "
                            "'storage' is printed by no clinician leaflet") for p in problems)
    assert not any("patient text in section 'storage'" in p for p in problems)


def test_reference_to_a_section_the_leaflet_does_not_show(write_monograph):
    body = BODY.replace("Do not stop taking testamol suddenly.",
                        "Do not stop taking testamol suddenly. [See](#overdose).")
    body += "\n## overdose\n\n::: clinician\nGive charcoal.\n:::\n"
    path = write_monograph(text=monograph_text(body=body))
    problems = messages(path)
    line = line_of(path, "[See](#overdose)")
    assert f"{line}: reference to '#overdose', which the 'patient' leaflet does not show (it " \
           "has no patient text there); write patient text in '## overdose', or refer to " \
           "another section" in problems


def test_reference_to_an_unknown_section_id(write_monograph):
    body = BODY.replace("You may feel sleepy.", "You may feel sleepy; [see](#dose).")
    path = write_monograph(text=monograph_text(body=body))
    [message] = found(path)
    assert message.startswith(f"{line_of(path, '(#dose)')}: reference to '#dose', which is not "
                              "a section id")


def test_sections_are_optional_unless_a_variant_requires_them(write_monograph):
    body = BODY.split("## stopping")[0] + "## side-effects\n\nYou may feel sleepy.\n"
    path = write_monograph(text=monograph_text(body=body))
    assert messages(path) == []


def test_markdown_that_would_not_print_as_written_is_reported_at_its_line(write_monograph):
    body = BODY + """
## storage

::: patient
Term
: a definition list

Keep it ~~warm~~ cool.

Keep it *dry*.

Table: A caption with no table

Line<br>break.

- one
  - two
    - three
      - four

See note[^9].

![](figures/missing.svg)

[a file](notes.txt)
:::
"""
    path = write_monograph(text=monograph_text(body=body))
    problems = found(path)

    def at(marker: str, start: str) -> None:
        line = line_of(path, marker)
        assert any(p.startswith(f"{line}: {start}") for p in problems), (marker, problems)

    at("Term", "definition lists are not part of the leaflet format")
    at("~~warm~~", "strike-through does not print")
    at("*dry*", "italics print as bold")
    at("Table: A caption", "'Table:' starts a table caption, but no table follows it")
    at("Line<br>", "'<br>' breaks a line only inside a table cell")
    at("- four", "a list nested more than 3 levels deep")
    at("note[^9]", "footnote [^9] has no note")
    at("![](figures", "figure 'figures/missing.svg' has no alt text")
    at("![](figures", "figure 'figures/missing.svg' does not exist")
    at("[a file]", "link to 'notes.txt' cannot be followed on paper")


def test_a_figure_outside_the_figures_folder_is_refused(write_monograph):
    body = BODY + "\n## storage\n\n![The pack](../../etc/passwd.png)\n"
    path = write_monograph(text=monograph_text(body=body))
    assert any("must be a file in the figures/ folder" in p for p in found(path))


def test_loose_lists_nested_tables_and_figures_build_as_valid_tagged_pdf(tmp_path):
    corpus = tmp_path / "leaflets"
    shutil.copytree(STYLES.parent / "tests" / "corpus", corpus)
    result = leafletgen.build([corpus / "awkward.md"], tmp_path / "out", STYLES)
    assert [str(p) for p in result.problems] == []  # verify (PDF/UA-1 included) ran on each
    assert len(result.written) == 3


def test_migrate_adds_the_format_version_once(write_monograph):
    path = write_monograph()
    migration, problems = migrate_file(path)
    assert problems == [] and migration.changes == ("line 2: added 'format: 2'",)
    assert path.read_text().splitlines()[1] == "format: 2"
    assert load(path)[0] is not None
    again, _ = migrate_file(path)
    assert again.changes == ()


def test_migrate_dry_run_writes_nothing(write_monograph):
    path = write_monograph()
    before = path.read_bytes()
    migration, _ = migrate_file(path, write=False)
    assert migration.changes and path.read_bytes() == before


def test_a_character_the_fonts_lack_is_reported_at_its_line(write_monograph):
    body = BODY.replace("You may feel sleepy.", "You may feel sleepy 💊 ↑.")
    path = write_monograph(text=monograph_text(body=body, drug_class='"Pills 💊"'))
    problems = found(path)
    assert f"{line_of(path, 'sleepy 💊')}: character U+1F48A '💊' is not in the leaflet fonts; " \
           "replace it with words or a character the fonts have (see " \
           "docs/monograph-format.md)" in problems
    assert any(p.startswith(f"{line_of(path, 'drug_class')}: drug_class: character U+1F48A")
               for p in problems)
    assert not any("U+2191" in p for p in problems)  # ↑ is in the shipped symbols font


def test_a_table_cut_off_the_page_is_reported_at_its_section(write_monograph, styles):
    row = "| " + " | ".join(["Wednesday"] * 12) + " |\n|" + "---|" * 12 + "\n| " + \
          " | ".join(["Thursdays"] * 12) + " |\n"
    path = write_monograph(text=monograph_text(body=BODY + "\n## storage\n\n" + row))
    result = leafletgen.build([path], path.parent.parent / "out", styles, variants=["patient"])
    [problem] = [str(p) for p in result.problems]
    assert problem.startswith(f"{path}:{line_of(path, '## storage')}: patient leaflet (")
    assert "layout: text runs off the right edge of page" in problem
