"""Warm handouts against bare WeasyPrint on the same HTML, and memory over many handouts.

    python benchmarks/handout.py [--runs 15] [--memory 1000]

In one process, after a warm-up of each:
- leafletgen.handout(baclofen, the example patient) - reading and checking the monograph and
  patient file, HTML, PDF, verification - timed ``--runs`` times;
- a bare WeasyPrint render of the handout's own HTML (captured from the handout), with one
  shared FontConfiguration and the same PDF options (PDF/UA-1, tagged), timed in turn with it
  (A B A B), so drift on a shared machine hits both;
then ``--memory`` handouts more, with this process's resident memory sampled every tenth.
Prints a Markdown table row per figure (medians, and the median of the pair ratios).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

import leafletgen
import leafletgen.render.pdf as pdf_module

ROOT = Path(__file__).resolve().parents[1]
MONOGRAPH = ROOT / "leaflets" / "baclofen.md"
PATIENT = ROOT / "examples" / "patient.yaml"
STYLES = ROOT / "styles"


def resident_mb() -> float:
    """This process's resident memory now (from /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def handout() -> bytes:
    return leafletgen.handout(MONOGRAPH, PATIENT, styles=STYLES, draft=True)


def captured_html() -> tuple[str, str]:
    """The HTML and base URL a handout hands to WeasyPrint."""
    seen: list[tuple[str, str]] = []
    real = pdf_module.render_pdf

    def spy(html, base_url, *args, **kwargs):
        seen.append((html, base_url))
        return real(html, base_url, *args, **kwargs)

    pdf_module.render_pdf = spy
    try:
        handout()
    finally:
        pdf_module.render_pdf = real
    return seen[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--memory", type=int, default=1000, metavar="N")
    args = parser.parse_args()

    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    html, base_url = captured_html()
    fonts = FontConfiguration()

    def bare() -> bytes:
        return weasyprint.HTML(string=html, base_url=base_url).write_pdf(
            font_config=fonts, pdf_variant="pdf/ua-1", pdf_tags=True)

    handout(), bare()  # warm-up
    ours, theirs, ratios = [], [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        handout()
        a = time.perf_counter() - start
        start = time.perf_counter()
        bare()
        b = time.perf_counter() - start
        ours.append(a), theirs.append(b), ratios.append(a / b)
    print("| measure | leafletgen | baseline | comparison |")
    print("|---|---|---|---|")
    print(f"| warm handout ({args.runs} pairs) | {statistics.median(ours):.3f} s | bare "
          f"WeasyPrint render of its HTML {statistics.median(theirs):.3f} s | "
          f"{statistics.median(ratios):.2f}x |")
    if args.memory:
        samples = []
        step = max(1, args.memory // 10)
        for i in range(1, args.memory + 1):
            handout()
            if i % step == 0:
                samples.append(f"{resident_mb():.0f}")
        print(f"| memory over {args.memory} handouts in one process (MB, every {step}) | "
              f"{' / '.join(samples)} | | |")


if __name__ == "__main__":
    main()
