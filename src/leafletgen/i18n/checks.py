"""What ``leafletgen check`` says about languages: strings a catalogue lacks."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from leafletgen.i18n._internal import Problem, Severity, display_path
from leafletgen.i18n.catalogue import expected_messages, missing_messages, po_path
from leafletgen.i18n.languages import is_english, language

SHOWN = 5  # missing strings quoted in a message


def catalogue_problems(languages: Iterable[str], styles: Path) -> list[Problem]:
    """A warning for each language leaflets are built in whose catalogue misses strings:
    those print in English."""
    wanted = sorted({lang for lang in languages if not is_english(lang)})
    if not wanted:
        return []
    vocabulary = Path(str(resources.files("leafletgen").joinpath("sections.yaml")))
    expected = list({m.text: m for m in expected_messages(styles, vocabulary)}.values())
    problems = []
    for lang in wanted:
        path, missing = missing_messages(styles, lang, expected)
        name = language(lang).name
        if path is None:
            problems.append(Problem(
                po_path(styles, lang), 0,
                f"no message catalogue for '{lang}' ({name}): the headings and fixed strings "
                f"of its leaflets print in English; run 'leafletgen messages update {lang}' "
                "and translate the strings", Severity.WARNING))
            continue
        if missing:
            quoted = "; ".join(f"'{m.text}' ({display_path(m.path)}:{m.line})"
                               for m in missing[:SHOWN])
            more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
            problems.append(Problem(
                path, 1,
                f"{len(missing)} string(s) have no {name} translation (or a fuzzy one) and "
                f"print in English: {quoted}{more}; run 'leafletgen messages extract' and "
                f"'leafletgen messages update {lang}', then translate them", Severity.WARNING))
    return problems
