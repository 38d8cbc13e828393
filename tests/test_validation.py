from leafletgen.source.monograph import load

from .conftest import monograph_text


def found(path) -> list[str]:
    _, problems = load(path)
    return [f"{p.line}: {p.message}" for p in problems]


def line_of(path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_valid_monograph_has_no_problems(write_monograph):
    assert found(write_monograph()) == []


def test_missing_required_field(write_monograph):
    path = write_monograph(text=monograph_text(drop=("drug_class",)))
    assert found(path) == ["2: missing required field 'drug_class'; add 'drug_class: ...' "
                           "(see docs/monograph-format.md)"]


def test_unknown_field_names_the_known_ones(write_monograph):
    path = write_monograph(text=monograph_text(dosage='"10 mg"'))
    [message] = found(path)
    assert message.startswith(f"{line_of(path, 'dosage:')}: unknown field 'dosage'; known fields")
    assert "generic_name" in message


def test_malformed_date_points_at_its_line(write_monograph):
    path = write_monograph(last_revised="2026-13-01")
    assert found(path) == [f"{line_of(path, 'last_revised')}: last_revised: '2026-13-01' is not a "
                           "valid date; write it as YYYY-MM-DD"]


def test_unknown_status(write_monograph):
    path = write_monograph(status="final")
    assert found(path) == [f"{line_of(path, 'status:')}: status: 'final' is not allowed; "
                           "use one of: draft, approved"]


def test_unknown_section_id_suggests_the_nearest(write_monograph):
    body = "## side-efects\n\nYou may feel sleepy.\n"
    path = write_monograph(text=monograph_text(body=body))
    [message] = found(path)
    assert message.startswith(f"{line_of(path, '## side-efects')}: unknown section id "
                              "'side-efects'; did you mean 'side-effects'?")


def test_duplicate_and_empty_sections(write_monograph):
    body = "## uses\n\nOne.\n\n## uses\n\n## storage\n"
    path = write_monograph(text=monograph_text(body=body))
    problems = found(path)
    second = [i for i, line in enumerate(path.read_text().splitlines(), 1) if line == "## uses"][1]
    assert f"{second}: section 'uses' appears twice (first on line {second - 4}); " \
           "merge the two" in problems
    assert f"{second}: section 'uses' has no text; write it or remove it" in problems
    assert f"{line_of(path, '## storage')}: section 'storage' has no text; write it or " \
           "remove it" in problems


def test_raw_html_is_rejected_with_its_line(write_monograph):
    body = ("## uses\n\n::: patient\nSafe text.\n\n<script>alert(1)</script>\n:::\n\n"
            "## storage\n\nKeep it <img src=\"file:///etc/passwd\"> cool.\n")
    path = write_monograph(text=monograph_text(body=body))
    problems = found(path)
    for marker in ("<script>", "<img"):
        expected = f"{line_of(path, marker)}: raw HTML is not allowed"
        assert any(p.startswith(expected) for p in problems), (marker, problems)


def test_an_image_from_outside_the_figures_folder_is_rejected(write_monograph):
    body = "## uses\n\n![x](https://example.org/x.png)\n"
    path = write_monograph(text=monograph_text(body=body))
    assert found(path) == [f"{line_of(path, '![x]')}: figure 'https://example.org/x.png' must be "
                           "a file in the figures/ folder beside the monograph, e.g. "
                           "'figures/x.svg'"]


def test_all_problems_in_a_file_are_reported_together(write_monograph):
    body = "## nonsense\n\nText.\n\n## uses\n\n::: patient\n<b>x</b>\n:::\n"
    path = write_monograph(text=monograph_text(body=body, status="done", last_revised="soon"))
    lines = sorted(int(p.split(":")[0]) for p in found(path))
    assert lines == sorted([line_of(path, "status:"), line_of(path, "last_revised:"),
                            line_of(path, "## nonsense"), line_of(path, "<b>x</b>")])


def test_html_in_front_matter_is_rejected(write_monograph):
    path = write_monograph(text=monograph_text(name='"<script>alert(1)</script>"',
                                               forms='["Tablets", "<b>Oral</b> solution"]'))
    assert found(path) == [
        f"{line_of(path, 'name:')}: name: HTML ('<script>') is not allowed in front matter; "
        "write plain text",
        f"{line_of(path, 'forms:')}: forms.1: HTML ('<b>') is not allowed in front matter; "
        "write plain text",
    ]


def test_comparison_signs_in_front_matter_are_fine(write_monograph):
    assert found(write_monograph(drug_class='"Dose < 10 mg > child dose"')) == []


def test_unquoted_version_is_explained(write_monograph):
    path = write_monograph(version="1.0")
    assert found(path) == [f"{line_of(path, 'version:')}: version: 1.0 was read as a number; "
                           'put it in quotes, e.g. version: "1.0"']


def test_pattern_errors_describe_the_rule_not_a_regular_expression(write_monograph):
    path = write_monograph(language="english")
    assert found(path) == [f"{line_of(path, 'language:')}: language: 'english' is not a "
                           "language tag such as en, fr or pt-BR"]
