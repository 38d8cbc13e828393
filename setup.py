"""The shipped styles (templates, stylesheets, variants, fonts, message catalogues) become
package data of a wheel, as ``leafletgen/shipped_styles``: a project folder without a
``styles/`` of its own uses them (``leafletgen.project.shipped_styles``). Everything else is
in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithStyles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the repository's styles/ itself
        target = Path(self.build_lib) / "leafletgen" / "shipped_styles"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(Path(__file__).parent / "styles", target,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithStyles})
