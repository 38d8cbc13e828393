"""Patients whose names are not in the Latin alphabet get their packet.

A name, directions or a note in any script the shipped fonts cover prints from those fonts only
(regular and bold), passes leafletgen's own PDF/UA check (run inside ``packet()`` and
``handout()``), is found in the PDF's text, and reads in its own direction inside the English
page. A character no shipped font has is an error at its field and line before anything is
rendered, and the message never repeats the value.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
import yaml
from fontTools.ttLib import TTFont
from pypdf import PdfReader

import leafletgen
import leafletgen.render.pdf
from leafletgen.errors import ContentError
from leafletgen.fonts.config import load_fonts
from leafletgen.source.patient import read_patient

from .conftest import STYLES, monograph_text

NAMES = {
    "arabic": "محمد عبد الله",
    "hebrew": "דוד לוי",
    "devanagari": "राजेश कुमार",
    "chinese": "王芳",
    "japanese": "山田 はなこ",
    "korean": "김민준",
    "cyrillic": "Иван Петров",
    "greek": "Δημήτρης Παπαδόπουλος",
    "vietnamese": "Nguyễn Đức Anh",
}
# the font each script prints from (a PostScript name's start, as the PDF names the font)
FONT = {
    "arabic": "Noto-Sans-Arabic",
    "hebrew": "Noto-Sans-Hebrew",
    "devanagari": "Noto-Sans",
    "chinese": "Droid-Sans-Fallback",
    "japanese": "Droid-Sans-Fallback",
    "korean": "Droid-Sans-Fallback",
    "cyrillic": "Noto-Sans",
    "greek": "Noto-Sans",
    "vietnamese": "Noto-Sans",
}
# what the PDF's text holds besides the letters: invisible marks (U+034F for glyphs that share
# their cluster's text, isolates and direction marks some extractors add) and line layout
IGNORED = re.compile("[\\s\u034f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def patient_text(name: str, directions: str = "Take 1 tablet every morning.",
                 note: str | None = None) -> str:
    lines = [
        "patient:",
        f"  name: {json.dumps(name, ensure_ascii=False)}",
        "  record_number: EX-0042",
        "date: 2026-03-15",
        "prescriber: {name: Dr Ada Example}",
        "contact: {name: Ward 9 pharmacy, phone: 555 0100}",
        "medicines:",
        "  - monograph: testamol",
        "    dose: 1 tablet",
        "    timing: Every morning",
        f"    directions: {json.dumps(directions, ensure_ascii=False)}",
    ]
    if note is not None:
        lines += ["note: |", *(f"  {line}" for line in note.split("\n"))]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """leaflets/ with one approved monograph, testamol."""
    root = tmp_path_factory.mktemp("scripts")
    (root / "leaflets").mkdir()
    (root / "leaflets" / "testamol.md").write_text(monograph_text(), encoding="utf-8")
    return root


def write_patient(folder: Path, text: str, name: str = "patient.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def handout(project: Path, patient: Path) -> bytes:
    return leafletgen.handout(project / "leaflets" / "testamol.md", patient, styles=STYLES)


def plain(text: str) -> str:
    return IGNORED.sub("", text)


def shipped_families() -> set[str]:
    """The family names (name table) of every font file fonts.yaml lists."""
    families = set()
    for path in load_fonts(STYLES).files:
        with TTFont(path, lazy=True) as font:
            families.add(font["name"].getDebugName(1))
    return families


def embedded_fonts(data: bytes) -> list[tuple[str, str, int, dict[int, str]]]:
    """(PDF font name without subset tag, family in the embedded file, its size as stored,
    ToUnicode) of every font in the PDF."""
    fonts = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if not (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
                    and obj.get("/Subtype") == "/Type0"):
                continue
            [descendant] = obj.DescendantFonts
            descriptor = descendant.FontDescriptor
            # TrueType outlines (FontFile2), or an OpenType font with CFF outlines (FontFile3,
            # the Chinese bold face)
            stream = descriptor.get("/FontFile2") or descriptor.FontFile3
            with TTFont(io.BytesIO(stream.read_bytes())) as font:
                family = font["name"].getDebugName(1)
            cmap = obj.ToUnicode.read_bytes().decode("latin-1")
            mapping = {int(glyph, 16): bytes.fromhex(text).decode("utf-16-be")
                       for glyph, text in re.findall(r"<([0-9a-f]+)> <([0-9a-f]*)>", cmap)}
            fonts.append((str(obj.BaseFont).lstrip("/").split("+", 1)[-1], family,
                          len(stream.read_raw_bytes()), mapping))
    return fonts


def assert_only_shipped_fonts(data: bytes) -> list[str]:
    """Every font is a subset of a shipped font, and every glyph has text; return the names."""
    shipped = shipped_families()
    names = []
    for name, family, size, mapping in embedded_fonts(data):
        assert family in shipped, (name, family)
        assert size < 30_000, (name, size)  # a subset (Droid Sans Fallback is 3.5 MB)
        assert mapping and all(mapping.values()), name  # PDF/UA: no glyph without text
        names.append(name)
    return names


# --- every script prints --------------------------------------------------------------------

@pytest.mark.parametrize("script", NAMES)
def test_a_handout_prints_a_name_in_each_script(project, tmp_path, script):
    name = NAMES[script]
    data = handout(project, write_patient(tmp_path, patient_text(name)))

    text = plain(PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert plain(f"For: {name}") in text  # the personalised box
    names = assert_only_shipped_fonts(data)
    assert any(n.startswith(FONT[script]) for n in names), names


@pytest.mark.parametrize("name", [
    # Cyrillic first: the cover's bold cell holds every script, set left to right
    " ".join(NAMES[s] for s in ("cyrillic", "vietnamese", "greek", "devanagari", "hebrew",
                                "arabic", "chinese", "japanese", "korean")),
    NAMES["arabic"],  # right to left from its first letter
])
def test_a_packet_prints_names_in_bold_in_every_script(project, tmp_path, name):
    """The cover prints the name in bold: each script's bold face must match its regular one
    (PDF/UA checks every glyph's width against the font)."""
    data = leafletgen.packet(write_patient(tmp_path, patient_text(name)),
                             leaflets=project / "leaflets", styles=STYLES)

    # every page names the patient (the running header); a text extractor may put runs of
    # two right-to-left scripts side by side in either order, so each word is looked for
    for page in PdfReader(io.BytesIO(data)).pages:
        text = plain(page.extract_text())
        assert "For:" in text and all(word in text for word in name.split())
    names = assert_only_shipped_fonts(data)
    bold = {"Atkinson-Hyperlegible-Bold", "Noto-Sans-Arabic-Bold"}
    if name != NAMES["arabic"]:
        bold |= {"Noto-Sans-Bold", "Noto-Sans-Hebrew-Bold"}
    assert bold <= set(names), names


def test_the_host_fonts_are_never_used(project, tmp_path):
    """A name the shipped fonts cover only in part of a script is refused, not borrowed:
    Armenian is in DejaVu Sans, on most hosts, and in no shipped font."""
    path = write_patient(tmp_path, patient_text("Արամ"))
    with pytest.raises(ContentError) as caught:
        handout(project, path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:2: patient.name: a character in this field is not in the leaflet fonts; "
        "write it with characters they have (emoji and some rare scripts cannot be printed; "
        "styles/fonts.yaml lists the scripts covered)"]


def test_glyphs_that_share_a_character_still_have_text(project, tmp_path):
    """Devanagari conjuncts and vowel signs drawn before their consonant (प्रिया शर्मा) give
    one character several glyphs; WeasyPrint 70 left the others without text, which PDF/UA
    calls a malformed ToUnicode map, and the handout was refused."""
    data = handout(project, write_patient(tmp_path, patient_text(
        "प्रिया शर्मा", directions="क्षितिज श्रीवास्तव")))
    assert_only_shipped_fonts(data)


# --- direction ------------------------------------------------------------------------------

def line_chars(data: bytes, page: int = 0) -> list[list[dict]]:
    """The characters of a page, line by line, each line from left to right."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        lines: list[list[dict]] = []
        for char in sorted(pdf.pages[page].chars, key=lambda c: (round(c["bottom"]), c["x0"])):
            if lines and abs(lines[-1][0]["bottom"] - char["bottom"]) < 3:
                lines[-1].append(char)
            else:
                lines.append([char])
        return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def is_hebrew(char: dict) -> bool:
    return "\u0590" <= char["text"] <= "\u05ff"


def test_right_to_left_text_keeps_its_direction_inside_an_english_page(project, tmp_path):
    """Directions in Hebrew read right to left on every line of the box, with each full stop
    at the left of its sentence (the last one at the left end of the last line), after the
    English label; the English after a Hebrew name stays on its right."""
    sentence = "קח כדור אחד בבוקר עם אוכל, ואל תפסיק לקחת אותו בפתאומיות גם אם אתה מרגיש טוב."
    data = handout(project, write_patient(tmp_path, patient_text(
        NAMES["hebrew"], directions=" ".join([sentence] * 3))))

    lines = [line for line in line_chars(data) if any(is_hebrew(c) for c in line)]
    [name_line] = [line for line in lines if "record" in "".join(c["text"] for c in line)]
    record = name_line["".join(c["text"] for c in name_line).index("record")]
    assert record["x0"] > max(c["x0"] for c in name_line if is_hebrew(c))

    directions = [line for line in lines if not "".join(c["text"] for c in line)
                  .startswith("For:")]
    assert len(directions) >= 3
    assert "Your directions:" in "".join(c["text"] for c in directions[0])
    for line in directions:  # never a full stop at the right end of a line's Hebrew
        right_end = max(c["x0"] for c in line if is_hebrew(c))
        assert all(c["x0"] < right_end for c in line if c["text"] == ".")
    last = [c for c in directions[-1] if is_hebrew(c) or c["text"] == "."]
    assert last[0]["text"] == "."
    # the isolating marks print nothing and are not in the PDF's text
    assert not re.search("[\u2066-\u2069]",
                         PdfReader(io.BytesIO(data)).pages[0].extract_text())


@pytest.mark.parametrize("template", ["_personal.html.j2", "packet.html.j2"])
def test_patient_values_are_isolated_in_their_own_direction(template):
    """The templates' own() macro: a first strong isolate around left-to-right or mixed text,
    a right-to-left span and isolate around text whose first letter is Hebrew or Arabic, the
    value escaped, and no mark after a trailing line break (with white-space: pre-line, as the
    note has, it would print an empty line and could push the cover's end to a second page)."""
    from leafletgen.render.environment import environment

    source = (STYLES / "templates" / template).read_text(encoding="utf-8")
    macro = source[source.index("{% macro own("):source.index("{% endmacro %}") + 14]
    own = environment(STYLES / "templates").from_string(macro + "{{ own(value) }}")
    fsi, rli, pdi = "&#x2068;", "&#x2067;", "&#x2069;"  # as the HTML writes them
    rtl = f'<span dir="rtl" style="direction: rtl">{rli}{{}}{pdi}</span>'
    assert own.render(value="Jo <Test> & Co") == f"{fsi}Jo &lt;Test&gt; &amp; Co{pdi}"
    assert own.render(value="Line one.\nLine two.\n") == f"{fsi}Line one.\nLine two.{pdi}"
    assert own.render(value="2 × 王芳") == f"{fsi}2 × 王芳{pdi}"
    assert own.render(value="Ahmad محمد") == f"{fsi}Ahmad محمد{pdi}"
    assert own.render(value="דוד לוי") == rtl.format("דוד לוי")
    assert own.render(value="(10) قرص\n") == rtl.format("(10) قرص")


# --- characters no font has -----------------------------------------------------------------

def test_a_character_no_font_has_is_an_error_at_its_field_and_line(project, tmp_path,
                                                                    monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("rendered although the patient file has an error")

    monkeypatch.setattr(leafletgen.render.pdf, "render_pdf", never)
    path = write_patient(tmp_path, patient_text(
        "Jo Zephyrine 😀 Test", directions="Take 1 tablet 💊 every morning.",
        note="Bring this list.\nWe wish you well 🤒 soon.\nCall us."))
    lines = path.read_text(encoding="utf-8").split("\n")

    with pytest.raises(ContentError) as caught:
        handout(project, path)

    messages = [str(p) for p in caught.value.problems]
    hint = ("a character in this field is not in the leaflet fonts; write it with characters "
            "they have (emoji and some rare scripts cannot be printed; styles/fonts.yaml lists "
            "the scripts covered)")
    assert messages == [
        f"{path}:2: patient.name: {hint}",
        f"{path}:11: medicines.0.directions: {hint}",
        f"{path}:14: note: {hint}",  # the note's second line, not its first
    ]
    assert "🤒" in lines[13] and "Zephyrine" in lines[1]
    for value in ("Zephyrine", "😀", "💊", "🤒", "tablet", "wish"):
        assert not any(value in m for m in messages), value


def test_the_command_names_the_field_and_never_the_value(project, tmp_path):
    write_patient(tmp_path, patient_text("Zephyrine 🙂"))
    (tmp_path / "leaflets").symlink_to(project / "leaflets")
    exe = Path(sys.executable).with_name("leafletgen")
    done = subprocess.run([str(exe), "handout", "leaflets/testamol.md", "--for", "patient.yaml",
                           "-o", "out.pdf", "--styles", str(STYLES)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "patient.yaml:2: patient.name: a character in this field is not in the leaflet " \
           "fonts" in done.stderr
    assert "Zephyrine" not in done.stdout + done.stderr and "🙂" not in done.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_text_that_looks_like_an_entity_prints_as_written(tmp_path):
    """Patient text is printed as typed: "&#x1F600;" is nine characters the fonts have."""
    patient, problems = read_patient(write_patient(tmp_path, patient_text("A &#x1F600; B")),
                                     STYLES)
    assert problems == [] and patient is not None and patient.name == "A &#x1F600; B"


def test_the_font_list_names_its_scripts_fonts_in_every_stack():
    """The stylesheets take each character from the first family that has it: the script
    fonts come after the symbol fonts, so they change nothing the others print."""
    families = [e if isinstance(e, str) else e["name"]
                for e in yaml.safe_load((STYLES / "fonts.yaml").read_text())["families"]]
    assert families[:5] == ["Leaflet Figures", "Atkinson Hyperlegible", "Noto Sans",
                            "Noto Sans Symbols2", "Noto Sans Math"]
    assert {"Noto Sans Arabic", "Noto Sans Devanagari", "Noto Sans Hebrew",
            "Droid Sans Fallback"} <= set(families[4:])
    css = re.sub(r"/\*.*?\*/", "", (STYLES / "leaflet.css").read_text(), flags=re.S)
    stacks = [re.findall(r'"([^"]+)"', d) for d in re.findall(r"font(?:-family)?\s*:([^;}]*)", css)]
    assert [s for s in stacks if s] and all(s == families for s in stacks if s)
