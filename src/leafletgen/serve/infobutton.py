"""``GET /infobutton``: leaflets for a drug code, as record systems ask for them.

It follows the HL7 Context-Aware Knowledge Retrieval (Infobutton) URL-based parameters as
MedlinePlus Connect uses them::

    /infobutton?mainSearchCriteria.v.c=1292
               &mainSearchCriteria.v.cs=2.16.840.1.113883.6.88     (RxNorm; NDC: ...6.69)
               &informationRecipient=PAT                            (PAT or PROV)
               &informationRecipient.languageCode.c=es
               &knowledgeResponseType=application/json

The answer is an Atom feed, as the specification describes it: Atom XML for
``knowledgeResponseType=text/xml`` (or ``application/atom+xml``), or its JSON representation
(as MedlinePlus Connect's JSON) for ``application/json``, the default. One entry per matching
medicine, with links to its leaflets for that recipient (patient variants for PAT, clinician
ones for PROV), in the language asked for when a leaflet exists in it, else in English (each
entry says its language). No match is an empty feed, as record systems expect. Monographs
carry their codes in front matter (``codes: {rxnorm: [...]}``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from leafletgen.serve.api import Refused, error, flag

SYSTEMS = {"2.16.840.1.113883.6.88": "rxnorm", "2.16.840.1.113883.6.69": "ndc"}
AUDIENCES = {"PAT": "patient", "PROV": "clinician"}
RESPONSE_TYPES = ("application/json", "text/xml", "application/atom+xml")
ATOM = "http://www.w3.org/2005/Atom"


async def infobutton(request: Request) -> Response:
    """Leaflets for the medicine a record system names by code."""
    query = request.query_params
    code = query.get("mainSearchCriteria.v.c", "").strip()
    if not code:
        raise Refused(error(400, "mainSearchCriteria.v.c", "give the medicine's code"))
    oid = query.get("mainSearchCriteria.v.cs", "").strip()
    if oid not in SYSTEMS:
        raise Refused(error(400, "mainSearchCriteria.v.cs", "unknown code system; use RxNorm "
                            "(2.16.840.1.113883.6.88) or NDC (2.16.840.1.113883.6.69)"))
    recipient = query.get("informationRecipient", "PAT").strip().upper()
    if recipient not in AUDIENCES:
        raise Refused(error(400, "informationRecipient", "use PAT (patient) or PROV "
                                                         "(provider)"))
    wanted_type = query.get("knowledgeResponseType", "application/json").strip()
    if wanted_type not in RESPONSE_TYPES:
        raise Refused(error(400, "knowledgeResponseType", "use application/json or text/xml "
                                                          "(Atom)"))
    language = query.get("informationRecipient.languageCode.c", "").strip().lower() or None
    draft = flag(request, "draft")

    catalogue = request.app.state.catalogue
    medicines = catalogue.by_code(SYSTEMS[oid], code, draft)
    wanted = language if language and any(m.language == language for m in medicines) else "en"
    medicines = [m for m in medicines if m.language == wanted or (
        wanted == "en" and not m.is_translation)]
    # the configured public address, else links relative to this service: never the Host
    # header, which the caller chooses and a record system would pass on to a patient
    base = (request.app.state.config.public_url or "").rstrip("/")
    audience = AUDIENCES[recipient]
    entries = [_entry(m, audience, base) for m in medicines]
    feed = {
        "base": base + "/",
        "lang": language or "en",
        "title": {"_value": "leafletgen: medicine information"},
        "updated": {"_value": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()},
        "id": {"_value": f"{base}/infobutton"},
        "author": {"name": {"_value": "leafletgen"}},
        "category": [{"scheme": "mainSearchCriteria.v.c", "term": code},
                     {"scheme": "mainSearchCriteria.v.cs", "term": oid},
                     {"scheme": "informationRecipient", "term": recipient}],
        "entry": [e for e in entries if e["link"]],
    }
    if wanted_type != "application/json":
        return Response(atom_xml(feed), media_type=f"{wanted_type}; charset=utf-8",
                        headers={"Cache-Control": "no-store"})
    return JSONResponse({"feed": feed}, headers={"Cache-Control": "no-store"})


def atom_xml(feed: dict) -> bytes:
    """The feed as Atom XML: the same fields as its JSON form (``_value`` is an element's
    text, other keys its attributes)."""
    from xml.etree import ElementTree as ET

    ET.register_namespace("", ATOM)
    xml_ns = "{http://www.w3.org/XML/1998/namespace}"
    root = ET.Element(f"{{{ATOM}}}feed", {f"{xml_ns}base": feed["base"],
                                          f"{xml_ns}lang": feed["lang"]})

    def add(parent: ET.Element, name: str, value: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            if name == "lang":
                parent.set(f"{xml_ns}lang", item)
                continue
            element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
            for key, inner in item.items():
                if key == "_value":
                    element.text = str(inner)
                elif isinstance(inner, (dict, list)):
                    add(element, key, inner)
                else:
                    element.set(key, str(inner))

    for name in ("title", "updated", "id", "author", "category"):
        add(root, name, feed[name])
    for entry in feed["entry"]:
        element = ET.SubElement(root, f"{{{ATOM}}}entry", {f"{xml_ns}lang": entry["lang"]})
        for name in ("title", "link", "id", "updated", "summary"):
            add(element, name, entry[name])
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry(medicine: Any, audience: str, base: str) -> dict:
    m = medicine.monograph
    links = []
    for job in medicine.jobs:
        if job.variant.audience != audience:
            continue
        query = "?draft=true" if medicine.draft else ""
        links.append({"href": f"{base}/api/leaflets/{m.slug}/{job.variant.name}.pdf{query}",
                      "rel": "alternate", "type": "application/pdf",
                      "title": job.variant.description or job.variant.name,
                      "hreflang": m.language})
        links.append({"href": f"{base}/leaflets/{m.slug}/{job.variant.name}{query}",
                      "rel": "alternate", "type": "text/html",
                      "title": job.variant.description or job.variant.name,
                      "hreflang": m.language})
    title = m.name + (" (DRAFT, not for patient use)" if medicine.draft else "")
    return {"lang": m.language, "title": {"_value": title},
            "link": links, "id": {"_value": f"{base}/medicine/{m.slug}"},
            "updated": {"_value": m.last_revised.isoformat()},
            "summary": {"_value": f"{m.generic_name}: {m.drug_class}. Version {m.version}, "
                                  f"{m.status}."}}
