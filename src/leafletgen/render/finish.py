"""Finish a WeasyPrint PDF: the accessibility touches WeasyPrint 70 cannot make itself.

- Running headers and footers become artifacts. WeasyPrint tags the text of page-margin boxes
  as ``/Span`` marked content that hangs outside the structure tree (WeasyPrint issue #1836);
  PDF/UA wants pagination marked ``/Artifact`` so screen readers skip it cleanly.
- An archival (PDF/A) file also claims PDF/UA-1. WeasyPrint writes one identification only,
  so the PDF/UA identification and the PDF/A extension schema that declares it are added to
  the XMP packet, which is stored uncompressed as PDF/A validators expect.

pikepdf (qpdf) parses and writes the file; the result is deterministic, so identical input
gives identical bytes. ``compact_pdf`` rewrites a PDF another library wrote (pypdf writes a
packet's thousand structure objects one by one, uncompressed) with its objects in compressed
object streams.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import pikepdf
from pikepdf import Dictionary, Name, Operator

from leafletgen.i18n.pdflang import mark_latin_spans

log = logging.getLogger(__name__)

PDFUA_ID = "http://www.aiim.org/pdfua/ns/id/"

# PDF/A allows only predefined XMP schemas unless an extension schema declares the others;
# pdfuaid is not predefined in PDF/A-2 and -3 (ISO 19005-3, 6.6.2.3).
_PDFUA_XMP = f"""<rdf:Description rdf:about=""
 xmlns:pdfuaid="{PDFUA_ID}"
 xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfuaid:part>1</pdfuaid:part>
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>{PDFUA_ID}</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
""".encode()


def finish_pdf(data: bytes) -> bytes:
    """``data`` with margin content as artifacts and, for PDF/A, a PDF/UA-1 claim."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/StructTreeRoot" in pdf.Root:
            moved = _margins_to_artifacts(pdf)
            log.debug("marked %d margin text runs as artifacts", moved)
            # Latin runs in Arabic, Hebrew or Chinese text: /Lang (en) on their /Span
            log.debug("marked %d Latin runs as English", mark_latin_spans(pdf))
        if _claims_pdfa(pdf):
            _claim_pdfua(pdf)
            _list_associated_files_once(pdf)
        out = io.BytesIO()
        # deterministic_id: the trailer /ID is a hash of the content, not random.
        # fix_metadata_version=False: qpdf must not rewrite the XMP packet.
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


def compact_pdf(data: bytes) -> bytes:
    """``data`` with its objects packed into compressed object streams and every stream
    compressed, but the XMP packet (qpdf leaves ``/Metadata`` streams as they are), which PDF/A
    validators expect readable. Tags, metadata and the PDF version (1.7) are kept; the trailer
    /ID is a hash of the content, so identical input gives identical bytes."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


def structure_elements(pdf: pikepdf.Pdf) -> dict[tuple[int, int], Dictionary]:
    """Every structure element reachable from the structure root, by (object, generation)."""
    seen: dict[tuple[int, int], Dictionary] = {}
    stack: list[pikepdf.Object] = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if not isinstance(node, Dictionary) or node.objgen in seen:
            continue
        seen[node.objgen] = node
        kids = node.get("/K")
        if isinstance(kids, pikepdf.Array):
            stack.extend(kids)
        elif kids is not None:
            stack.append(kids)
    return seen


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    """The structure root's ParentTree as a dict (WeasyPrint writes a flat /Nums array)."""
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _margins_to_artifacts(pdf: pikepdf.Pdf) -> int:
    inside = structure_elements(pdf)
    tree = parent_tree(pdf)
    moved = 0
    for page in pdf.pages:
        if "/StructParents" not in page.obj:
            continue
        elements = tree.get(int(page.obj.StructParents))
        if not isinstance(elements, pikepdf.Array):
            continue
        outside = {mcid for mcid, element in enumerate(elements)
                   if isinstance(element, Dictionary) and element.objgen not in inside}
        if not outside:
            continue
        instructions: list[Any] = []
        for instruction in pikepdf.parse_content_stream(page):
            operands, operator = instruction.operands, instruction.operator
            if (operator == Operator("BDC") and isinstance(operands[1], Dictionary)
                    and int(operands[1].get("/MCID", -1)) in outside):
                instruction = pikepdf.ContentStreamInstruction(
                    [Name.Artifact, Dictionary(Type=Name.Pagination)], operator)
                moved += 1
            instructions.append(instruction)
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        for mcid in outside:
            # the orphaned elements are no longer referenced, so they are not written
            elements[mcid] = None
    return moved


def _claims_pdfa(pdf: pikepdf.Pdf) -> bool:
    return "/Metadata" in pdf.Root and b"pdfaid:part" in pdf.Root.Metadata.read_bytes()


def _list_associated_files_once(pdf: pikepdf.Pdf) -> None:
    # WeasyPrint 70 lists each attachment twice in the catalog's /AF
    if "/AF" in pdf.Root:
        unique = {spec.objgen: spec for spec in pdf.Root.AF}
        pdf.Root.AF = pikepdf.Array(unique.values())


def _claim_pdfua(pdf: pikepdf.Pdf) -> None:
    xmp = pdf.Root.Metadata.read_bytes()
    if PDFUA_ID.encode() in xmp:
        return
    end = xmp.rindex(b"</rdf:RDF>")
    # one rdf:RDF only: XMP readers (and PDF/A) ignore or reject a second one
    new = xmp[:end] + _PDFUA_XMP + xmp[end:]
    # written without a filter: PDF/A validators expect readable XMP (ISO 19005-1, 6.7.2)
    pdf.Root.Metadata.write(new)
