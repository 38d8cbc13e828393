"""The language of Latin runs inside text in another script, in the PDF's structure tree.

WeasyPrint 70 writes the document's language (``/Lang`` in the catalog) but not the ``lang``
of an element inside it. A screen reader would then read "FDA MedWatch" or "mg" in an Arabic
or Chinese leaflet with Arabic or Chinese rules. Each run of Latin text that the templates
set apart (``isolate_latin``: its own ``<span lang="en">``, or a link) is laid out as its own
marked-content sequence and ``/Span`` structure element; this step gives each ``/Span``
whose text has Latin letters and no letters of another script ``/Lang (en)``. The text is
read through the fonts' ToUnicode maps. Documents that print no other script than Latin are
left as they are.
"""

from __future__ import annotations

import re

import pikepdf
from pikepdf import Dictionary, Name, Operator, String

# fonts of other scripts (styles/fonts.yaml): a document printing none of them is left alone
NON_LATIN_FONTS = ("Arabic", "Hebrew", "Droid-Sans-Fallback", "Devanagari")
_SHOW = {Operator(op) for op in ("Tj", "TJ", "'", '"')}
_LATIN = re.compile(r"[A-Za-z]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")  # a letter of another script
_HEX = re.compile(r"<([0-9A-Fa-f]+)>")


def _base(font: pikepdf.Object) -> str:
    return str(font.get("/BaseFont", "")).split("+", 1)[-1]


def _unicode_map(font: pikepdf.Object) -> dict[int, str]:
    """Glyph code -> text, from the font's ToUnicode CMap (bfchar and bfrange)."""
    if "/ToUnicode" not in font:
        return {}
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    found: dict[int, str] = {}

    def text(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be", "replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        codes = _HEX.findall(block)
        for src, dst in zip(codes[::2], codes[1::2], strict=False):
            found[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for line in block.strip().split("\n"):
            codes = _HEX.findall(line)
            if len(codes) < 3:
                continue
            low, high = int(codes[0], 16), int(codes[1], 16)
            if "[" in line:
                for offset, dst in enumerate(codes[2:]):
                    found[low + offset] = text(dst)
            else:
                first = int(codes[2], 16)
                for offset in range(high - low + 1):
                    found[low + offset] = chr(first + offset)
    return found


def _text_by_mcid(page: pikepdf.Page) -> dict[int, str]:
    """The text each marked-content sequence of ``page`` shows."""
    fonts = dict((page.Resources.get("/Font") or {}).items())
    maps: dict[str, dict[int, str]] = {}
    shown: dict[int, list[str]] = {}
    open_ids: list[int | None] = []
    font, saved = "", []
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue  # an inline image
        operands, operator = instruction.operands, instruction.operator
        if operator == Operator("q"):
            saved.append(font)
        elif operator == Operator("Q"):
            font = saved.pop() if saved else font
        elif operator == Operator("Tf"):
            font = str(operands[0])
        elif operator == Operator("BDC"):
            props = operands[1]
            found = props.get("/MCID") if isinstance(props, Dictionary) else None
            open_ids.append(int(found) if found is not None else None)
        elif operator == Operator("BMC"):
            open_ids.append(None)
        elif operator == Operator("EMC"):
            if open_ids:
                open_ids.pop()
        elif operator in _SHOW and font in fonts:
            if font not in maps:
                maps[font] = _unicode_map(fonts[font])
            parts = operands[-1] if operator == Operator("TJ") else [operands[-1]]
            codes = b"".join(bytes(part) for part in parts if isinstance(part, String))
            text = "".join(maps[font].get(int.from_bytes(codes[i:i + 2], "big"), "")
                           for i in range(0, len(codes) - 1, 2))
            for open_id in open_ids:
                if open_id is not None:
                    shown.setdefault(open_id, []).append(text)
    return {mcid: "".join(parts) for mcid, parts in shown.items()}


def is_latin(text: str) -> bool:
    """Latin letters and no letter of another script."""
    return bool(_LATIN.search(text)) and not _OTHER_LETTER.search(text)


def mark_latin_spans(pdf: pikepdf.Pdf, lang: str = "en") -> int:
    """Set ``/Lang`` on each ``/Span`` whose text is Latin only; how many were set."""
    root = pdf.Root
    if "/StructTreeRoot" not in root or "/ParentTree" not in root.StructTreeRoot:
        return 0
    fonts_of_pages = [{_base(f) for f in (p.Resources.get("/Font") or {}).values()}
                      for p in pdf.pages]
    if not any(any(mark in f for mark in NON_LATIN_FONTS) for fonts in fonts_of_pages
               for f in fonts):
        return 0
    nums = root.StructTreeRoot.ParentTree.get("/Nums")
    if not isinstance(nums, pikepdf.Array):
        return 0
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
    verdict: dict[tuple[int, int], bool] = {}
    elements: dict[tuple[int, int], Dictionary] = {}
    for page in pdf.pages:
        if "/StructParents" not in page.obj:
            continue
        parents = tree.get(int(page.obj.StructParents))
        if not isinstance(parents, pikepdf.Array):
            continue
        for mcid, text in _text_by_mcid(page).items():
            element = parents[mcid] if mcid < len(parents) else None
            if not isinstance(element, Dictionary):
                continue
            if element.get("/S") != Name.Span or "/Lang" in element:
                continue
            latin = is_latin(text)
            key = element.objgen
            elements[key] = element
            verdict[key] = verdict.get(key, True) and latin
    marked = 0
    for key, latin in verdict.items():
        if latin:
            elements[key].Lang = String(lang)
            marked += 1
    return marked


def with_span_languages(data: bytes) -> bytes:
    """``data`` with ``mark_latin_spans`` applied, saved as the finishing step saves a PDF
    (deterministic /ID, the XMP packet left as it is); unchanged when nothing is marked."""
    import io

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if not mark_latin_spans(pdf):
            return data
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()
