"""``fonts``: every font is embedded (on leafletgen's own pages, in a file that also holds
PDFs from elsewhere)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from leafletgen.verification.rule import Evidence, Rule, Verdict

if TYPE_CHECKING:
    import pikepdf
    from pikepdf import Dictionary

_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def check(evidence: Evidence) -> Verdict:
    return Verdict(tuple(
        f"fonts: font '{font}' is not embedded; list its family in styles/fonts.yaml so it "
        "is embedded from its fontpkg package"
        for font in _unembedded(evidence.document, evidence.options.pages)))


RULE = Rule("fonts", check, "every font is embedded")


def _unembedded(document: pikepdf.Pdf, pages: Sequence[int] | None) -> list[str]:
    from pikepdf import Dictionary, Name

    missing: set[str] = set()
    candidates = (document.objects if pages is None
                  else _reachable(document.pages[i].obj for i in pages))
    for obj in candidates:
        if not isinstance(obj, Dictionary) or obj.get("/Type") != Name.Font:
            continue
        fonts = list(obj.DescendantFonts) if obj.get("/Subtype") == Name.Type0 else [obj]
        for font in fonts:
            if font.get("/Subtype") == Name.Type3:
                continue  # Type 3 glyphs are drawn by the PDF itself
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or not any(key in descriptor for key in _FONT_FILES):
                missing.add(str(font.get("/BaseFont", "unnamed"))[1:])
    return sorted(missing)


def _reachable(pages: Iterable[Dictionary]) -> list[pikepdf.Object]:
    """Every object the given pages use (resources, fonts, forms, annotations), not entering
    other pages: in a packet, the fonts of attached PDFs are theirs, not ours to check."""
    import pikepdf
    from pikepdf import Dictionary, Name

    seen: set[tuple[int, int]] = set()
    found: list[pikepdf.Object] = []
    todo: list[object] = []
    for page in pages:
        seen.add(page.objgen)
        todo += [value for key, value in page.items() if key != "/Parent"]
        if "/Resources" not in page:
            todo.append(_inherited(page, "/Resources"))
    while todo:
        obj = todo.pop()
        if not isinstance(obj, pikepdf.Object):
            continue  # numbers, names and strings hold no fonts
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, Dictionary | pikepdf.Stream):
            if obj.get("/Type") in (Name.Page, Name.Pages):
                continue  # a link's destination: another page, not this one's content
            found.append(obj)
            todo += [value for key, value in obj.items() if key not in ("/Parent", "/P")]
        elif isinstance(obj, pikepdf.Array):
            todo += list(obj)
    return found


def _inherited(page: Dictionary, key: str) -> object:
    """A page attribute its page tree may hold for it (PDF 32000-1, 7.7.3.4)."""
    node: Any = page
    while key not in node and "/Parent" in node:
        node = node.Parent
    return node.get(key)

