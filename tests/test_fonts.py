"""Leaflets use only the fonts leafletgen ships; characters none of them has are reported."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
import yaml

from leafletgen.errors import Problem, UsageError
from leafletgen.fonts import charset, facts
from leafletgen.fonts import config as fonts
from leafletgen.fonts.charset import character_problems, missing_characters
from leafletgen.fonts.config import load_fonts

from .conftest import STYLES

SYMBOLS = "↑ ↓ ≥ ≤ ± × µ ℃"
# in DejaVu Sans (installed on most Linux hosts) but in no shipped font: a host font would
# have to be used to print it
HOST_ONLY = "Ա"  # Armenian: Hebrew is shipped now

FAMILIES = ["Leaflet Figures", "Atkinson Hyperlegible", "Noto Sans", "Noto Sans Symbols2",
            "Noto Sans Math", "Noto Sans Arabic", "Noto Sans Devanagari", "Noto Sans Hebrew",
            "Droid Sans Fallback"]
MESSAGE = ("character U+1F48A '💊' is not in the leaflet fonts; replace it with words or a "
           "character the fonts have (see docs/monograph-format.md)")


def family_names(entries) -> list[str]:
    return [e if isinstance(e, str) else e["name"] for e in entries]


# --- which characters the fonts cover

def test_coverage_finds_the_emoji_and_accepts_common_symbols():
    assert missing_characters(f"Take 1 tablet 💊 {SYMBOLS} ← → ✓ ✗ ½ • ™ ® ° ‑ –") == ["💊"]


def test_each_missing_character_is_listed_once_in_order():
    assert missing_characters("💊 a 👶 b 💊 \U000F0000") == ["💊", "👶", "\U000F0000"]


@pytest.mark.parametrize("char", ["\n", "\t", "\r", "\u00ad", "\u200b", "\u200c", "\u200d",
                                  "\u2060", "\ufeff", "\u200e", "\ufe0f", "\ufe0e", "\u2028",
                                  "\u3000", "\u2009", "\u202f", "\U000E0101"])
def test_characters_that_need_no_glyph_are_never_reported(char):
    assert missing_characters(f"a{char}b") == []


def test_a_visible_space_mark_is_reported():
    assert missing_characters("a\u1680b") == ["\u1680"]


def test_characters_written_as_entities_count():
    assert missing_characters("dose &darr; &#x1F48A; &#128138; AT&T") == ["💊"]


def test_character_problems_one_per_character_and_line():
    text = "Do not 💊 twice 💊.\nFine ↑ line.\n\nAgain 💊 and \uE000 here."
    problems = character_problems(Path("leaflets/x.md"), text, 20)
    assert problems == [
        Problem(Path("leaflets/x.md"), 20, MESSAGE),
        Problem(Path("leaflets/x.md"), 23, MESSAGE),
        Problem(Path("leaflets/x.md"), 23,
                "character U+E000 is not in the leaflet fonts; replace it with words or a "
                "character the fonts have (see docs/monograph-format.md)"),
    ]
    assert str(problems[0]) == f"leaflets/x.md:20: {MESSAGE}"
    assert character_problems(Path("x.md"), f"All fine: {SYMBOLS}\n- µg", 1) == []


def test_font_files_are_read_once_per_process(styles, monkeypatch):
    first = charset.covered_characters(styles)
    assert charset.covered_characters(STYLES) == first  # a copy of styles/: the same fonts

    def no_reading(*args, **kwargs):
        raise AssertionError("font read again")

    monkeypatch.setattr(facts, "read_font_facts", no_reading)
    assert charset.covered_characters(styles) == first
    assert charset.covered_characters(STYLES) == first
    assert character_problems(Path("x.md"), "💊 ↑\n💊", 1, styles) != []


def test_coverage_follows_the_styles_font_list(styles):
    config = styles / "fonts.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["families"] = [f for f in data["families"] if isinstance(f, str)]  # no symbol fonts
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert missing_characters("↑ ✓ µ", styles) == ["↑", "✓"]


# --- what is kept about each font file between processes

@pytest.fixture
def facts_cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of the user's, and no facts remembered in this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    facts._facts.cache_clear()
    charset._all_code_points.cache_clear()
    yield tmp_path / "cache" / "leafletgen" / "font-facts"
    facts._facts.cache_clear()
    charset._all_code_points.cache_clear()


def kept_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def test_font_facts_are_kept_and_read_back_without_the_font(facts_cache, monkeypatch):
    font = STYLES / "fonts" / "NotoSansHebrew-Regular.ttf"
    read = facts.read_font_facts(font)
    assert 0x05D0 in read.code_points  # HEBREW LETTER ALEF
    assert read.problem is None and 0x1F48A not in read.code_points
    assert facts.font_facts(font) == read
    assert len(kept_files(facts_cache)) == 1
    facts._facts.cache_clear()  # as in a new process

    def no_reading(*args, **kwargs):
        raise AssertionError("font read again")

    monkeypatch.setattr(facts, "read_font_facts", no_reading)
    assert facts.font_facts(font) == read


def test_an_edited_font_file_gets_new_facts(facts_cache, tmp_path):
    font = tmp_path / "font.ttf"
    shutil.copy2(STYLES / "fonts" / "NotoSansHebrew-Regular.ttf", font)
    hebrew = facts.font_facts(font)
    assert 0x05D0 in hebrew.code_points
    shutil.copy2(STYLES / "fonts" / "NotoSansArabic-Regular.ttf", font)  # its mtime too
    arabic = facts.font_facts(font)
    assert 0x0627 in arabic.code_points and 0x05D0 not in arabic.code_points
    facts._facts.cache_clear()  # a new process: the kept entry is the Arabic font's now
    assert facts.font_facts(font) == arabic
    font.write_bytes(b"not a font at all")
    facts._facts.cache_clear()
    assert facts.font_facts(font).problem is not None
    assert list(facts.font_facts(font).code_points) == []


@pytest.mark.parametrize("damage", [
    b"",
    b"{not json",
    b"[]",
    b'{"format": 1}',
    b'{"format": 1, "file": "x", "problem": null, "bounds": [1, 2]}',
    "stamp",  # the right file, its bounds out of order
    "problem",  # the right file, a problem that is not text
])
def test_a_damaged_cache_file_is_read_past(facts_cache, damage):
    font = STYLES / "fonts" / "NotoSansHebrew-Regular.ttf"
    right = facts.read_font_facts(font)
    facts.font_facts(font)
    [kept] = kept_files(facts_cache)
    if damage == "stamp":
        data = json.loads(kept.read_text())
        data["bounds"] = list(reversed(data["bounds"]))
        damage = json.dumps(data).encode()
    elif damage == "problem":
        data = json.loads(kept.read_text())
        data["problem"] = 7
        damage = json.dumps(data).encode()
    kept.write_bytes(damage)
    facts._facts.cache_clear()
    assert facts.font_facts(font) == right
    assert json.loads(kept.read_text())["bounds"] == list(right.code_points.bounds)  # mended


def test_facts_without_a_writable_cache_folder(tmp_path, monkeypatch):
    blocker = tmp_path / "cache"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    facts._facts.cache_clear()
    font = STYLES / "fonts" / "NotoSansHebrew-Regular.ttf"
    assert facts.font_facts(font) == facts.read_font_facts(font)
    facts._facts.cache_clear()


def test_the_cache_holds_font_facts_only(facts_cache, tmp_path):
    from leafletgen import check

    monograph = (STYLES.parent / "leaflets" / "baclofen.md").read_text(encoding="utf-8")
    source = tmp_path / "leaflet.md"
    source.write_text(monograph.replace("\n::: patient\n",
                                        "\n::: patient\nSecret words 💊 of a leaflet.\n", 1),
                      encoding="utf-8")
    assert any(p.message == MESSAGE for p in check([source]))
    kept = kept_files(facts_cache)
    assert len(kept) == len(load_fonts(STYLES).files)
    for path in kept:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert set(data) == {"format", "file", "problem", "bounds"}
        assert Path(data["file"][0]).suffix in (".ttf", ".otf")
        assert all(isinstance(b, int) for b in data["bounds"])
        assert "Secret" not in path.read_text(encoding="utf-8")


def test_old_cache_files_are_pruned(facts_cache, monkeypatch, tmp_path):
    monkeypatch.setattr(facts, "KEEP", 2)
    for age, name in enumerate(("a", "b", "c")):
        shutil.copy(STYLES / "fonts" / "LeafletFigures-Regular.ttf", tmp_path / f"{name}.ttf")
        before = set(kept_files(facts_cache))
        facts.font_facts(tmp_path / f"{name}.ttf")
        for new in set(kept_files(facts_cache)) - before:
            os.utime(new, (1000 + age, 1000 + age))  # written in this order
    kept = kept_files(facts_cache)
    assert len(kept) == 2
    assert {json.loads(p.read_text())["file"][0] for p in kept} == {
        str(tmp_path / "b.ttf"), str(tmp_path / "c.ttf")}


def test_code_points_as_ranges():
    points = facts.CodePoints.of([5, 1, 2, 3, 9, 2])
    assert points.bounds == (1, 4, 5, 6, 9, 10)
    assert [c for c in range(12) if c in points] == [1, 2, 3, 5, 9] == list(points)
    assert len(points) == 5 and "a" not in points
    union = facts.CodePoints.union([points, facts.CodePoints.of([4, 10, 20])])
    assert list(union) == [1, 2, 3, 4, 5, 9, 10, 20]


# --- the font list

def test_font_list_ships_symbol_fonts_from_styles():
    fontset = load_fonts(STYLES)
    assert re.findall(r'font-family: "([^"]+)"', fontset.css)[:1] == ["Leaflet Figures"]
    assert list(dict.fromkeys(re.findall(r'font-family: "([^"]+)"', fontset.css))) == FAMILIES
    shipped = [f for f in fontset.files if f.is_relative_to(STYLES / "fonts")]
    assert [f.name for f in shipped] == ["LeafletFigures-Regular.ttf", "LeafletFigures-Bold.ttf",
                                         "NotoSansSymbols2-Regular.ttf",
                                         "NotoSansMath-Regular.ttf",
                                         "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
                                         "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf",
                                         "DroidSansFallback.ttf", "NotoSansSC-Bold-GB2312.otf"]
    for font in shipped:
        assert f'src: url("{font.as_uri()}")' in fontset.css
    assert "fontpkg_atkinson_hyperlegible" in str(fontset.files[2])
    # every file is licensed: the shipped fonts' licence sits beside them
    assert "SIL OPEN FONT LICENSE Version 1.1" in (STYLES / "fonts" / "OFL.txt").read_text()
    assert "Apache License" in (STYLES / "fonts" / "Apache-2.0.txt").read_text()


def test_file_family_with_weight_and_style(styles):
    (styles / "fonts.yaml").write_text(
        "families:\n"
        "  - Atkinson Hyperlegible\n"
        "  - name: Symbols\n"
        "    files:\n"
        "      - fonts/NotoSansSymbols2-Regular.ttf\n"
        "      - {path: fonts/NotoSansMath-Regular.ttf, weight: 700, style: italic}\n",
        encoding="utf-8")
    css = str(load_fonts(styles).css)
    assert css.count('font-family: "Symbols"') == 2
    assert "NotoSansMath-Regular.ttf\");\n  font-weight: 700;\n  font-style: italic;" in css


@pytest.mark.parametrize("entry,error", [
    ({"name": "X", "files": ["../pyproject.toml"]}, "is outside"),
    ({"name": "X", "files": ["/etc/passwd"]}, "is outside"),
    ({"name": "X", "files": ["fonts/nothing.ttf"]}, "not found"),
    ({"name": "X", "files": []}, "needs 'name' and a list"),
    ({"name": "X"}, "needs 'name' and a list"),
    ({"name": "X", "files": [{"path": "fonts/NotoSansMath-Regular.ttf", "weight": "bold"}]},
     "weight must be"),
    ({"name": 'X"; }', "files": ["fonts/NotoSansMath-Regular.ttf"]}, "may contain only"),
    ("No Such Family", "is not installed"),
    (7, "each family is"),
])
def test_bad_font_list_entries_are_usage_errors(styles, entry, error):
    (styles / "fonts.yaml").write_text(yaml.safe_dump({"families": ["Noto Sans", entry]}),
                                       encoding="utf-8")
    with pytest.raises(UsageError, match=re.escape(error)):
        load_fonts(styles)


def test_every_stylesheet_font_stack_names_every_shipped_family_in_order():
    listed = family_names(yaml.safe_load((STYLES / "fonts.yaml").read_text())["families"])
    assert listed == FAMILIES
    stacks = []
    for sheet in sorted(STYLES.glob("*.css")):
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        for declaration in re.findall(r"font(?:-family)?\s*:([^;}]*)", css):
            names = re.findall(r'"([^"]+)"', declaration)
            if names:
                stacks.append((sheet.name, names))
    assert stacks
    for sheet, names in stacks:
        assert names == FAMILIES, sheet


# --- rendering uses the shipped fonts only

def config_dirs(text: str) -> list[Path]:
    return [Path(d) for d in re.findall(r"<dir>([^<]*)</dir>", text)]


def test_fontconfig_knows_only_the_font_package_folders():
    import fontpkg

    from leafletgen.render import pdf  # noqa: F401  (sets up fontconfig, as every render does)

    config = Path(os.environ["FONTCONFIG_FILE"])
    text = config.read_text(encoding="utf-8")
    package_files = {f.path.resolve() for family in fontpkg.families().values()
                     for f in family.files}
    dirs = config_dirs(text)
    assert dirs == fonts.package_font_folders()
    assert dirs and {f.parent for f in package_files} == set(dirs)
    assert "<include" not in text and "/usr/share/fonts" not in text and "~" not in text
    assert re.findall(r"<cachedir>([^<]*)</cachedir>", text) == [str(config.parent /
                                                                      "fontconfig")]


@pytest.fixture
def fresh_fontconfig_file(monkeypatch):
    """Let a test make the fontconfig file anew; the process's own is restored after it."""
    monkeypatch.setenv("FONTCONFIG_FILE", os.environ.get("FONTCONFIG_FILE", ""))
    fonts._fontconfig_file.cache_clear()
    yield
    fonts._fontconfig_file.cache_clear()


def test_fontconfig_file_in_the_user_cache(tmp_path, monkeypatch, fresh_fontconfig_file):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = fonts.use_shipped_fonts_only()
    assert path.parent == tmp_path / "leafletgen" and path.name.startswith("fonts-")
    assert os.environ["FONTCONFIG_FILE"] == str(path)
    expected = fonts.fontconfig_xml(fonts.package_font_folders(),
                                    tmp_path / "leafletgen" / "fontconfig")
    assert path.read_text(encoding="utf-8") == expected
    path.write_text("<fontconfig><dir>/usr/share/fonts</dir></fontconfig>")
    fonts._fontconfig_file.cache_clear()
    assert fonts.use_shipped_fonts_only() == path
    assert path.read_text(encoding="utf-8") == expected  # put right again
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_fontconfig_files_of_other_environments_do_not_clash(tmp_path, monkeypatch,
                                                             fresh_fontconfig_file):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ours = fonts.use_shipped_fonts_only()
    fonts._fontconfig_file.cache_clear()
    monkeypatch.setattr(fonts, "package_font_folders", lambda: [tmp_path / "other" / "fonts"])
    theirs = fonts.use_shipped_fonts_only()
    assert theirs != ours and theirs.parent == ours.parent
    assert config_dirs(ours.read_text(encoding="utf-8")) != [tmp_path / "other" / "fonts"]


def test_fontconfig_file_without_a_writable_cache(tmp_path, monkeypatch, fresh_fontconfig_file):
    blocker = tmp_path / "cache"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = fonts.use_shipped_fonts_only()
    assert not path.is_relative_to(blocker)
    assert config_dirs(path.read_text(encoding="utf-8")) == fonts.package_font_folders()


def page_html() -> str:
    head = (f"<style>{load_fonts(STYLES).css}</style>"
            f'<link rel="stylesheet" href="{(STYLES / "leaflet.css").as_uri()}">')
    return (f'<!DOCTYPE html><html lang="en"><head><title>Symbols</title>{head}</head><body>'
            f"<p>Dose {SYMBOLS} ✓ {HOST_ONLY}</p><p><strong>Dose {SYMBOLS}</strong></p>"
            "</body></html>")


RENDER = """
import sys
from pathlib import Path
from leafletgen.fonts.config import load_fonts
from leafletgen.render.pdf import AssetFetcher, render_pdf
styles = Path(sys.argv[1])
html = sys.stdin.read()
fetcher = AssetFetcher((styles,), load_fonts(styles).files)
sys.stdout.buffer.write(render_pdf(html, styles.as_uri() + "/", fetcher).data)
"""


def test_a_page_without_font_faces_still_renders_from_package_fonts():
    html = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><p>Hello ↑</p></html>'
    names = font_names(render(html, files=()))
    assert names and all(n.startswith(("Atkinson-Hyperlegible", "Noto-Sans")) for n in names)


def render(html: str, files: tuple[Path, ...] | None = None) -> bytes:
    from leafletgen.render.pdf import AssetFetcher, render_pdf

    fetcher = AssetFetcher((STYLES,), load_fonts(STYLES).files if files is None else files)
    return render_pdf(html, STYLES.as_uri() + "/", fetcher).data


def font_names(data: bytes) -> set[str]:
    """The base font names in a PDF, without their subset tags."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return {str(obj.BaseFont).lstrip("/").split("+", 1)[-1] for obj in pdf.objects
                if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
                and "/BaseFont" in obj}


def test_symbols_render_from_shipped_fonts_only():
    names = font_names(render(page_html()))
    # arrows from Noto Sans Math, ✓ from Noto Sans Symbols2, ℃ from Noto Sans
    prefixes = tuple(f.replace(" ", "-") for f in FAMILIES)
    assert names and all(n.startswith(prefixes) for n in names), names
    assert not any("DejaVu" in n for n in names)
    assert {"Atkinson-Hyperlegible", "Noto-Sans-Math", "Noto-Sans-Symbols2", "Noto-Sans"} <= names


def test_variable_font_embeds_without_the_clock(monkeypatch):
    """Noto Sans is variable: WeasyPrint makes a static copy with fontTools, which dates it."""
    from types import SimpleNamespace

    from fontTools.misc import timeTools

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html = page_html()
    monkeypatch.setattr(timeTools, "time", SimpleNamespace(time=lambda: 1_000_000_000.0))
    first = render(html)
    monkeypatch.setattr(timeTools, "time", SimpleNamespace(time=lambda: 2_000_000_000.0))
    assert render(html) == first
    assert "Noto-Sans-Bold" in font_names(first)  # ℃ in bold: an instance of the variable font
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_hidden_host_fonts_give_identical_pdf_bytes(tmp_path):
    """A host's fonts change nothing: the same page renders to the same bytes without them."""
    empty = tmp_path / "empty.conf"
    empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', encoding="utf-8")
    host = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    runs = [subprocess.Popen([sys.executable, "-c", RENDER, str(STYLES)], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            for env in (host, {**host, "FONTCONFIG_FILE": str(empty)})]
    normal, hidden = (run.communicate(page_html().encode("utf-8"), timeout=60)[0]
                      for run in runs)
    assert all(run.returncode == 0 for run in runs)
    assert normal.startswith(b"%PDF-")
    assert normal == hidden
    assert not any("DejaVu" in n for n in font_names(normal))
