"""QR codes to the leaflets' web pages, printed on the leaflets a server makes.

Only when the server is told its public address (``--public-url``): the templates then see
``leaflet_url(medicine, variant)`` and the ``qr_svg`` filter and print the code with the
address beside it. Builds from the command line never set them, so their PDFs do not change.
"""

from __future__ import annotations

import io
from pathlib import Path

from markupsafe import Markup


def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG (error correction M: survives a worn print)."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=1, border=2,
        omitsize=True, title="QR code of this leaflet's web address",
        svgclass=None, lineclass=None)
    return Markup(buffer.getvalue().decode("ascii"))  # noqa: S704 segno's own markup, no text of ours


def enable(templates: Path, public_url: str) -> None:
    """Print the QR code on the leaflets rendered with ``templates`` in this process."""
    from leafletgen.serve.core import template_environment

    base = public_url.rstrip("/")
    env = template_environment(templates)
    env.globals["leaflet_url"] = lambda medicine, variant: (
        f"{base}/leaflets/{medicine.slug}/{variant.name}")
    env.filters["qr_svg"] = qr_svg


def disable(templates: Path) -> None:
    from leafletgen.serve.core import template_environment

    env = template_environment(templates)
    env.globals.pop("leaflet_url", None)
    env.filters.pop("qr_svg", None)
