"""Electronic product information (ePI) as HL7 FHIR R5 document Bundles, both ways.

A monograph exports as one Bundle per audience, as the HL7 ePI implementation guide lays it
out: a ``document`` Bundle whose first entry is a Composition (its sections coded with LOINC
where the section vocabulary has a code, and with the leafletgen section id, each with its
text as XHTML narrative), then the MedicinalProductDefinition it is about and the Organization
that wrote it. Each section also carries its Markdown source, and the Composition the front
matter, in leafletgen extensions, so that export -> import -> export gives the same Bundle.
A Bundle from elsewhere imports from its narrative instead.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from fhir.resources.bundle import Bundle
from lxml import etree
from lxml import html as lxml_html
from pydantic import ValidationError

import leafletgen.textcheck as textcheck
from leafletgen.errors import ContentError, Problem
from leafletgen.exchange._internal import (
    LinkContext,
    Monograph,
    SectionRef,
    load,
    parse_file,
    to_html,
    vocabulary,
)
from leafletgen.limits import MAX_MONOGRAPH_BYTES, TooLarge, kilobytes, megabytes, read_limited

LOINC = "http://loinc.org"
SECTION_SYSTEM = "urn:leafletgen:section"
MARKDOWN_EXTENSION = "urn:leafletgen:markdown"
FRONT_MATTER_EXTENSION = "urn:leafletgen:front-matter"
NDC_SYSTEM = "http://hl7.org/fhir/sid/ndc"
CODE_SYSTEMS = {"ndc": NDC_SYSTEM, "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
                "unii": "http://fdasis.nlm.nih.gov"}
# the document type of each audience's leaflet (LOINC, as FDA labels code them)
DOCUMENT_TYPES = {
    "patient": ("42230-3", "SPL PATIENT PACKAGE INSERT SECTION"),
    "clinician": ("34391-3", "HUMAN PRESCRIPTION DRUG LABEL"),
}
AUDIENCES = tuple(DOCUMENT_TYPES)
_NAMESPACE = uuid.UUID("6f1b8a52-3c1e-4a55-9a44-2f0f1c1d0e11")  # ids are stable across runs
XHTML = "http://www.w3.org/1999/xhtml"


@dataclass(frozen=True)
class Exported:
    audience: str
    filename: str
    bundle: dict[str, Any]
    # what the Bundle does not carry as the leaflets print it, each with its line
    notes: tuple[str, ...] = ()

    def json(self) -> str:
        return json.dumps(self.bundle, indent=2, ensure_ascii=False) + "\n"


def export_monograph(path: Path) -> tuple[Exported, ...]:
    """One validated ePI Bundle per audience with text in ``path``'s monograph."""
    monograph, problems = load(path)
    if monograph is None:
        raise ContentError(list(problems))
    parsed, _ = parse_file(path)
    # the slug names the files: the Bundle keeps it, so an import names them the same
    front = {**(parsed.front.data if parsed is not None else {}), "slug": monograph.slug}
    out = []
    order = {sid: i for i, sid in enumerate(vocabulary())}
    for audience in AUDIENCES:
        # in the vocabulary's order, whatever the file's: the order an import writes
        sections = sorted((s for s in monograph.sections if s.blocks_for(audience)),
                          key=lambda s: order.get(s.id, len(order)))
        if not sections:
            continue
        bundle = _bundle(monograph, front, audience, sections)
        validate_bundle(bundle, path)
        out.append(Exported(audience, f"{monograph.slug}-{audience}.epi.json", bundle,
                            _not_carried(monograph, audience, sections)))
    return tuple(out)


def validate_bundle(bundle: dict[str, Any], path: Path) -> Bundle:
    """The Bundle as FHIR R5 models read it; ContentError naming the field when invalid."""
    try:
        model = Bundle.model_validate(bundle)
    except ValidationError as exc:
        raise ContentError([Problem(path, 0, "not a valid FHIR R5 Bundle: "
                                    + "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: "
                                                f"{e['msg']}" for e in exc.errors()[:5]))]) \
            from exc
    first = model.entry[0].resource if model.entry else None
    if model.type != "document" or first is None or \
            first.get_resource_type() != "Composition":
        raise ContentError([Problem(path, 0, "an ePI is a Bundle of type 'document' whose "
                                    "first entry is a Composition")])
    return model


def _uid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _bundle(monograph: Monograph, front: dict[str, Any], audience: str,
            sections: list) -> dict[str, Any]:
    vocab = vocabulary()
    key = (monograph.slug, audience, monograph.version)
    composition_id, product_id, org_id = (_uid(*key, "composition"), _uid(*key, "product"),
                                          _uid(*key, "organization"))
    shown = {s.id for s in sections}
    date = monograph.last_revised.isoformat()
    refs = _section_refs(shown, vocab, monograph.path.parent.resolve())
    names = dict.fromkeys(_FIGURE.findall("\n\n".join(
        b.text for s in sections for b in s.blocks_for(audience))))
    binaries = {name: _uid(*key, name, "binary") for name in names}
    comp_sections = []
    for section in sections:
        # a box keeps its kind in the Markdown the Bundle carries, as its fence
        markdown = "\n\n".join(f"::: {b.box}\n{b.text.strip()}\n:::" if b.box else
                                 b.text.strip() for b in section.blocks_for(audience))
        entry = vocab.get(section.id, {})
        codings = []
        if entry.get("loinc"):
            codings.append({"system": LOINC, "code": entry["loinc"],
                            "display": entry["title"]})
        codings.append({"system": SECTION_SYSTEM, "code": section.id,
                        "display": entry.get("title", section.id)})
        comp_sections.append({
            "extension": [{"url": MARKDOWN_EXTENSION, "valueMarkdown": markdown}],
            "title": entry.get("title", section.id),
            "code": {"coding": codings},
            "text": {"status": "additional",
                     "div": _xhtml(markdown, refs, binaries,
                                   [(b.box, b.text.strip())
                                    for b in section.blocks_for(audience)])},
        })
    doc_code, doc_display = DOCUMENT_TYPES[audience]
    composition = {
        "resourceType": "Composition",
        "id": composition_id,
        "extension": [{"url": FRONT_MATTER_EXTENSION,
                       "valueString": json.dumps(front, sort_keys=True, ensure_ascii=False,
                                                 default=str)}],
        "language": monograph.language,
        "identifier": [{"system": "urn:ietf:rfc:3986",
                        "value": f"urn:uuid:{_uid(monograph.slug, audience)}"}],
        "status": "final" if monograph.status == "approved" else "preliminary",
        "type": {"coding": [{"system": LOINC, "code": doc_code, "display": doc_display}]},
        "subject": [{"reference": f"urn:uuid:{product_id}"}],
        "date": date,
        "author": [{"reference": f"urn:uuid:{org_id}"}],
        "title": f"{monograph.name}: information for "
                 f"{'patients' if audience == 'patient' else 'prescribers'}",
        "version": monograph.version,
        "section": comp_sections,
    }
    if monograph.reviewer and monograph.review_date:
        composition["attester"] = [{"mode": {"coding": [{
            "system": "http://hl7.org/fhir/composition-attestation-mode",
            "code": "professional"}]}, "time": monograph.review_date.isoformat()}]
    product: dict[str, Any] = {
        "resourceType": "MedicinalProductDefinition",
        "id": product_id,
        "name": [{"productName": monograph.name},
                 {"productName": monograph.generic_name, "type": {"text": "generic name"}}],
        "classification": [{"text": monograph.drug_class}],
        "combinedPharmaceuticalDoseForm": {"text": "; ".join(monograph.forms)},
    }
    identifiers = []
    for system, values in (front.get("codes") or {}).items():
        if system in ("ndc", "rxnorm"):
            identifiers += [{"system": CODE_SYSTEMS[system], "value": v} for v in values]
    if identifiers:
        product["identifier"] = identifiers
    publisher = next((s.publisher for s in monograph.sources if s.publisher), None)
    organization = {"resourceType": "Organization", "id": org_id,
                    "name": publisher or monograph.sources[0].title}
    figures = [entry for name in names
               for entry in _figure_entries(monograph, name, key, binaries[name])]
    return {
        "resourceType": "Bundle",
        "id": _uid(*key, "bundle"),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{_uid(*key)}"},
        "type": "document",
        "timestamp": f"{date}T00:00:00Z",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r}
                  for r in (composition, product, organization, *figures)],
    }


_FIGURE = re.compile(r"!\[[^\]]*\]\((figures/[A-Za-z0-9._-]+)")
_FIGURE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
                 ".jpeg": "image/jpeg"}


def _figure_entries(monograph: Monograph, name: str, key: tuple[str, ...],
                    binary_id: str) -> list[dict[str, Any]]:
    """A figure of the text: its file as a Binary resource, which the narrative's <img>
    refers to (as the ePI implementation guide carries images), and a DocumentReference
    naming it, so that an import writes it back to figures/."""
    path = monograph.path.parent / name
    content_type = _FIGURE_TYPES.get(path.suffix.lower(), "application/octet-stream")
    binary = {"resourceType": "Binary", "id": binary_id, "contentType": content_type,
              "data": base64.b64encode(path.read_bytes()).decode("ascii")}
    reference = {"resourceType": "DocumentReference", "id": _uid(*key, name),
                 "status": "current",
                 "content": [{"attachment": {"contentType": content_type,
                                             "url": f"urn:uuid:{binary_id}", "title": name}}]}
    return [reference, binary]


def _not_carried(monograph: Monograph, audience: str, sections: list) -> tuple[str, ...]:
    """What the Bundle carries differently from the leaflets, each said at its line."""
    notes = []
    folder = monograph.path.parent
    for section in sections:
        for block in section.blocks_for(audience):
            if block.box:
                notes.append(f"{monograph.path}:{block.line}: the {block.box} box is carried "
                             f"as a <div class=\"{block.box}\"> under its label; its frame is "
                             "the reader's to draw")
            for name in dict.fromkeys(_FIGURE.findall(block.text)):
                stem, suffix = name.rsplit(".", 1)
                versions = sorted(p.name for p in (folder / "figures").glob(
                    f"{Path(stem).name}.*.{suffix}"))
                if versions:
                    notes.append(f"{monograph.path}:{block.line}: {', '.join(versions)} (drawn "
                                 f"for one variant) is not carried; the Bundle holds {name}")
    return tuple(notes)


def _section_refs(shown: set[str], vocab: dict[str, Any],
                  figures: Path | None = None) -> LinkContext:
    return LinkContext(sections={sid: SectionRef(None, vocab[sid]["title"])
                                 for sid in shown if sid in vocab}, figures=figures)


_BOX_LABELS = {"warning": "Warning", "emergency": "What to do now", "tip": "Tip"}


def _xhtml(markdown: str, links: LinkContext, binaries: dict[str, str] | None = None,
           blocks: list[tuple[str | None, str]] | None = None) -> str:
    """The Markdown as the XHTML a FHIR narrative allows: a figure is an <img> that refers to
    its Binary resource in the Bundle, with its alt text, and its caption below it."""
    fragment = "".join(
        str(to_html(text, links)) if box is None else
        f'<div class="{box}"><p><strong>{_BOX_LABELS[box]}</strong></p>'
        f'{to_html(text, links)}</div>'
        for box, text in (blocks if blocks is not None else [(None, markdown)]))
    root = lxml_html.fragment_fromstring(fragment or "<p></p>", create_parent="div")
    figures = re.findall(r"!\[[^\]]*\]\((figures/[A-Za-z0-9._-]+)", markdown)
    for index, figure in enumerate(root.xpath("//figure")):
        img = figure.find(".//img")
        caption = figure.find(".//figcaption")
        name = figures[index] if index < len(figures) else None
        block = etree.Element("div")
        block.set("class", "figure")
        if name and binaries and name in binaries:
            image = etree.SubElement(block, "img")
            image.set("src", f"urn:uuid:{binaries[name]}")
            image.set("alt", (img.get("alt") if img is not None else "") or "")
        else:
            alt = etree.SubElement(block, "p")
            alt.text = (img.get("alt") if img is not None else "") or ""
        if caption is not None and (caption.text or "").strip():
            text = etree.SubElement(block, "p")
            text.set("class", "caption")
            text.text = caption.text
        figure.getparent().replace(figure, block)
    for body in root.xpath("//dd"):  # the leaflet's list-item wrapper: not XHTML in an li
        body.drop_tag()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            if name not in ("href", "class", "scope", "colspan", "rowspan", "alt") and not (
                    element.tag == "img" and name == "src"
                    and element.get("src", "").startswith("urn:uuid:")):
                del element.attrib[name]
        if element.tag == "a" and not element.get("href", "").startswith("http"):
            # a reference to another section: its heading is in the text; no link to follow
            element.tag = "span"
            element.attrib.pop("href", None)
    root.set("xmlns", XHTML)
    text = etree.tostring(root, encoding="unicode", method="xml")
    return text.replace("\u2060", "")  # the word joiners that keep units on a printed line


# --- import -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Imported:
    """A draft monograph from ePI Bundles, and the figure files its text shows."""

    slug: str
    text: str
    figures: tuple[tuple[str, bytes], ...] = ()  # ("figures/x.svg", its bytes)


def import_bundles(paths: list[Path]) -> Imported:
    """A draft monograph from the ePI Bundles of one medicine (one per audience)."""
    front: dict[str, Any] | None = None
    figures: dict[str, bytes] = {}
    texts: dict[str, dict[str, str]] = {}
    slug = None
    for path in paths:
        data = _read_json(path)
        spoofed = _spoofing(path, data)
        if spoofed:
            raise ContentError(spoofed)
        model = validate_bundle(data, path)
        entries: list[Any] = list(model.entry or ())
        composition: Any = entries[0].resource
        product = next((e.resource for e in entries[1:]
                        if e.resource.get_resource_type() == "MedicinalProductDefinition"), None)
        found = _front_from(composition, product, path)
        if front is None:
            front = found
        elif found.get("name") != front.get("name"):
            raise ContentError([Problem(path, 1, f"this Bundle is about '{found.get('name')}', "
                                        f"the first one about '{front.get('name')}': import "
                                        "each medicine's Bundles on their own")])
        audience = _audience(composition)
        for section in composition.section or ():
            section_id, markdown = _section_from(section, path)
            known = texts.setdefault(section_id, {})
            known[audience] = (known[audience] + "\n\n" + markdown) if audience in known \
                else markdown
        binary_data = {e.fullUrl: e.resource.data for e in entries[1:]
                       if e.resource.get_resource_type() == "Binary" and e.resource.data}
        for entry in entries[1:]:
            if entry.resource.get_resource_type() != "DocumentReference":
                continue
            for content in entry.resource.content or ():
                attachment = content.attachment
                data = attachment.data or binary_data.get(attachment.url)
                if attachment.title and data and \
                        re.fullmatch(r"figures/[A-Za-z0-9][A-Za-z0-9._-]*", attachment.title):
                    figures[attachment.title] = data if isinstance(data, bytes) else \
                        base64.b64decode(data)
        slug = slug or re.sub(r"[^a-z0-9]+", "-", str(front.get("slug") or front["name"])
                              .lower()).strip("-")
    assert front is not None
    front["status"] = "draft"
    front.pop("reviewer", None)
    front.pop("review_date", None)
    lines = ["---", yaml.safe_dump(front, sort_keys=False, allow_unicode=True,
                                   width=100).rstrip(), "---", ""]
    for section_id in vocabulary():
        if section_id not in texts:
            continue
        lines += [f"## {section_id}", ""]
        for audience in AUDIENCES:
            if audience in texts[section_id]:
                for box, text in _boxes(texts[section_id][audience]):
                    fence = f"::: {audience} {box}" if box else f"::: {audience}"
                    lines += [fence, text, ":::", ""]
    text = "\n".join(lines).rstrip() + "\n"
    size = len(text.encode("utf-8"))
    if size > MAX_MONOGRAPH_BYTES:
        raise ContentError([Problem(paths[0], 1, f"the Bundles hold {kilobytes(size)} of text, "
                                    f"more than the {kilobytes(MAX_MONOGRAPH_BYTES)} a monograph "
                                    "may be (see 'Limits' in README.md); a patient leaflet is "
                                    "far shorter: import a shorter narrative")])
    return Imported(slug or "imported", text, tuple(sorted(figures.items())))


# a box's fence, as the import escapes fence lines ("\\:::"): only a box kind, never an audience
_BOX_FENCE = re.compile(r"^\\?::: (warning|emergency|tip)\n(.*?)\n\\?:::$",
                        re.MULTILINE | re.DOTALL)


def _boxes(markdown: str) -> list[tuple[str | None, str]]:
    """A section's Markdown from a Bundle as blocks: (None, text) or (box kind, text)."""
    found: list[tuple[str | None, str]] = []
    position = 0
    for match in _BOX_FENCE.finditer(markdown):
        before = markdown[position:match.start()].strip()
        if before:
            found.append((None, before))
        found.append((match[1], match[2].strip()))
        position = match.end()
    rest = markdown[position:].strip()
    if rest or not found:
        found.append((None, rest))
    return found


def _extension(element, url: str):
    return next((e for e in element.extension or () if e.url == url), None)


def _audience(composition) -> str:
    codes = {c.code for c in (composition.type.coding or ())} if composition.type else set()
    return next((a for a, (code, _) in DOCUMENT_TYPES.items() if code in codes), "patient")


def _front_from(composition, product, path: Path) -> dict[str, Any]:
    extension = _extension(composition, FRONT_MATTER_EXTENSION)
    if extension is not None and extension.valueString:
        try:
            front = json.loads(extension.valueString)
        except json.JSONDecodeError as exc:
            raise ContentError([Problem(path, 0, "the leafletgen front-matter extension is "
                                        "not JSON")]) from exc
        if isinstance(front, dict):
            return front
    names = [n for n in (product.name if product else ()) or ()]
    name = names[0].productName if names else (composition.title or "Imported medicine")
    generic = next((n.productName for n in names[1:]), name)
    date = composition.date
    date = date.isoformat()[:10] if isinstance(date, dt.date | dt.datetime) else \
        str(date)[:10]
    classification = product.classification if product else None
    dose_form = product.combinedPharmaceuticalDoseForm if product else None
    return {
        "format": 2, "name": name, "generic_name": generic.lower(),
        "drug_class": (classification[0].text if classification and classification[0].text
                       else "Not stated in the ePI"),
        "forms": [f.strip() for f in (dose_form.text if dose_form and dose_form.text
                                      else "Not stated in the ePI").split(";")],
        "status": "draft", "version": "0.1", "last_revised": date,
        "sources": [{"id": "epi", "title": f"{composition.title or name} (FHIR ePI)"}],
    }


def _section_from(section, path: Path) -> tuple[str, str]:
    codes = section.code.coding if section.code else []
    section_id = next((c.code for c in codes or () if c.system == SECTION_SYSTEM), None)
    if section_id is None:
        loinc = {c.code for c in codes or () if c.system == LOINC}
        section_id = next((sid for sid, entry in vocabulary().items()
                           if entry.get("loinc") in loinc), None)
    title = (section.title or "").strip()
    if section_id is None:
        section_id = next((sid for sid, entry in vocabulary().items()
                           if entry["title"].casefold() == title.casefold()), None)
    heading = ""
    if section_id is None:
        # a section the vocabulary has no place for: kept, under its own title
        section_id, heading = "more-information", f"### {_md_escape(title or 'Other')}\n\n"
    extension = _extension(section, MARKDOWN_EXTENSION)
    if extension is not None and extension.valueMarkdown:
        return section_id, heading + _as_data(extension.valueMarkdown)
    div = section.text.div if section.text else "<div/>"
    return section_id, heading + _markdown_from_xhtml(div, path)


def _markdown_from_xhtml(div: str, path: Path) -> str:
    """Paragraphs, lists, bold and tables of a narrative from elsewhere, as Markdown."""
    if _DECLARATION.search(div):
        raise ContentError([Problem(path, 1, "a section's narrative declares a DOCTYPE or "
                                    "entities, which XHTML narrative never needs and which "
                                    "could make the reader fetch files or expand text without "
                                    "end; remove the declaration")])
    try:
        root = etree.fromstring(div.encode(), etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise ContentError([Problem(path, 1, "a section's narrative is not well-formed "
                                    f"XHTML ({exc.msg}); fix the Bundle")]) from None
    blocks: list[str] = []

    def inline(element) -> str:
        out = [_md_escape(element.text or "")]
        for child in element:
            tag = etree.QName(child).localname
            inner = inline(child)
            if tag in ("b", "strong") and inner.strip():
                out.append(f"**{inner.strip()}**")
            elif tag == "br":
                out.append(" ")
            else:
                out.append(inner)
            out.append(_md_escape(child.tail or ""))
        return " ".join("".join(out).split())

    def block(element, prefix: str = "") -> None:
        for child in element:
            tag = etree.QName(child).localname
            if tag in ("ul", "ol"):
                items = []
                for number, item in enumerate(child, start=1):
                    marker = f"{number}. " if tag == "ol" else "- "
                    items.append(marker + inline(item))
                blocks.append("\n".join(items))
            elif tag == "table":
                rows = [[inline(c) for c in tr if etree.QName(c).localname in ("td", "th")]
                        for tr in child.iter(f"{{{XHTML}}}tr")]
                if rows:
                    width = max(len(r) for r in rows)
                    rows = [r + [" "] * (width - len(r)) for r in rows]
                    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
                    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
                    blocks.append("\n".join(lines))
            elif tag == "div":
                block(child)
            elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                blocks.append("### " + inline(child))
            else:
                text = inline(child)
                if text:
                    blocks.append(_start_escape(text))

    try:
        block(root)
    except RecursionError:
        raise ContentError([Problem(path, 1, "a section's narrative nests elements too "
                                    "deeply to read; flatten it")]) from None
    return "\n\n".join(blocks)


MAX_BUNDLE_BYTES = 20 * 1024 * 1024  # figures travel inside, base64-encoded
MAX_JSON_DEPTH = 64  # FHIR Bundles nest about 12 levels
_DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _read_json(path: Path) -> Any:
    """A Bundle's JSON, read only up to its size limit and refused when nested too deeply."""
    try:
        raw = read_limited(path, MAX_BUNDLE_BYTES)
    except TooLarge as exc:
        raise ContentError([Problem(path, 1, f"the file is {megabytes(exc.size)} or more; an "
                                    f"ePI Bundle may be at most {megabytes(MAX_BUNDLE_BYTES)}"
                                    )]) from None
    except OSError as exc:
        raise ContentError([Problem(path, 1, f"cannot read the file: {exc.strerror}")]) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ContentError([Problem(path, 1, "the file is not UTF-8 text; save it with UTF-8 "
                                    "encoding")]) from None
    except json.JSONDecodeError as exc:
        raise ContentError([Problem(path, exc.lineno, f"not JSON: {exc.msg}")]) from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_JSON_DEPTH:
        raise ContentError([Problem(path, 1, f"the JSON nests more than {MAX_JSON_DEPTH} "
                                    "levels deep, which no ePI Bundle does; is this a Bundle?")])
    return data


def _depth(data: Any) -> int:
    """How deeply ``data`` nests (without recursion: it may nest very deeply)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else \
            value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _spoofing(path: Path, data: Any) -> list[Problem]:
    """Text of the Bundle that prints differently from what it says (textcheck), by field."""
    texts: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            texts.append((where, value))
        elif isinstance(value, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in value.items()
                         if k != "data")  # attachments' data is base64, not text
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(value))
    whole = "\n".join(text for _, text in texts)
    found = []
    for where, text in sorted(texts):
        message = textcheck.first_problem(text, whole)
        if message is not None:
            found.append(Problem(path, 1, f"{where}: {message}"))
    return found[:10]


_FENCE_OR_HEADING = re.compile(r"^(\s*)(:::|##(?!#))", re.MULTILINE)


def _as_data(markdown: str) -> str:
    """Markdown from a Bundle, with every line that would open or close a block (``:::``) or
    start a section (``## id``) escaped: it prints as written and never moves text to another
    audience or section."""
    return _FENCE_OR_HEADING.sub(r"\1\\\2", markdown)


def _start_escape(text: str) -> str:
    """Escape what would make a line of a narrative a list, a rule, a block fence or a
    heading: the narrative is data, never markup."""
    text = re.sub(r"^(\s*\d+)([.)])(\s)", r"\1\\\2\3", text, flags=re.MULTILINE)
    text = re.sub(r"^(\s*)([-+=:])", r"\1\\\2", text, flags=re.MULTILINE)
    return text


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#&~])", r"\\\1", text)
