"""Identical inputs give byte-identical PDFs, also from separate processes on another 'day'."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from .conftest import BACLOFEN, STYLES

BUILD = """
import sys
from pathlib import Path
import leafletgen
out = Path(sys.argv[1])
# every variant plain; one archival (the attachment and XMP are the same code for all)
for archive, variants in ((False, None), (True, ["patient"])):
    result = leafletgen.build([Path(sys.argv[2])], out / ("archive" if archive else "plain"),
                              Path(sys.argv[3]), variants=variants, archive=archive,
                              verify=False)
    assert result.ok, [str(p) for p in result.problems]
"""


def build_in_new_process(out: Path, timezone: str) -> dict[str, str]:
    env = {**os.environ, "TZ": timezone}
    env.pop("SOURCE_DATE_EPOCH", None)
    subprocess.run([sys.executable, "-c", BUILD, str(out), str(BACLOFEN), str(STYLES)],
                   check=True, env=env, timeout=300)
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*.pdf"))}


def test_two_builds_in_separate_processes_are_byte_identical(tmp_path):
    first = build_in_new_process(tmp_path / "one", "UTC")
    second = build_in_new_process(tmp_path / "two", "Pacific/Auckland")
    assert len(first) == 4
    assert first == second
    # archival copies really differ from plain ones (the comparison is not vacuous)
    assert first["plain/baclofen-patient.pdf"] != first["archive/baclofen-patient.pdf"]
