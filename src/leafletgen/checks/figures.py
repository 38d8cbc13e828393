"""Text inside figures, at the size each variant prints it (``leafletgen check`` = build).

A figure's text is printed text: it must be no smaller than the variant's type floor
(``min_body_pt``), as ``verify`` demands of every other glyph. The sizes come from the SVG
(source/figures.py) at the width the variant prints the figure, so a figure that passes here
prints its text at or above the floor.
"""

from __future__ import annotations

from pathlib import Path

from leafletgen.errors import Problem
from leafletgen.model import LeafletSection, Monograph, Variant
from leafletgen.source.figures import printed_figure, printed_text_pt
from leafletgen.source.markup import parse


def figure_text_problems(monograph: Monograph, variant: Variant,
                         sections: tuple[LeafletSection, ...]) -> list[Problem]:
    """A problem for each figure of the leaflet whose text prints under the variant's floor."""
    problems = []
    folder = monograph.path.parent
    for section in sections:
        for block in section.blocks:
            for src, line in _figures(block.text, block.line):
                problem = _figure_problem(folder, src, variant)
                if problem:
                    problems.append(Problem(monograph.path, line, problem))
    return problems


def _figures(text: str, first_line: int) -> list[tuple[str, int]]:
    if "![" not in text:
        return []  # an image is written ![alt](path): most blocks have none to parse for
    found = []
    for token in parse(text):
        if token.type != "inline" or not token.map:
            continue
        images = [c for c in token.children or () if c.type == "image"]
        others = [c for c in token.children or ()
                  if c.type != "image" and (c.content.strip() or c.type != "text")]
        if len(images) == 1 and not others:
            found.append((str(images[0].attrGet("src") or ""), first_line + token.map[0]))
    return found


def _figure_problem(folder: Path, src: str, variant: Variant) -> str | None:
    path = (folder / src).resolve()
    if not path.is_file() or not path.is_relative_to((folder / "figures").resolve()):
        return None  # reported by the monograph's own checks
    figure = printed_figure(path, variant.figure_version, variant.figure_scale)
    sized = printed_text_pt(figure)
    if not sized:
        return None
    text, printed = min(sized, key=lambda pair: pair[1])
    floor = variant.min_body_pt
    if printed >= floor - 0.05:
        return None
    needed = text.size * floor / printed
    shown = figure.path.relative_to(folder).as_posix()
    scaled = f", the figure scaled {figure.scale:g} times" if figure.scale != 1 else ""
    large = ""
    if variant.figure_version and figure.path == path:
        large = (f", or draw a version for this variant, "
                 f"{Path(src).with_name(f'{path.stem}.{variant.figure_version}{path.suffix}')}"
                 ", with larger text")
    return (f"figure '{shown}' prints its text \"{text.text[:30]}\" at {printed:.1f} pt in the "
            f"'{variant.name}' leaflet{scaled}, below the variant's floor of {floor:g} pt "
            f"(min_body_pt in {variant.path.name}); make the figure's text at least "
            f"{needed:.1f} units (font-size in the SVG; now {text.size:g}){large}")
