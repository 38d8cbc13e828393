"""Write a draft monograph (format 2) from a ``Label``.

Clinician text comes from the label's coded sections (the Highlights summary where the label
has one), patient text from its Medication Guide or Patient Package Insert, split on their bold
question headings. A section with no source is left out, never invented. Everything that
cannot be imported as written is a ``Note`` of the report.
"""

from __future__ import annotations

import datetime as dt
import errno
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from leafletgen.exchange._internal import missing_characters
from leafletgen.exchange.report import ImportReport, Note, Placement
from leafletgen.exchange.spl import (
    WEB_SCHEMES,
    Block,
    Figure,
    Label,
    LabelSection,
    ListBlock,
    Paragraph,
    Run,
    Table,
    section_words,
    words,
)
from leafletgen.files import link_out_of, read_regular, write_atomic

# LOINC section code -> monograph section id, for the clinician text
CLINICIAN = {
    "34066-1": "most-important",  # boxed warning
    "34067-9": "uses",
    "34068-7": "how-to-take",
    "43678-2": "contents",  # dosage forms and strengths
    "34089-3": "contents",  # description
    "34070-3": "who-should-not-take",
    "43685-7": "before-taking",
    "34071-1": "before-taking",  # warnings (older labels)
    "42232-9": "before-taking",  # precautions (older labels)
    "34084-4": "side-effects",
    "34073-7": "interactions",
    "43684-0": "special-populations",
    "42228-7": "pregnancy",
    "34080-2": "pregnancy",  # nursing mothers
    "77290-5": "pregnancy",  # lactation
    "34077-8": "pregnancy",  # teratogenic effects
    "34088-5": "overdose",
    "43679-0": "how-it-works",
    "34069-5": "storage",  # how supplied / storage and handling
    "44425-7": "storage",
    "34076-0": "counselling",
    "34075-2": "monitoring",  # laboratory tests
    "59845-8": "instructions-for-use",
}
PATIENT_CODES = {"42231-1": "Medication Guide", "42230-3": "Patient Package Insert",
                 "38056-8": "patient information"}
# sections that are not part of a leaflet, and why they are left out
LEFT_OUT = {
    "48780-1": "product data: read into the front matter (names, forms, strengths, codes)",
    "43683-2": "recent major changes: a note for prescribers of the previous label",
    "34090-1": "clinical pharmacology: reference material, not part of a leaflet",
    "43681-6": "pharmacodynamics: reference material, not part of a leaflet",
    "43682-4": "pharmacokinetics: reference material, not part of a leaflet",
    "43680-8": "nonclinical toxicology: reference material, not part of a leaflet",
    "34083-6": "carcinogenesis and fertility studies: reference material",
    "34092-7": "clinical studies: reference material, not part of a leaflet",
    "34093-5": "references: reference material, not part of a leaflet",
    "51945-4": "package label (carton text): not part of a leaflet",
}
# older labels code every section "unclassified" and only their titles say what they are
TITLE_TARGETS = [
    (r"boxed warning", "most-important"), (r"indications", "uses"),
    (r"dosage and administration|dosage & administration|directions", "how-to-take"),
    (r"contraindications", "who-should-not-take"), (r"warnings|precautions", "before-taking"),
    (r"adverse reactions|side effects", "side-effects"), (r"interactions", "interactions"),
    (r"overdos", "overdose"), (r"description|how supplied|active ingredient|inactive ingredient",
                              "contents"),
    (r"storage|other information", "storage"), (r"purpose|^uses$", "uses"),
    (r"do not use|ask a doctor before use", "who-should-not-take"),
    (r"stop use", "stopping"), (r"pregnan|breast", "pregnancy"),
    (r"keep out of reach|when using this product", "before-taking"),
    (r"questions", "more-information"), (r"clinical pharmacology|clinical studies",
                                         None),
]
# OTC "Drug Facts" labels speak to the patient: their sections are patient text
OTC_DOCUMENT = "34390-5"
OTC_PATIENT = {
    "55106-9": "contents",  # active ingredient
    "55105-1": "uses",  # purpose
    "34067-9": "uses",
    "34071-1": "before-taking",  # warnings
    "50570-1": "who-should-not-take",  # do not use
    "50569-3": "before-taking",  # ask a doctor before use
    "50567-7": "before-taking",  # when using this product
    "50566-9": "stopping",  # stop use and ask a doctor
    "53414-9": "pregnancy",  # pregnancy or breast-feeding
    "50565-1": "before-taking",  # keep out of reach of children
    "34068-7": "how-to-take",  # directions
    "60561-8": "storage",  # other information
    "51727-6": "contents",  # inactive ingredients
    "53413-1": "more-information",  # questions
    "44425-7": "storage",
}
# Medication Guide / patient insert headings -> monograph section ids
PATIENT_HEADINGS = [
    ("most-important", r"most important information"),
    ("who-should-not-take", r"who should not|do not (take|use)|should not (take|use)"),
    ("before-taking", r"before (i |you )?(take|taking|start|starting|use|using|receiv)|"
                      r"tell my (doctor|healthcare)"),
    ("instructions-for-use", r"^instructions for use"),
    ("how-to-take", r"how (should|do) i (take|use)|how to (take|use)"),
    ("interactions", r"what should i avoid"),
    ("side-effects", r"side effects"),
    ("storage", r"how (should|do) i store|^storage|how to store"),
    ("contents", r"ingredients|what is in "),
    ("more-information", r"general information"),
    ("overdose", r"too much|overdose"),
    ("missed-dose", r"miss(ed)? (a )?dose|forget"),
    ("uses", r"^what is (?!the most)"),
]
SUPERSCRIPT = str.maketrans("0123456789+-()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿ")
SUBSCRIPT = str.maketrans("0123456789+-()", "₀₁₂₃₄₅₆₇₈₉₊₋₍₎")
MAX_DEPTH = 3  # list nesting the monograph format allows
_ESCAPE = re.compile(r"([\\`*_\[\]<>|#&~])")
_NUMBER_TITLE = re.compile(r"^\s*\d+(\.\d+)*\s+")


@dataclass(frozen=True)
class Draft:
    """A monograph written from a label, with the report of how."""

    slug: str
    text: str
    report: ImportReport
    sections: dict[tuple[str, str], str]  # (section id, audience) -> Markdown text
    figures: tuple[tuple[Path, str], ...] = ()  # image files to copy: (source, figures/name)


@dataclass
class _Writer:
    """What the Markdown writer needs to know while it writes one label."""

    label: Label
    slug: str
    targets: dict[str, tuple[str, str]] = field(default_factory=dict)  # XML ID -> (sec, aud)
    shown: set[tuple[str, str]] = field(default_factory=set)
    notes: list[Note] = field(default_factory=list)
    figures: list[tuple[Path, str]] = field(default_factory=list)
    audience: str = "clinician"
    notes_seen: int = 0


def draft(label: Label, slug: str | None = None, highlights_only: bool = False) -> Draft:
    """The draft monograph of ``label`` and its import report (written nowhere yet).

    Clinician sections hold the label's Highlights summary, then the full text of the
    section; ``highlights_only`` keeps only the summary where the label has one.
    """
    name = _name(label)
    slug = slug or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "imported"
    writer = _Writer(label, slug)
    placements: list[Placement] = []
    parts: dict[tuple[str, str], list[tuple[LabelSection, tuple[Block, ...], bool]]] = {}
    patient_source = [s for s in label.sections if s.code in PATIENT_CODES]
    otc = label.document_code == OTC_DOCUMENT

    def place(section: LabelSection, inherited: str | None, depth: int, covered: bool) -> None:
        code = section.code or ""
        title = section.title or section.display.title()
        words_here = len(words(section.blocks))
        target = _target(section, inherited, otc)
        if code in PATIENT_CODES:
            outcome = f"patient text ({PATIENT_CODES[code]}), split on its headings below"
            placements.append(Placement(code, title, section.line, section_words(section),
                                        outcome, depth))
            for inner in list(section.walk())[1:]:
                placements.append(Placement(inner.code, inner.title or inner.display.title(),
                                            inner.line, len(words(inner.blocks)),
                                            "part of the patient text above", depth + 1))
            return
        # Drug Facts speak to the person who buys the medicine: text for both leaflets
        audience = "both" if otc else "clinician"
        if target is not None and section.xml_id:
            # a cross-reference to it leads to where its text (or its summary) went
            writer.targets.setdefault(section.xml_id, (target, audience))
        if covered:
            outcome = "covered by the Highlights summary above (full text left out)"
        elif target is None:
            outcome = "left out: " + LEFT_OUT.get(code, "no leaflet section matches its code "
                                                  "or title; copy what applies by hand")
        elif section.highlights and not otc and code != "34066-1":
            summary = _without_heading(section, writer)
            parts.setdefault((target, audience), []).append((section, summary, False))
            if highlights_only:
                outcome = (f"{audience} text of '{target}': the Highlights summary "
                           f"({len(words(section.highlights))} words; the full text of this "
                           "section and its subsections is left out)")
            else:
                outcome = (f"{audience} text of '{target}': the Highlights summary "
                           f"({len(words(section.highlights))} words), then the full text")
                parts[(target, audience)].append((section, section.blocks, False))
        else:
            outcome = f"{audience} text of '{target}'"
            parts.setdefault((target, audience), []).append((section, section.blocks,
                                                             depth > 0 and target == inherited))
            writer.targets.setdefault(section.xml_id or "", (target, audience))
        if not words_here and not section.children and not covered:
            outcome += " (no text)"
        placements.append(Placement(code or None, title, section.line, words_here, outcome,
                                    depth))
        covered_below = covered or bool(highlights_only and section.highlights and not otc
                                        and code != "34066-1")
        for child in section.children:
            place(child, target, depth + 1, covered_below)

    for section in label.sections:
        place(section, None, 0, False)

    patient_words = 0
    for source in patient_source:
        blocks = patient_blocks(source)
        patient_words += len(words(blocks))
        for (target, heading_line), chunk in _split_patient(blocks, writer):
            parts.setdefault((target, "patient"), []).append((source, chunk, False))
            placements.append(Placement(None, heading_line or "(text before the first "
                                        "heading)", chunk[0].line, len(words(chunk)),
                                        f"patient text of '{target}'", 1))
    writer.shown = {key for key, chunks in parts.items() if any(c[1] for c in chunks)}

    texts: dict[tuple[str, str], str] = {}
    for key, chunks in parts.items():
        writer.audience = key[1]
        body = []
        for section, blocks, subheading in chunks:
            if subheading and section.title:
                body.append("### " + _escape(_NUMBER_TITLE.sub("", section.title)))
            body += [_block(b, writer, 0) for b in blocks]
        text = "\n\n".join(b for b in body if b.strip())
        if text.strip():
            texts[key] = _characters(text, writer, section.line)

    order = _vocabulary_order()
    lines = ["---", _front_matter(label, name, slug).rstrip(), "---", ""]
    written: dict[tuple[str, str], str] = {}
    for section_id in order:
        present = [(aud, texts[(section_id, aud)]) for aud in ("patient", "clinician", "both")
                   if (section_id, aud) in texts]
        if not present:
            continue
        lines += [f"## {section_id}", ""]
        for audience, text in present:
            lines += [f"::: {audience}", text, ":::", ""]
            for reader in (("patient", "clinician") if audience == "both" else (audience,)):
                written[(section_id, reader)] = text
    to_write = tuple(f"{sid} ({aud})" for sid in ("uses", "how-to-take", "side-effects")
                     for aud in ("patient", "clinician")
                     if (sid, aud) not in written and (sid, "both") not in written)
    boxed = next((s for s in label.sections if s.code == "34066-1"), None)
    if boxed is not None and not any(s.highlights for s in label.walk()):
        writer.notes.append(Note(boxed.line, "this older label's boxed warning went to the "
                                 "clinician 'most-important' box; older labels also used the "
                                 "box for dosing notes: move those to 'how-to-take'"))
    if not patient_source and not otc:
        writer.notes.append(Note(1, "the label has no Medication Guide or Patient Package "
                                 "Insert: every patient section is still to be written"))
    report = ImportReport(
        source=str(label.path), monograph=f"{slug}.md", placements=tuple(placements),
        notes=tuple(writer.notes), to_write=to_write, patient_words=patient_words)
    return Draft(slug, "\n".join(lines).rstrip() + "\n", report, written,
                 tuple(writer.figures))


def _without_heading(section: LabelSection, writer: _Writer) -> tuple[Block, ...]:
    """The Highlights summary without its first line when that only repeats the title."""
    blocks = section.highlights
    first = _heading(blocks[0]) if blocks else None
    title = _NUMBER_TITLE.sub("", section.title or section.display)
    if first and re.sub(r"\W+", "", first.lower()) == re.sub(r"\W+", "", title.lower()):
        writer.notes.append(Note(blocks[0].line, f"heading '{first}' of the Highlights left "
                                 "out (the leaflet prints its own heading)"))
        return blocks[1:]
    return blocks


def _target(section: LabelSection, inherited: str | None, otc: bool) -> str | None:
    code = section.code or ""
    if otc and code in OTC_PATIENT:
        return OTC_PATIENT[code]
    if code in LEFT_OUT:
        return None
    if code in CLINICIAN and (inherited is None or inherited == "special-populations"
                              or code in ("43679-0", "44425-7")):
        return CLINICIAN[code]
    if inherited is not None:
        return inherited
    if code in CLINICIAN:
        return CLINICIAN[code]
    title = _NUMBER_TITLE.sub("", section.title).lower()
    for pattern, target in TITLE_TARGETS:
        if title and re.search(pattern, title):
            return target
    return None


def _name(label: Label) -> str:
    names = [p.name for p in label.products if p.name]
    name = names[0] if names else ""
    if not name:
        # older labels: the name in the title, or the title of the first section
        titles = [label.title] + [s.title for s in label.sections if s.title]
        text = re.sub(r"^.*?See full prescribing information for [^.]+\.\s*", "", titles[0]) \
            if titles[0] else next((t for t in titles[1:]), "")
        found = re.match(r"[A-Za-z][A-Za-z0-9-]+", text)
        name = found[0] if found else "Imported medicine"
    return name.title() if name.isupper() or name.islower() else name


def _generic(label: Label) -> str:
    names = [p.generic_name for p in label.products if p.generic_name]
    return names[0].lower() if names else _name(label).lower()


def _drug_class(label: Label) -> str | None:
    for section in label.walk():
        if section.code != "34067-9":
            continue
        text = " ".join(words(section.highlights or section.blocks))
        found = re.search(r"\bis an? ((?:[\w()/,-]+ ){0,8}?[\w()/-]+) indicated", text)
        if found:
            return found[1][0].upper() + found[1][1:]
    return None


def _forms(label: Label) -> list[str]:
    forms = []
    for product in label.products:
        form = product.form.capitalize() or "Form not stated"
        for strength in product.strengths or ("strength not stated",):
            forms.append(f"{form}, {strength}")
    return list(dict.fromkeys(forms)) or ["Not stated in the label"]


def _front_matter(label: Label, name: str, slug: str) -> str:
    effective = label.effective.isoformat() if label.effective else None
    version = label.version or "1"
    source_title = (f"{name} ({_generic(label)}), {label.document_type.lower() or 'label'}, "
                    f"SPL version {version}" + (f" of {effective}" if effective else ""))
    source: dict = {"id": "spl-" + slug, "title": source_title,
                    "publisher": "US FDA label" + (f" ({label.organization})"
                                                   if label.organization else "")}
    if label.set_id and re.fullmatch(r"[0-9a-fA-F-]{36}", label.set_id):
        source["url"] = f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={label.set_id}"
    front: dict = {
        "format": 2,
        "name": name,
        "generic_name": _generic(label),
        "drug_class": _drug_class(label) or "Not stated in the label",
        "forms": _forms(label),
        "status": "draft",
        "version": "0.1",
        # the label's date; a label without one is revised as of its import
        "last_revised": effective or dt.date.today().isoformat(),
        "sources": [source],
    }
    meta: dict = {"type": label.document_type or label.document_code}
    if label.set_id:
        meta["set_id"] = label.set_id
    if label.version:
        meta["version"] = label.version
    if effective:
        meta["effective_date"] = effective
    front["label"] = meta
    codes: dict[str, list[str]] = {}
    for product in label.products:
        for code in product.codes:
            if code.system != "ncit":
                codes.setdefault(code.system, [])
                if code.code not in codes[code.system]:
                    codes[code.system].append(code.code)
    if codes:
        front["codes"] = codes
    return yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)


def _vocabulary_order() -> list[str]:
    from leafletgen.exchange._internal import vocabulary

    return list(vocabulary())


# --- the patient text ----------------------------------------------------------------------

def patient_blocks(section: LabelSection) -> tuple[Block, ...]:
    """The blocks of a Medication Guide or patient insert, its subsections' titles as bold
    lines among them."""
    blocks: list[Block] = list(section.blocks)
    for child in section.children:
        if child.title:
            blocks.append(Paragraph((Run(child.title, frozenset({"bold"})),), child.line))
        blocks += patient_blocks(child)
    return tuple(blocks)


def _heading(block: Block) -> str | None:
    """The text of a paragraph that is all bold and short: a heading of a patient leaflet."""
    if not isinstance(block, Paragraph):
        return None
    texts = [r for r in block.runs if r.kind == "text" and r.text.strip()]
    if not texts or not all("bold" in r.styles for r in texts):
        return None
    text = " ".join(" ".join(r.text for r in block.runs if r.kind == "text").split())
    return text if len(text.split()) <= 16 else None


def _split_patient(blocks: tuple[Block, ...], writer: _Writer):
    """(section id, heading) and the blocks under it; the text before the first heading is
    'more-information', the title lines above it are left out (the leaflet prints the name).

    Question headings ("How should I store X?") are matched first; a heading that is not a
    question ("Before You Start X") only names a section no question heading named.
    """
    starts: dict[int, str] = {}
    headings = {i: _heading(b) for i, b in enumerate(blocks)}
    for questions in (True, False):
        used = set(starts.values())
        ifu = min((i for i, sid in starts.items() if sid == "instructions-for-use"),
                  default=len(blocks))
        for index, heading in headings.items():
            if not heading or index in starts or heading.lower().startswith("see ") or \
                    index > ifu or heading.rstrip().endswith("?") != questions:
                continue
            lowered = heading.lower()
            target = next((sid for sid, pattern in PATIENT_HEADINGS
                           if re.search(pattern, lowered) and sid not in used), None)
            if target:
                starts[index] = target
                used.add(target)
                if target == "instructions-for-use":
                    ifu = index
    # a section starts once: a later heading of the same section stays in the text
    first: dict[str, int] = {}
    for index in sorted(starts):
        first.setdefault(starts[index], index)
    starts = {index: sid for sid, index in first.items()}
    current, heading_text = "more-information", ""
    chunk: list[Block] = []
    started = False
    out: list[tuple[tuple[str, str], tuple[Block, ...]]] = []
    for index, block in enumerate(blocks):
        if index in starts:
            if chunk:
                out.append(((current, heading_text), tuple(chunk)))
            current, heading_text, chunk, started = starts[index], headings[index] or "", [], \
                True
            continue
        if not started and headings[index]:
            writer.notes.append(Note(block.line, f"title line '{headings[index]}' of the "
                                     "patient text left out (the leaflet prints its own title)"))
            continue
        chunk.append(block)
    if chunk:
        out.append(((current, heading_text), tuple(chunk)))
    return out


# --- Markdown --------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


def _start_escape(text: str) -> str:
    """Escape what would make a line of a paragraph (the first, or one after a line break) a
    list, quote, caption, rule, heading or block fence: label text is data, never markup that
    opens or closes a block."""
    text = re.sub(r"^(\s*\d+)([.)])(\s)", r"\1\\\2\3", text, flags=re.MULTILINE)
    text = re.sub(r"^(\s*)([-+=])(\s|$|\2)", r"\1\\\2\3", text, flags=re.MULTILINE)
    text = re.sub(r"^(\s*)(Table):", r"\1\2\\:", text, flags=re.MULTILINE)
    return re.sub(r"^(\s*):::", r"\1\\:::", text, flags=re.MULTILINE)


def _inline(runs: tuple[Run, ...], writer: _Writer, cell: bool = False,
            notes: dict[str, str] | None = None) -> str:
    """Runs as Markdown: bold (and underline) as **bold**, italics as plain text, a
    cross-reference as a link to the section its target went to, sub/superscript digits as
    Unicode sub/superscripts."""
    pieces: list[tuple[str, bool, str | None, bool]] = []  # (text, bold, link, is Markdown)
    for run in runs:
        if run.kind == "break":
            pieces.append(("<br>" if cell else "\\\n", False, None, True))
            continue
        if run.kind == "note":
            mark = (notes or {}).get(run.text)
            if mark:
                pieces.append((f"[^{mark}]", False, None, True))
            continue
        text = run.text
        if "sup" in run.styles:
            if text.strip() in ("®", "™", "*", "†", "‡", "§", "©"):
                text = text.strip()
            elif re.fullmatch(r"[0-9+\-()n]+", text.strip()):
                text = text.strip().translate(SUPERSCRIPT)
            else:
                text = f" ({text.strip()})" if text.strip() else ""
        elif "sub" in run.styles:
            if re.fullmatch(r"[0-9+\-()]+", text.strip()):
                text = text.strip().translate(SUBSCRIPT)
            elif text.strip() in ("®", "™"):
                text = text.strip()
        bold = bool(run.styles & {"bold", "underline"})
        target = writer.targets.get(run.href or "") if run.href else None
        link = None
        if target and target in writer.shown and target[1] == writer.audience:
            link = "#" + target[0]
        elif run.href and run.href.startswith(WEB_SCHEMES) and \
                re.fullmatch(r"[^\s()<>\\]+", run.href):
            link = run.href
        pieces.append((text, bold, link, False))
    out: list[str] = []
    i = 0
    while i < len(pieces):
        text, bold, link, markdown = pieces[i]
        j = i + 1
        while not markdown and j < len(pieces) and pieces[j][1:] == (bold, link, False):
            text += pieces[j][0]
            j += 1
        if markdown:
            out.append(text)
        elif link and not link.startswith("#"):
            out.append(f"[{_escape(text.strip())}]({link})")
        elif link:
            plain = text.strip()
            if re.fullmatch(r"[\d.,\s-]+", plain):
                out.append(f"[]({link})")  # prints the section's heading
            else:
                out.append(f"[{_escape(plain)}]({link})")
        elif bold:
            out.append(_bold(text, "".join(out)[-1:],
                             pieces[j][0][:1] if j < len(pieces) else ""))
        else:
            out.append(_escape(text))
        i = j
    return "".join(out).strip()


def _bold(text: str, before: str, after: str) -> str:
    """``text`` in **stars**. Spaces go outside them; so does punctuation at an edge where a
    letter or digit touches the stars from outside (CommonMark would not see them as bold)."""
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    core = text.strip()
    if lead:
        before = " "
    if trail:
        after = " "
    if before.isalnum():
        found = re.match(r"\W+", core)
        if found:
            lead, core = lead + found[0], core[found.end():]
    if after.isalnum():
        found = re.search(r"\W+$", core)
        if found:
            trail, core = found[0] + trail, core[: found.start()]
    if not re.search(r"\w", core):
        return _escape(text)
    return f"{_escape(lead)}**{_escape(core)}**{_escape(trail)}"


def _indent(text: str, prefix: str) -> str:
    return "\n".join((prefix + line) if line.strip() else "" for line in text.split("\n"))


def _block(block: Block, writer: _Writer, depth: int) -> str:
    if isinstance(block, Paragraph):
        return _start_escape(_inline(block.runs, writer))
    if isinstance(block, ListBlock):
        return _list(block, writer, depth)
    if isinstance(block, Table):
        return _table(block, writer)
    if isinstance(block, Figure):
        return _figure(block, writer)
    return ""


_LETTER_STYLES = {"littlealpha": "abcdefghijklmnopqrstuvwxyz",
                  "bigalpha": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                  "littleroman": None, "bigroman": None}


def _roman(n: int) -> str:
    values = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, letters in values:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _list(block: ListBlock, writer: _Writer, depth: int) -> str:
    if depth >= MAX_DEPTH:
        # deeper than the format allows: the items become lines of one paragraph
        writer.notes.append(Note(block.line, "a list nested more than 3 levels deep is "
                                 "printed as lines of one paragraph"))
        lines = []
        for item in block.items:
            text = " ".join(_block(b, writer, depth).replace("\n", " ") for b in item)
            lines.append("– " + text)
        return "\\\n".join(lines)
    style = (block.style or "").lower()
    out = []
    for number, item in enumerate(block.items, start=1):
        if block.ordered and style in _LETTER_STYLES:
            letters = _LETTER_STYLES[style]
            label = letters[(number - 1) % 26] if letters else _roman(number)
            if style.startswith("big"):
                label = label.upper()
            marker, lead = "- ", f"{label}) "
        elif block.ordered:
            marker, lead = f"{number}. ", ""
        else:
            marker, lead = "- ", ""
        parts = [_block(b, writer, depth + 1) for b in item]
        parts = [p for p in parts if p.strip()]
        if not parts:
            continue
        first, rest = parts[0], parts[1:]
        pad = " " * len(marker)
        text = marker + lead + _indent(first, pad)[len(pad):]
        for part in rest:
            text += "\n\n" + _indent(part, pad)
        out.append(text)
    loose = any(len([b for b in item if not isinstance(b, Paragraph)]) or len(item) > 1
                for item in block.items)
    return ("\n\n" if loose else "\n").join(out)


def _table(block: Table, writer: _Writer) -> str:
    grid, marks = _grid(block, writer)
    if not grid or not any(any(c.strip() for c in row[1]) for row in grid):
        return ""
    width = max(len(cells) for _, cells in grid)
    texts = [cells + [""] * (width - len(cells)) for _, cells in grid]
    # a layout table of bullet points (no header, every cell a bullet): a list
    body_cells = [c for row in texts for c in row if c.strip()]
    if all(not header for header, _ in grid) and body_cells and all(
            c.lstrip().startswith(("•", "\\-", "·")) for c in body_cells):
        columns = [[row[j] for row in texts if row[j].strip()] for j in range(width)]
        items = [c.lstrip().lstrip("•·").lstrip("\\-").strip() for col in columns for c in col]
        return "\n".join(f"- {item.replace('<br>', ' ')}" for item in items)
    # rows at the foot that are one cell across the whole table are notes on it: they print
    # below the table, as the label shows them
    below: list[str] = []
    while len(texts) > 2 and len(block.rows) == len(texts) and \
            len(block.rows[len(texts) - 1].cells) == 1 and \
            block.rows[len(texts) - 1].cells[0].colspan >= width > 1:
        below.insert(0, texts.pop()[0].replace("<br>", "\\\n"))
        grid.pop()
    lead = _header_rows(grid, texts)
    header = ["<br>".join(dict.fromkeys(texts[r][j] for r in range(lead) if texts[r][j].strip()))
              for j in range(width)]
    header = [h or " " for h in header]
    if not any(h.strip() for h in header):
        header = [f"Column {j + 1}" for j in range(width)]
        writer.notes.append(Note(block.line, "a table without header cells was given "
                                 "'Column N' headers; write real ones"))
    lines = []
    caption = _inline(block.caption, writer)
    if caption:
        lines.append("Table: " + caption.replace("\\\n", " "))
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * width)
    for row in texts[lead:]:
        lines.append("| " + " | ".join(c or " " for c in row) + " |")
    out = "\n".join(lines)
    notes = _table_notes(block, writer, marks)
    if notes:
        out += "\n\n" + "\n".join(f"[^{mark}]: {text}" for mark, text in notes)
    for text in below:
        out += "\n\n" + _start_escape(text)
    if len(texts) - lead > 200 or width > 20:
        writer.notes.append(Note(block.line, "a table larger than a leaflet allows (200 rows, "
                                 "20 columns): split it before the monograph is checked"))
    return out


def _header_rows(grid: list[tuple[bool, list[str]]], texts: list[list[str]]) -> int:
    """How many rows at the top make the header row: the rows marked as headers; else the
    rows above the body whose first cell (the corner) is empty, with the row that names the
    first column below them; else the first row."""
    lead = 0
    while lead < len(grid) - 1 and grid[lead][0]:
        lead += 1
    if lead:
        return lead
    while lead < len(texts) - 1 and not texts[lead][0].strip():
        lead += 1
    if lead == 0:
        return 1
    below = texts[lead]
    if lead < len(texts) - 1 and below[0].strip() and not below[0].startswith("**") and \
            not any(c.strip() for c in below[1:]):
        lead += 1
    return lead


def _note_marks(block: Table, writer: _Writer) -> dict[str, str]:
    marks = {}
    for note in block.footnotes:
        writer.notes_seen += 1
        marks[note.mark] = f"n{writer.notes_seen}"
    return marks


def _grid(block: Table, writer: _Writer) -> tuple[list[tuple[bool, list[str]]], dict[str, str]]:
    """The table as rows of cell texts with merged cells spread over the cells they cover:
    a spanned cell's text in the first of them, the others empty."""
    marks = _note_marks(block, writer)
    pending: dict[int, int] = {}  # column -> rows still covered by a cell above
    grid = []
    for row in block.rows:
        cells: list[str] = []
        col = 0
        for cell in row.cells:
            while pending.get(col, 0) > 0:
                pending[col] -= 1
                cells.append("")
                col += 1
            text = _cell_text(cell.blocks, writer, marks)
            cells.append(text)
            for _ in range(cell.colspan - 1):
                cells.append(text if row.header else "")
            for k in range(cell.colspan):
                if cell.rowspan > 1:
                    pending[col + k] = cell.rowspan - 1
            col += cell.colspan
        while pending.get(col, 0) > 0:
            pending[col] -= 1
            cells.append("")
            col += 1
        grid.append((row.header, cells))
    return grid, marks


def _cell_text(blocks: tuple[Block, ...], writer: _Writer, marks: dict[str, str]) -> str:
    parts = []
    for block in blocks:
        if isinstance(block, Paragraph):
            parts.append(_inline(block.runs, writer, cell=True, notes=marks))
        elif isinstance(block, ListBlock):
            for item in block.items:
                parts.append("• " + " ".join(_cell_text(item, writer, marks).split("<br>")))
        elif isinstance(block, Table):
            writer.notes.append(Note(block.line, "a table inside a table cell is printed as "
                                     "its cells' text, separated by line breaks"))
            for row in block.rows:
                parts.append(" ".join(_cell_text(c.blocks, writer, marks) for c in row.cells))
        elif isinstance(block, Figure):
            parts.append(_escape(block.alt or "(image)"))
            writer.notes.append(Note(block.line, f"image '{block.src}' inside a table cell "
                                     "is printed as its alt text"))
    return "<br>".join(p for p in parts if p).replace("\n", " ").replace("|", "\\|").replace(
        "\\\\|", "\\|")


def _table_notes(block: Table, writer: _Writer,
                 marks: dict[str, str]) -> list[tuple[str, str]]:
    return [(marks[note.mark], _inline(note.runs, writer).replace("\\\n", " "))
            for note in block.footnotes if note.mark in marks]


def _figure(block: Figure, writer: _Writer) -> str:
    source = (writer.label.path.parent / block.src) if block.src else None
    alt = block.alt.strip()
    why = None
    if source is not None and "/" not in block.src and source.is_symlink():
        # an unpacked archive can carry a link to any file on the machine: never followed
        why = ("it is a symbolic link, which is never followed out of the label's folder; "
               "put the image file itself next to the label")
    elif (source is not None and source.suffix.lower() in (".png", ".jpg", ".jpeg", ".svg")
            and source.is_file() and alt and "/" not in block.src):
        name = f"{writer.slug}-{re.sub(r'[^A-Za-z0-9._-]+', '-', block.src)}"
        writer.figures.append((source, name))
        return f"![{_escape(alt)}](figures/{name})"
    if why is None:
        why = ("its file is not next to the label" if source is not None and
               not source.is_file() else "it has no alt text" if not alt
               else "it is not an SVG, PNG or JPEG file")
    writer.notes.append(Note(block.line, f"image '{block.src}' ({alt or 'no alt text'}) left "
                             f"out: {why}; add it to figures/ with '![alt](figures/…)'"))
    return ""


def _characters(text: str, writer: _Writer, line: int) -> str:
    missing = missing_characters(text)
    for char in missing:
        writer.notes.append(Note(line, f"character U+{ord(char):04X} is not in the leaflet "
                                 f"fonts; printed as [U+{ord(char):04X}]: write it in words"))
        text = text.replace(char, f"[U+{ord(char):04X}]")
    return text


MAX_FIGURE_BYTES = 20 * 1024 * 1024  # an image the label shows; DailyMed's are far smaller


def write_figures(draft_: Draft, folder: Path) -> None:
    """Copy the images the draft shows into ``folder``/figures: never through a symbolic link,
    neither the image's nor one in ``folder``. OSError says why one cannot be copied."""
    if not draft_.figures:
        return
    figures = folder / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    for source, name in draft_.figures:
        target = figures / name
        why = link_out_of(target, folder)
        if why is not None:
            raise OSError(errno.ELOOP, why)
        write_atomic(target, read_regular(source, MAX_FIGURE_BYTES))


def monograph_texts(path: Path) -> dict[tuple[str, str], str]:
    """The text of an existing monograph by (section id, audience), as the draft keys it."""
    from leafletgen.exchange._internal import parse_file

    parsed, _ = parse_file(path)
    texts: dict[tuple[str, str], list[str]] = {}
    for section in parsed.sections if parsed else ():
        for block in section.blocks:
            audiences = ("patient", "clinician") if block.audience == "both" else \
                (block.audience,)
            for audience in audiences:
                texts.setdefault((section.id, audience), []).append(block.text.strip())
    return {key: "\n\n".join(parts) for key, parts in texts.items()}
