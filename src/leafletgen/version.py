"""leafletgen's version, as installed: the one module every layer may read it from."""

from importlib.metadata import version as _version

__version__ = _version("leafletgen")
