"""The floor for leafletgen's throughput: bare WeasyPrint rendering HTML in a process pool.

    python benchmarks/bare_weasyprint.py HTML_DIR OUT_DIR [-j N]

Renders every HTML_DIR/*.html (leafletgen's own HTML, see make_catalogue.py) to
OUT_DIR/*.pdf with N worker processes, each importing WeasyPrint once and sharing one
FontConfiguration, with the PDF options leafletgen uses (PDF/UA-1, tagged), so both produce
the same PDFs. No checks, no URL allow-list, no manifest: only the rendering.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_font_config = None


def _start() -> None:
    global _font_config
    from weasyprint.text.fonts import FontConfiguration

    _font_config = FontConfiguration()


def _render(html: Path, pdf: Path) -> None:
    import weasyprint

    document = weasyprint.HTML(filename=html).render(font_config=_font_config, pdf_tags=True,
                                                     pdf_variant="pdf/ua-1")
    document.write_pdf(pdf, pdf_tags=True, pdf_variant="pdf/ua-1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("-j", "--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    pages = sorted(args.html_dir.glob("*.html"))
    with ProcessPoolExecutor(args.jobs, initializer=_start) as pool:
        for _ in pool.map(_render, pages, [args.out_dir / f"{p.stem}.pdf" for p in pages]):
            pass
    print(f"{len(pages)} PDFs in {args.out_dir}")


if __name__ == "__main__":
    main()
