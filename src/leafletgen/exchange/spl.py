"""Read an FDA Structured Product Labeling (SPL) document into a typed ``Label``.

SPL is HL7 v3 XML: a ``document`` with product data (names, forms, strengths, NDC and UNII
codes) and nested ``section`` elements, each coded with LOINC and holding ``text`` made of
paragraphs, lists, tables and images (the "narrative block"). Labels are untrusted input: a
file with a DOCTYPE or entity declarations is refused before it is parsed, and the parser
never fetches anything or expands entities.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

import leafletgen.textcheck as textcheck
from leafletgen.errors import ContentError, Problem
from leafletgen.limits import TooLarge, megabytes, read_limited

NS = "urn:hl7-org:v3"
_N = {"v": NS}
LOINC = "2.16.840.1.113883.6.1"
CODE_SYSTEMS = {  # OIDs of the product codes SPL uses, by the name the front matter gives them
    "2.16.840.1.113883.6.69": "ndc",
    "2.16.840.1.113883.4.9": "unii",
    "2.16.840.1.113883.6.88": "rxnorm",
    "2.16.840.1.113883.3.26.1.1": "ncit",
}
WEB_SCHEMES = ("https://", "http://", "mailto:")
MAX_LABEL_BYTES = 20 * 1024 * 1024  # the largest DailyMed labels are about 5 MB
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Run:
    """A stretch of inline text with its styles (bold, italics, underline, sup, sub).

    ``kind`` is ``text``, ``break`` (a line break) or ``note`` (a footnote mark, ``text``
    being the mark). ``href`` is the XML ID a cross-reference points to, or a web address.
    """

    text: str
    styles: frozenset[str] = frozenset()
    href: str | None = None
    kind: str = "text"


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    line: int


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    style: str | None  # SPL styleCode: Disc, Circle, Square, Arabic, LittleAlpha, BigRoman ...
    items: tuple[tuple[Block, ...], ...]
    line: int


@dataclass(frozen=True)
class Cell:
    blocks: tuple[Block, ...]
    colspan: int = 1
    rowspan: int = 1
    header: bool = False


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    header: bool  # in thead (or all th)


@dataclass(frozen=True)
class Footnote:
    mark: str
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Table:
    caption: tuple[Run, ...]
    rows: tuple[Row, ...]
    footnotes: tuple[Footnote, ...]
    line: int


@dataclass(frozen=True)
class Figure:
    alt: str
    src: str
    line: int


Block = Paragraph | ListBlock | Table | Figure


@dataclass(frozen=True)
class LabelSection:
    code: str | None  # LOINC
    display: str
    title: str
    xml_id: str | None
    blocks: tuple[Block, ...]
    highlights: tuple[Block, ...]  # the section's Highlights excerpt, if any
    children: tuple[LabelSection, ...]
    line: int

    def walk(self):
        """This section and every section inside it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Code:
    system: str  # ndc, unii, rxnorm, or the OID when unknown
    code: str


@dataclass(frozen=True)
class Product:
    name: str
    generic_name: str
    form: str
    strengths: tuple[str, ...]  # "40 mg/0.8 mL" per active ingredient
    route: str
    codes: tuple[Code, ...]  # the product's own code first, then packages and ingredients


@dataclass(frozen=True)
class Label:
    path: Path
    document_code: str
    document_type: str
    title: str
    set_id: str | None
    version: str | None
    effective: dt.date | None
    organization: str | None
    products: tuple[Product, ...]
    sections: tuple[LabelSection, ...]

    def walk(self):
        for section in self.sections:
            yield from section.walk()

    def by_xml_id(self) -> dict[str, LabelSection]:
        return {s.xml_id: s for s in self.walk() if s.xml_id}


def read_label(path: Path) -> Label:
    """Parse an SPL file; raise ContentError saying where and why it cannot be read."""
    try:
        # never more than the limit in memory, whatever the file is (a device, a pipe)
        raw = read_limited(path, MAX_LABEL_BYTES)
    except TooLarge as exc:
        raise ContentError([Problem(path, 1, f"the file is {megabytes(exc.size)} or more; a "
                                    f"label may be at most {megabytes(MAX_LABEL_BYTES)} (the "
                                    "largest DailyMed labels are about 5 MB): is this the "
                                    "label's SPL XML?")]) from None
    except OSError as exc:
        raise ContentError([Problem(path, 1, f"cannot read the file: {exc.strerror}")]) from exc
    found = _DECLARATION.search(raw)
    if found:
        line = raw[: found.start()].count(b"\n") + 1
        raise ContentError([Problem(path, line, "the label declares a DOCTYPE or entities, "
                                    "which SPL never needs and which could make the reader "
                                    "fetch files or expand text without end; remove the "
                                    "declaration (labels from DailyMed have none)")])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise ContentError([Problem(path, line, f"not well-formed XML: {exc.msg}; is this an "
                                    "SPL file (the XML of a DailyMed label)?")]) from exc
    if root.getroottree().docinfo.internalDTD is not None:  # e.g. declared in UTF-16
        raise ContentError([Problem(path, 1, "the label declares a DOCTYPE, which SPL never "
                                    "needs; remove the declaration")])
    if root.tag != f"{{{NS}}}document":
        raise ContentError([Problem(path, root.sourceline or 1, "this is not an SPL document "
                                    f"(its root element is '{etree.QName(root).localname}', "
                                    "not an HL7 v3 'document'); download the label's SPL XML "
                                    "from DailyMed")])
    spoofed = _spoofing(path, root)
    if spoofed:
        raise ContentError(spoofed)
    body = root.find("v:component/v:structuredBody", _N)
    if body is None:
        raise ContentError([Problem(path, root.sourceline or 1, "the label has no structured "
                                    "body (component/structuredBody): it holds no sections "
                                    "to import")])
    code = root.find("v:code", _N)
    effective = root.find("v:effectiveTime", _N)
    return Label(
        path=path,
        document_code=code.get("code", "") if code is not None else "",
        document_type=code.get("displayName", "") if code is not None else "",
        title=_plain_text(root.find("v:title", _N)),
        set_id=_attr(root.find("v:setId", _N), "root"),
        version=_attr(root.find("v:versionNumber", _N), "value"),
        effective=_date(_attr(effective, "value")),
        organization=_plain_text(root.find(".//v:author//v:representedOrganization/v:name",
                                           _N)) or None,
        products=tuple(_product(p) for p in body.iterfind(
            ".//v:subject/v:manufacturedProduct/v:manufacturedProduct", _N)),
        sections=tuple(_section(s) for s in body.iterfind("v:component/v:section", _N)),
    )


def _spoofing(path: Path, root) -> list[Problem]:
    """Text of the label that prints differently from what it says (textcheck), at its line:
    a label is never imported with a bidi override or an invisible character in it."""
    texts = [(e.sourceline or 1, t) for e in root.iter() for t in (e.text, e.tail) if t]
    whole = "\n".join(t for _, t in texts)
    found: list[Problem] = []
    for line, text in texts:
        for offset, message in textcheck.problems(text, whole):
            found.append(Problem(path, line + offset, message))
            if len(found) >= 10:
                return found
    return found


def _attr(element, name: str) -> str | None:
    return element.get(name) if element is not None else None


def _date(value: str | None) -> dt.date | None:
    if not value or not re.fullmatch(r"\d{8}.*", value):
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _plain_text(element) -> str:
    """The text of an element with line breaks as spaces, whitespace collapsed."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(node) -> None:
        if _local(node) == "br":
            parts.append(" ")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


def _note_key(element) -> str:
    """The mark that ties a table footnote to the cells that refer to it."""
    return element.get("ID") or f"note-{element.sourceline}-{_plain_text(element)[:20]}"


def _product(element) -> Product:
    codes: list[Code] = []
    own = element.find("v:code", _N)
    if own is not None and own.get("code"):
        codes.append(_code(own))
    for package in element.iterfind(".//v:containerPackagedProduct/v:code", _N):
        if package.get("code"):
            codes.append(_code(package))
    strengths = []
    generic = _plain_text(element.find("v:asEntityWithGeneric/v:genericMedicine/v:name", _N))
    for ingredient in element.iterfind(".//v:ingredient", _N):
        substance = ingredient.find("v:ingredientSubstance/v:code", _N)
        if substance is not None and substance.get("code"):
            codes.append(_code(substance))
        if ingredient.get("classCode", "").startswith("ACT"):
            num = ingredient.find("v:quantity/v:numerator", _N)
            den = ingredient.find("v:quantity/v:denominator", _N)
            if num is not None and num.get("value"):
                strength = f"{num.get('value')} {num.get('unit', '')}".strip()
                if den is not None and den.get("unit") not in (None, "1"):
                    strength += f"/{den.get('value')} {den.get('unit')}"
                strengths.append(strength)
    for part in element.iterfind("v:part/v:partProduct", _N):
        inner = _product(part)
        strengths += inner.strengths
        codes += inner.codes
    route = element.find(".//v:consumedIn/v:substanceAdministration/v:routeCode", _N)
    form = element.find("v:formCode", _N)
    return Product(
        name=_plain_text(element.find("v:name", _N)),
        generic_name=generic,
        form=form.get("displayName", "") if form is not None else "",
        strengths=tuple(dict.fromkeys(strengths)),
        route=route.get("displayName", "") if route is not None else "",
        codes=tuple(dict.fromkeys(codes)),
    )


def _code(element) -> Code:
    system = element.get("codeSystem", "")
    return Code(CODE_SYSTEMS.get(system, system), element.get("code", ""))


def _section(element) -> LabelSection:
    code = element.find("v:code", _N)
    text = element.find("v:text", _N)
    highlights = element.find("v:excerpt/v:highlight/v:text", _N)
    return LabelSection(
        code=code.get("code") if code is not None else None,
        display=code.get("displayName", "") if code is not None else "",
        title=_plain_text(element.find("v:title", _N)),
        xml_id=element.get("ID"),
        blocks=_blocks(text) if text is not None else (),
        highlights=_blocks(highlights) if highlights is not None else (),
        children=tuple(_section(s) for s in element.iterfind("v:component/v:section", _N)),
        line=element.sourceline or 1,
    )


_BLOCK_TAGS = {"paragraph", "list", "table", "renderMultiMedia"}
_INLINE_STYLES = {"bold", "italics", "underline", "emphasis"}


def _blocks(element) -> tuple[Block, ...]:
    """The blocks of a narrative element whose children may mix inline text and blocks."""
    blocks: list[Block] = []
    runs: list[Run] = []

    def flush(line: int) -> None:
        if any(r.text.strip() for r in runs if r.kind != "break"):
            blocks.append(Paragraph(_trim(runs), line))
        runs.clear()

    if element.text:
        runs.append(Run(element.text))
    for child in element:
        tag = _local(child)
        line = child.sourceline or 1
        if tag in _BLOCK_TAGS:
            flush(line)
            if tag == "paragraph":
                blocks += _paragraph_blocks(child)
            elif tag == "list":
                blocks.append(_list(child))
            elif tag == "table":
                blocks.append(_table(child))
            else:
                blocks.append(_figure(child))
        elif tag == "observationMedia":
            pass  # the image a renderMultiMedia shows: read by _figure, not text
        elif tag:
            runs += _runs(child, frozenset())
        if child.tail:
            runs.append(Run(child.tail))
    flush(element.sourceline or 1)
    return tuple(blocks)


def _paragraph_blocks(element) -> list[Block]:
    """A paragraph; SPL allows lists and images inside one, which become blocks of their own."""
    if any(_local(c) in _BLOCK_TAGS for c in element.iter() if c is not element):
        return list(_blocks(element))
    runs = _trim(_runs(element, frozenset(), top=True))
    if not any(r.text.strip() for r in runs if r.kind == "text"):
        return []
    return [Paragraph(runs, element.sourceline or 1)]


def _runs(element, styles: frozenset[str], top: bool = False) -> list[Run]:
    tag = _local(element)
    out: list[Run] = []
    href = None
    if tag == "br":
        return [Run("\n", kind="break")]
    if tag == "footnoteRef":
        return [Run(element.get("IDREF", ""), kind="note")]
    if tag == "footnote" and not top:
        return [Run(_note_key(element), kind="note")]
    if not top:
        codes = set((element.get("styleCode") or "").replace(",", " ").split())
        codes = {c.lower() for c in codes}
        styles = styles | (codes & _INLINE_STYLES)
        if "emphasis" in styles:
            styles = (styles - {"emphasis"}) | {"bold"}
        if tag in ("sup", "sub"):
            styles = styles | {tag}
        if tag == "linkHtml":
            target = element.get("href", "").strip()
            if target.startswith("#"):
                href = target[1:]
            elif target.startswith(WEB_SCHEMES):
                href = target
    if element.text:
        out.append(Run(element.text, styles, href))
    for child in element:
        if _local(child):
            inner = _runs(child, styles)
            if href:
                inner = [Run(r.text, r.styles, href, r.kind) if r.kind == "text" else r
                         for r in inner]
            out += inner
        if child.tail:
            out.append(Run(child.tail, styles, href))
    return out


def _trim(runs: list[Run]) -> tuple[Run, ...]:
    """Whitespace collapsed as a browser would: runs of spaces and newlines are one space."""
    out: list[Run] = []
    for run in runs:
        if run.kind != "text":
            out.append(run)
            continue
        text = re.sub(r"\s+", " ", run.text)
        if text:
            out.append(Run(text, run.styles, run.href))
    while out and out[0].kind in ("text", "break") and not out[0].text.strip():
        out.pop(0)
    while out and out[-1].kind in ("text", "break") and not out[-1].text.strip():
        out.pop()
    if out and out[0].kind == "text":
        out[0] = Run(out[0].text.lstrip(), out[0].styles, out[0].href)
    if out and out[-1].kind == "text":
        out[-1] = Run(out[-1].text.rstrip(), out[-1].styles, out[-1].href)
    return tuple(out)


def _list(element) -> ListBlock:
    items = tuple(_blocks(item) for item in element.iterfind("v:item", _N))
    style = element.get("styleCode")
    ordered = element.get("listType") == "ordered"
    return ListBlock(ordered, style, items, element.sourceline or 1)


def _table(element) -> Table:
    caption = element.find("v:caption", _N)
    rows: list[Row] = []
    for part in ("thead", "tbody", "tfoot"):
        for group in element.iterfind(f"v:{part}", _N):
            for tr in group.iterfind("v:tr", _N):
                cells = tuple(_cell(c) for c in tr if _local(c) in ("td", "th"))
                if cells:
                    rows.append(Row(cells, part == "thead" or all(c.header for c in cells)))
    for tr in element.iterfind("v:tr", _N):  # rows without a tbody
        cells = tuple(_cell(c) for c in tr if _local(c) in ("td", "th"))
        if cells:
            rows.append(Row(cells, all(c.header for c in cells)))
    notes = [Footnote(_note_key(n), _trim(_runs(n, frozenset(), top=True)))
             for n in element.iter(f"{{{NS}}}footnote")]
    return Table(_trim(_runs(caption, frozenset(), top=True)) if caption is not None else (),
                 tuple(rows), tuple(notes), element.sourceline or 1)


def _cell(element) -> Cell:
    def span(name: str) -> int:
        try:
            return max(1, min(int(element.get(name, "1")), 50))
        except ValueError:
            return 1
    return Cell(_blocks(element), span("colspan"), span("rowspan"), _local(element) == "th")


def _figure(element) -> Figure:
    ref = element.get("referencedObject", "")
    media = None
    root = element.getroottree().getroot()
    for candidate in root.iter(f"{{{NS}}}observationMedia"):
        if candidate.get("ID") == ref:
            media = candidate
            break
    alt = _plain_text(media.find("v:text", _N)) if media is not None else ""
    reference = media.find("v:value/v:reference", _N) if media is not None else None
    src = reference.get("value", "") if reference is not None else ref
    caption = element.find("v:caption", _N)
    if caption is not None and _plain_text(caption):
        alt = alt or _plain_text(caption)
    return Figure(alt, src, element.sourceline or 1)


def words(blocks: tuple[Block, ...]) -> list[str]:
    """Every word the blocks show, for counting."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out += " ".join(r.text for r in block.runs if r.kind == "text").split()
        elif isinstance(block, ListBlock):
            for item in block.items:
                out += words(item)
        elif isinstance(block, Table):
            out += " ".join(r.text for r in block.caption if r.kind == "text").split()
            for row in block.rows:
                for cell in row.cells:
                    out += words(cell.blocks)
            for note in block.footnotes:
                out += " ".join(r.text for r in note.runs if r.kind == "text").split()
    return out


def section_words(section: LabelSection) -> int:
    return sum(len(words(s.blocks)) for s in section.walk())
