"""``tags``: a structure tree, a document language and a title; no text outside the tree
that is not an artifact (running headers and footers); alt text on figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leafletgen.verification.rule import Evidence, Rule, Verdict

if TYPE_CHECKING:
    import pikepdf


def check(evidence: Evidence) -> Verdict:
    return Verdict(tuple(_tag_problems(evidence.document)))


RULE = Rule("tags", check, "tagged, with a language and a title")


def _tag_problems(document: pikepdf.Pdf) -> list[str]:
    import pikepdf
    from pikepdf import Dictionary, Name

    from leafletgen.render.finish import parent_tree, structure_elements

    root = document.Root
    found: list[str] = []
    mark_info: Any = root.get("/MarkInfo")
    if "/StructTreeRoot" not in root or mark_info is None or not mark_info.get("/Marked", False):
        return ["tags: the PDF is not tagged (no structure tree), so screen readers cannot "
                "follow it; build it with leafletgen, which tags every PDF"]
    if not str(root.get("/Lang", "")).strip():
        found.append("tags: no document language; set 'language:' in the monograph's front "
                     "matter (the template writes it to <html lang>)")
    if not str(document.docinfo.get("/Title", "")).strip():
        found.append("tags: no document title; give the variant a 'title:' and keep <title> "
                     "in the template")
    inside = structure_elements(document)
    tree = parent_tree(document)
    for number, page in enumerate(document.pages, start=1):
        elements = tree.get(int(page.obj.get("/StructParents", -1)))
        if not isinstance(elements, pikepdf.Array):
            continue
        outside = [e for e in elements if isinstance(e, Dictionary) and e.objgen not in inside]
        if outside:
            found.append(f"tags: {len(outside)} text run(s) on page {number} are neither in "
                         "the structure tree nor marked as artifacts; running headers and "
                         "footers must be artifacts (leafletgen's finish step does this)")
    for element in inside.values():
        if element.get("/S") == Name.Figure and not str(element.get("/Alt", "")).strip():
            found.append("tags: an image has no alt text; give every image an alt attribute")
    return found

