"""One path per use case: the library, the command line and HTTP give the same document.

The same patient, as a YAML file and as JSON, in English, Spanish and Arabic, in each patient
variant, with an approved and a draft monograph, through ``leafletgen.handout``/``packet``,
the ``handout``/``packet`` commands and ``POST /api/handout``/``/api/packet``: the same text,
page count and document language.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml

import leafletgen
from leafletgen.cli import main

from .conftest import LEAFLETS, ROOT, STYLES
from .serve.conftest import InlinePool, approve, make_client

pytestmark = pytest.mark.slow

# (kind, patient format, language, variant, monograph approved)
CASES = [
    ("handout", "yaml", None, "patient", True),
    ("handout", "json", "es", "patient-large", True),
    ("handout", "yaml", "ar", "patient", False),
    ("handout", "json", None, "patient-large", False),
    ("packet", "json", "ar", "patient", True),
    ("packet", "yaml", "es", "patient-large", False),
]


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    """Two copies of the shipped catalogue: baclofen approved in one, a draft in the other."""
    approved = tmp_path_factory.mktemp("approved") / "leaflets"
    shutil.copytree(LEAFLETS, approved)
    for translation in ("baclofen.md", "baclofen.es.md", "baclofen.ar.md"):
        approve(approved / translation)
    return {True: approved, False: LEAFLETS}


@pytest.fixture(scope="module")
def clients(catalogues: dict[bool, Path]):
    made = {approved: make_client(folder, InlinePool(folder, STYLES))
            for approved, folder in catalogues.items()}
    for client in made.values():
        client.__enter__()
    yield made
    for client in made.values():
        client.__exit__(None, None, None)


def patient_data(language: str | None, variant: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "examples" / "patient.yaml").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(data, default=str))  # dates as text
    data["variant"] = variant
    if language is not None:
        data["language"] = language
    return data


def write_patient(folder: Path, data: dict[str, Any], form: str) -> Path:
    path = folder / f"patient.{form}"
    text = (json.dumps(data, ensure_ascii=False) if form == "json"
            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    path.write_text(text, encoding="utf-8")
    return path


def summary(data: bytes) -> tuple[str, int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return text, len(reader.pages), str(reader.trailer["/Root"]["/Lang"])


@pytest.mark.parametrize(("kind", "form", "language", "variant", "approved"), CASES)
def test_library_command_line_and_http_make_the_same_document(
        catalogues, clients, tmp_path, capsys, kind, form, language, variant, approved):
    folder = catalogues[approved]
    data = patient_data(language, variant)
    patient_file = write_patient(tmp_path, data, form)
    draft = not approved

    if kind == "handout":
        library = leafletgen.handout(folder / "baclofen.md", patient_file, styles=STYLES,
                                     draft=draft)
    else:
        library = leafletgen.packet(patient_file, leaflets=folder, styles=STYLES, draft=draft)

    out = tmp_path / "out.pdf"
    args = (["handout", str(folder / "baclofen.md"), "--for", str(patient_file)]
            if kind == "handout" else
            ["packet", "--patient", str(patient_file), "--leaflets", str(folder)])
    code = main([*args, "--styles", str(STYLES), "-o", str(out),
                 *(["--draft"] if draft else [])])
    assert code == 0, capsys.readouterr().err
    command_line = out.read_bytes()

    answer = clients[approved].post(f"/api/{kind}", json=data,
                                     params={"draft": "true"} if draft else {})
    assert answer.status_code == 200, answer.text
    http = answer.content

    expected = summary(library)
    assert expected[2] == (language or "en")
    if language is None:
        assert ("DRAFT" in expected[0]) is draft
    assert summary(command_line) == expected
    assert summary(http) == expected


def test_an_unknown_language_is_refused_alike_by_every_route(catalogues, clients, tmp_path,
                                                             capsys):
    data = patient_data("fr", "patient")
    patient_file = write_patient(tmp_path, data, "json")
    with pytest.raises(leafletgen.ContentError) as caught:
        leafletgen.packet(patient_file, leaflets=catalogues[True], styles=STYLES)
    (problem,) = caught.value.problems
    assert problem.field == "language"  # what to change: the language, or a translation

    code = main(["packet", "--patient", str(patient_file), "--leaflets", str(catalogues[True]),
                 "--styles", str(STYLES), "-o", str(tmp_path / "x.pdf")])
    assert code == 1
    assert "no translation into the patient's language" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()

    answer = clients[True].post("/api/packet", json=data)
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert error["field"] == "language"
    assert "no translation into the patient's language" in error["message"]
