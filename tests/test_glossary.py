from pathlib import Path

import pytest

from leafletgen.checks.glossary import jargon_problems, load_glossary
from leafletgen.checks.plan import plan

from .conftest import BODY, STYLES, monograph_text

GLOSSARY = STYLES / "glossary.yaml"


@pytest.fixture(scope="module")
def glossary():
    found, problems = load_glossary(GLOSSARY)
    assert problems == []
    return found


def jargon(glossary, write_monograph, uses: str, variant: str = "patient", **fields):
    body = BODY.replace("::: both\nTestamol treats test pain.\n:::", uses)
    path = write_monograph(text=monograph_text(body=body, **fields))
    (job,) = plan([path], STYLES, [variant]).jobs
    return path, jargon_problems(glossary, job.monograph, job.sections)


def test_shipped_glossary_has_the_key_terms(glossary):
    terms = {t.term: t.plain[0] for t in glossary.terms}
    assert terms["spasticity"] == "muscle stiffness"
    assert terms["intrathecal"] == "into the fluid around the spinal cord"


def test_term_without_its_plain_meaning_is_flagged_with_a_suggestion(glossary, write_monograph):
    path, problems = jargon(glossary, write_monograph, "::: patient\nTestamol eases pain.\n\n"
                            "It helps with **spasticity**.\n:::")
    lines = path.read_text().splitlines()
    (problem,) = problems
    assert lines[problem.line - 1] == "It helps with **spasticity**."
    assert problem.severity.value == "warning"
    assert str(problem) == (
        f"{path}:{problem.line}: warning: 'spasticity' is a medical term patients may not know; "
        "explain it in the same paragraph or list item, e.g. 'spasticity (muscle stiffness)', "
        "or write 'muscle stiffness' instead")


@pytest.mark.parametrize("text", [
    "It helps with muscle stiffness (spasticity).",
    "It helps with Spasticity, which means Muscle  stiffness.",
    "- have fits (seizures)",
    "- have a fit (seizure)",
])
def test_term_with_its_plain_meaning_nearby_passes(glossary, write_monograph, text):
    _, problems = jargon(glossary, write_monograph, f"::: patient\n{text}\n:::")
    assert problems == []


def test_meaning_in_another_list_item_is_not_nearby(glossary, write_monograph):
    path, problems = jargon(glossary, write_monograph,
                            "::: patient\n- muscle stiffness\n- intrathecal pumps\n:::")
    lines = path.read_text().splitlines()
    assert [(lines[p.line - 1], p.message.split(";")[0]) for p in problems] == [
        ("- intrathecal pumps", "'intrathecal' is a medical term patients may not know")]


def test_longer_forms_match_and_the_longest_term_wins(glossary, write_monograph):
    _, problems = jargon(glossary, write_monograph,
                         "::: patient\nRenally cleared. Watch for CNS depressants.\n:::")
    assert [p.message.split("'")[1] for p in problems] == ["Renally", "CNS depressants"]


def test_forms_under_the_title_are_checked(glossary, write_monograph):
    path, problems = jargon(glossary, write_monograph, "Testamol treats test pain.",
                            forms='["Tablets", "Intrathecal injection"]')
    (problem,) = problems
    assert path.read_text().splitlines()[problem.line - 1].startswith("forms:")
    assert "'Intrathecal'" in problem.message


def test_glossary_file_errors_say_where(tmp_path: Path):
    path = tmp_path / "glossary.yaml"
    path.write_text("spasticity: muscle stiffness\nrenal: 3\n")
    glossary, problems = load_glossary(path)
    assert glossary is None
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(2, "renal")]


def test_a_monograph_adds_its_own_terms_and_brackets_explain_a_term(write_monograph):
    import leafletgen

    from .conftest import BODY, STYLES, monograph_text

    body = BODY.replace("You may feel sleepy.",
                        "You may get stomatitis. Ask about methotrexate toxicity "
                        "(harm to your body from too much medicine). You may get a seizure.")
    path = write_monograph(text=monograph_text(
        body=body, glossary='{stomatitis: mouth ulcers, toxicity: harm}'))
    found = [str(p) for p in leafletgen.check_report([path], STYLES).problems
             if "medical term" in p.message]
    assert any("'stomatitis' is a medical term" in p and "mouth ulcers" in p for p in found)
    assert not any("'toxicity'" in p for p in found)  # explained in brackets
    assert any("'seizure' is a medical term" in p for p in found)  # the shared glossary too
