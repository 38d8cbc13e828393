"""The HTTP API, through Starlette's TestClient (rendering in this process)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pypdf
import pytest
import yaml

from leafletgen.serve.api import openapi_spec

from .conftest import (
    PATIENT_NAME,
    ROOT,
    STYLES,
    TEST_NDC,
    InlinePool,
    make_client,
    patient_data,
)

RXNORM = "2.16.840.1.113883.6.88"
NDC = "2.16.840.1.113883.6.69"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_catalogue_lists_approved_medicines_with_codes_and_variants(client):
    answer = client.get("/api/leaflets")
    assert answer.status_code == 200
    leaflets = {m["slug"]: m for m in answer.json()["leaflets"]}
    assert set(leaflets) == {"baclofen", "amoxicillin"}  # the others are drafts
    baclofen = leaflets["baclofen"]
    assert baclofen["codes"] == {"ndc": [TEST_NDC], "rxnorm": ["1292"], "atc": ["M03BX01"],
                                 "snomed": ["387342009"]}
    assert [v["name"] for v in baclofen["variants"]] == ["patient", "patient-large",
                                                         "clinician"]
    assert baclofen["status"] == "approved" and baclofen["reviewer"] == "Test Reviewer"
    assert baclofen["languages"] == ["en"] and baclofen["version"] == "1.1"


def test_drafts_are_listed_only_when_asked_for(client):
    leaflets = {m["slug"]: m for m in client.get("/api/leaflets?draft=true").json()["leaflets"]}
    assert leaflets["methotrexate"]["status"] == "draft"
    assert leaflets["baclofen.es"]["languages"] == ["es"]  # a translation
    assert len(leaflets) == len(list((ROOT / "leaflets").glob("*.md")))


@pytest.mark.parametrize("path, field", [
    ("/api/leaflets/methotrexate/patient.pdf", "slug"),  # a draft, not asked for
    ("/api/leaflets/no-such-medicine/patient.pdf", "slug"),
    ("/api/leaflets/baclofen/no-such-variant.pdf", "variant"),
])
def test_unknown_or_draft_leaflet_is_404_naming_the_field(client, path, field):
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["field"] == field


def test_bad_query_values_are_400_naming_the_parameter(client):
    answer = client.get("/api/leaflets/baclofen/patient.pdf?paper=A5")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "paper"
    answer = client.get("/api/leaflets?draft=maybe")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "draft"


@pytest.mark.slow
def test_generic_leaflet_has_an_etag_and_answers_304(client):
    answer = client.get("/api/leaflets/baclofen/patient.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    etag = answer.headers["etag"]
    assert "Baclofen" in pdf_text(answer.content)
    assert "DRAFT" not in pdf_text(answer.content)
    again = client.get("/api/leaflets/baclofen/patient.pdf", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/leaflets/baclofen/clinician.pdf")
    assert other.headers["etag"] != etag


@pytest.mark.slow
def test_draft_leaflet_asked_for_is_marked_draft(client):
    answer = client.get("/api/leaflets/methotrexate/patient.pdf?draft=true")
    assert answer.status_code == 200
    assert "DRAFT" in pdf_text(answer.content)


def test_invalid_patient_is_422_naming_fields_without_values(client):
    data = patient_data("baclofen")
    del data["contact"]
    data["date"] = f"{PATIENT_NAME} 2026"
    data["medicines"][0]["dose"] = ""
    answer = client.post("/api/handout", json=data)
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"contact", "date", "medicines.0.dose"}
    assert PATIENT_NAME not in answer.text
    assert answer.headers["cache-control"] == "no-store"


def test_handout_body_must_be_json(client):
    answer = client.post("/api/handout", content=b"patient: x",
                         headers={"content-type": "text/plain"})
    assert answer.status_code == 415
    assert answer.json()["errors"][0]["field"] == "Content-Type"
    answer = client.post("/api/handout", content=b'{"patient": "' + PATIENT_NAME.encode(),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "body"
    assert PATIENT_NAME not in answer.text


def test_oversized_body_is_413(client):
    data = patient_data("baclofen")
    data["note"] = "x" * 70_000
    answer = client.post("/api/handout", json=data)
    assert answer.status_code == 413 and answer.json()["errors"][0]["field"] == "body"


def test_draft_or_unknown_medicine_in_handout_is_422(client):
    answer = client.post("/api/handout", json=patient_data("methotrexate"))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "medicines.0.monograph"
    assert "draft" in answer.json()["errors"][0]["message"]
    answer = client.post("/api/packet", json=patient_data("baclofen", "no-such-medicine"))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "medicines.1.monograph"


def test_handout_is_for_one_medicine(client):
    answer = client.post("/api/handout", json=patient_data("baclofen", "amoxicillin"))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "medicines"


@pytest.mark.slow
def test_handout_and_packet_carry_the_patient_and_are_not_stored(client):
    answer = client.post("/api/handout?variant=patient", json=patient_data("baclofen"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert PATIENT_NAME in pdf_text(answer.content)
    packet = client.post("/api/packet", json=patient_data("baclofen", "amoxicillin"))
    assert packet.status_code == 200, packet.text
    text = pdf_text(packet.content)
    assert PATIENT_NAME in text and "Baclofen" in text and "Amoxicillin" in text
    assert packet.headers["cache-control"] == "no-store"


@pytest.mark.slow
def test_draft_handout_when_asked_is_marked_draft(client):
    answer = client.post("/api/handout?draft=true", json=patient_data("methotrexate"))
    assert answer.status_code == 200, answer.text
    assert "DRAFT" in pdf_text(answer.content)


def test_a_full_queue_answers_503_with_retry_after(leaflets):
    full = InlinePool(leaflets, STYLES, capacity=0)
    with make_client(leaflets, full) as busy:
        answer = busy.post("/api/handout", json=patient_data("baclofen"))
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "3"
    assert answer.json()["errors"][0]["field"] == "server"


def test_infobutton_finds_patient_leaflets_by_rxnorm(client):
    answer = client.get("/infobutton", params={
        "mainSearchCriteria.v.c": "1292", "mainSearchCriteria.v.cs": RXNORM,
        "informationRecipient": "PAT", "informationRecipient.languageCode.c": "es",
        "knowledgeResponseType": "application/json"})
    assert answer.status_code == 200
    entries = answer.json()["feed"]["entry"]
    assert [e["title"]["_value"] for e in entries] == ["Baclofen"]
    hrefs = [link["href"] for link in entries[0]["link"]]
    assert any(h.endswith("/api/leaflets/baclofen/patient.pdf") for h in hrefs)
    assert not any("clinician" in h for h in hrefs)
    assert entries[0]["lang"] == "en"  # no Spanish leaflet: the languages there are


def test_infobutton_gives_providers_the_clinician_leaflet_by_ndc(client):
    # the same NDC written as 11 digits (5-4-2) matches the hyphenated one
    answer = client.get("/infobutton", params={
        "mainSearchCriteria.v.c": "12345067890", "mainSearchCriteria.v.cs": NDC,
        "informationRecipient": "PROV"})
    hrefs = [link["href"] for e in answer.json()["feed"]["entry"] for link in e["link"]]
    assert hrefs and all("/baclofen/clinician" in h for h in hrefs)


def test_infobutton_without_a_match_is_an_empty_feed(client):
    answer = client.get("/infobutton", params={"mainSearchCriteria.v.c": "6851",
                                               "mainSearchCriteria.v.cs": RXNORM})
    assert answer.status_code == 200 and answer.json()["feed"]["entry"] == []  # a draft
    answer = client.get("/infobutton", params={"mainSearchCriteria.v.c": "6851",
                                               "mainSearchCriteria.v.cs": RXNORM,
                                               "draft": "true"})
    assert "DRAFT" in answer.json()["feed"]["entry"][0]["title"]["_value"]


@pytest.mark.parametrize("params, field", [
    ({"mainSearchCriteria.v.cs": RXNORM}, "mainSearchCriteria.v.c"),
    ({"mainSearchCriteria.v.c": "1292", "mainSearchCriteria.v.cs": "1.2.3"},
     "mainSearchCriteria.v.cs"),
    ({"mainSearchCriteria.v.c": "1292", "mainSearchCriteria.v.cs": RXNORM,
      "informationRecipient": "X"}, "informationRecipient"),
    ({"mainSearchCriteria.v.c": "1292", "mainSearchCriteria.v.cs": RXNORM,
      "knowledgeResponseType": "text/plain"}, "knowledgeResponseType"),
])
def test_infobutton_bad_parameters_are_400_naming_them(client, params, field):
    answer = client.get("/infobutton", params=params)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("path", ["/", "/api/leaflets", "/medicine/no-such", "/docs",
                                  "/static/app.css"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_access_log_has_no_query_strings_or_bodies(client, caplog):
    with caplog.at_level(logging.INFO, logger="leafletgen.serve.access"):
        client.get("/", params={"q": PATIENT_NAME})
        client.post("/api/handout", json=patient_data("methotrexate"))
    lines = [r.getMessage() for r in caplog.records if r.name == "leafletgen.serve.access"]
    assert lines == [lines[0], lines[1]] and lines[0].startswith("GET / 200")
    assert lines[1].startswith("POST /api/handout 422")
    assert not any(PATIENT_NAME in line or "?" in line for line in lines)


def test_token_is_required_when_configured(leaflets, inline_pool):
    token = "t" * 40
    with make_client(leaflets, inline_pool, token=token) as guarded:
        refused = guarded.get("/api/leaflets")
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["field"] == "Authorization"
        assert guarded.get("/api/leaflets", headers={"Authorization": "Bearer " + "x" * 40}
                           ).status_code == 401
        assert guarded.get("/api/leaflets", headers={"Authorization": f"Bearer {token}"}
                           ).status_code == 200
        assert guarded.get("/health").status_code == 200
        page = guarded.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].endswith("/login")
        form = guarded.get("/login")
        csrf = form.cookies.get("leafletgen_csrf") or guarded.cookies.get("leafletgen_csrf")
        signed_in = guarded.post("/login", data={"csrf": csrf, "token": token},
                                 follow_redirects=False)
        assert signed_in.status_code == 303
        assert guarded.get("/").status_code == 200  # the cookie the form set


def test_forms_need_their_csrf_token(client):
    answer = client.post("/medicine/baclofen/preview", data={"name": PATIENT_NAME})
    assert answer.status_code == 403
    assert PATIENT_NAME not in answer.text


def test_every_api_route_is_in_the_openapi_description(client):
    spec = openapi_spec()
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    served = {route.path for route in client.app.app.app.app.routes  # under the middleware
              if route.path.startswith(("/api/", "/infobutton", "/health", "/openapi.yaml"))}
    assert served == documented
    assert client.get("/openapi.json").json() == spec
    docs = client.get("/docs").text
    assert "POST /api/handout" in docs
    assert "<code>paper</code>" in docs and "<code>draft</code>" in docs  # from $ref


def test_the_openapi_description_carries_the_patient_schema_and_its_limits(client):
    """The request body is described by the schema that checks patient files, limits and
    all, so the description cannot drift from what the server accepts; every reference in it
    resolves, and every operation names the 431 of an oversized request head."""
    from leafletgen.source.yamlsource import load_schema

    spec = openapi_spec()
    schemas = spec["components"]["schemas"]
    patient = schemas["PatientFile"]
    source = load_schema("patient.schema.json")
    assert patient["required"] == source["required"]
    name = patient["properties"]["patient"]["properties"]["name"]
    assert name["maxLength"] == source["properties"]["patient"]["properties"]["name"]["maxLength"]
    assert patient["properties"]["medicines"]["maxItems"] == \
        source["properties"]["medicines"]["maxItems"]
    assert set(source["$defs"]) <= {n.removeprefix("PatientFile.") for n in schemas}

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    for ref in refs(spec):
        target = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]  # a KeyError names a reference that does not resolve
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert all("431" in op["responses"] for op in operations)
    assert yaml.safe_load(client.get("/openapi.yaml").text) == spec


def test_search_finds_by_name_generic_name_and_code(client, drafts_client):
    assert "/medicine/baclofen" in client.get("/", params={"q": "BACL"}).text
    assert "/medicine/amoxicillin" in client.get("/", params={"q": "723"}).text
    partial = client.get("/", params={"q": "zzz", "partial": "1"}).text
    assert partial.lstrip().startswith('<div id="results"') and "No medicine matches" in partial
    assert "/medicine/methotrexate" not in client.get("/", params={"q": "metho"}).text
    # drafts only when the server is started to show them, not by asking in the address
    assert "/medicine/methotrexate" not in client.get("/", params={"q": "metho",
                                                                   "draft": "true"}).text
    assert "/medicine/methotrexate" in drafts_client.get("/", params={"q": "metho"}).text


def test_unknown_medicine_page_is_404(client, drafts_client):
    assert client.get("/medicine/no-such").status_code == 404
    assert client.get("/medicine/methotrexate").status_code == 404  # a draft
    assert client.get("/medicine/methotrexate?draft=true").status_code == 404
    assert drafts_client.get("/medicine/methotrexate").status_code == 200


def test_leaflet_web_page_has_the_variants_own_sections(client):
    page = client.get("/leaflets/baclofen/patient").text
    clinician = client.get("/leaflets/baclofen/clinician").text
    assert "Read all of this leaflet carefully" in page
    assert "Read all of this leaflet carefully" not in clinician
    assert "file://" not in page and "<script>" not in page


def test_figures_are_served_from_the_monographs_folder_only(drafts_client):
    client = drafts_client
    page = client.get("/leaflets/salbutamol-inhaler/patient").text
    assert 'src="/figures/salbutamol-inhaler/inhaler-press.svg"' in page
    figure = client.get("/figures/salbutamol-inhaler/inhaler-press.svg")
    assert figure.status_code == 200 and figure.headers["content-type"] == "image/svg+xml"
    assert client.get("/figures/salbutamol-inhaler/..%2F..%2Fbaclofen.md").status_code == 404


def test_form_errors_name_the_input_and_keep_no_copy(client):
    client.get("/")  # the CSRF cookie
    csrf = client.cookies.get("leafletgen_csrf")
    answer = client.post("/medicine/baclofen/preview", data={
        "csrf": csrf, "name": PATIENT_NAME, "date": "2026-11-30", "dose-0": "1 tablet",
        "timing-0": "", "directions-0": "Take it", "prescriber": "Dr A", "contact": "Ward 7",
        "contact_phone": "0123"})
    assert answer.status_code == 422
    assert 'href="#timing-0"' in answer.text and 'id="timing-0"' in answer.text
    assert answer.headers["cache-control"] == "no-store"


def test_cli_refuses_an_open_interface_without_a_token(tmp_path: Path):
    from click.testing import CliRunner

    from leafletgen.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--token-file" in result.output
    short = tmp_path / "token"
    short.write_text("abc\n")
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--token-file", str(short)])
    assert result.exit_code == 2 and "shorter than 32" in result.output


@pytest.mark.slow
def test_a_current_built_pdf_is_served_from_out_without_rendering(leaflets):
    import leafletgen

    out = leaflets.parent / "out"
    result = leafletgen.build([leaflets / "baclofen.md"], out, STYLES, variants=["patient"],
                              incremental=True)
    assert result.ok, result.problems
    counting = InlinePool(leaflets, STYLES)
    with make_client(leaflets, counting) as built:
        answer = built.get("/api/leaflets/baclofen/patient.pdf")
    assert answer.status_code == 200
    assert answer.content == (out / "baclofen-patient.pdf").read_bytes()
    assert counting.calls == []  # nothing rendered


def test_on_loopback_only_loopback_host_names_are_answered(leaflets, inline_pool):
    with make_client(leaflets, inline_pool, allowed_hosts=("127.0.0.1", "localhost")) as local:
        assert local.get("/api/leaflets").status_code == 200
        # a page elsewhere that points a name of its own at 127.0.0.1 (DNS rebinding)
        assert local.get("/api/leaflets", headers={"Host": "attacker.example"}
                         ).status_code == 400


def test_the_json_example_is_the_patient_file_example():
    import json

    import yaml

    from .conftest import ROOT

    from_yaml = json.loads(json.dumps(yaml.safe_load(
        (ROOT / "examples" / "patient.yaml").read_text(encoding="utf-8")), default=str))
    assert json.loads((ROOT / "examples" / "patient.json").read_text(encoding="utf-8")
                      ) == from_yaml


def test_infobutton_gives_the_translation_in_the_language_asked_for(client):
    answer = client.get("/infobutton", params={
        "mainSearchCriteria.v.c": "1292", "mainSearchCriteria.v.cs": RXNORM,
        "informationRecipient.languageCode.c": "es", "draft": "true"})
    entries = answer.json()["feed"]["entry"]
    assert [e["lang"] for e in entries] == ["es"]
    assert all("/baclofen.es/" in link["href"] for link in entries[0]["link"])


def test_a_translation_reads_in_its_language_and_direction(drafts_client):
    page = drafts_client.get("/leaflets/baclofen.ar/patient").text
    assert '<article class="leaflet" lang="ar" dir="rtl">' in page
    assert 'lang="es" dir="ltr"' in drafts_client.get("/leaflets/baclofen.es/patient").text


def test_infobutton_without_a_language_answers_in_english(client):
    answer = client.get("/infobutton", params={
        "mainSearchCriteria.v.c": "1292", "mainSearchCriteria.v.cs": RXNORM, "draft": "true"})
    assert [e["lang"] for e in answer.json()["feed"]["entry"]] == ["en"]  # not es, ar, zh


def test_infobutton_answers_atom_xml(client):
    from xml.etree import ElementTree

    answer = client.get("/infobutton", params={
        "mainSearchCriteria.v.c": "1292", "mainSearchCriteria.v.cs": RXNORM,
        "informationRecipient.languageCode.c": "es", "draft": "true",
        "knowledgeResponseType": "text/xml"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/xml")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(answer.content)
    assert feed.tag == f"{atom}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    entries = feed.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}title") for e in entries] == ["Baclofeno (DRAFT, not for "
                                                             "patient use)"]
    links = entries[0].findall(f"{atom}link")
    assert links and all("/baclofen.es/" in link.get("href") and link.get("hreflang") == "es"
                         for link in links)
    assert {c.get("scheme"): c.get("term") for c in feed.findall(f"{atom}category")
            }["mainSearchCriteria.v.c"] == "1292"


def test_the_script_fonts_the_project_ships_are_served_and_nothing_else(client):
    font = client.get("/fonts/DroidSansFallback.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"
    assert font.content == (STYLES / "fonts" / "DroidSansFallback.ttf").read_bytes()
    for other in ("README.md", "make-leaflet-figures.py", "..%2Fpatient.css"):
        assert client.get(f"/fonts/{other}").status_code == 404
    assert "font-src 'self'" in client.get("/").headers["content-security-policy"]



# -- FHIR records (application/fhir+json) -----------------------------------------------------

IPS = ROOT.parent / "shared" / "fhir" / "ips-bundle-minimal.json"
needs_ips = pytest.mark.skipif(not IPS.exists(), reason="the shared HL7 examples are absent")
FHIR = {"Content-Type": "application/fhir+json"}


def ips_with_amoxicillin() -> bytes:
    import json

    data = json.loads(IPS.read_text(encoding="utf-8"))
    data["entry"].append({"fullUrl": "urn:uuid:amoxicillin-request", "resource": {
        "resourceType": "MedicationRequest", "status": "active", "intent": "order",
        "medicationCodeableConcept": {"coding": [{
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "723"}],
            "text": "Amoxicillin 500 mg capsules"},
        "subject": {"reference": "urn:uuid:7685713c-e29e-4a75-8a90-45be7ba3be94"},
        "dosageInstruction": [{"timing": {"repeat": {"frequency": 3, "period": 1,
                                                     "periodUnit": "d"}},
                               "doseAndRate": [{"doseQuantity": {"value": 1,
                                                                 "unit": "capsule"}}]}]}})
    return json.dumps(data).encode()


@needs_ips
def test_a_record_with_a_medicine_matching_an_allergy_is_422_naming_both(client):
    answer = client.post("/api/packet", content=ips_with_amoxicillin(), headers=FHIR)
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["errors"]
    assert problem["field"] == "entry.8.resource"
    assert "Amoxicillin" in problem["message"] and "penicillin" in problem["message"]


def test_a_record_with_a_wrong_field_is_422_naming_the_field_not_the_value(client):
    record = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Patient", "birthDate": "SECRET-VALUE"}}]}
    answer = client.post("/api/packet", json=record, headers=FHIR)
    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert problem["field"] == "entry.0.resource.birthDate"
    assert "SECRET-VALUE" not in answer.text


@needs_ips
@pytest.mark.slow
def test_a_record_makes_a_packet_with_the_prescribers_decision(client):
    answer = client.post("/api/packet?allergy_decision=amoxicillin", content=ips_with_amoxicillin(),
                         headers=FHIR)
    assert answer.status_code == 200, answer.text
    text = " ".join(pdf_text(answer.content).split())
    assert "decided that you should still take Amoxicillin" in text
    assert "Anastrozole" in text and "No leaflet here" in text
    assert answer.headers["cache-control"] == "no-store"
