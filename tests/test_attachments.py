"""Attached PDFs are untrusted: a packet keeps copies of their pages only.

The hostile PDF below carries what a PDF from elsewhere may: page-open JavaScript, JavaScript,
launch and web links, a file attachment annotation and embedded files, page-level XMP and
PieceInfo, a form XObject with its own metadata, document metadata, and a stamp that prints.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader

import leafletgen
from leafletgen.errors import ContentError

from .conftest import STYLES, monograph_text

PATIENT = textwrap.dedent("""\
    patient:
      name: Quentina Zephyrine Oddlyname
    date: 2026-03-15
    prescriber: {name: Dr Ada Example}
    contact: {name: Ward 9 pharmacy, phone: 555 0100}
    medicines:
      - monograph: testamol
        dose: 2 tablets (20 mg)
        timing: Every morning
        directions: Take 2 tablets every morning with food.
    """)

# what must not survive, anywhere in the packet (streams decompressed)
SECRETS = (b"app.alert", b"calc.exe", b"evil.example", b"ATTACHED-SECRET", b"EMBEDDED-SECRET",
           b"FOREIGN-TITLE", b"FOREIGN-XMP", b"PAGE-XMP", b"PIECE-DATA", b"FORM-XMP")
# names of what must not survive, as keys or as action types
HOSTILE_KEYS = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/EmbeddedFiles", "/EF",
                "/PieceInfo", "/AcroForm"}
HOSTILE_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/GoToR", "/SubmitForm", "/ImportData"}


def _text_stream(pdf: pikepdf.Pdf, text: str, y: int = 700) -> pikepdf.Stream:
    return pdf.make_stream(f"BT /F1 24 Tf 72 {y} Td ({text}) Tj ET".encode())


def _action(**entries) -> Dictionary:
    return Dictionary(Type=Name.Action, **entries)


def hostile_pdf() -> bytes:
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                        BaseFont=Name.Helvetica))
    form = pdf.make_stream(b"BT /F1 10 Tf 72 100 Td (FORM XOBJECT) Tj ET")
    form.Type, form.Subtype, form.BBox = Name.XObject, Name.Form, Array([0, 0, 612, 792])
    form.Resources = Dictionary(Font=Dictionary(F1=font))
    form.Metadata = pdf.make_stream(b"<x:xmpmeta>FORM-XMP</x:xmpmeta>")
    form.PieceInfo = Dictionary(Illustrator=Dictionary(Private=String("PIECE-DATA")))
    for i, text in enumerate(("HOSTILE PAGE ONE", "HOSTILE PAGE TWO")):
        page = pdf.add_blank_page(page_size=(612, 792))
        page.obj.Resources = Dictionary(Font=Dictionary(F1=font),
                                        XObject=Dictionary(Fx=form))
        contents = f"BT /F1 24 Tf 72 700 Td ({text}) Tj ET" + (" /Fx Do" if i == 0 else "")
        page.obj.Contents = pdf.make_stream(contents.encode())
    one, two = pdf.pages[0].obj, pdf.pages[1].obj
    javascript = _action(S=Name.JavaScript, JS=String("app.alert"))
    one.AA = Dictionary(O=javascript, C=javascript)
    one.Metadata = pdf.make_stream(b"<x:xmpmeta>PAGE-XMP</x:xmpmeta>")
    one.PieceInfo = Dictionary(Illustrator=Dictionary(Private=String("PIECE-DATA")))
    embedded = pdf.make_stream(b"EMBEDDED-SECRET")
    embedded.Type = Name.EmbeddedFile
    filespec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("notes.txt"),
                                            EF=Dictionary(F=embedded)))
    attached = pdf.make_stream(b"ATTACHED-SECRET")
    attached.Type = Name.EmbeddedFile
    stamp = pdf.make_stream(b"BT /F1 18 Tf 2 2 Td (STAMPED TEXT) Tj ET")
    stamp.Type, stamp.Subtype, stamp.BBox = Name.XObject, Name.Form, Array([0, 0, 300, 30])
    stamp.Resources = Dictionary(Font=Dictionary(F1=font))

    def link(rect, **entries) -> Dictionary:
        return pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link,
                                            Rect=Array(rect), **entries))

    one.Annots = Array([
        link([72, 600, 200, 620], A=javascript),
        link([72, 570, 200, 590], A=_action(S=Name.Launch, F=String("calc.exe"))),
        link([72, 540, 200, 560], A=_action(S=Name.URI, URI=String("https://evil.example/"))),
        link([72, 510, 200, 530], Dest=Array([two, Name.Fit])),
        link([72, 480, 200, 500], A=_action(S=Name.GoTo, D=String("two"))),
        link([72, 450, 200, 470], A=_action(S=Name.GoToR, F=String("evil.example.pdf"),
                                            D=Array([0, Name.Fit]))),
        pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.FileAttachment, Rect=Array([300, 600, 320, 620]),
            FS=Dictionary(Type=Name.Filespec, F=String("more.txt"),
                          EF=Dictionary(F=attached)))),
        pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Stamp, F=4,
                                     Rect=Array([72, 300, 372, 330]),
                                     AP=Dictionary(N=stamp))),
    ])
    pdf.Root.OpenAction = javascript
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("start"), javascript])),
        EmbeddedFiles=Dictionary(Names=Array([String("notes.txt"), filespec])),
        Dests=Dictionary(Names=Array([String("two"), Array([two, Name.XYZ, 0, 792, 0])])))
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), JS=javascript)
    pdf.Root.Metadata = pdf.make_stream(b"<x:xmpmeta>FOREIGN-XMP</x:xmpmeta>")
    pdf.docinfo["/Title"] = "FOREIGN-TITLE"
    out = io.BytesIO()
    pdf.save(out, fix_metadata_version=False)
    return out.getvalue()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("attachments")
    (root / "leaflets").mkdir()
    (root / "leaflets" / "testamol.md").write_text(monograph_text(), encoding="utf-8")
    (root / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    (root / "hostile.pdf").write_bytes(hostile_pdf())
    return root


@pytest.fixture(scope="module")
def packet(project) -> bytes:
    """A packet with the hostile PDF before and after our own pages."""
    hostile = project / "hostile.pdf"
    return leafletgen.packet(project / "patient.yaml", leaflets=project / "leaflets",
                             styles=STYLES, attach=[leafletgen.Attachment(hostile, first=True),
                                                    hostile])


def uncompressed(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, compress_streams=False, fix_metadata_version=False,
                 stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def test_the_hostile_pdf_is_hostile():
    """The fixture carries everything the packet must drop (so the tests below mean it)."""
    data = uncompressed(hostile_pdf())
    assert all(secret in data for secret in SECRETS)


def test_nothing_that_acts_or_hides_data_survives(packet):
    data = uncompressed(packet)
    assert [secret for secret in SECRETS if secret in data] == []
    with pikepdf.open(io.BytesIO(packet)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, (Dictionary, pikepdf.Stream)):
                assert not HOSTILE_KEYS & set(obj.keys()), obj.objgen
                assert str(obj.get("/S", "")) not in HOSTILE_ACTIONS, obj.objgen
                assert obj.get("/Type") not in (Name.Filespec, Name.EmbeddedFile), obj.objgen


def test_attached_pages_are_copied_with_what_they_print(packet):
    reader = PdfReader(io.BytesIO(packet))
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    for first in (0, len(texts) - 2):
        assert "HOSTILE PAGE ONE" in texts[first] and "FORM XOBJECT" in texts[first]
        assert "STAMPED TEXT" in texts[first], "the stamp prints, so it is drawn on the page"
        assert "HOSTILE PAGE TWO" in texts[first + 1]
        for page in reader.pages[first:first + 2]:
            assert not {"/Metadata", "/PieceInfo", "/AA", "/StructParents"} & set(page.keys())


def test_only_links_within_the_attachment_are_kept(packet):
    reader = PdfReader(io.BytesIO(packet))
    total = len(reader.pages)
    for first in (0, total - 2):
        links = [annotation.get_object() for annotation in
                 reader.pages[first].get("/Annots", [])]
        assert [link["/Subtype"] for link in links] == ["/Link", "/Link"]
        assert all("/A" not in link for link in links)
        # the explicit and the named destination both lead to the attachment's second page
        targets = [reader.get_destination_page_number(
            reader._build_destination("", link["/Dest"])) for link in links]
        assert targets == [first + 1, first + 1]
    assert "/Annots" not in reader.pages[1] and "/Annots" not in reader.pages[-1]


def test_the_packet_keeps_no_foreign_metadata(packet):
    reader = PdfReader(io.BytesIO(packet))
    assert reader.metadata.title == "Medicine information"
    assert "/Names" not in reader.trailer["/Root"] or \
        set(reader.trailer["/Root"]["/Names"]) <= {"/Dests"}


def test_an_attachment_that_is_not_a_pdf_is_never_quoted(project, tmp_path):
    """A parser warning once printed the first bytes of a non-PDF attachment."""
    notes = tmp_path / "notes.pdf"
    notes.write_text("Zebedee Patient, ward 9: private notes", encoding="utf-8")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n1 0 obj << /Zebedee (Patient) >> endobj\ntrailer <<>>\n")
    for attachment in (notes, damaged):
        env = {**os.environ, "TMPDIR": str(tmp_path)}
        done = subprocess.run(
            [str(Path(sys.executable).with_name("leafletgen")), "--debug", "packet",
             "--patient", str(project / "patient.yaml"), "--leaflets",
             str(project / "leaflets"), "--styles", str(STYLES), "--attach", str(attachment),
             "-o", str(tmp_path / "out.pdf")],
            capture_output=True, text=True, env=env, timeout=300, check=False)
        assert done.returncode == 1, done.stderr
        assert "Zebed" not in done.stdout + done.stderr
        assert f"{attachment}:1: cannot be read as a PDF; attach a PDF file" in done.stderr
        assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("data,message", [
    (b"", "cannot be read as a PDF; attach a PDF file"),
    (b"%PDF-1.7\n%%EOF\n", "cannot be read as a PDF; attach a PDF file"),
])
def test_unusable_attachments_stop_the_packet(project, tmp_path, data, message):
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    with pytest.raises(ContentError) as caught:
        leafletgen.packet(project / "patient.yaml", leaflets=project / "leaflets",
                          styles=STYLES, attach=[path])
    assert [str(p) for p in caught.value.problems] == [f"{path}:1: {message}"]


def test_an_encrypted_attachment_is_refused(project, tmp_path):
    path = tmp_path / "locked.pdf"
    with pikepdf.open(io.BytesIO(hostile_pdf())) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(ContentError) as caught:
        leafletgen.packet(project / "patient.yaml", leaflets=project / "leaflets",
                          styles=STYLES, attach=[path])
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: this PDF is encrypted; attach a copy without a password"]


def test_the_file_syntax_is_checked_only_when_pages_from_elsewhere_are_in_it(project,
                                                                           monkeypatch):
    """Our own pages come from one writer (WeasyPrint, finished by qpdf): like a build's
    leaflets they skip qpdf's syntax check; a packet with attachments is checked whole."""
    from leafletgen.personal import packet as packet_module

    seen: list[bool] = []
    real = packet_module.verify_pdf

    def spy(data, options, layout=None):
        seen.append(options.rendered)
        return real(data, options, layout)

    monkeypatch.setattr(packet_module, "verify_pdf", spy)
    leafletgen.packet(project / "patient.yaml", leaflets=project / "leaflets", styles=STYLES)
    leafletgen.packet(project / "patient.yaml", leaflets=project / "leaflets", styles=STYLES,
                      attach=[project / "hostile.pdf"])
    assert seen == [True, False]
