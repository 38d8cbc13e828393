"""Right-to-left leaflets: the HTML they are rendered from, and the pages themselves."""

from __future__ import annotations

import pytest

from leafletgen.checks.plan import plan
from leafletgen.i18n.templates import isolate_latin, language_css
from leafletgen.render.renderer import Renderer

from ..conftest import LEAFLETS, STYLES


@pytest.fixture(scope="module")
def arabic_html() -> str:
    job = next(j for j in plan([LEAFLETS / "baclofen.ar.md"], STYLES, ["patient"]).jobs)
    return Renderer(STYLES).html(job)


def test_the_document_is_arabic_and_right_to_left(arabic_html):
    assert '<html lang="ar" dir="rtl">' in arabic_html
    assert "html { direction: rtl; }" in arabic_html
    assert "مسودة — ليست لاستخدام المرضى" in arabic_html  # the draft mark, translated
    assert '<p class="kicker">نشرة معلومات للمريض</p>' in arabic_html


def test_latin_runs_are_left_to_right_english_spans(arabic_html):
    # "5 mg" never splits across lines (a no-break space), and reads left to right
    assert '<span lang="en" dir="ltr" class="ltr">\u20665\u00a0mg\u2069</span>' in arabic_html
    assert '\u20661-800-FDA-1088\u2069' in arabic_html


def test_running_headers_and_footers_are_mirrored():
    css = language_css(STYLES, "ar")
    assert "@top-right { content: string(medicine)" in css
    assert "@bottom-left { content: \"صفحة \" counter(page) \" من \" counter(pages)" in css
    assert "@bottom-right { content: element(footer)" in css
    assert language_css(STYLES, "en") == ""  # English leaflets are as they were


def test_isolate_latin_leaves_markup_entities_and_ltr_text_alone():
    # text (not Markup) is escaped first; left-to-right languages get nothing else
    assert isolate_latin("<b>baclofen</b> & 5", "es") == "&lt;b&gt;baclofen&lt;/b&gt; &amp; 5"
    html = isolate_latin(
        __import__("markupsafe").Markup('<a href="https://x.org/a">FDA MedWatch</a> &amp; نص'),
        "ar")
    # inside a link only the invisible marks (a span there would leave the Link tag)
    assert html == '<a href="https://x.org/a">\u2066FDA MedWatch\u2069</a> &amp; نص'
    assert isolate_latin("خذ 5 ملغ", "ar") == "خذ 5 ملغ"  # digits alone need nothing


@pytest.mark.slow
def test_the_arabic_pdf_reads_right_to_left_and_passes_pdf_ua(tmp_path):
    import pikepdf
    import pypdfium2 as pdfium

    import leafletgen
    from leafletgen.verification.verify import verify

    result = leafletgen.build([LEAFLETS / "baclofen.ar.md"], tmp_path, STYLES, ["patient"])
    assert result.ok, [str(p) for p in result.problems]
    pdf = tmp_path / "baclofen.ar-patient.pdf"
    reports, problems = verify([pdf], STYLES)
    assert problems == () and [r.ok for r in reports] == [True]
    with pikepdf.open(pdf) as doc:
        assert str(doc.Root.Lang) == "ar"
        fonts = {str(f.BaseFont) for page in doc.pages
                 for f in page.Resources.Font.values()}
        assert any("Noto-Sans-Arabic" in f and "+" in f for f in fonts)  # embedded, subset
    page = pdfium.PdfDocument(pdf)[0]
    width = page.get_width()
    text = page.get_textpage()
    # the title, and the first bullet of the box, sit against the right margin
    boxes = [text.get_charbox(i) for i in range(text.count_chars())]
    chars = text.get_text_range()
    title_right = max(boxes[i][2] for i, c in enumerate(chars[:40]) if c == "ب")
    assert title_right > width * 0.8
    bullets = [boxes[i] for i, c in enumerate(chars) if c == "•"]
    assert bullets and all(box[0] > width * 0.6 for box in bullets[:4])


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_latin_runs_are_english_in_the_structure_tree(tmp_path, lang):
    import pikepdf

    import leafletgen
    from leafletgen.i18n.pdflang import _text_by_mcid, is_latin

    result = leafletgen.build([LEAFLETS / f"baclofen.{lang}.md"], tmp_path, STYLES, ["patient"])
    assert result.ok
    with pikepdf.open(tmp_path / f"baclofen.{lang}-patient.pdf") as pdf:
        assert str(pdf.Root.Lang) == lang
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        english, other = [], []
        for page in pdf.pages:
            texts = _text_by_mcid(page)
            for mcid, element in enumerate(tree[int(page.obj.StructParents)]):
                if isinstance(element, pikepdf.Dictionary) and mcid in texts:
                    (english if "/Lang" in element else other).append(texts[mcid])
    assert {"levodopa", "1-800-FDA-1088", "5\u00a0mg"} <= set(english)
    assert all(is_latin(text) for text in english)
    assert not any(is_latin(text) and "mg" in text for text in other)  # none left out


def test_chinese_latin_runs_get_a_language_but_keep_their_direction():
    assert isolate_latin("每次 5 mg，左旋多巴（levodopa）", "zh") == (
        '每次 <span lang="en">5 mg</span>，左旋多巴（<span lang="en">levodopa</span>）')
