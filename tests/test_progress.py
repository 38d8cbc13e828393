"""What the command line shows during and after a catalogue build."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from leafletgen import BuildResult, Problem, Progress
from leafletgen.catalogue.progress import ProgressDisplay, summary_table


def test_plain_lines_without_a_terminal(capsys):
    display = ProgressDisplay(interactive=False)
    display(Progress(1, 2, Path("out/a-patient.pdf"), True, 0.42))
    display(Progress(2, 2, Path("out/b-patient.pdf"), False, 0.1))
    display.close()
    assert capsys.readouterr().out.splitlines() == ["wrote out/a-patient.pdf (0.4 s)",
                                                    "failed out/b-patient.pdf (0.1 s)"]


DECIDE = """
import sys
from leafletgen.catalogue.progress import ProgressDisplay
print(ProgressDisplay().interactive, "rich" in sys.modules)
"""


@pytest.mark.parametrize("env,expected", [
    ({}, "False False"),  # a log: no terminal, and rich is not even imported
    ({"FORCE_COLOR": "1"}, "True True"),  # as rich decides
    ({"TTY_COMPATIBLE": "1"}, "True True"),
    ({"FORCE_COLOR": ""}, "False True"),
])
def test_a_log_is_told_from_a_terminal_as_rich_tells_it(env, expected):
    clean = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    run = subprocess.run([sys.executable, "-c", DECIDE], env={**clean, **env},
                         capture_output=True, text=True, check=True)
    assert run.stdout.split() == expected.split()


def test_a_bar_with_done_total_and_current_file_on_a_terminal():
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    display = ProgressDisplay(console=console)
    assert display.interactive
    display(Progress(1, 3, Path("out/a-patient.pdf"), True, 0.4))
    display(Progress(2, 3, Path("out/b-patient.pdf"), False, 0.4))
    display._bar.refresh()
    text = screen.getvalue()
    display.close()
    assert "2/3" in text
    assert "b-patient.pdf" in text
    assert "failed out/b-patient.pdf" in text


def test_summary_counts_and_names_failures():
    result = BuildResult(written=(Path("out/a.pdf"),),
                         problems=(Problem(Path("leaflets/x.md"), 3, "bad"),
                                   Problem(Path("leaflets/x.md"), 5, "worse")),
                         skipped=(Path("out/b.pdf"), Path("out/c.pdf")), seconds=1.25)
    assert summary_table(result).splitlines() == ["built  skipped  failed  seconds",
                                            "    1        2       1      1.2",
                                            "failed: leaflets/x.md"]


def test_the_bar_appears_when_rendering_starts():
    screen = io.StringIO()
    display = ProgressDisplay(console=Console(file=screen, force_terminal=True, width=120))
    display(Progress(0, 5))
    display._bar.refresh()
    display.close()
    assert "0/5" in screen.getvalue()
