"""No file is read from or written to outside where it should be: importers never follow a
symbolic link out of the label's folder or the output folder."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from leafletgen.cli import cli
from leafletgen.errors import display_path
from leafletgen.exchange.api import import_spl
from leafletgen.exchange.fhir import export_monograph
from leafletgen.files import link_out_of, read_regular
from tests.conftest import LEAFLETS, ROOT

SPL = ROOT / "tests" / "fixtures" / "spl"
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64  # enough of a JPEG for a copy


def _label_with_image(folder: Path) -> Path:
    folder.mkdir(parents=True)
    label = folder / "testamab.xml"
    shutil.copyfile(SPL / "testamab.xml", label)
    return label


def test_a_symlinked_image_beside_a_label_is_not_copied_and_is_reported(tmp_path):
    secret = tmp_path / "private" / "secret.jpg"
    secret.parent.mkdir()
    secret.write_bytes(JPEG)
    label = _label_with_image(tmp_path / "label")
    (label.parent / "pinch.jpg").symlink_to(secret)
    report = import_spl(label, tmp_path / "leaflets")
    notes = " ".join(note.message for note in report.notes)
    assert "image 'pinch.jpg'" in notes and "symbolic link" in notes
    figures = tmp_path / "leaflets" / "figures"
    assert not figures.exists() or list(figures.iterdir()) == []
    assert "figures/" not in (tmp_path / "leaflets" / "testamab.md").read_text()


def test_a_symlink_to_an_image_in_the_same_folder_is_refused_too(tmp_path):
    label = _label_with_image(tmp_path / "label")
    (label.parent / "real.jpg").write_bytes(JPEG)
    (label.parent / "pinch.jpg").symlink_to(label.parent / "real.jpg")
    report = import_spl(label, tmp_path / "leaflets")
    assert any("symbolic link" in note.message for note in report.notes)


def test_a_real_image_beside_the_label_is_copied(tmp_path):
    label = _label_with_image(tmp_path / "label")
    (label.parent / "pinch.jpg").write_bytes(JPEG)
    import_spl(label, tmp_path / "leaflets")
    copied = list((tmp_path / "leaflets" / "figures").iterdir())
    assert [p.read_bytes() for p in copied] == [JPEG]


def test_a_figures_folder_linked_elsewhere_is_not_written_through(tmp_path):
    label = _label_with_image(tmp_path / "label")
    (label.parent / "pinch.jpg").write_bytes(JPEG)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "leaflets"
    out.mkdir()
    (out / "figures").symlink_to(elsewhere)
    with pytest.raises(Exception, match="outside"):
        import_spl(label, out)
    assert list(elsewhere.iterdir()) == []
    assert not (out / "testamab.md").exists()  # no monograph without its figures


def _bundle(tmp_path: Path) -> Path:
    (patient, _) = export_monograph(LEAFLETS / "baclofen.md")
    path = tmp_path / "baclofen-patient.epi.json"
    path.write_text(json.dumps(patient.bundle), encoding="utf-8")
    return path


@pytest.mark.parametrize("dangling", [True, False])
def test_import_fhir_never_writes_through_a_link_named_like_its_output(tmp_path, monkeypatch,
                                                                       dangling):
    from click.testing import CliRunner

    bundle = _bundle(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "outside.md"
    if not dangling:
        target.write_text("keep me", encoding="utf-8")
    (out / "baclofen.md").symlink_to(target)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["import", "fhir", str(bundle), "-o", str(out)])
    assert result.exit_code == 1
    if dangling:
        assert "out/baclofen.md: baclofen.md is a symbolic link" in result.output
        assert not target.exists()
    else:
        assert "exists and is not overwritten" in result.output
        assert target.read_text() == "keep me"


def test_link_out_of_names_each_way_out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "dangling").symlink_to(tmp_path / "nowhere")
    (folder / "sub").symlink_to(tmp_path)
    assert "symbolic link" in link_out_of(folder / "dangling", folder)
    assert "outside" in link_out_of(folder / "sub" / "x", folder)
    assert link_out_of(folder / "new.md", folder) is None


def test_read_regular_refuses_links_devices_and_too_much(tmp_path):
    real = tmp_path / "real"
    real.write_bytes(b"12345")
    (tmp_path / "link").symlink_to(real)
    assert read_regular(real, 5) == b"12345"
    for path, limit in ((tmp_path / "link", 5), (Path("/dev/zero"), 5), (real, 4)):
        with pytest.raises(OSError):
            read_regular(path, limit)


def test_messages_name_a_link_as_itself(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.md").symlink_to(tmp_path / "target.md")
    assert display_path(tmp_path / "link.md") == "link.md"
    assert os.path.islink(tmp_path / "link.md")
