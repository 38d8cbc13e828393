"""What verifying a leaflet costs beside rendering it, measured both ways, in CPU time.

    python benchmarks/verify_cost.py [--runs 5]

For a few shipped leaflets (each variant, a right-to-left one, a long one), in one warm
process: the render (HTML to PDF, with WeasyPrint's layout kept), then ``verify_pdf`` as a
build runs it (the layout rules measured on WeasyPrint's layout) and as ``leafletgen verify``
runs it on a file (measured on the PDF with PDFium), in turn, A B A B. CPU time of this
process (``time.process_time``), not wall time: on a shared machine the other load inflates
both sides of a wall-clock figure alike, but not CPU time. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from leafletgen.checks.plan import plan
from leafletgen.render.renderer import Renderer
from leafletgen.verification.report import VerifyOptions
from leafletgen.verification.verify import verify_pdf

ROOT = Path(__file__).resolve().parents[1]
LEAFLETS = ("baclofen-patient", "baclofen-patient-large", "baclofen-clinician",
            "baclofen.ar-patient", "methotrexate-patient-large", "amoxicillin-clinician")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    styles = ROOT / "styles"
    jobs = [job for job in plan([ROOT / "leaflets"], styles).jobs if job.stem in LEAFLETS]
    renderer = Renderer(styles)
    renderer.rendered(renderer.html(jobs[0]), jobs[0], measure=True)  # warm-up
    print("| leaflet | render | verify, layout measured | verify, PDF measured | share of "
          "the render (layout / PDF) |\n|---|---|---|---|---|")
    for job in jobs:
        html = renderer.html(job)
        renders, layout, pdf = [], [], []
        for _ in range(args.runs):
            start = time.process_time()
            rendered = renderer.rendered(html, job, measure=True)
            renders.append(time.process_time() - start)
            options = VerifyOptions.leaflet(job.variant, Path(f"{job.stem}.pdf"))
            start = time.process_time()
            built = verify_pdf(rendered.data, options, rendered.layout)
            layout.append(time.process_time() - start)
            start = time.process_time()
            read = verify_pdf(rendered.data, options)
            pdf.append(time.process_time() - start)
            assert built.problems == read.problems == (), (built.problems, read.problems)
        r, a, b = (statistics.median(x) * 1000 for x in (renders, layout, pdf))
        print(f"| {job.stem} | {r:.0f} ms | {a:.0f} ms | {b:.0f} ms | {a / r:.0%} / "
              f"{b / r:.0%} |")


if __name__ == "__main__":
    main()
