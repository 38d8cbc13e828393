"""Make NotoSansSC-Bold-GB2312.otf: the bold face Chinese text prints with.

Droid Sans Fallback, the font Chinese, Japanese and Korean print with, has no bold; this is
the Simplified Chinese bold of Noto Sans CJK (face 2, "Noto Sans CJK SC Bold", of Debian's
fonts-noto-cjk 1:20220127+repack1-1, NotoSansCJK-Bold.ttc, version 2.004), cut down to the
characters of GB 2312 (the 6,763 hanzi of everyday Simplified Chinese and its punctuation) plus
the CJK symbols and punctuation and the fullwidth forms blocks: 20 MB of collection become a
font of about 2.5 MB. Characters outside it print at regular weight from Droid Sans Fallback.

    python styles/fonts/make-cjk-bold.py /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc

The same collection gives the same bytes (fontTools' subsetter is deterministic).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

FACE = 2  # Noto Sans CJK SC Bold in NotoSansCJK-Bold.ttc
OUT = Path(__file__).with_name("NotoSansSC-Bold-GB2312.otf")


def characters() -> list[int]:
    # spaces and the invisible marks leaflets put between characters (no-break space, word
    # joiner, direction isolates): a bold Chinese run that holds one takes it from this font
    found = set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0)) | {0x20, 0xA0} \
        | set(range(0x2000, 0x2070))
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                char = bytes((first, second)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            # all of it, symbols too: fontconfig gives the font to Chinese text ("lang: zh-cn")
            # only when it covers the language's whole character set; Latin, Greek and
            # Cyrillic still print from the fonts before it in every stack
            found.add(ord(char))
    return sorted(found)


def main(collection: str) -> None:
    font = TTCollection(collection).fonts[FACE]
    options = subset.Options()
    options.notdef_outline = True
    options.hinting = False  # print only: hints help screens at small sizes
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    font.recalcTimestamp = False  # keep the source's dates: the same input, the same bytes
    font.save(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(sys.argv[1])
