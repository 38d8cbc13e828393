"""A font file in styles/ that cannot be read is a warning naming it, never dropped silently."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from leafletgen.fonts.config import read_fonts
from tests.conftest import STYLES


@pytest.mark.parametrize("content", [
    b"",  # empty
    b"not a font at all",
    b"\x00\x01\x00\x00" + b"\xff" * 64,  # a TrueType header, then garbage
])
def test_a_damaged_font_file_is_a_warning_naming_it(tmp_path: Path, caplog, content):
    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    (styles / "fonts" / "LeafletFigures-Regular.ttf").write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="leafletgen.fonts.config"):
        fonts = read_fonts(styles)
    assert any("fonts/LeafletFigures-Regular.ttf is not a font file leafletgen can read"
               in r.getMessage() for r in caplog.records)
    assert not any(p.name == "LeafletFigures-Regular.ttf" for p in fonts.files)
    assert any(p.name == "LeafletFigures-Bold.ttf" for p in fonts.files)


def test_the_shipped_fonts_are_read_without_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="leafletgen.fonts.config"):
        read_fonts(STYLES)
    assert not [r for r in caplog.records if r.name == "leafletgen.fonts.config"]
