"""The counter's route through the web app, in process: find, personalise, preview, then
print or download the PDF that was previewed (kept in memory, not rendered again); the
pharmacy's own details from the configuration file; the dispensing record."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pikepdf
import pytest

from leafletgen.serve.previews import Dispensed, Preview, PreviewStore
from leafletgen.serve.settings import Pharmacy, Settings, SettingsError, load_settings

from .conftest import PATIENT_NAME, STYLES, InlinePool, make_client, patient_data
from .test_api import pdf_text

PHARMACY = Pharmacy(name="High Street Pharmacy", address="1 High Street, Exampletown",
                    phone="01234 567 890", hours="Monday to Saturday, 9 am to 6 pm")


def csrf_of(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/packet").text)[1]


def form(client, **extra: str) -> dict[str, str]:
    """What the counter types, with the pharmacy's details as the form prefills them."""
    return {"csrf": csrf_of(client), "name": PATIENT_NAME, "date": "2026-11-30",
            "dose-0": "1 tablet (10 mg)", "timing-0": "3 times a day at 8 am, 2 pm and 8 pm",
            "directions-0": "Take 1 tablet 3 times a day.", "prescriber": "Dr Sam Placeholder",
            "contact": PHARMACY.name or "", "contact_phone": PHARMACY.phone or "",
            "contact_hours": PHARMACY.hours or "", "contact_address": PHARMACY.address or "",
            **extra}


@pytest.fixture(scope="module")
def counter(leaflets: Path, tmp_path_factory: pytest.TempPathFactory):
    """A server started with --drafts and a configuration file that keeps a record."""
    record = tmp_path_factory.mktemp("record") / "dispensed.jsonl"
    pool = InlinePool(leaflets, STYLES)
    settings = Settings(pharmacy=PHARMACY, record=record, counter="front-counter")
    with make_client(leaflets, pool, drafts=True, settings=settings) as client:
        client.pool = pool
        client.record = record
        yield client


@pytest.mark.slow  # renders
def test_preview_then_download_and_print_render_once(counter):
    counter.pool.calls.clear()
    answer = counter.post("/medicine/methotrexate/preview", data=form(counter),
                          follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["cache-control"] == "no-store"
    preview_url = answer.headers["location"]
    key = preview_url.rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key)  # secrets.token_urlsafe(32)
    shown = counter.get(preview_url)
    assert shown.status_code == 200 and "DRAFT proof" in shown.text
    assert 'href="/medicine/methotrexate"' in shown.text  # Start again
    assert counter.get("/medicine/methotrexate").status_code == 200  # ... works for a draft

    download = counter.get(f"/preview/{key}.pdf?download=1")
    printed = counter.get(f"/preview/{key}.pdf")
    assert download.status_code == printed.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert printed.headers["content-disposition"].startswith("inline")
    assert printed.headers["x-frame-options"] == "SAMEORIGIN"  # the Print button frames it
    assert download.headers["cache-control"] == printed.headers["cache-control"] == "no-store"
    assert download.content == printed.content
    # rendered once, for the preview (the medicine page renders its generic leaflets)
    assert [c for c in counter.pool.calls if c != "generic_pdf"] == ["personal_preview"]
    text = pdf_text(download.content)
    assert PATIENT_NAME in text and "DRAFT" in text
    # every field the form asked for is printed
    for typed in ("1 tablet (10 mg)", "3 times a day at 8 am, 2 pm and 8 pm",
                  "Dr Sam Placeholder", "High Street Pharmacy", "01234 567 890",
                  "1 High Street, Exampletown", "9 am to 6 pm"):
        assert typed in " ".join(text.split()), typed


def test_an_unknown_or_expired_preview_is_404_saying_what_to_do(counter):
    answer = counter.get("/preview/" + "A" * 43)
    assert answer.status_code == 404 and "preview again" in answer.text
    assert counter.get("/preview/" + "A" * 43 + ".pdf").status_code == 404
    assert counter.get("/preview/not-an-id.pdf").status_code == 404


@pytest.mark.slow  # renders
def test_a_translation_is_a_language_of_its_medicine_and_is_personalised_in_it(counter):
    listed = counter.get("/").text
    assert "Baclofeno" not in listed and "/medicine/baclofen.es" not in listed
    page = counter.get("/medicine/baclofen?lang=es").text
    assert 'aria-current="page" lang="es">Español' in page
    assert 'name="language" value="es"' in page
    assert counter.get("/medicine/baclofen.es", follow_redirects=False
                       ).headers["location"].endswith("/medicine/baclofen?lang=es")
    answer = counter.post("/medicine/baclofen/preview?lang=es", data=form(counter,
                          language="es"))
    assert answer.status_code == 200, answer.text  # the preview page, after the redirect
    pdf = counter.get(answer.url.path + ".pdf?download=1").content
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == "es"
    assert "Baclofeno" in pdf_text(pdf)


def test_a_language_a_medicine_lacks_is_named(counter):
    answer = counter.get("/medicine/amoxicillin?lang=es")
    assert answer.status_code == 404 and "no leaflet in this language" in answer.text
    data = patient_data("amoxicillin")
    data["language"] = "es"
    answer = counter.post("/api/handout?draft=true", json=data)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "language"


@pytest.mark.slow  # renders
def test_json_patient_language_is_honoured_over_http(counter):
    data = patient_data("baclofen")
    data["language"] = "ar"
    answer = counter.post("/api/handout?draft=true", json=data)
    assert answer.status_code == 200
    with pikepdf.open(io.BytesIO(answer.content)) as document:
        assert str(document.Root.Lang) == "ar"


@pytest.mark.slow  # renders
def test_the_pharmacys_details_are_prefilled(counter):
    page = counter.get("/medicine/baclofen").text
    for value in ("High Street Pharmacy", "01234 567 890", "1 High Street, Exampletown",
                  "Monday to Saturday, 9 am to 6 pm"):
        assert f'value="{value}"' in page
    assert re.search(r'<input id="q"[^>]* autofocus', counter.get("/").text)


def test_packet_text_areas_have_a_number_of_rows(counter):
    page = counter.get("/packet").text
    rows = re.findall(r'<textarea [^>]*rows="([^"]*)"', page)
    assert rows and all(r.isdigit() for r in rows), rows


@pytest.mark.slow  # renders
def test_dispensing_record_names_the_leaflet_never_the_patient(counter):
    before = counter.record.read_text(encoding="utf-8").splitlines() \
        if counter.record.exists() else []
    answer = counter.post("/medicine/methotrexate/preview", data=form(counter),
                          follow_redirects=False)
    key = answer.headers["location"].rsplit("/", 1)[1]
    counter.get(f"/preview/{key}.pdf")
    counter.get(f"/preview/{key}.pdf?download=1")  # the same handout: recorded once
    lines = counter.record.read_text(encoding="utf-8").splitlines()[len(before):]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert {k: entry[k] for k in ("medicine", "version", "variant", "language", "draft",
                                  "document", "counter")} == {
        "medicine": "methotrexate", "version": "0.1", "variant": "patient", "language": "en",
        "draft": True, "document": "handout", "counter": "front-counter"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["time"])
    whole = counter.record.read_text(encoding="utf-8")
    for secret in (PATIENT_NAME, "Dr Sam Placeholder", "1 tablet", "2026-11-30"):
        assert secret not in whole


def test_the_record_is_off_unless_configured(leaflets, inline_pool):
    from leafletgen.serve import ServeConfig, create_app

    config = ServeConfig(leaflets=leaflets, styles=STYLES, out=leaflets.parent / "out")
    assert create_app(config, inline_pool).state.dispensing is None


def test_preview_store_is_bounded_in_time_count_and_bytes():
    now = [0.0]
    store = PreviewStore(minutes=10, count=2, megabytes=1, clock=lambda: now[0])

    def preview(size: int) -> Preview:
        return Preview(b"x" * size, (), 1, "a.pdf", "t", "/", "handout",
                       (Dispensed("baclofen", "1.1", "patient", "en", False),))

    first, second = store.put(preview(10)), store.put(preview(10))
    assert store.get(first) and store.get(second) and first != second
    third = store.put(preview(10))  # over the count: the oldest goes
    assert store.get(first) is None and store.get(third)
    big = store.put(preview(1024 * 1024 - 5))  # over the bytes: the others go
    assert store.get(second) is None and store.get(third) is None and store.get(big)
    assert store.bytes <= 1024 * 1024
    assert store.get(store.put(preview(2 * 1024 * 1024))) is None  # never kept at all
    now[0] += 599
    assert store.get(big)
    now[0] += 2  # 10 minutes later
    assert store.get(big) is None and store.kept == 0 and store.bytes == 0
    assert store.first_handover(big) is False


def test_configuration_file(tmp_path):
    path = tmp_path / "serve.toml"
    path.write_text('[pharmacy]\nname = "High Street Pharmacy"\nphone = "01234 567 890"\n'
                    '[counter]\ndrafts = true\n[dispensing]\nrecord = "dispensed.jsonl"\n'
                    'counter = "front"\n[previews]\nminutes = 5\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.pharmacy.name == "High Street Pharmacy" and settings.drafts
    assert settings.record == tmp_path / "dispensed.jsonl" and settings.counter == "front"
    assert settings.preview_minutes == 5


@pytest.mark.parametrize("text, says", [
    ("[pharmacy]\nfax = \"1\"\n", "[pharmacy] fax is not a known key"),
    ("[shop]\nname = \"x\"\n", "[shop] is not a known table"),
    ("[counter]\ndrafts = \"yes\"\n", "[counter] drafts must be true or false"),
    ("[previews]\nminutes = 600\n", "[previews] minutes must be between"),
    ("[pharmacy\n", "not valid TOML"),
])
def test_a_bad_configuration_file_is_named_with_its_key(tmp_path, text, says):
    path = tmp_path / "serve.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    assert str(raised.value).startswith(f"{path}: ") and says in str(raised.value)


def test_the_configured_handout_is_chosen_first(leaflets, inline_pool):
    settings = Settings(variant="patient-large")
    with make_client(leaflets, inline_pool, settings=settings) as client:
        page = client.get("/packet").text
    assert '<option value="patient-large" selected>' in page
    assert '<option value="patient" selected>' not in page


def test_the_example_configuration_file_is_valid():
    from .conftest import ROOT

    settings = load_settings(ROOT / "examples" / "serve.toml")
    assert settings.pharmacy.name == "High Street Pharmacy" and settings.record is None


@pytest.mark.slow  # renders
def test_an_approved_leaflet_is_no_proof_on_a_server_that_shows_drafts(counter):
    shown = counter.post("/medicine/baclofen/preview", data=form(counter))
    assert shown.status_code == 200 and "Baclofen: check the leaflet" in shown.text
    assert "DRAFT proof" not in shown.text


@pytest.mark.parametrize("query, found", [
    ("Ventolin", ["salbutamol-inhaler"]),      # a brand
    ("calpol", ["paracetamol-oral-suspension"]),
    ("metotrexate", ["methotrexate"]),         # a near miss
    ("amoxycillin", ["amoxicillin"]),
    ("Baclofeno", ["baclofen"]),               # a translation's name finds its medicine
    ("1292", ["baclofen"]),                    # RxNorm
    ("bacl", ["baclofen"]),                    # the first letters
    ("xyz", []),
    ("mtx", []),                               # 3 letters: no near misses
])
def test_search_by_brand_near_miss_code_and_translation(drafts_client, query, found):
    page = drafts_client.get("/", params={"q": query, "partial": "1"}).text
    assert re.findall(r'href="/medicine/([\w.-]+)"', page) == found


def test_the_first_screen_lists_approved_medicines_only_unless_drafts_are_shown(
        client, drafts_client, leaflets):
    approved = re.findall(r'href="/medicine/([\w.-]+)"', client.get("/").text)
    assert approved == ["amoxicillin", "baclofen"]  # the two the test catalogue approves
    every = re.findall(r'href="/medicine/([\w.-]+)"', drafts_client.get("/").text)
    # every monograph once: translations (<slug>.<language>.md) are languages of baclofen
    monographs = sorted(p.stem for p in leaflets.glob("*.md") if "." not in p.stem)
    assert sorted(every) == monographs and len(every) == len(set(every)) > 5


def test_the_command_refuses_a_record_it_cannot_write(tmp_path):
    from click.testing import CliRunner

    from leafletgen.cli import cli

    config = tmp_path / "serve.toml"
    blocker = tmp_path / "file"
    blocker.write_text("")
    config.write_text(f'[dispensing]\nrecord = "{blocker}/dispensed.jsonl"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--config", str(config)])
    assert result.exit_code == 2 and "[dispensing] record: cannot append" in result.output
    config.write_text("[pharmacy]\nfax = \"1\"\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--config", str(config)])
    assert result.exit_code == 2 and "[pharmacy] fax is not a known key" in result.output


@pytest.mark.slow  # renders
def test_a_packet_in_a_language(counter):
    data = {"csrf": csrf_of(counter), "name": PATIENT_NAME, "date": "2026-11-30",
            "language": "es", "medicine-0": "baclofen", "dose-0": "1 tablet (10 mg)",
            "timing-0": "3 times a day", "directions-0": "Take 1 tablet 3 times a day.",
            "prescriber": "Dr A", "contact": "Ward 7", "contact_phone": "0123"}
    made = counter.post("/packet/preview", data=data)
    assert made.status_code == 200, made.text
    pdf = counter.get(made.url.path + ".pdf?download=1").content
    assert _lang(pdf) == "es" and "Baclofeno" in pdf_text(pdf)
    last = json.loads(counter.record.read_text(encoding="utf-8").splitlines()[-1])
    # a packet prints each medicine's counselling summary
    assert (last["document"], last["variant"], last["language"]) == (
        "packet", "patient-summary", "es")
    refused = counter.post("/packet/preview", data={
        **data, "medicine-1": "amoxicillin", "dose-1": "1 capsule", "timing-1": "3 times a day",
        "directions-1": "Take 1 capsule 3 times a day."})
    assert refused.status_code == 422
    assert 'href="#language"' in refused.text and 'id="language"' in refused.text
    assert PATIENT_NAME in refused.text  # the form keeps what was typed, for the counter


def _lang(pdf: bytes) -> str:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return str(document.Root.Lang)
