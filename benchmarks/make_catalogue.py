"""Generate a benchmark catalogue: monographs derived from leaflets/baclofen.md, 3 variants.

    python benchmarks/make_catalogue.py [--count 100] [--into benchmarks/work/catalogue]

Writes INTO/leaflets/medNNN.md, INTO/styles/ (a copy of styles/: patient, clinician and
patient-large variants) and INTO/html/<slug>-<variant>.html,
leafletgen's own HTML for every leaflet (what ``build --html`` writes), for the bare
WeasyPrint baseline. INTO is replaced; benchmarks/work/ is ignored by git.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INTO = ROOT / "benchmarks" / "work" / "catalogue"


def make(count: int, into: Path) -> Path:
    """Write the catalogue and return ``into``."""
    if into.exists():
        shutil.rmtree(into)
    leaflets = into / "leaflets"
    leaflets.mkdir(parents=True)
    styles = into / "styles"
    shutil.copytree(ROOT / "styles", styles)
    source = (ROOT / "leaflets" / "baclofen.md").read_text(encoding="utf-8")
    for i in range(1, count + 1):
        name = f"Medicine {i:03d}"
        # names change in the text, not in addresses (a URL holds no spaces)
        text = re.sub(r"(?<![/=.?-])baclofen", f"medicine {i:03d}",
                      source.replace("Baclofen", name))
        # vary the length a little, as real monographs do: repeat one paragraph 0-3 times
        extra = "\n\nAsk your pharmacist if you are not sure how to take it." * (i % 4)
        text = text.replace(
            "exactly as your doctor tells you**. Your doctor will choose the right dose for you.",
            "exactly as your doctor tells you**. Your doctor will choose the right dose for you."
            + extra, 1)
        (leaflets / f"med{i:03d}.md").write_text(text, encoding="utf-8")
    write_html(into)
    return into


def write_html(into: Path) -> None:
    """INTO/html/<stem>.html for every leaflet, rendered by leafletgen's own HTML stage."""
    from leafletgen.checks.plan import plan
    from leafletgen.render.renderer import Renderer

    the_plan = plan([into / "leaflets"], into / "styles")
    assert not the_plan.problems, the_plan.problems
    renderer = Renderer(into / "styles")
    (into / "html").mkdir()
    for job in the_plan.jobs:
        (into / "html" / f"{job.stem}.html").write_text(renderer.html(job), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="monographs (default 100)")
    parser.add_argument("--into", type=Path, default=DEFAULT_INTO)
    args = parser.parse_args()
    into = make(args.count, args.into)
    print(f"{args.count} monographs x 3 variants in {into}, their HTML in {into / 'html'}")


if __name__ == "__main__":
    main()
