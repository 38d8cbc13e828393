from pathlib import Path

import pytest

from leafletgen.checks.plan import plan
from leafletgen.checks.readability import grades, read_leaflet, reading_problems, sentences
from leafletgen.source.markup import TextUnit
from leafletgen.source.variants import load_variants

from .conftest import BODY, STYLES, monograph_text

LONG = ("If you have been taking this medicine for a long time and you want to stop taking it, "
        "you should talk to your doctor or your pharmacist first, because stopping suddenly can "
        "make you feel unwell and can be dangerous.")
SHORT = ("Talk to your doctor before you stop. Stopping all at once can make you unwell. "
         "It can be dangerous. Your doctor will lower your dose slowly. Do not run out of "
         "tablets.")


def with_stopping(text: str) -> str:
    """The test body with the patient 'stopping' text replaced."""
    return BODY.replace("::: both\nYour doctor lowers the dose slowly.\n:::",
                        f"::: patient\n{text}\n:::\n\n::: clinician\nTaper slowly.\n:::")


def reading_of(write_monograph, body: str, variant: str = "patient", **fields):
    path = write_monograph(text=monograph_text(body=body, **fields))
    the_plan = plan([path], STYLES, [variant])
    assert [str(p) for p in the_plan.problems] == []
    (job,) = the_plan.jobs
    return read_leaflet(job.monograph, job.variant, job.sections)


def test_a_40_word_sentence_puts_a_patient_section_over_its_limit(write_monograph):
    assert len(LONG.split()) == 40
    reading = reading_of(write_monograph, with_stopping(LONG))
    stopping = next(s for s in reading.sections if s.id == "stopping")
    assert stopping.limit == 8
    assert stopping.over and stopping.grades.flesch_kincaid > 8
    assert stopping.words == 40
    (hardest,) = stopping.hardest
    assert (hardest.text, hardest.words) == (LONG, 40)
    text = reading.monograph.path.read_text().splitlines()
    assert text[hardest.line - 1] == LONG
    problems = reading_problems(reading)
    messages = [f"{p.line}: {p.severity.value}: {p.message}" for p in problems]
    assert f"{stopping.line}: warning: 'patient' leaflet, section 'stopping': reading grade " \
           f"{stopping.grades.flesch_kincaid:.1f} (Flesch-Kincaid) is above the limit of 8; " \
           f"rewrite its hardest sentences (line {hardest.line}) with fewer words per sentence " \
           "and shorter words" in messages
    assert text[stopping.line - 1] == "## stopping"


def test_the_same_facts_in_short_sentences_pass(write_monograph):
    reading = reading_of(write_monograph, with_stopping(SHORT))
    stopping = next(s for s in reading.sections if s.id == "stopping")
    assert stopping.words >= 20 and stopping.judged
    assert not stopping.over and stopping.grades.flesch_kincaid <= 8
    assert stopping.hardest == ()
    assert not reading.over and reading.grades.flesch_kincaid <= 7
    assert reading_problems(reading) == []


def test_the_whole_leaflet_has_its_own_limit(write_monograph, styles):
    # no section is over its limit, but the leaflet is over a limit below its grade
    path = styles / "variants" / "patient.yaml"
    path.write_text(path.read_text().replace("section_max: 8", "section_max: 30")
                    .replace("leaflet_max: 7", "leaflet_max: 0.5"))
    monograph = write_monograph(text=monograph_text(body=with_stopping(SHORT)))
    (job,) = plan([monograph], styles, ["patient"]).jobs
    reading = read_leaflet(job.monograph, job.variant, job.sections)
    assert reading.over and not any(s.over for s in reading.sections)
    assert len(reading.hardest) == 3
    grades_ = [s.grade for s in reading.hardest]
    assert grades_ == sorted(grades_, reverse=True)
    (problem,) = reading_problems(reading)
    assert problem.line == 1
    assert problem.message.startswith("'patient' leaflet: overall reading grade ")
    assert "is above the limit of 0.5;" in problem.message


def test_clinician_text_has_no_limit(write_monograph):
    body = with_stopping(SHORT).replace("Taper slowly.", LONG)
    reading = reading_of(write_monograph, body, variant="clinician")
    stopping = next(s for s in reading.sections if s.id == "stopping")
    assert stopping.grades.flesch_kincaid > 8
    assert (stopping.limit, stopping.over, reading.limit, reading.over) == (None, False, None,
                                                                           False)
    assert reading_problems(reading) == []


def test_short_sections_are_judged_only_with_the_whole_leaflet(write_monograph):
    # one short sentence can score high by the formulas; it counts only in the leaflet grade
    reading = reading_of(write_monograph, BODY)
    first = reading.sections[0]
    assert first.words < 20 and first.grades.flesch_kincaid > 8
    assert (first.judged, first.over) == (False, False)
    assert reading_problems(reading) == []


def test_list_items_end_sentences():
    units = (TextUnit("Stopping all at once can cause", 3), TextUnit("fits", 4),
             TextUnit("high fever", 5))
    found = sentences(units)
    assert [(s.text, s.line) for s in found] == [
        ("Stopping all at once can cause.", 3), ("fits.", 4), ("high fever.", 5)]


def test_markup_is_not_scored(write_monograph):
    plain = reading_of(write_monograph, with_stopping(SHORT))
    marked = reading_of(write_monograph, with_stopping(
        SHORT.replace("Talk to your doctor", "**Talk to your doctor**")))
    assert plain.sections == marked.sections


def test_scores_are_real_and_deterministic():
    easy = grades("Take one tablet. Drink water. Rest.")
    hard = grades("Intrathecal administration necessitates meticulous pharmacokinetic "
                  "consideration of cerebrospinal distribution characteristics.")
    assert easy.flesch_kincaid < 3 < 12 < hard.flesch_kincaid
    assert easy.coleman_liau < hard.coleman_liau and easy.smog < hard.smog
    assert grades(LONG) == grades(LONG)


def test_other_languages_are_not_scored(write_monograph):
    reading = reading_of(write_monograph, with_stopping(LONG), language="de")
    assert not reading.scored
    assert all(s.grades is None and not s.over for s in reading.sections)
    assert reading_problems(reading) == []


def test_unknown_formula_is_a_variant_error(styles):
    path = styles / "variants" / "patient.yaml"
    path.write_text(path.read_text().replace("formula: flesch-kincaid", "formula: fog"))
    _, problems = load_variants(styles)
    assert [p.message for p in problems if p.path == path] == [
        "reading_grade.formula: 'fog' is not allowed; use one of: flesch-kincaid, "
        "coleman-liau, smog"]


@pytest.mark.parametrize("formula", ["coleman-liau", "smog"])
def test_limits_can_use_another_formula(write_monograph, styles, formula):
    path = styles / "variants" / "patient.yaml"
    path.write_text(path.read_text().replace("formula: flesch-kincaid", f"formula: {formula}"))
    monograph: Path = write_monograph(text=monograph_text(body=with_stopping(LONG)))
    (job,) = plan([monograph], styles, ["patient"]).jobs
    reading = read_leaflet(job.monograph, job.variant, job.sections)
    stopping = next(s for s in reading.sections if s.id == "stopping")
    assert stopping.over == (stopping.grades.by(formula) > 8)
    assert reading.formula == formula


def test_one_word_fragments_are_never_named_as_the_hardest_sentences():
    from leafletgen.checks.readability import _hardest

    found = sentences((TextUnit("Contraindications.", 3),
                       TextUnit("Tell your doctor if you have ever had liver inflammation or "
                                "pancreatitis caused by medication.", 4)))
    assert found[0].grade > found[1].grade  # the fragment scores higher on its own
    assert [s.line for s in _hardest(found)] == [4]
