"""The hostile corpus: inputs made to spoof what prints, to escape a folder, or to exhaust
the machine, one module per class. Each input is made in code (nothing large is stored)."""

from __future__ import annotations

from tests.serve.conftest import client, inline_pool, leaflets  # noqa: F401 (fixtures)
