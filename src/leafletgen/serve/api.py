"""The HTTP API: the catalogue, generic leaflets (with ETag), handouts and packets.

Documented in ``openapi.yaml`` (served at /openapi.yaml and, readable, at /docs). Errors are
JSON ``{"errors": [{"field": ..., "message": ...}]}`` naming the field and never repeating a
value the caller sent: the value may be a patient's.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from leafletgen.serve import pool
from leafletgen.serve.catalogue import Medicine
from leafletgen.serve.core import (
    PAPERS,
    ContentError,
    Job,
    LeafletgenError,
    UsageError,
    load_schema,
)
from leafletgen.serve.patients import (
    FieldError,
    InputError,
    errors_of,
    parse_json,
    patient_from_data,
)
from leafletgen.serve.previews import Dispensed

log = logging.getLogger(__name__)
HERE = Path(__file__).parent

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
GENERIC_CACHE = "public, max-age=300, must-revalidate"


def error(status: int, field: str, message: str, headers: dict[str, str] | None = None
          ) -> JSONResponse:
    return JSONResponse({"errors": [{"field": field, "message": message}]}, status_code=status,
                        headers=headers)


def errors_response(errors: list[FieldError], status: int = 422) -> JSONResponse:
    return JSONResponse({"errors": [e.as_json() for e in errors]}, status_code=status,
                        headers=NO_STORE)


class Refused(Exception):
    """A request refused with a JSON error (400-504) before or after rendering."""

    def __init__(self, response: Response):
        self.response = response


def flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "").lower()
    if value not in ("", "0", "false", "no", "1", "true", "yes"):
        raise Refused(error(400, name, "use true or false"))
    return value in ("1", "true", "yes")


def paper_of(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in PAPERS:
        raise Refused(error(400, "paper", f"unknown paper size; use one of: {', '.join(PAPERS)}"))
    return value


def patient_variant(request: Request, value: str | None) -> str | None:
    if value in (None, ""):
        return None
    names = [v.name for v in request.app.state.catalogue.patient_variants]
    if value not in names:
        raise Refused(error(400, "variant", f"unknown patient variant; use one of: "
                                            f"{', '.join(names)}"))
    return value


async def run(request: Request, function: Any, *args: Any, private: bool = True) -> Any:
    """``function`` in a render worker; failures become Refused with a JSON error, or
    InputError (422 naming the fields) for data the documents service cannot use."""
    headers = NO_STORE if private else None
    the_pool = request.app.state.pool
    try:
        return await the_pool.run(function, *args)
    except pool.Busy:
        raise Refused(error(503, "server", "every render worker is busy; try again shortly",
                            {**(headers or {}),
                             "Retry-After": str(the_pool.options.retry_after)})) from None
    except pool.TimedOut:
        raise Refused(error(504, "server", "the leaflet took too long to render; try again",
                            headers)) from None
    except ContentError as exc:  # 422 naming the fields (a web form shows them by its inputs)
        raise InputError(errors_of(list(exc.problems))) from None
    except UsageError as exc:
        raise Refused(error(400, "request", str(exc), headers)) from None
    except LeafletgenError:
        log.error("a render failed")  # never its message: it may come from patient data
        raise Refused(error(500, "server", "the leaflet could not be made", headers)) from None


def handles_refusal(endpoint: Any) -> Any:
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Refused as refused:
            return refused.response
        except InputError as exc:
            return errors_response(exc.errors)
    wrapper.__name__ = endpoint.__name__
    wrapper.__doc__ = endpoint.__doc__
    return wrapper


def medicine_or_404(request: Request, slug: str, draft: bool) -> Medicine:
    medicine = request.app.state.catalogue.get(slug, draft)
    if medicine is None:
        hint = ("it is a draft: add draft=true for a proof marked DRAFT"
                if request.app.state.catalogue.get(slug, True) else "see GET /api/leaflets")
        raise Refused(error(404, "slug", f"no medicine with this slug; {hint}"))
    return medicine


async def generic_pdf(request: Request, job: Job, paper: str | None) -> tuple[bytes, str]:
    """A generic leaflet: from out/ when the last build shows it current, else rendered once;
    kept in memory either way (it holds no patient data)."""
    cache = request.app.state.pdfs
    key = (job.monograph.slug, job.variant.name, paper)
    if key not in cache:
        # a built PDF has no QR code: with a public address, render it with one
        plain = paper is None and request.app.state.config.public_url is None
        current = request.app.state.catalogue.current_pdf(job) if plain else None
        if current is not None:
            data = current.read_bytes()
        else:
            data = await run(request, pool.generic_pdf, job.monograph.slug, job.variant.name,
                             paper, private=False)
        cache[key] = (data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"')
    return cache[key]


@handles_refusal
async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "pending": request.app.state.pool.pending})


@handles_refusal
async def leaflets(request: Request) -> Response:
    """The catalogue: every medicine with its names, codes, variants and review status."""
    draft = flag(request, "draft")
    return JSONResponse({"leaflets": [m.summary() for m in
                                      request.app.state.catalogue.listed(draft)]})


@handles_refusal
async def leaflet_pdf(request: Request) -> Response:
    """The generic leaflet of one medicine in one variant, with an ETag."""
    draft = flag(request, "draft")
    paper = paper_of(request.query_params.get("paper"))
    medicine = medicine_or_404(request, request.path_params["slug"], draft)
    job = medicine.job(request.path_params["variant"])
    if job is None:
        return error(404, "variant", "this medicine has no leaflet in this variant; use one "
                     f"of: {', '.join(j.variant.name for j in medicine.jobs)}")
    data, etag = await generic_pdf(request, job, paper)
    headers = {"ETag": etag, "Cache-Control": GENERIC_CACHE,
               "Content-Disposition": f'inline; filename="{job.stem}.pdf"'}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/pdf", headers=headers)


async def _patient_body(request: Request) -> Any:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise Refused(error(415, "Content-Type", "send the patient's details as "
                                                 "application/json"))
    return patient_from_data(parse_json(await request.body()),
                             request.app.state.config.styles)


def language_of(patient: Any) -> str | None:
    """The language the patient's leaflets are printed in; None: as written (English)."""
    language = getattr(patient, "language", None)
    return None if language is None or language.split("-")[0].lower() == "en" else language


def check_medicines(request: Request, patient: Any, draft: bool) -> None:
    """Every medicine is in the catalogue (a draft only with ``draft``), in the patient's
    language when one is asked for."""
    catalogue = request.app.state.catalogue
    errors = []
    language = language_of(patient)
    for i, prescription in enumerate(patient.medicines):
        field = f"medicines.{i}.monograph"
        slug = prescription.monograph
        # a medicine without a leaflet in the patient's language is the documents service's
        # to report (field "language"), in the words the library and the command line use
        if language:
            translated = catalogue.in_language(slug, language, True)
            slug = translated.slug if translated is not None else slug
        if catalogue.get(slug, draft) is None:
            if catalogue.get(slug, True) is not None:
                errors.append(FieldError(field, "this medicine's leaflet is a draft; only "
                                         "approved leaflets are given to patients (draft=true "
                                         "makes a proof marked DRAFT)"))
            else:
                errors.append(FieldError(field, "no medicine with this slug; see GET "
                                         "/api/leaflets"))
    if errors:
        raise InputError(errors)


def dispensed(request: Request, patient: Any, variant: str | None,
              document: str = "handout") -> tuple[Dispensed, ...]:
    """What the dispensing record says of a document made for ``patient``: the leaflets,
    never the patient."""
    catalogue = request.app.state.catalogue
    chosen = catalogue.printed_variant(variant or getattr(patient, "variant", None)
                                       or "patient", document)
    language = language_of(patient)
    found = []
    for prescription in patient.medicines:
        medicine = catalogue.in_language(prescription.monograph, language, True)
        if medicine is not None:
            found.append(Dispensed(medicine.source_slug, medicine.monograph.version, chosen,
                                   medicine.language, medicine.draft))
    return tuple(found)


def record(request: Request, document: str, leaflets: tuple[Dispensed, ...]) -> None:
    """Add a handed-out document to the dispensing record, when one is kept."""
    the_record = request.app.state.dispensing
    if the_record is not None:
        the_record.add(document, leaflets)


def pdf_response(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})


@handles_refusal
async def handout(request: Request) -> Response:
    """One personalised leaflet: the patient file's fields, with one medicine."""
    draft = flag(request, "draft")
    paper = paper_of(request.query_params.get("paper"))
    variant = patient_variant(request, request.query_params.get("variant"))
    patient = await _patient_body(request)
    if len(patient.medicines) != 1:
        raise InputError([FieldError("medicines", "a handout is for one medicine; list "
                                     "several in POST /api/packet")])
    check_medicines(request, patient, draft)
    slug = patient.medicines[0].monograph
    data = await run(request, pool.handout_pdf, slug, patient, variant, paper, draft)
    record(request, "handout", dispensed(request, patient, variant))
    return pdf_response(data, f"{slug}-handout.pdf")


FHIR_JSON = "application/fhir+json"


async def _record_packet(request: Request, draft: bool, paper: str | None,
                         variant: str | None) -> Response:
    """A packet from a FHIR record (R4 or R5 Bundle), as ``leafletgen packet`` makes it."""
    from leafletgen.source.record import parse_record  # the FHIR models: only when asked

    text = parse_json(await request.body())
    patient, problems = parse_record(Path("record"), text if isinstance(text, dict) else {})
    if patient is None:
        raise InputError(errors_of(problems) or [FieldError("body", "cannot be read")])
    decisions = tuple(request.query_params.getlist("allergy_decision"))
    data = await run(request, pool.record_packet_pdf, patient, variant, paper, draft,
                     decisions, flag(request, "full"))
    return pdf_response(data, "medicine-packet.pdf")


@handles_refusal
async def packet(request: Request) -> Response:
    """A packet: "My medicines", then each medicine's summary (full=true: full leaflets).

    The body is the patient file's fields (application/json) or a FHIR record
    (application/fhir+json: an IPS document Bundle or a Bundle of MedicationRequest)."""
    draft = flag(request, "draft")
    paper = paper_of(request.query_params.get("paper"))
    variant = patient_variant(request, request.query_params.get("variant"))
    if request.headers.get("content-type", "").split(";")[0].strip() == FHIR_JSON:
        return await _record_packet(request, draft, paper, variant)
    patient = await _patient_body(request)
    check_medicines(request, patient, draft)
    data = await run(request, pool.packet_pdf, patient, variant, paper, draft)
    record(request, "packet", dispensed(request, patient, variant, "packet"))
    return pdf_response(data, "medicine-packet.pdf")


async def openapi_yaml(request: Request) -> Response:
    import yaml

    return Response(yaml.safe_dump(openapi_spec(), sort_keys=False, allow_unicode=True),
                    media_type="application/yaml")


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi_spec())


def openapi_spec() -> dict:
    """``openapi.yaml`` with the patient file's schema put in: the same schema, limits
    included, that checks a patient file (``schema/patient.schema.json``), so the two never
    differ. Its ``$defs`` become components named ``PatientFile.<name>``."""
    import copy

    import yaml

    spec = yaml.safe_load((HERE / "openapi.yaml").read_text(encoding="utf-8"))
    patient = copy.deepcopy(load_schema("patient.schema.json"))
    patient.pop("$schema", None)
    definitions = patient.pop("$defs", {})
    schemas = spec["components"]["schemas"]
    schemas["PatientFile"] = _components_refs(patient)
    for name, definition in definitions.items():
        schemas[f"PatientFile.{name}"] = _components_refs(definition)
    return spec


def _components_refs(schema: Any) -> Any:
    """``schema`` with its ``#/$defs/x`` references pointing at ``PatientFile.x``."""
    if isinstance(schema, dict):
        return {key: (f"#/components/schemas/PatientFile.{value.removeprefix('#/$defs/')}"
                      if key == "$ref" and isinstance(value, str)
                      and value.startswith("#/$defs/") else _components_refs(value))
                for key, value in schema.items()}
    if isinstance(schema, list):
        return [_components_refs(item) for item in schema]
    return schema


routes = [
    Route("/health", health),
    Route("/api/leaflets", leaflets),
    Route("/api/leaflets/{slug}/{variant}.pdf", leaflet_pdf),
    Route("/api/handout", handout, methods=["POST"]),
    Route("/api/packet", packet, methods=["POST"]),
    Route("/openapi.yaml", openapi_yaml),
    Route("/openapi.json", openapi_json),
]
