"""Make LeafletFigures-Regular.ttf and LeafletFigures-Bold.ttf: the digits of Noto Sans, fitted
to Atkinson Hyperlegible, whose zero is slashed ("10 mg" reads "1Ø mg").

Run with leafletgen's virtualenv (fontTools, fontpkg-noto-sans 2.15 and
fontpkg-atkinson-hyperlegible 1.6 installed), from the repository root:

    .venv/bin/python styles/fonts/make-leaflet-figures.py

The same packages give the same bytes. What it does to Noto Sans 2.015 (SIL OFL 1.1, no
reserved font name; the result is a modified version under its own name, OFL.txt):

- an instance at the weight whose digits' strokes are as thick as Atkinson's once scaled
  (450 for regular, 780 for bold; width 100);
- only the digits 0-9 (and an empty space and no-break space of Atkinson's widths), their
  proportional forms (the default here, as Atkinson's are), tabular
  forms (feature tnum) and the slashed zero (feature zero, for codes such as record numbers);
- scaled by 668/714, so that the digits are as tall as Atkinson's capitals and figures;
- Atkinson's vertical metrics (ascent 950, descent 290, no line gap), x-height, cap height and
  underline: a line with digits is exactly as tall as one without, and the family can come
  first in every font stack without changing anything else's layout;
- named Leaflet Figures, with a fixed date (Noto Sans's own), so that the file is reproducible.
"""

from __future__ import annotations

from pathlib import Path

import fontpkg
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fontTools.ttLib.scaleUpem import scale_upem
from fontTools.varLib import instancer

FAMILY = "Leaflet Figures"
DIGITS = "zero one two three four five six seven eight nine".split()
WEIGHTS = {"Regular": (400, 450, "normal"), "Bold": (700, 780, "bold")}
OUT = Path(__file__).resolve().parent


def source(family: str, style: str = "normal", weight: int | None = None) -> Path:
    return next(f.path for f in fontpkg.family(family).files
                if f.style == style and (weight is None or f.weight == weight))


def make(style: str, weight_class: int, wght: int) -> TTFont:
    noto = TTFont(source("Noto Sans"))
    created = noto["head"].created
    font = instancer.instantiateVariableFont(noto, {"wght": wght, "wdth": 100}, static=True)
    options = subset.Options()
    options.layout_features = ["pnum", "tnum", "zero"]
    options.name_IDs = []
    options.hinting = False
    options.notdef_outline = True
    options.glyph_names = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=range(0x30, 0x3A))
    subsetter.subset(font)
    for table in ("GPOS", "GDEF", "STAT", "MVAR", "HVAR", "DSIG", "gasp", "prep", "fpgm",
                  "cvt "):
        if table in font:
            del font[table]

    atkinson = TTFont(source("Atkinson Hyperlegible", weight=weight_class))
    cap = atkinson["OS/2"].sCapHeight
    scale_upem(font, round(1000 * cap / noto["OS/2"].sCapHeight))  # all outlines and widths
    font["head"].unitsPerEm = 1000  # ... now drawn smaller on the same em

    # the space and the no-break space, empty and as wide as Atkinson's: Pango sets the space
    # after a digit ("10 mg") in the digit's font, which would otherwise draw .notdef
    spaces = {0x20: "space", 0xA0: "uni00A0"}
    a_cmap = atkinson.getBestCmap()
    order = [*font.getGlyphOrder(), *spaces.values()]
    font.setGlyphOrder(order)
    font["glyf"].glyphOrder = order
    for code, glyph in spaces.items():
        font["glyf"].glyphs[glyph] = Glyph()
        font["hmtx"][glyph] = (atkinson["hmtx"][a_cmap[code]][0], 0)
    font["post"].extraNames = []
    font["post"].mapping = {}

    # the default figures are the proportional ones; tnum gives back the tabular ones
    cmap = {0x30 + i: f"{name}.lf" for i, name in enumerate(DIGITS)} | spaces
    for table in font["cmap"].tables:
        table.cmap = dict(cmap)
    font["cmap"].tables = [t for t in font["cmap"].tables if t.isUnicode() or
                           (t.platformID, t.platEncID) == (3, 1)]
    gsub = font["GSUB"].table
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag == "pnum":  # the default already
            record.Feature.LookupListIndex = []
            record.Feature.LookupCount = 0

    hhea, os2, post, head = font["hhea"], font["OS/2"], font["post"], font["head"]
    a_hhea, a_os2, a_post = atkinson["hhea"], atkinson["OS/2"], atkinson["post"]
    hhea.ascent, hhea.descent, hhea.lineGap = a_hhea.ascent, a_hhea.descent, a_hhea.lineGap
    os2.sTypoAscender, os2.sTypoDescender = a_os2.sTypoAscender, a_os2.sTypoDescender
    os2.sTypoLineGap = a_os2.sTypoLineGap
    os2.usWinAscent, os2.usWinDescent = a_os2.usWinAscent, a_os2.usWinDescent
    os2.sxHeight, os2.sCapHeight = a_os2.sxHeight, a_os2.sCapHeight
    os2.fsSelection = (os2.fsSelection | (1 << 7)) & ~((1 << 0) | (1 << 5) | (1 << 6))
    os2.fsSelection |= (1 << 5) if style == "Bold" else (1 << 6)
    os2.usWeightClass = weight_class
    head.macStyle = 1 if style == "Bold" else 0
    post.underlinePosition = a_post.underlinePosition
    post.underlineThickness = a_post.underlineThickness
    head.created = head.modified = created

    copyright_ = noto["name"].getDebugName(0)
    names = {
        0: f"{copyright_} Modified: the digits only, scaled and renamed for leafletgen.",
        1: FAMILY,
        2: style,
        3: f"{FAMILY} {style}; digits of Noto Sans 2.015",
        4: f"{FAMILY} {style}",
        5: "Version 1.000; digits of Noto Sans 2.015",
        6: f"LeafletFigures-{style}",
        13: "This Font Software is licensed under the SIL Open Font License, Version 1.1. "
            "This license is available with a FAQ at: https://openfontlicense.org",
        14: "https://openfontlicense.org",
    }
    name = font["name"]
    name.names = []
    for number, text in names.items():
        name.setName(text, number, 3, 1, 0x409)
    return font


def main() -> None:
    for style, (weight_class, wght, _) in WEIGHTS.items():
        font = make(style, weight_class, wght)
        path = OUT / f"LeafletFigures-{style}.ttf"
        font.recalcTimestamp = False
        font.save(path)
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
