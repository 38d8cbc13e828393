"""The medicines ``leafletgen serve`` offers: every valid monograph in every variant, read once.

The catalogue is the ``leaflets/`` folder and the PDFs a build left in ``out/``; there is no
database. It holds public text only, never anything about a patient.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from leafletgen.serve.core import Job, Monograph, Variant, errors_in, load_variants, plan, status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Medicine:
    """One monograph and its leaflets, by variant name."""

    monograph: Monograph
    jobs: tuple[Job, ...]

    @property
    def slug(self) -> str:
        return self.monograph.slug

    @property
    def draft(self) -> bool:
        return self.monograph.status != "approved"

    @property
    def language(self) -> str:
        return self.monograph.language

    @property
    def source_slug(self) -> str:
        """The medicine's slug: a translation's (``baclofen.es``) is its source's."""
        base, dot, language = self.slug.rpartition(".")
        return base if dot and language == self.monograph.language else self.slug

    @property
    def is_translation(self) -> bool:
        return self.source_slug != self.slug

    def job(self, variant: str) -> Job | None:
        return next((j for j in self.jobs if j.variant.name == variant), None)

    def codes(self, system: str) -> tuple[str, ...]:
        return dict(self.monograph.codes).get(system, ())

    def summary(self) -> dict:
        """What ``GET /api/leaflets`` says of it."""
        m = self.monograph
        return {
            "slug": m.slug,
            "name": m.name,
            "generic_name": m.generic_name,
            "drug_class": m.drug_class,
            "forms": list(m.forms),
            "codes": {system: list(values) for system, values in m.codes},
            "variants": [{"name": j.variant.name, "audience": j.variant.audience,
                          "description": j.variant.description,
                          "pdf": f"/api/leaflets/{m.slug}/{j.variant.name}.pdf",
                          "html": f"/leaflets/{m.slug}/{j.variant.name}"} for j in self.jobs],
            "languages": [m.language],
            "version": m.version,
            "last_revised": m.last_revised.isoformat(),
            "status": m.status,
            "reviewer": m.reviewer,
            "review_date": m.review_date.isoformat() if m.review_date else None,
        }


@dataclass(frozen=True)
class Catalogue:
    medicines: tuple[Medicine, ...]
    variants: tuple[Variant, ...]
    current: frozenset[Path]  # PDFs in out/ that a build shows are current
    out: Path

    def get(self, slug: str, draft: bool = False) -> Medicine | None:
        """The medicine ``slug``; a draft one only when ``draft`` is asked for."""
        found = next((m for m in self.medicines if m.slug == slug), None)
        if found is None or (found.draft and not draft):
            return None
        return found

    def listed(self, draft: bool = False) -> list[Medicine]:
        return [m for m in self.medicines if draft or not m.draft]

    def originals(self, draft: bool = False) -> list[Medicine]:
        """The medicines, one each: their translations are languages of them, not others.
        A medicine whose own leaflet is not listed but a translation is, is listed too."""
        listed = self.listed(draft)
        slugs = {m.source_slug for m in listed}
        return [m for m in self.medicines if not m.is_translation and m.slug in slugs]

    def languages(self, slug: str, draft: bool = False) -> list[Medicine]:
        """The medicine ``slug`` in each language it has: the original first."""
        return sorted((m for m in self.listed(draft) if m.source_slug == slug),
                      key=lambda m: (m.is_translation, m.language))

    def in_language(self, slug: str, language: str | None, draft: bool = False
                    ) -> Medicine | None:
        """The medicine ``slug`` in ``language`` (None: as written), if listed."""
        return next((m for m in self.languages(slug, draft)
                     if language in (None, m.language) and (language or not m.is_translation)),
                    None)

    def search(self, query: str, draft: bool = False) -> list[Medicine]:
        """The medicines every word of ``query`` finds, best first: in a name (generic,
        brand or a translation's), the slug, the class or a code; a word of 4 letters or
        more also finds a near miss ("metotrexate", "amoxycillin")."""
        words = _fold(query).split()
        originals = self.originals(draft)
        if not words:
            return originals
        found = []
        for medicine in originals:
            text, tokens = self._index(medicine, draft)
            scores = [_word_score(w, text, tokens) for w in words]
            if all(s is not None for s in scores):
                found.append((-sum(s or 0 for s in scores), medicine.monograph.name, medicine))
        return [m for *_, m in sorted(found, key=lambda f: f[:2])]

    def _index(self, medicine: Medicine, draft: bool) -> tuple[str, list[str]]:
        names = []
        for each in self.languages(medicine.slug, draft) or [medicine]:
            names += [each.monograph.name, each.monograph.generic_name, *each.monograph.brands]
        own = medicine.monograph
        codes = [c for _, values in own.codes for c in values]
        text = _fold(" ".join([*names, own.slug, own.drug_class, *codes]))
        tokens = re.findall(r"\w+", text) + [normal_code("ndc", c) for c in codes]
        return text, tokens

    def by_code(self, system: str, code: str, draft: bool = False) -> list[Medicine]:
        """The medicines with this code, and their translations (``<file>.<language>.md``
        beside a medicine's file, which carry no codes of their own)."""
        wanted = normal_code(system, code)
        found = [m for m in self.listed(draft)
                 if any(normal_code(system, c) == wanted for c in m.codes(system))]
        sources = {m.monograph.path for m in found}
        return found + [m for m in self.listed(draft) if m not in found
                        and _translated_from(m.monograph.path) in sources]

    def current_pdf(self, job: Job) -> Path | None:
        """``out/<stem>.pdf`` when the last build shows it current, else None."""
        path = self.out / f"{job.stem}.pdf"
        return path if path in self.current else None

    @property
    def patient_variants(self) -> list[Variant]:
        return [v for v in self.variants if v.audience == "patient"]

    def printed_variant(self, chosen: str, document: str) -> str:
        """The variant a document chosen as ``chosen`` is printed in: a packet's leaflets are
        the counselling summaries of their variant (``<name>-summary``) when there is one."""
        names = {v.name for v in self.variants}
        if document == "packet" and f"{chosen}-summary" in names:
            return f"{chosen}-summary"
        return chosen


def load_catalogue(leaflets: Path, styles: Path, out: Path | None) -> Catalogue:
    """Read and check every monograph once; monographs with errors are left out (and logged).
    ``out``: where a build wrote the PDFs (None: none are served from disk)."""
    the_plan = plan((leaflets,), styles)
    for problem in errors_in(the_plan.problems):
        log.warning("not served: %s", problem)
    by_slug: dict[str, list[Job]] = {}
    for job in the_plan.jobs:
        by_slug.setdefault(job.monograph.slug, []).append(job)
    medicines = tuple(Medicine(jobs[0].monograph, tuple(sorted(jobs, key=_variant_order)))
                      for jobs in sorted(by_slug.values(), key=lambda j: j[0].monograph.name))
    current: set[Path] = set()
    if out is not None and (out / "manifest.json").is_file():
        state = status((leaflets,), out, styles)
        current = {leaflet.pdf for leaflet in state.leaflets if leaflet.reason is None}
    # every variant, the counselling summaries too (built for handouts and packets only)
    found, _ = load_variants(styles)
    variants = tuple(sorted(found.values() or the_plan.variants,
                            key=lambda v: _variant_order_of(v)))
    return Catalogue(medicines, variants, frozenset(current), out or Path("out"))


def _variant_order(job: Job) -> tuple[int, str]:
    return _variant_order_of(job.variant)


def _variant_order_of(variant: Variant) -> tuple[int, str]:
    """Patient leaflets first, the standard one before the others; clinicians' last."""
    return (0 if variant.name == "patient" else 1 if variant.audience == "patient" else 2,
            variant.name)


def _translated_from(path: Path) -> Path | None:
    """``baclofen.md`` for ``baclofen.es.md``: the file a translation is named after."""
    parts = path.name.split(".")
    return path.with_name(f"{parts[0]}.md") if len(parts) == 3 else None


FUZZY_CUTOFF = 80  # rapidfuzz ratio (0-100) a near miss needs: one letter wrong in five


def _word_score(word: str, text: str, tokens: list[str]) -> float | None:
    """How well ``word`` finds a medicine: 100 when it is in its text, else the best
    similarity to one of its words or their beginnings (None: not found)."""
    from rapidfuzz import fuzz, process

    if word in text or normal_code("ndc", word) in tokens and word[:1].isdigit():
        return 100.0
    if len(word) < 4:
        return None
    candidates = tokens + [t[:len(word)] for t in tokens if len(t) > len(word)]
    best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return best[1] if best else None


def _fold(text: str) -> str:
    """Lower case without accents, so "paracetamol" finds "Paracétamol"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normal_code(system: str, code: str) -> str:
    """A code as compared: NDCs as 11 digits (5-4-2) when written with hyphens."""
    code = code.strip()
    if system != "ndc":
        return code
    parts = code.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return parts[0].zfill(5) + parts[1].zfill(4) + parts[2].zfill(2)
    return re.sub(r"\D", "", code)
