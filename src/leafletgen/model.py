"""The typed values that pass between stages: what a monograph, a variant, a patient and a
build are once read and checked.

Every value is a frozen dataclass: a stage gets these from the one below and never changes
them. Readers (``leafletgen.source``) make them; checks, rendering and the catalogue use them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from leafletgen.errors import Problem, UsageError, errors_in

DEFAULT_SOURCES: tuple[Path, ...] = (Path("leaflets"),)
DEFAULT_OUT: Path = Path("out")
DEFAULT_STYLES: Path = Path("styles")
PAPERS = ("A4", "letter")
# "summary": patient text a counselling summary prints instead of the section's (variants
# with summary: true)
AUDIENCES = ("patient", "clinician", "both", "summary")
# the kinds of framed box a block of text may be printed in (``::: warning``), besides a
# variant's boxed section (most important information)
BOX_KINDS = ("warning", "emergency", "tip")
# an approval older than this is "review overdue" (leafletgen check --review-max-age)
REVIEW_MAX_AGE_MONTHS = 24


# -- monographs -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """A run of Markdown text for one audience (``patient``, ``clinician`` or ``both``)."""

    audience: str
    text: str
    line: int  # line of the block's first text line in the file
    box: str | None = None  # one of BOX_KINDS: the block prints framed, as that kind of box

    def is_for(self, audience: str) -> bool:
        return self.audience in (audience, "both")


@dataclass(frozen=True)
class Section:
    """A section of a monograph: its id from the vocabulary (sections.yaml), the line of its
    heading, and its blocks in file order."""

    id: str
    line: int
    blocks: tuple[Block, ...]

    def blocks_for(self, audience: str) -> tuple[Block, ...]:
        """The blocks a reader of ``audience`` sees, in file order."""
        return tuple(b for b in self.blocks if b.is_for(audience) and b.text.strip())


@dataclass(frozen=True)
class Source:
    """A reference the monograph's text was written from (a label, a guideline), by id."""

    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    accessed: dt.date | None = None


@dataclass(frozen=True)
class FactText:
    """The text that carries a key fact in the leaflets of one variant or audience."""

    key: str  # a variant name, or an audience (patient, clinician)
    phrases: tuple[str, ...]  # each must appear in that leaflet's text
    line: int


@dataclass(frozen=True)
class KeyFact:
    """A safety fact that no leaflet of the medicine may drop."""

    fact: str
    line: int
    carried_by: tuple[FactText, ...]


@dataclass(frozen=True)
class Code:
    """A code a record system knows a medicine or substance by: ``system`` is a short name
    (rxnorm, ndc, snomed, atc) or the system's URI or OID."""

    system: str
    code: str


@dataclass(frozen=True)
class SubstanceClass:
    """A medicine, ingredient or class as a record may name it: ``name`` as printed, ``terms``
    the words that name it in a record's text (matched as whole words, plural too), ``codes``
    the codes that do."""

    name: str
    terms: tuple[str, ...] = ()
    codes: tuple[Code, ...] = ()


@dataclass(frozen=True)
class Interaction:
    """Another ingredient or class this medicine must not be taken with unchecked."""

    other: SubstanceClass
    effect: str
    action: str
    line: int = 1


@dataclass(frozen=True)
class Population:
    """Who should check before taking it: ``kind`` is pregnancy, breastfeeding, kidney (eGFR
    below ``threshold``), age-under or age-over (``threshold`` years)."""

    kind: str
    advice: str
    threshold: float | None = None
    line: int = 1


@dataclass(frozen=True)
class Focus:
    """What a monograph declares for focusing a packet on one patient (docs/focus.md): the
    classes the medicine belongs to, the allergies that rule it out, cross-reactions to check,
    interactions and populations."""

    classes: tuple[str, ...] = ()
    allergy: tuple[SubstanceClass, ...] = ()
    cross_reactions: tuple[tuple[SubstanceClass, str], ...] = ()  # (class, advice)
    interactions: tuple[Interaction, ...] = ()
    populations: tuple[Population, ...] = ()


@dataclass(frozen=True)
class Monograph:
    """One medicine's content, read and validated: front-matter facts and sections.

    ``path`` is the file it came from, ``slug`` names its output files, ``status`` is draft or
    approved (with ``reviewer`` and ``review_date``), ``key_facts`` are the safety facts no
    leaflet may drop, ``format`` is the monograph format version (docs/monograph-format.md)."""

    path: Path
    slug: str
    name: str
    generic_name: str
    drug_class: str
    forms: tuple[str, ...]
    status: str
    version: str
    last_revised: dt.date
    language: str
    sources: tuple[Source, ...]
    sections: tuple[Section, ...]
    reviewer: str | None = None
    review_date: dt.date | None = None
    key_facts: tuple[KeyFact, ...] = ()
    # this medicine's own glossary terms: (term, plain phrases), added to the shared glossary
    glossary: tuple[tuple[str, tuple[str, ...]], ...] = ()
    format: int = 1
    # codes record systems know it by, per code system: (("rxnorm", ("1292",)), ...)
    codes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # the name as sentences and headings say it ("What is insulin glargine?"); None: ``name``
    short_name: str | None = None
    focus: Focus = Focus()
    # brand (trade) names it is sold under, for search ("Ventolin" for salbutamol)
    brands: tuple[str, ...] = ()
    # the line of each front-matter field, for messages about it
    field_lines: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)

    def line_of(self, name: str) -> int:
        """The line of front-matter field ``name`` (the file's first line if absent)."""
        return self.field_lines.get(name, 1)

    @property
    def heading_name(self) -> str:
        """The name section headings give the medicine: ``short_name``, else ``name``."""
        return self.short_name or self.name

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


# -- variants ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class VariantSection:
    """A section a variant shows: its id, its heading (``{medicine}`` is replaced), whether
    the variant requires it, and whether it is printed in a box."""

    id: str
    heading: str  # may contain {medicine}
    required: bool = False
    box: bool = False


@dataclass(frozen=True)
class ReadingLimits:
    """The highest reading grade a variant allows, by one formula; None is no limit."""

    formula: str = "flesch-kincaid"
    section_max: float | None = None
    leaflet_max: float | None = None
    min_words: int = 0  # shorter sections are scored but not judged on their own


@dataclass(frozen=True)
class Variant:
    """A kind of leaflet, defined in ``styles/variants/<name>.yaml`` (docs/variants.md): its
    audience, template and stylesheets, the sections it shows in order, its type-size floor
    (``min_body_pt``), paper and reading-grade limits."""

    name: str
    path: Path
    audience: str
    title: str
    template: str
    stylesheets: tuple[str, ...]
    sections: tuple[VariantSection, ...]
    min_body_pt: float
    paper: str = "A4"
    numbered: bool = False
    description: str = ""
    reading: ReadingLimits = ReadingLimits()
    glossary: str | None = None  # file in styles/
    max_table_columns: int | None = None  # wider tables are reflowed (markup.py)
    # verify fails a leaflet whose first page does not carry every key fact (its first phrase)
    key_facts_on_page_1: bool = False
    figure_scale: float = 1.0  # figures print this many times their own size
    figure_version: str | None = None  # figures/x.<version>.svg, when there, is printed instead
    summary: bool = False  # a counselling summary: '::: summary' blocks first; built when named


@dataclass(frozen=True)
class LeafletSection:
    """A section as one variant shows it for one monograph."""

    id: str
    heading: str
    number: int | None
    box: bool
    blocks: tuple[Block, ...]


# -- patients ---------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class Contact:
    """A person or service the patient can call: the prescriber, the pharmacy."""

    name: str
    role: str | None = None
    phone: str | None = None
    hours: str | None = None
    address: str | None = None

    def __repr__(self) -> str:
        return "Contact(...)"


@dataclass(frozen=True, repr=False)
class Table:
    """A small table the patient reads, such as a dose-lowering (taper) schedule."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str | None = None

    def __repr__(self) -> str:
        return f"Table({len(self.rows)} rows)"


# the columns of the "My medicines" schedule, in order of the day
TIMES_OF_DAY = ("morning", "midday", "evening", "bedtime")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, repr=False)
class Dosing:
    """A medicine's directions as a schedule: the dose at each time of day (``times``: pairs
    of a TIMES_OF_DAY name and the dose), on some weekdays only (``weekdays``: WEEKDAYS
    names; empty is every day), or when needed (``as_needed``, with at most ``max_per_day``).
    ``clock`` gives a clock time (HH:MM) for a time of day when the record names one.
    ``steps`` is a taper: dated dosings one after another. ``unscheduled`` says the directions
    could not be put on the schedule: they are printed as written."""

    times: tuple[tuple[str, str], ...] = ()
    weekdays: tuple[str, ...] = ()
    as_needed: bool = False
    max_per_day: str | None = None
    clock: tuple[tuple[str, str], ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    steps: tuple[Dosing, ...] = ()
    unscheduled: bool = False

    def __repr__(self) -> str:
        return "Dosing(...)"

    def dose_at(self, time: str) -> str | None:
        return next((dose for when, dose in self.times if when == time), None)


@dataclass(frozen=True, repr=False)
class Allergy:
    """An allergy or intolerance in the patient's record: the substance as recorded, its
    codes, and how severe (``criticality``: low, high or unable-to-assess)."""

    substance: str
    codes: tuple[Code, ...] = ()
    criticality: str | None = None
    reaction: str | None = None
    line: int = 1

    def __repr__(self) -> str:
        return "Allergy(...)"


@dataclass(frozen=True, repr=False)
class Stopped:
    """A medicine the patient took before and must not take now."""

    name: str
    reason: str | None = None
    line: int = 1

    def __repr__(self) -> str:
        return "Stopped(...)"


@dataclass(frozen=True, repr=False)
class Prescription:
    """One medicine as this patient takes it: the monograph and their own directions.

    From a record (FHIR), ``name`` and ``codes`` say what the record calls it; ``monograph``
    is then the slug it was matched to, or "" when no monograph answers to it (it is still on
    the schedule). ``change`` is new or changed (``previous``: the old dose) since admission;
    ``allergy_decision`` is the prescriber's decision to give it despite a recorded allergy."""

    monograph: str  # a monograph slug
    dose: str
    timing: str
    directions: str
    line: int  # where the entry's 'monograph:' is, for errors about it
    purpose: str | None = None
    taper: Table | None = None
    name: str | None = None
    codes: tuple[Code, ...] = ()
    dosing: Dosing | None = None
    change: str | None = None  # "new" or "changed"
    previous: str | None = None
    allergy_decision: str | None = None
    field: str | None = None  # where it is in its file ("entry.5.resource"), for messages

    @property
    def where(self) -> str:
        """The field that holds this medicine, for messages."""
        return self.field or "medicines"

    @property
    def display_name(self) -> str:
        return self.name or self.monograph

    def __repr__(self) -> str:
        return f"Prescription(line {self.line})"


@dataclass(frozen=True, repr=False)
class Patient:
    """One patient's file (docs: examples/patient.yaml): their name, the date, who to call, and
    each medicine with their own directions. Never logged or cached; its repr hides the values."""

    path: Path
    name: str
    date: dt.date
    prescriber: Contact
    contact: Contact
    medicines: tuple[Prescription, ...]
    date_of_birth: dt.date | None = None
    record_number: str | None = None
    note: str | None = None
    variant: str | None = None
    variant_line: int = 1
    medicines_line: int = 1
    language: str | None = None  # the leaflets' language (their translations); None: as written
    language_line: int = 1
    # what the record (or the patient file) also says, for the "My medicines" page and for
    # focusing the packet on this patient (personal/focus.py)
    allergies: tuple[Allergy, ...] = ()
    stopped: tuple[Stopped, ...] = ()
    unlisted: tuple[Prescription, ...] = ()  # taken, but no monograph answers to them
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    egfr: float | None = None  # mL/min/1.73 m2
    emergency: str | None = None  # when to get help now, and how, in the care team's words
    record: bool = False  # read from a FHIR record rather than a patient file

    def __repr__(self) -> str:
        return f"Patient({len(self.medicines)} medicines)"

    def prescription(self, slug: str) -> Prescription | None:
        """The patient's entry for the monograph ``slug``, if they take it."""
        return next((m for m in self.medicines if m.monograph == slug), None)


# -- builds -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """One leaflet to write: a monograph in one variant."""

    monograph: Monograph
    variant: Variant
    sections: tuple[LeafletSection, ...]

    @property
    def stem(self) -> str:
        return f"{self.monograph.slug}-{self.variant.name}"


def check_paper(paper: str | None) -> None:
    """Raise UsageError for a paper size leafletgen does not know."""
    if paper is not None and paper not in PAPERS:
        raise UsageError(f"unknown paper size '{paper}'; use one of: {', '.join(PAPERS)}")


@dataclass(frozen=True)
class Shard:
    """Part ``index`` of ``count`` (1-based): the PDFs whose name hashes to it.

    Hashing the output name keeps the split stable: adding a monograph moves no other PDF
    to another shard.
    """

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise UsageError(f"shard {self.index}/{self.count}: K/N needs 1 <= K <= N")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"K/N"``, as given to ``--shard``."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match:
            raise UsageError(f"shard '{text}': write it as K/N, e.g. 1/4")
        return cls(int(match[1]), int(match[2]))

    def owns(self, name: str) -> bool:
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class BuildOptions:
    """How a build runs; checked once, when made, and the same for every leaflet of it.

    ``workers`` processes render (1: this process); ``shard`` builds one part of the
    catalogue; ``incremental`` skips leaflets that ``OUT/manifest.json`` shows are current and
    records what it built (``force`` renders them all anyway); ``verify`` checks every PDF
    before it is written; ``archive`` writes PDF/A-3a with the monograph embedded.
    """

    paper: str | None = None
    archive: bool = False
    verify: bool = True
    html: bool = False
    workers: int = 1
    shard: Shard | None = None
    incremental: bool = False
    force: bool = False

    def __post_init__(self) -> None:
        check_paper(self.paper)
        if self.workers < 1:
            raise UsageError(f"jobs must be 1 or more, not {self.workers}")

    def inputs(self) -> dict[str, str]:
        """The options that shape a PDF (or decide whether it is written), as build inputs."""
        return {"paper": self.paper or "", "archive": "pdf/a-3a" if self.archive else "",
                "verify": "on" if self.verify else "off"}


@dataclass(frozen=True)
class Progress:
    """Sent when rendering starts (``done`` 0, no ``pdf``), then after each leaflet.

    ``html`` is the HTML file written with the leaflet (``--html``); ``rendered`` is False
    when the PDF was current and only its HTML was written (or failed).
    """

    done: int
    total: int
    pdf: Path | None = None
    ok: bool = True
    seconds: float = 0.0
    html: Path | None = None
    rendered: bool = True


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, skipped (current) and found wrong, and how long it took."""

    written: tuple[Path, ...]
    problems: tuple[Problem, ...] = field(default=())
    skipped: tuple[Path, ...] = field(default=())  # up to date (incremental builds only)
    seconds: float = 0.0
    html: tuple[Path, ...] = field(default=())  # HTML files written (--html)
    removed: tuple[Path, ...] = field(default=())  # HTML files removed: not asked for

    @property
    def ok(self) -> bool:
        return not errors_in(self.problems)


@dataclass(frozen=True)
class LeafletState:
    """One PDF of the catalogue and whether it is current."""

    pdf: Path
    source: Path
    variant: str
    reason: str | None = None  # why it must be rebuilt; None when current


@dataclass(frozen=True)
class Status:
    """What ``leafletgen build`` would do, found without rendering."""

    leaflets: tuple[LeafletState, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def stale(self) -> tuple[LeafletState, ...]:
        return tuple(leaflet for leaflet in self.leaflets if leaflet.reason is not None)

    @property
    def current(self) -> bool:
        """True when every PDF is current and every monograph is valid."""
        return not self.stale and not errors_in(self.problems)
