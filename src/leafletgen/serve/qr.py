"""QR codes to the leaflets' web pages, printed on the leaflets a server makes.

Only when the server is told its public address (``--public-url``): the templates then see
``leaflet_url(medicine, variant)`` and the ``qr_svg`` filter and print the code with the
address beside it. Builds from the command line never set them, so their PDFs do not change.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from leafletgen.serve.core import TemplateFeatures


def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG (error correction M: survives a worn print)."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=1, border=2,
        omitsize=True, title="QR code of this leaflet's web address",
        svgclass=None, lineclass=None)
    return Markup(buffer.getvalue().decode("ascii"))  # noqa: S704 segno's own markup, no text of ours


def features(public_url: str) -> TemplateFeatures:
    """What the templates need to print a QR code to each leaflet's page at ``public_url``:
    given to the server's documents service, for its own templates only."""
    from leafletgen.serve.core import TemplateFeatures

    base = public_url.rstrip("/")
    return TemplateFeatures(
        globals={"leaflet_url": lambda medicine, variant: (
            f"{base}/leaflets/{medicine.slug}/{variant.name}")},
        filters={"qr_svg": qr_svg})
