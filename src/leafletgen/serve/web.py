"""The counter web app: find a medicine, look at its leaflets, personalise, preview, print.

Server-rendered HTML (Jinja2, autoescaped) that works without JavaScript; ``static/app.js``
only makes the search update as you type. Forms carry a CSRF token (a random value in a
SameSite=Strict cookie that the form must repeat). Every page is ``no-store``: the
personalised ones hold a patient's details, and the others are cheap to make.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import re
import secrets
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from leafletgen.serve import api, pool
from leafletgen.serve.api import NO_STORE, Refused
from leafletgen.serve.catalogue import Medicine
from leafletgen.serve.core import PAPERS, Job, Renderer, figures_folder, render_html
from leafletgen.serve.patients import (
    FieldError,
    InputError,
    form_field,
    form_to_data,
    patient_from_data,
)
from leafletgen.serve.previews import Preview

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["papers"] = PAPERS
CSRF_COOKIE = "leafletgen_csrf"
TOKEN_COOKIE = "leafletgen_token"  # a browser's copy of the service token (/login)
PACKET_ROWS = 4  # medicines on the packet form
PAGES_SHOWN = 4  # page images of a generic leaflet on its medicine page

LABELS = {"name": "the patient's name", "date": "the date", "prescriber": "the prescriber",
          "contact": "the pharmacy or ward to call", "dose": "the dose",
          "timing": "when to take it", "directions": "the directions",
          "medicine": "a medicine", "taper": "the schedule",
          "contact_phone": "the phone number to call"}


def page(request: Request, template: str, context: dict[str, Any], status: int = 200,
         ) -> Response:
    """An HTML page with a CSRF token for its forms; never stored by a cache."""
    kept = request.cookies.get(CSRF_COOKIE)
    new = kept is None or not re.fullmatch(r"[\w-]{32,64}", kept)
    token = secrets.token_urlsafe(32) if new or kept is None else kept
    context = {"draft": _draft(request), "csrf": token, "catalogue":
               request.app.state.catalogue,
               "kept_minutes": request.app.state.config.settings.preview_minutes, **context}
    response = templates.TemplateResponse(request, template, context, status_code=status,
                                          headers=NO_STORE)
    if new:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")
    return response


def _draft(request: Request) -> bool:
    """Whether drafts are shown: when the server is started to show them (``--drafts``)."""
    return bool(request.app.state.config.drafts)


async def _form(request: Request) -> FormData:
    """The posted form, after its CSRF token is checked (403 when it does not match)."""
    form = await request.form(max_files=0, max_fields=200)
    sent = form.get("csrf")
    kept = request.cookies.get(CSRF_COOKIE)
    if not (isinstance(sent, str) and kept and hmac.compare_digest(sent, kept)):
        raise HTTPException(403, "The form has expired. Go back, reload the page and send "
                                 "it again.")
    return form


def _text(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


# --- pages -------------------------------------------------------------------------------

async def index(request: Request) -> Response:
    query = request.query_params.get("q", "")[:100]
    catalogue = request.app.state.catalogue
    found = catalogue.search(query, _draft(request))
    context = {"query": query, "found": found,
               "hidden_drafts": not _draft(request) and len(catalogue.originals(True))
               > len(catalogue.originals(False))}
    if request.query_params.get("partial"):
        return page(request, "_results.html", context)
    return page(request, "index.html", context)


def _medicine(request: Request) -> Medicine:
    """The medicine of the path, in the language of ``?lang=`` (default: as written)."""
    catalogue = request.app.state.catalogue
    slug = request.path_params["slug"]
    language = request.query_params.get("lang") or None
    found = catalogue.get(slug, _draft(request))
    if found is not None and found.is_translation:
        slug, language = found.source_slug, language or found.language
    medicine = catalogue.in_language(slug, language, _draft(request))
    if medicine is None:
        if language and catalogue.in_language(slug, None, _draft(request)):
            raise HTTPException(404, "This medicine has no leaflet in this language. Choose "
                                     "one of its languages on its page.")
        raise HTTPException(404, "There is no medicine with this name. Search for it on the "
                                 "start page.")
    return medicine


async def medicine_page(request: Request) -> Response:
    medicine = _medicine(request)
    if request.path_params["slug"] != medicine.source_slug:  # a translation's own slug
        return RedirectResponse(_medicine_url(request, medicine), status_code=301)
    return page(request, "medicine.html", await _medicine_context(request, medicine))


def _medicine_url(request: Request, medicine: Medicine) -> str:
    url = request.url_for("medicine", slug=medicine.source_slug).path
    return url + (f"?lang={medicine.language}" if medicine.is_translation else "")


def language_name(tag: str) -> str:
    """The language's own name for itself ("Español" for es), else the tag."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return tag
    return (name[:1].upper() + name[1:]) if name else tag


templates.env.filters["language_name"] = language_name


async def _medicine_context(request: Request, medicine: Medicine, values: dict | None = None,
                            errors: list[dict] | None = None) -> dict[str, Any]:
    previews = []
    for job in medicine.jobs:
        try:
            data, _ = await api.generic_pdf(request, job, None)
            count = _page_count(data)
        except Refused:
            count = 0  # busy: the page offers the PDF without its preview
        previews.append({"job": job, "pages": range(1, min(count, PAGES_SHOWN) + 1),
                         "count": count})
    catalogue = request.app.state.catalogue
    return {"medicine": medicine, "previews": previews,
            "values": {**_defaults(request), **(values or {})},
            "errors": errors or [], "today": dt.date.today().isoformat(),
            "languages": catalogue.languages(medicine.source_slug, _draft(request)),
            # its leaflets, and the counselling summaries (made from them for a patient)
            "variants": [v for v in catalogue.patient_variants
                         if medicine.job(v.name) or v.summary]}


COUNTER_VARIANT = "patient-summary"  # the counselling summary: the counter's handout


def _defaults(request: Request) -> dict[str, str]:
    """The form's values before anything is typed: the pharmacy's own details and the
    handout the counter gives by default (the configured one, else a counselling summary)."""
    settings = request.app.state.config.settings
    pharmacy = settings.pharmacy
    names = {v.name for v in request.app.state.catalogue.patient_variants}
    variant = settings.variant or (COUNTER_VARIANT if COUNTER_VARIANT in names else None)
    return {key: value for key, value in (
        ("contact", pharmacy.name), ("contact_phone", pharmacy.phone),
        ("contact_hours", pharmacy.hours), ("contact_address", pharmacy.address),
        ("variant", variant)) if value}


def _form_errors(errors: list[FieldError], rows: list[tuple[int, str]]) -> list[dict]:
    shown = []
    for e in errors:
        name = form_field(e.field, rows)
        base = name.split("-")[0]
        empty = e.message.startswith("missing required field") or re.search(
            r"must not be (empty|blank)", e.message)
        message = f"Enter {LABELS[base]}." if empty and base in LABELS else _plain(e.message)
        shown.append({"field": name, "message": message})
    return shown


def _plain(message: str) -> str:
    """A checker's message without the patient-file wording a form user cannot act on."""
    message = re.sub(r"\s*\(see examples/patient\.yaml\)", "", message)
    return message[0].upper() + message[1:] + ("" if message.endswith(".") else ".")


async def _personal(request: Request, form: dict[str, str], rows: list[tuple[int, str]]
                    ) -> tuple[Any, str | None, str | None, bool]:
    """The patient, variant, paper and draft flag of a personalise form; raise InputError."""
    draft = _draft(request)
    data = form_to_data(form, rows)
    errors = []
    variant = form.get("variant") or None
    names = [v.name for v in request.app.state.catalogue.patient_variants]
    if variant is not None and variant not in names:
        errors.append(FieldError("variant", "choose a leaflet from the list"))
    paper = form.get("paper") or None
    if paper is not None and paper not in PAPERS:
        errors.append(FieldError("paper", "choose a paper size from the list"))
    if not rows:
        errors.append(FieldError("medicine-0", "choose at least one medicine"))
    try:
        patient = patient_from_data(data, request.app.state.config.styles)
    except InputError as exc:
        errors += exc.errors
        patient = None
    if patient is not None:
        try:
            api.check_medicines(request, patient, draft)
        except InputError as exc:
            errors += exc.errors
    if errors:
        raise InputError(errors)
    return patient, variant, paper, draft


def _handout_rows(medicine: Medicine) -> list[tuple[int, str]]:
    return [(0, medicine.source_slug)]


def _packet_rows(form: dict[str, str]) -> list[tuple[int, str]]:
    return [(i, form[f"medicine-{i}"]) for i in range(PACKET_ROWS)
            if form.get(f"medicine-{i}")]


async def handout_preview(request: Request) -> Response:
    medicine = _medicine(request)
    form = _text(await _form(request))
    rows = _handout_rows(medicine)
    try:
        patient, variant, paper, draft = await _personal(request, form, rows)
        data, images, total = await api.run(request, pool.personal_preview, "handout",
                                            medicine.source_slug, patient, variant, paper,
                                            draft, request.app.state.config.preview_width)
    except InputError as exc:
        return page(request, "medicine.html", await _medicine_context(
            request, medicine, form, _form_errors(exc.errors, rows)), status=422)
    except Refused as refused:
        return _refused_page(request, refused)
    return _keep(request, Preview(
        data, tuple(images), total, f"{medicine.source_slug}-handout.pdf",
        f"{medicine.monograph.name}: check the leaflet", _medicine_url(request, medicine),
        "handout", api.dispensed(request, patient, variant)))


def _keep(request: Request, preview: Preview) -> Response:
    """Keep the previewed PDF and show it: printing or downloading it renders nothing."""
    key = request.app.state.previews.put(preview)
    return RedirectResponse(request.url_for("preview", key=key).path, status_code=303,
                            headers=NO_STORE)


def _preview(request: Request) -> tuple[str, Preview]:
    key = request.path_params["key"]
    preview = request.app.state.previews.get(key)
    if preview is None:
        minutes = request.app.state.config.settings.preview_minutes
        raise HTTPException(404, f"This preview is no longer kept: a preview is kept for "
                                 f"{minutes:g} minutes, and only by the server that made it. "
                                 "Fill in the form and preview again.")
    return key, preview


async def preview_page(request: Request) -> Response:
    key, preview = _preview(request)
    return page(request, "preview.html", {
        "title": preview.title, "images": [_data_uri(i) for i in preview.images],
        "draft_pdf": preview.draft, "size": len(preview.pdf), "total": preview.total,
        "pdf": request.url_for("preview_pdf", key=key).path, "back": preview.back})


async def preview_pdf(request: Request) -> Response:
    """The previewed PDF as kept: inline (to print) or, with ``?download=1``, as a file."""
    key, preview = _preview(request)
    if request.app.state.previews.first_handover(key):
        api.record(request, preview.kind, preview.leaflets)
    if request.query_params.get("download"):
        return api.pdf_response(preview.pdf, preview.filename)
    # framed by the preview page's own Print button (app.js), by no other page
    return Response(preview.pdf, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'inline; filename="{preview.filename}"',
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
        "X-Frame-Options": "SAMEORIGIN"})


async def handout_pdf(request: Request) -> Response:
    medicine = _medicine(request)
    form = _text(await _form(request))
    rows = _handout_rows(medicine)
    try:
        patient, variant, paper, draft = await _personal(request, form, rows)
        data = await api.run(request, pool.handout_pdf, medicine.source_slug, patient,
                             variant, paper, draft)
    except InputError as exc:
        return page(request, "medicine.html", await _medicine_context(
            request, medicine, form, _form_errors(exc.errors, rows)), status=422)
    except Refused as refused:
        return _refused_page(request, refused)
    api.record(request, "handout", api.dispensed(request, patient, variant))
    return api.pdf_response(data, f"{medicine.source_slug}-handout.pdf")


async def packet_page(request: Request) -> Response:
    return page(request, "packet.html", _packet_context(request))


def _packet_context(request: Request, values: dict | None = None,
                    errors: list[dict] | None = None) -> dict[str, Any]:
    catalogue = request.app.state.catalogue
    draft = _draft(request)
    languages = sorted({m.language for m in catalogue.listed(draft)},
                       key=lambda tag: (tag != "en", tag))
    return {"medicines": catalogue.originals(draft), "medicine_rows": range(PACKET_ROWS),
            "values": {**_defaults(request), **(values or {})}, "errors": errors or [],
            "today": dt.date.today().isoformat(), "variants": catalogue.patient_variants,
            "languages": languages}


async def packet_preview(request: Request) -> Response:
    form = _text(await _form(request))
    rows = _packet_rows(form)
    try:
        patient, variant, paper, draft = await _personal(request, form, rows)
        data, images, total = await api.run(request, pool.personal_preview, "packet", None,
                                            patient, variant, paper, draft,
                                            request.app.state.config.preview_width)
    except InputError as exc:
        return page(request, "packet.html", _packet_context(
            request, form, _form_errors(exc.errors, rows)), status=422)
    except Refused as refused:
        return _refused_page(request, refused)
    return _keep(request, Preview(
        data, tuple(images), total, "medicine-packet.pdf", "Medicine packet: check it",
        request.url_for("packet").path, "packet",
        api.dispensed(request, patient, variant, "packet")))


async def packet_pdf(request: Request) -> Response:
    form = _text(await _form(request))
    rows = _packet_rows(form)
    try:
        patient, variant, paper, draft = await _personal(request, form, rows)
        data = await api.run(request, pool.packet_pdf, patient, variant, paper, draft)
    except InputError as exc:
        return page(request, "packet.html", _packet_context(
            request, form, _form_errors(exc.errors, rows)), status=422)
    except Refused as refused:
        return _refused_page(request, refused)
    api.record(request, "packet", api.dispensed(request, patient, variant, "packet"))
    return api.pdf_response(data, "medicine-packet.pdf")


def _refused_page(request: Request, refused: Refused) -> Response:
    response = refused.response
    body = json.loads(bytes(response.body))
    message = body["errors"][0]["message"]
    result = page(request, "error.html", {"title": "Not done", "message": message[0].upper()
                                          + message[1:] + "."}, status=response.status_code)
    if "retry-after" in response.headers:
        result.headers["Retry-After"] = response.headers["retry-after"]
    return result


def _page_count(pdf: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --- the leaflet as a web page and its page images ----------------------------------------

def _job(request: Request) -> tuple[Medicine, Job]:
    medicine = _medicine(request)
    job = medicine.job(request.path_params["variant"])
    if job is None:
        raise HTTPException(404, "This medicine has no leaflet of this kind.")
    return medicine, job


async def leaflet_page(request: Request) -> Response:
    """The leaflet as an accessible, responsive web page: the variant's own template and
    audience rules, in the app's layout instead of the print stylesheets."""
    medicine, job = _job(request)
    renderer = _renderer(request)
    body = render_html(job.monograph, job.variant, job.sections, renderer.loaded,
                       extra={"fragment": True}).html
    folder = figures_folder(job.monograph).as_uri()
    body = body.replace(f'src="{folder}/', f'src="/figures/{medicine.slug}/')
    body = _web_lists(body)
    title = job.variant.title.replace("{medicine}", job.monograph.name)
    return page(request, "leaflet.html", {"medicine": medicine, "job": job, "title": title,
                                          "body": Markup(body)})  # noqa: S704 autoescaped by its template


def _web_lists(body: str) -> str:
    """List items as HTML has them: the print templates wrap an item's text in
    ``<dd class="li-body">``, which PDF tagging needs (LBody) and HTML allows only in a <dl>."""
    if "<dl" in body:
        return body  # a real definition list: leave every <dd> as it is
    return body.replace('<dd class="li-body">', '<div class="li-body">').replace("</dd>",
                                                                               "</div>")


def _renderer(request: Request) -> Renderer:
    state = request.app.state
    if not hasattr(state, "renderer"):
        state.renderer = Renderer(state.config.styles)
    return state.renderer


async def figure(request: Request) -> Response:
    medicine = _medicine(request)
    folder = figures_folder(medicine.monograph)
    name = request.path_params["name"]
    path = (folder / name).resolve()
    if not re.fullmatch(r"[\w.-]+\.(svg|png|jpe?g)", name) or not path.is_relative_to(folder) \
            or not path.is_file():
        raise HTTPException(404, "No such figure.")
    media = "image/svg+xml" if path.suffix == ".svg" else None
    return FileResponse(path, media_type=media,
                        headers={"Cache-Control": "public, max-age=300",
                                 "Content-Security-Policy": "default-src 'none'; "
                                 "style-src 'unsafe-inline'"})


WEB_FONTS = ("DroidSansFallback.ttf", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
             "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf")


async def font(request: Request) -> Response:
    """A script font the project ships (styles/fonts/), for the pages' text in Chinese,
    Arabic or Hebrew on a computer without such a font (app.css loads each only when a page
    holds text of its script)."""
    name = request.path_params["name"]
    if name not in WEB_FONTS:
        raise HTTPException(404, "No such font.")
    path = Path(request.app.state.config.styles) / "fonts" / name
    if not path.is_file():
        raise HTTPException(404, "No such font.")
    return FileResponse(path, media_type="font/ttf",
                        headers={"Cache-Control": "public, max-age=86400"})


async def page_image(request: Request) -> Response:
    """Page ``n`` of a generic leaflet as PNG (kept in memory: no patient data)."""
    medicine, job = _job(request)
    number = int(request.path_params["number"])
    cache = request.app.state.pages
    key = (medicine.slug, job.variant.name)
    try:
        if key not in cache:
            data, _ = await api.generic_pdf(request, job, None)
            cache[key] = await api.run(request, pool.page_images, data,
                                       request.app.state.config.preview_width, 0, 40,
                                       private=False)
    except Refused as refused:
        return refused.response
    images = cache[key]
    if not 1 <= number <= len(images):
        raise HTTPException(404, "No such page.")
    return Response(images[number - 1], media_type="image/png",
                    headers={"Cache-Control": "public, max-age=300"})


async def docs(request: Request) -> Response:
    spec = api.openapi_spec()
    return page(request, "docs.html", {"spec": _resolved(spec, spec), "title": "HTTP API"})


def _resolved(value: Any, spec: dict) -> Any:
    """The OpenAPI document with its local ``$ref``s replaced by what they point to."""
    if isinstance(value, dict):
        if set(value) == {"$ref"} and value["$ref"].startswith("#/"):
            target: Any = spec
            for part in value["$ref"][2:].split("/"):
                target = target[part]
            return _resolved(target, spec)
        return {k: _resolved(v, spec) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, spec) for v in value]
    return value


async def login(request: Request) -> Response:
    if request.method == "POST":
        form = _text(await _form(request))
        token = request.app.state.config.token
        given = form.get("token", "").strip()
        if token is None or hmac.compare_digest(given.encode(), token.encode()):
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https")
            return response
        return page(request, "login.html", {"title": "Sign in", "failed": True}, status=401)
    return page(request, "login.html", {"title": "Sign in", "failed": False})


TITLES = {403: "Form expired", 404: "Not found", 405: "Not allowed"}


async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    return _error(request, exc, status, TITLES.get(status, "Not done"))


def _error(request: Request, exc: Exception, status: int, title: str) -> Response:
    detail = getattr(exc, "detail", None) or title
    if detail.lower() == title.lower() == "not found":  # Starlette's own, for an unknown path
        detail = "There is no page at this address."
    if request.url.path.startswith(("/api/", "/infobutton")):
        return JSONResponse({"errors": [{"field": "path", "message": detail}]},
                            status_code=status)
    return page(request, "error.html", {"title": title, "message": detail}, status=status)


routes = [
    Route("/", index, name="index"),
    Route("/medicine/{slug}", medicine_page, name="medicine"),
    Route("/medicine/{slug}/preview", handout_preview, methods=["POST"], name="handout_preview"),
    Route("/medicine/{slug}/handout.pdf", handout_pdf, methods=["POST"], name="handout_pdf"),
    Route("/packet", packet_page, name="packet"),
    Route("/packet/preview", packet_preview, methods=["POST"], name="packet_preview"),
    Route("/packet.pdf", packet_pdf, methods=["POST"], name="packet_pdf"),
    Route("/preview/{key}.pdf", preview_pdf, name="preview_pdf"),
    Route("/preview/{key}", preview_page, name="preview"),
    Route("/leaflets/{slug}/{variant}", leaflet_page, name="leaflet"),
    Route("/leaflets/{slug}/{variant}/page-{number:int}.png", page_image, name="page_image"),
    Route("/figures/{slug}/{name}", figure, name="figure"),
    Route("/fonts/{name}", font, name="font"),
    Route("/docs", docs, name="docs"),
    Route("/login", login, methods=["GET", "POST"], name="login"),
]
