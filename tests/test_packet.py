"""Packets and personalised handouts: structure, privacy, bad input and attachments.

PDFs are checked with pypdf (pages, text, outline, page labels, metadata, structure tree).
The expensive renders happen once per module; tests that change input render small packets.
"""

import importlib
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader

import leafletgen
from leafletgen.cli import main
from leafletgen.errors import ContentError, UsageError

from .conftest import BACLOFEN, BODY, STYLES, monograph_text

NAME = "Quentina Zephyrine Oddlyname"
MARK = "Zephyrine"  # the part of the name searched for in files, logs and metadata

PATIENT = textwrap.dedent(f"""\
    patient:
      name: {NAME}
      date_of_birth: 1950-02-03
      record_number: MRN-99887
    date: 2026-03-15
    prescriber: {{name: Dr Ada Example, role: Geriatrics}}
    contact: {{name: Ward 9 pharmacy, phone: 555 0100}}
    note: Bring this list to your next appointment.
    medicines:
      - monograph: testamol
        dose: 2 tablets (20 mg)
        timing: Every morning
        directions: Take 2 tablets every morning with food.
        purpose: Test pain
        taper:
          title: Lowering your testamol dose
          columns: [Week, Dose]
          rows: [[Week 1, 20 mg], [Week 2, 10 mg]]
      - monograph: othermol
        dose: 1 capsule (5 mg)
        timing: At bedtime
        directions: Swallow 1 capsule whole at bedtime.
    """)


def full_packet(*args, **kwargs) -> bytes:
    """A packet of full leaflets (packets print counselling summaries by default): this
    module compares its structure with the handouts'."""
    return leafletgen.packet(*args, full=True, **kwargs)


TESTAMOL_DIRECTIONS = "Take 2 tablets every morning with food."
OTHERMOL_DIRECTIONS = "Swallow 1 capsule whole at bedtime."
# the first medicine only: for tests that need a packet but not two leaflets
ONE_MEDICINE = PATIENT[: PATIENT.index("  - monograph: othermol")]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def texts(reader: PdfReader) -> list[str]:
    return [flat(page.extract_text()) for page in reader.pages]


def top_outline(reader: PdfReader) -> list[tuple[str, int]]:
    return [(item.title, reader.get_destination_page_number(item))
            for item in reader.outline if not isinstance(item, list)]


def xmp(reader: PdfReader) -> str:
    """The XMP metadata, or '' when the PDF has none."""
    stream = reader.trailer["/Root"].get("/Metadata")
    return stream.get_object().get_data().decode("utf-8") if stream else ""


def make_project(root: Path) -> Path:
    """leaflets/ with two approved test monographs, a draft one and a broken one."""
    leaflets = root / "leaflets"
    leaflets.mkdir()
    (leaflets / "testamol.md").write_text(monograph_text(), encoding="utf-8")
    (leaflets / "othermol.md").write_text(
        monograph_text(body=BODY.replace("testamol", "othermol"), name="Othermol",
                       generic_name="othermol"), encoding="utf-8")
    (leaflets / "draftamol.md").write_text(monograph_text(name="Draftamol", status="draft"),
                                           encoding="utf-8")
    (leaflets / "brokamol.md").write_text(monograph_text(last_revised="2026-02-30"),
                                          encoding="utf-8")
    return leaflets


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(self.format(record))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project")
    make_project(root)
    (root / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(project) -> tuple[PdfReader, list[str]]:
    """The two-medicine packet, and every log record written while it was made."""
    records = _Records()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    try:
        data = full_packet(project / "patient.yaml", leaflets=project / "leaflets",
                                 styles=STYLES)
    finally:
        root.removeHandler(records)
        root.setLevel(old_level)
    return PdfReader(io.BytesIO(data)), records.messages


@pytest.fixture(scope="module")
def handouts(project) -> dict[str, PdfReader]:
    return {slug: PdfReader(io.BytesIO(leafletgen.handout(
        project / "leaflets" / f"{slug}.md", project / "patient.yaml", styles=STYLES)))
        for slug in ("testamol", "othermol")}


# --- structure -----------------------------------------------------------------------------

def test_page_count_is_the_cover_plus_each_leaflet(built, handouts):
    reader, _ = built
    leaflet_pages = [len(handouts[s].pages) for s in ("testamol", "othermol")]
    assert len(reader.pages) == 1 + sum(leaflet_pages)


def test_a_bookmark_per_medicine_at_its_first_page(built, handouts):
    reader, _ = built
    first_othermol = 1 + len(handouts["testamol"].pages)
    assert top_outline(reader) == [("Your medicines", 0), ("Testamol", 1),
                                   ("Othermol", first_othermol)]


def test_page_labels_name_the_part_of_the_packet(built, handouts):
    reader, _ = built
    expected = ["Cover 1"]
    for slug, name in (("testamol", "Testamol"), ("othermol", "Othermol")):
        expected += [f"{name} {i}" for i in range(1, len(handouts[slug].pages) + 1)]
    assert reader.page_labels == expected


def test_every_page_counts_across_the_packet_and_names_the_patient(built):
    reader, _ = built
    pages = texts(reader)
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text
        assert f"For: {NAME}" in text


def test_cover_lists_dose_and_timing_in_separate_columns(built, handouts):
    reader, _ = built
    cover = texts(reader)[0]
    assert "Medicine Dose When Directions" in cover
    assert "Testamol Test pain" in cover
    assert "2 tablets (20 mg) Every morning " + TESTAMOL_DIRECTIONS in cover
    assert "1 capsule (5 mg) At bedtime " + OTHERMOL_DIRECTIONS in cover
    assert "Leaflet, page 2" in cover
    assert f"Leaflet, page {2 + len(handouts['testamol'].pages)}" in cover
    assert "Testamol: Lowering your testamol dose Week Dose Week 1 20 mg Week 2 10 mg" in cover
    assert "Ward 9 pharmacy" in cover and "555 0100" in cover and "Dr Ada Example" in cover
    assert "Bring this list to your next appointment." in cover
    assert "MRN-99887" in cover and "3 February 1950" in cover


def test_personalised_box_is_in_its_own_leaflet_only(built, handouts):
    reader, _ = built
    pages = texts(reader)
    split = 1 + len(handouts["testamol"].pages)
    testamol, othermol = " ".join(pages[1:split]), " ".join(pages[split:])
    assert pages[1].index("Testamol") < pages[1].index(f"For: {NAME}")
    assert f"Your directions: {TESTAMOL_DIRECTIONS}" in testamol
    assert f"Your directions: {OTHERMOL_DIRECTIONS}" in othermol
    assert TESTAMOL_DIRECTIONS not in othermol and OTHERMOL_DIRECTIONS not in testamol
    assert "Lowering your testamol dose" in testamol
    assert "Lowering your testamol dose" not in othermol
    assert "Questions: Ward 9 pharmacy, 555 0100" in testamol


def test_numbers_print_exactly_as_written(project, tmp_path):
    """Leading zeros, octal- and hex-looking text are the patient's, not YAML's numbers."""
    text = (ONE_MEDICINE.replace("MRN-99887", "00123").replace("555 0100", "01234567")
            .replace("dose: 2 tablets (20 mg)", "dose: 1")
            .replace("columns: [Week, Dose]", "columns: [Week, Mon, Tue, Wed]")
            .replace("rows: [[Week 1, 20 mg], [Week 2, 10 mg]]",
                     "rows: [[Week 1, 01, 010, 1_0], [Week 2, 0x10, 1.50, no]]"))
    data = full_packet(write_patient(tmp_path, text), leaflets=project / "leaflets",
                             styles=STYLES)
    cover, first, *_ = texts(PdfReader(io.BytesIO(data)))
    assert "Record number" in cover and "00123" in cover
    assert "Phone: 01234567" in cover
    assert f"1 Every morning {TESTAMOL_DIRECTIONS}" in cover
    schedule = "Week Mon Tue Wed Week 1 01 010 1_0 Week 2 0x10 1.50 no"
    assert schedule in cover
    assert f"For: {NAME} · born 3 February 1950 · record 00123" in first
    assert schedule in first
    assert "Questions: Ward 9 pharmacy, 01234567" in first


def test_packet_of_our_own_leaflets_keeps_its_tags(built):
    reader, _ = built
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en"
    assert reader.pdf_header == "%PDF-1.7"
    assert "pdfuaid:part" in xmp(reader)
    assert all("/StructParents" in page for page in reader.pages)


def test_verify_passes_a_packet_that_names_no_variant(built, tmp_path, capsys):
    reader, _ = built
    path = tmp_path / "discharge.pdf"
    path.write_bytes(reader.stream.getvalue())
    code, stdout, stderr = run(capsys, "verify", str(path), "--styles", str(STYLES))
    assert code == 0, stderr
    assert stdout.startswith(f"ok {path} (unknown variant: ")
    assert stdout.rstrip().endswith("type size not checked, PDF/UA-1)")
    assert "warning: type size: not checked (the PDF does not name its variant" in stderr
    code, stdout, _ = run(capsys, "verify", str(path), "--variant", "patient",
                          "--styles", str(STYLES))
    assert code == 0 and "smallest text" in stdout


def test_a_packet_below_its_variants_type_floor_is_refused(project, styles):
    """Packets are checked as `leafletgen verify` checks leaflets, without quoting their text."""
    (styles / "small.css").write_text(".personal { font-size: 9pt; }\n", encoding="utf-8")
    variant = styles / "variants" / "patient.yaml"
    variant.write_text(variant.read_text(encoding="utf-8").replace(
        "stylesheets: [leaflet.css, patient.css]",
        "stylesheets: [leaflet.css, patient.css, small.css]"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        full_packet(project / "patient.yaml", leaflets=project / "leaflets", styles=styles)
    [problem] = [str(p) for p in caught.value.problems]
    assert re.fullmatch(r"<packet>: type size: the smallest text is 9 pt \(page \d+\), below "
                        r"the 'patient' variant's floor of 12 pt .*small\.css", problem), problem
    assert MARK not in problem and "Take 2 tablets" not in problem


def test_large_print_packet_with_a_small_print_attachment(project, tmp_path):
    """Only our pages are held to the 18 pt floor; the personal box comes first, then the
    boxed most important information, then the read-me box."""
    letter = tmp_path / "small-letter.pdf"
    weasyprint.HTML(string="<p style='font: 9pt serif'>SMALL PRINT LETTER</p>").write_pdf(letter)
    data = full_packet(write_patient(tmp_path, ONE_MEDICINE),
                             leaflets=project / "leaflets", styles=STYLES,
                             variant="patient-large", attach=[letter])
    reader = PdfReader(io.BytesIO(data))
    pages = texts(reader)
    assert "SMALL PRINT LETTER" in pages[-1]
    leaflet = " ".join(pages[1:-1])
    personal = leaflet.index(f"For: {NAME}")
    important = leaflet.index("What is the most important information I should know about "
                              "Testamol?")
    read_me = leaflet.index("Read all of this leaflet carefully")
    assert personal < important < read_me
    # nothing but the end of the personal box stands between it and the most important box
    between = leaflet[leaflet.index("Questions: Ward 9 pharmacy"):important]
    assert "Read all" not in between and "Testamol treats" not in between


def test_anchor_ids_are_prefixed_per_leaflet(built):
    reader, _ = built
    names = set(reader.named_destinations)
    assert {"leaflet-testamol", "leaflet-othermol", "testamol-uses", "othermol-uses"} <= names
    assert "uses" not in names


# --- privacy -------------------------------------------------------------------------------

def test_metadata_never_holds_the_patient(built):
    reader, _ = built
    info = reader.metadata
    assert info.title == "Medicine information"  # no date: nothing about the patient
    assert "/Author" not in info and "/Subject" not in info and "/Keywords" not in info
    assert all(MARK not in str(value) for value in info.values())
    assert MARK not in xmp(reader)
    assert all(MARK not in label for label in reader.page_labels)
    assert all(MARK not in title for title, _ in top_outline(reader))


def test_logs_never_hold_patient_data(built):
    _, messages = built
    assert messages, "expected WeasyPrint and leafletgen to log something at DEBUG"
    for value in (MARK, "MRN-99887", "555 0100", TESTAMOL_DIRECTIONS):
        assert not any(value in message for message in messages), value


def test_output_is_never_reused_for_another_patient(project, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(PATIENT.replace(NAME, "Bartholomew Otherperson"), encoding="utf-8")
    first = leafletgen.handout(project / "leaflets" / "othermol.md", project / "patient.yaml",
                               styles=STYLES)
    second = leafletgen.handout(project / "leaflets" / "othermol.md", other, styles=STYLES)
    assert MARK in " ".join(texts(PdfReader(io.BytesIO(first))))
    second_text = " ".join(texts(PdfReader(io.BytesIO(second))))
    assert "Bartholomew Otherperson" in second_text and MARK not in second_text


def files_under(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run_command(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed command, with its home, caches and temp folder inside ``cwd``."""
    env = {**os.environ, "HOME": str(cwd / "home"), "TMPDIR": str(cwd / "tmp"),
           "XDG_CACHE_HOME": str(cwd / "cache")}
    for folder in ("home", "tmp", "cache"):
        (cwd / folder).mkdir(exist_ok=True)
    exe = Path(sys.executable).with_name("leafletgen")
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_command_leaves_patient_data_only_in_the_requested_file(tmp_path):
    shutil.copytree(STYLES, tmp_path / "styles")
    (tmp_path / "leaflets").mkdir()
    shutil.copy(BACLOFEN, tmp_path / "leaflets")
    (tmp_path / "patient.yaml").write_text(
        ONE_MEDICINE.replace("testamol", "baclofen"), encoding="utf-8")
    catalogue = run_command(tmp_path, "build", "--variant", "patient")
    assert catalogue.returncode == 0, catalogue.stderr
    before = files_under(tmp_path)

    done = run_command(tmp_path, "--debug", "packet", "--full", "--patient", "patient.yaml",
                       "-o", "out/discharge.pdf")

    assert done.returncode == 0, done.stderr
    assert MARK not in done.stdout + done.stderr
    output = tmp_path / "out" / "discharge.pdf"
    after = files_under(tmp_path)
    # the catalogue build's files (PDFs, any manifest) are untouched; nothing else was added
    assert {p: after[p] for p in before} == before
    new = set(after) - set(before)
    assert output in new
    given = {output, tmp_path / "patient.yaml"}
    assert all(MARK.encode() not in data for path, data in after.items() if path not in given)
    assert not list((tmp_path / "tmp").iterdir()), "temp files left behind"
    assert not [p for p in new - {output} if p.is_relative_to(tmp_path / "out")]
    assert output.stat().st_mode & 0o777 == 0o600
    assert MARK in " ".join(texts(PdfReader(output)))


def test_command_with_bad_patient_file_writes_nothing_and_repeats_no_value(tmp_path):
    make_project(tmp_path)
    bad = PATIENT.replace("monograph: othermol", "monograph: secretamol").replace(
        "date: 2026-03-15", "date: 15/03/2026").replace("MRN-99887", "")
    (tmp_path / "patient.yaml").write_text(bad, encoding="utf-8")
    before = files_under(tmp_path)

    done = run_command(tmp_path, "--debug", "packet", "--full", "--patient", "patient.yaml",
                       "-o", "discharge.pdf")

    assert done.returncode == 1
    assert "patient.yaml:5: date is not a valid date" in done.stderr
    assert "patient.yaml:4: patient.record_number must not be empty" in done.stderr
    assert "nothing was written" in done.stderr
    for value in (MARK, "15/03/2026", "secretamol"):
        assert value not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    after = files_under(tmp_path)
    assert set(after) - set(before) <= {p for p in after if p.is_relative_to(tmp_path / "cache")}
    assert all(MARK.encode() not in data for path, data in after.items()
               if path != tmp_path / "patient.yaml")


# --- bad input -----------------------------------------------------------------------------

def write_patient(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "patient.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("slug,message", [
    ("secretamol", "medicines.1.monograph: there is no monograph with this slug in"),
    ("brokamol", "medicines.1.monograph: the monograph for this medicine has errors; run "
                 "'leafletgen check' to see them"),
    ("draftamol", "medicines.1.monograph: this medicine's monograph is a draft; only approved "
                  "leaflets are given to patients"),
])
def test_medicine_without_a_usable_monograph(project, tmp_path, slug, message):
    path = write_patient(tmp_path, PATIENT.replace("monograph: othermol", f"monograph: {slug}"))
    with pytest.raises(ContentError) as caught:
        full_packet(path, leaflets=project / "leaflets", styles=STYLES)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{path}:19: {message}")
    assert slug not in str(problem).replace(str(project), "")
    if slug == "secretamol":
        assert str(problem).endswith("available: othermol, testamol")


def test_only_the_patients_monographs_are_read(project, tmp_path, monkeypatch):
    """A broken monograph of another medicine cannot stop this patient's packet."""
    leaflets = tmp_path / "leaflets"
    shutil.copytree(project / "leaflets", leaflets)
    (leaflets / "crashamol.md").write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
    read: list[str] = []
    build_module = importlib.import_module("leafletgen.checks.plan")
    load = build_module.load_leaflet  # a monograph, or a translation of one

    def spy(path):
        read.append(path.name)
        return load(path)

    monkeypatch.setattr(build_module, "load_leaflet", spy)
    data = full_packet(write_patient(tmp_path, ONE_MEDICINE), leaflets=leaflets,
                             styles=STYLES)
    assert read == ["testamol.md"]
    assert f"Your directions: {TESTAMOL_DIRECTIONS}" in " ".join(texts(PdfReader(io.BytesIO(data))))


def test_a_monograph_that_sets_its_own_slug_is_found(project, tmp_path):
    leaflets = tmp_path / "leaflets"
    shutil.copytree(project / "leaflets", leaflets)
    (leaflets / "testamol.md").rename(leaflets / "Testamol 10 mg tablets.md")
    (leaflets / "Testamol 10 mg tablets.md").write_text(monograph_text(slug="testamol"),
                                                        encoding="utf-8")
    data = full_packet(write_patient(tmp_path, ONE_MEDICINE), leaflets=leaflets,
                             styles=STYLES)
    assert f"Your directions: {TESTAMOL_DIRECTIONS}" in " ".join(texts(PdfReader(io.BytesIO(data))))


def test_unknown_variant_in_the_patient_file_names_the_field(project, tmp_path):
    path = write_patient(tmp_path, PATIENT.replace("date: 2026", "variant: huge-print\ndate: 2026"))
    with pytest.raises(ContentError) as caught:
        full_packet(path, leaflets=project / "leaflets", styles=STYLES)
    [problem] = [str(p) for p in caught.value.problems]
    start = f"{path}:5: variant: there is no patient variant with this name; use one of: "
    assert problem.startswith(start)
    assert "patient" in problem.removeprefix(start).split(", ")
    assert "clinician" not in problem and "huge-print" not in problem


@pytest.mark.parametrize("variant", ["poster", "clinician"])
def test_unknown_or_non_patient_variant_option_is_a_usage_error(project, variant):
    with pytest.raises(UsageError, match=f"unknown patient variant {variant}"):
        full_packet(project / "patient.yaml", leaflets=project / "leaflets",
                          styles=STYLES, variant=variant)


def test_handout_needs_the_medicine_in_the_patient_file(project, tmp_path):
    path = write_patient(tmp_path, ONE_MEDICINE)
    with pytest.raises(ContentError) as caught:
        leafletgen.handout(project / "leaflets" / "othermol.md", path, styles=STYLES)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:9: medicines: no entry has 'monograph: othermol'; add this medicine with the "
        "patient's dose, timing and directions"]


# --- handouts and variants -----------------------------------------------------------------

def test_handout_is_one_personalised_leaflet(handouts):
    reader = handouts["testamol"]
    pages = texts(reader)
    assert "Your medicines" not in " ".join(pages)
    assert f"For: {NAME}" in pages[0]
    assert f"Your directions: {TESTAMOL_DIRECTIONS}" in pages[0]
    assert OTHERMOL_DIRECTIONS not in " ".join(pages)
    assert reader.metadata.title == "Medicine information"
    assert reader.page_labels == [f"Testamol {i}" for i in range(1, len(pages) + 1)]
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_a_patient_variant_is_chosen_by_option_or_patient_file(project, styles, tmp_path):
    definition = (styles / "variants" / "patient.yaml").read_text(encoding="utf-8")
    (styles / "variants" / "patient-big.yaml").write_text(
        definition.replace("name: patient", "name: patient-big").replace(
            "description: Patient information leaflet", "description: Big print leaflet"),
        encoding="utf-8")
    monograph = project / "leaflets" / "testamol.md"
    by_option = leafletgen.handout(monograph, project / "patient.yaml", styles=styles,
                                   variant="patient-big")
    by_file = leafletgen.handout(
        monograph, write_patient(tmp_path, PATIENT.replace("date: 2026",
                                                           "variant: patient-big\ndate: 2026")),
        styles=styles)
    for data in (by_option, by_file):
        assert "Big print leaflet" in texts(PdfReader(io.BytesIO(data)))[0]


# --- attachments ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def letter(tmp_path_factory) -> Path:
    """A two-page PDF made elsewhere, untagged."""
    path = tmp_path_factory.mktemp("attach") / "letter.pdf"
    weasyprint.HTML(string="<p>DISCHARGE LETTER ONE</p><p style='break-before: page'>"
                           "DISCHARGE LETTER TWO</p>").write_pdf(path)
    return path


def test_attachments_go_before_and_after_with_bookmarks_and_labels(project, tmp_path, letter):
    path = write_patient(tmp_path, ONE_MEDICINE)
    data = full_packet(path, leaflets=project / "leaflets", styles=STYLES, attach=[
        leafletgen.Attachment(letter, "Discharge summary", first=True), letter])
    reader = PdfReader(io.BytesIO(data))
    pages = texts(reader)
    total = len(pages)
    ours = total - 4
    assert "DISCHARGE LETTER ONE" in pages[0] and "DISCHARGE LETTER TWO" in pages[-1]
    assert "Your medicines" in pages[2]
    for number in range(3, 3 + ours):
        assert f"Page {number} of {total}" in pages[number - 1]
    assert top_outline(reader) == [("Discharge summary", 0), ("Your medicines", 2),
                                   ("Testamol", 3), ("letter.pdf", total - 2)]
    assert reader.page_labels == (["Discharge summary 1", "Discharge summary 2", "Cover 1"]
                                  + [f"Testamol {i}" for i in range(1, ours)]
                                  + ["letter.pdf 1", "letter.pdf 2"])
    # our pages stay tagged; attached ones claim no part of our structure tree
    assert all("/StructParents" in page for page in reader.pages[2:2 + ours])
    assert not any("/StructParents" in page for page in [*reader.pages[:2], *reader.pages[-2:]])
    assert "pdfuaid" not in xmp(reader), "a packet with untagged pages must not claim PDF/UA"


def test_an_attachment_that_is_not_a_pdf_stops_the_packet(project, tmp_path):
    fake = tmp_path / "notes.pdf"
    fake.write_text("not a pdf", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        full_packet(project / "patient.yaml", leaflets=project / "leaflets",
                          styles=STYLES, attach=[fake])
    assert [str(p) for p in caught.value.problems] == [
        f"{fake}:1: cannot be read as a PDF; attach a PDF file"]


# --- command line --------------------------------------------------------------------------

def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_handout_command_writes_the_path_it_is_given(project, tmp_path, capsys):
    target = tmp_path / "chosen" / "for-the-patient.pdf"
    code, stdout, stderr = run(capsys, "handout", str(project / "leaflets" / "othermol.md"),
                               "--for", str(project / "patient.yaml"), "-o", str(target),
                               "--styles", str(STYLES))
    assert (code, stderr) == (0, "")
    assert stdout == "wrote the handout (readable by you only)\n"  # not the path
    assert os.listdir(target.parent) == ["for-the-patient.pdf"]
    assert f"Your directions: {OTHERMOL_DIRECTIONS}" in texts(PdfReader(target))[0]


@pytest.mark.parametrize("args,message,code", [
    (["--variant", "clinician"], "unknown patient variant clinician", 2),
    (["--attach", "no-such.pdf"], "no such PDF file: no-such.pdf", 2),
])
def test_packet_command_usage_errors(project, tmp_path, capsys, args, message, code):
    target = tmp_path / "discharge.pdf"
    got, _, stderr = run(capsys, "packet", "--full", "--patient", str(project / "patient.yaml"),
                         "-o", str(target), "--leaflets", str(project / "leaflets"),
                         "--styles", str(STYLES), *args)
    assert got == code
    assert message in stderr
    assert not target.exists()


def test_write_private_says_why_but_not_where(tmp_path):
    in_the_way = tmp_path / NAME
    in_the_way.write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(leafletgen.OutputError) as caught:
        leafletgen.write_private(in_the_way / "discharge.pdf", b"%PDF-1.7")
    assert str(caught.value) == ("cannot write the output file: a folder in its path is a "
                                 "file; choose another path with -o")
    (tmp_path / "folder.pdf").mkdir()
    with pytest.raises(leafletgen.OutputError, match="^cannot write the output file: Is a "
                                                     "directory; choose"):
        leafletgen.write_private(tmp_path / "folder.pdf", b"%PDF-1.7")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([NAME, "folder.pdf"])


@pytest.mark.parametrize("command", ["packet", "handout"])
def test_a_failed_write_is_reported_without_a_traceback(project, tmp_path, capsys, monkeypatch,
                                                        command):
    monkeypatch.setattr(f"leafletgen.personal.service.{command}",
                        lambda *args, **kwargs: b"%PDF-1.7")
    in_the_way = tmp_path / NAME
    in_the_way.write_text("a file where a folder should be", encoding="utf-8")
    args = ([command, "--patient", str(project / "patient.yaml")] if command == "packet" else
            [command, str(project / "leaflets" / "testamol.md"), "--for",
             str(project / "patient.yaml")])
    code, stdout, stderr = run(capsys, *args, "-o", str(in_the_way / "x.pdf"))
    assert code == 1
    assert stdout == ""
    assert stderr == ("leafletgen: cannot write the output file: a folder in its path is a file; "
                      "choose another path with -o; nothing was written\n")


def test_packet_errors_say_nothing_was_written(project, tmp_path, capsys):
    bad = write_patient(tmp_path, PATIENT.replace("date: 2026-03-15", "date: 2026-02-30"))
    code, _, stderr = run(capsys, "packet", "--full", "--patient", str(bad), "-o",
                          str(tmp_path / "x.pdf"), "--leaflets", str(project / "leaflets"),
                          "--styles", str(STYLES))
    assert code == 1
    assert stderr.endswith(":5: date is not a valid date; write it as YYYY-MM-DD\n"
                           "1 error(s); nothing was written\n")
    assert "not built" not in stderr


def test_packet_command_hides_unexpected_error_messages(project, tmp_path, capsys, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError(f"something about {NAME}")

    monkeypatch.setattr("leafletgen.personal.service.packet", explode)
    code, _, stderr = run(capsys, "packet", "--full", "--patient", str(project / "patient.yaml"),
                          "-o", str(tmp_path / "x.pdf"))
    assert code == 1
    assert "internal error (RuntimeError)" in stderr
    assert MARK not in stderr


def test_a_draft_prints_only_as_a_proof_marked_draft_on_every_page(project, tmp_path):
    path = write_patient(tmp_path, PATIENT.replace("monograph: othermol", "monograph: draftamol"))
    with pytest.raises(ContentError):
        full_packet(path, leaflets=project / "leaflets", styles=STYLES)
    data = full_packet(path, leaflets=project / "leaflets", styles=STYLES, draft=True)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]
    assert all("DRAFT — not for patient use" in page for page in pages)
    handout = leafletgen.handout(project / "leaflets" / "draftamol.md", path, styles=STYLES,
                                 draft=True)
    assert all("DRAFT — not for patient use" in " ".join(p.extract_text().split())
               for p in PdfReader(io.BytesIO(handout)).pages)


def test_a_large_print_handout_has_large_running_headers(project, tmp_path):
    """The type floor applies to the running header ("For: <name>") too, and verify (run by
    handout()) measures it: before, it was 12 pt in large print and verify skipped it."""
    import pdfplumber

    data = leafletgen.handout(project / "leaflets" / "testamol.md",
                              write_patient(tmp_path, PATIENT), styles=STYLES,
                              variant="patient-large")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sizes = {round(c["size"], 1) for p in pdf.pages for c in p.chars if c["text"].strip()}
    assert min(sizes) >= 18
