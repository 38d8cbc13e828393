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

from leafletgen.serve.core import Job, Monograph, Variant, errors_in, plan, status

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

    def search(self, query: str, draft: bool = False) -> list[Medicine]:
        """Medicines whose name, generic name, slug or a code holds every word of ``query``."""
        words = _fold(query).split()
        found = []
        for medicine in self.listed(draft):
            m = medicine.monograph
            haystack = _fold(" ".join([m.name, m.generic_name, m.slug, m.drug_class,
                                       *(c for _, values in m.codes for c in values)]))
            if all(w in haystack for w in words):
                found.append(medicine)
        return found

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
    variants = tuple(sorted(the_plan.variants, key=lambda v: _variant_order_of(v)))
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
