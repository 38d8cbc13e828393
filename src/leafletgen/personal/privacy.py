"""Personalised output leaves nothing behind: private files, PDFs without dates.

``write_private`` writes a packet or handout owner-readable only, atomically, and never into
a git work tree that would commit it. ``undate`` removes the dates WeasyPrint writes into a
PDF's metadata: in a personalised PDF they are the patient's discharge date.
"""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from leafletgen.errors import OutputError
from leafletgen.files import remove_leftovers, write_atomic

if TYPE_CHECKING:
    import pikepdf

log = logging.getLogger(__name__)


def write_private(path: Path, data: bytes) -> None:
    """Write personalised output atomically, readable by its owner only.

    A write that is interrupted leaves nothing readable behind (files.write_atomic), and what
    an earlier interrupted write of the same file left is removed. A path inside a git
    repository is refused unless git ignores it: one ``git add .`` must not commit a
    patient's leaflet. Raises OutputError, whose message says why but not where: the path
    may name the patient.
    """
    if _committable(path):
        raise OutputError("the output file would be inside a git repository, which does not "
                          "ignore it; write it outside the repository (e.g. in /tmp) or in "
                          "a folder the repository ignores")
    try:
        remove_leftovers(path.parent, {path.name})
        write_atomic(path, data, mode=0o600)
    except FileExistsError:
        # mkdir of the folder found a file in its place
        raise OutputError("cannot write the output file: a folder in its path is a file; "
                          "choose another path with -o") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"cannot write the output file: {reason}; choose another path "
                          "with -o") from None
    log.info("wrote a personalised PDF")  # not its path, which may name the patient


def _committable(path: Path) -> bool:
    """Whether ``path`` lies in a git work tree that does not ignore it.

    When git cannot tell (it is not installed, or fails), the answer is yes: personalised
    output is refused rather than risked.
    """
    target = path.absolute()
    existing = target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # write_atomic makes the folders below it
    folder = existing.resolve()
    top = next((f for f in (folder, *folder.parents) if (f / ".git").exists()), None)
    if top is None:
        return False
    where = folder / target.relative_to(existing)
    try:
        done = subprocess.run(["git", "-C", str(top), "check-ignore", "-q", "--", str(where)],
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return True
    return done.returncode != 0  # 0: ignored; 1: not ignored (or tracked); 128: git failed


# XMP dates as WeasyPrint writes them (an element in its own rdf:Description), or as attributes
_XMP_DATE = re.compile(
    rb'<rdf:Description rdf:about="">\s*<xmp:(CreateDate|ModifyDate|MetadataDate)>[^<]*'
    rb'</xmp:\1>\s*</rdf:Description>|<xmp:(CreateDate|ModifyDate|MetadataDate)>[^<]*'
    rb'</xmp:\2>|\s xmp:(CreateDate|ModifyDate|MetadataDate)="[^"]*"')


def undate(pdf: pikepdf.Pdf) -> None:
    """Remove the creation and modification dates: WeasyPrint sets them to the discharge
    date, the patient's, from the template."""
    for key in ("/CreationDate", "/ModDate"):
        if key in pdf.docinfo:
            del pdf.docinfo[key]
    metadata = pdf.Root.get("/Metadata")
    if metadata is not None:
        metadata.write(_XMP_DATE.sub(b"", metadata.read_bytes()))


