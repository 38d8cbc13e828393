"""``layout`` (cut off): every printed character (running headers and footers too) lies
inside the printable page and inside the clip of the box that holds it.

The printable page is the page's visible area (its crop box within its media box) less a
border of ``PRINT_BORDER_MM`` that office printers leave blank. A table too wide for the
page runs off its right edge; a character inside the border is lost on paper. A box too
small for its text (``overflow: hidden``, in WeasyPrint a clipping path) hides the rest.
Text that overflows the content box into a side margin but stays on the printable page is
not reported: it is printed whole, and the margin boxes that hold running headers and
footers lie outside the content box by design."""

from __future__ import annotations

from leafletgen.model import Variant
from leafletgen.verification.measures import PRINT_BORDER_MM, Cut
from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    return Verdict(tuple(_cut_message(cut, evidence.variant, evidence.quote)
                         for cut in evidence.measures.cuts))


RULE = Rule("layout", check, "nothing printed is cut off")


_ADVICE = {
    "right": "a table or a long word is wider than the page: give the table fewer columns, "
             "or let the variant reflow wide tables (max_table_columns in {variant})",
    "left": "something is moved too far left: check negative margins, indents and "
            "positions in {sheets}",
    "bottom": "a fixed height, position or transform puts text below the page: let it flow "
              "within the page ({sheets})",
    "top": "a fixed height, position or transform puts text above the page: let it flow "
           "within the page ({sheets})",
}


def _cut_message(cut: Cut, variant: Variant | None, quote: bool) -> str:
    sheets = ", ".join(variant.stylesheets) if variant is not None else "the stylesheets"
    words = (" (" + ", ".join(f'"{w}"' for w in cut.words) + ")") if quote else ""
    if cut.edge == "clip":
        return (f"layout: text on page {cut.page} is cut off by a box too small for it, which "
                f"hides what overflows it{words}; let the box grow: remove its fixed height "
                f"or width, or its overflow: hidden, in {sheets}")
    advice = _ADVICE[cut.edge].format(
        sheets=sheets, variant=variant.path.name if variant is not None else "the variant")
    if cut.off_page:
        return f"layout: text runs off the {cut.edge} edge of page {cut.page}{words}: {advice}"
    return (f"layout: text on page {cut.page} runs into the {PRINT_BORDER_MM:g} mm border at "
            f"its {cut.edge} edge that printers leave blank{words}: {advice}")

