"""No input can exhaust the machine, and nothing written is silently lost.

Each limit (limits.py, README "Limits") is an error at the line where it is broken, for that
file only: the other monographs still build.
"""

import os
import time
from pathlib import Path

import pytest

import leafletgen
from leafletgen.checks.plan import find_monographs, plan
from leafletgen.cli import main
from leafletgen.limits import (
    MAX_MONOGRAPH_BYTES,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    TooLarge,
    read_limited,
)
from leafletgen.source.monograph import load

from .conftest import BODY, STYLES, monograph_text

SPOT = "Take 1 tablet in the morning.\n"  # a line of BODY to put awkward Markdown in place of


def body_with(markdown: str) -> str:
    assert SPOT in BODY
    return BODY.replace(SPOT, markdown)


def messages(problems) -> list[str]:
    return [f"{p.line}: {p.message}" for p in problems]


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def test_a_list_ten_levels_deep_and_the_paragraph_after_it_are_reported(write_monograph):
    # markdown-it stops reading at its nesting limit: level 10 and the paragraph after the list
    # vanish from the rendered leaflet
    nested = "".join("  " * i + f"- level {i + 1}\n" for i in range(10))
    path = write_monograph(text=monograph_text(body_with(nested + "\nAfter the list.\n")))
    problems = leafletgen.check([path], STYLES)
    deepest, after = line_of(path, "                  - level 10"), line_of(path, "After the list.")
    assert f"{deepest}: lists or quotes nested this deep are more than the Markdown parser " \
           f"reads: lines {deepest}-{after} would not print; make the inner items a separate " \
           "list or paragraph" in messages(problems)
    # and it never reaches a build
    the_plan = plan([path], STYLES)
    assert the_plan.jobs == ()


def test_a_quote_nesting_bomb_is_reported(write_monograph):
    path = write_monograph(text=monograph_text(body_with("> " * 40 + "hidden\n\nShown.\n")))
    monograph, problems = load(path)
    assert monograph is None
    line = line_of(path, "> " * 40 + "hidden")
    # each quote is reported too (a box is what to use): here the nesting is what matters
    assert [m for m in messages(problems) if "a quote ('>')" not in m] == [
        f"{line}: lists or quotes nested this deep are more than the Markdown parser reads: "
        f"line {line} would not print; make the inner items a separate list or paragraph"]


def test_lists_inside_quotes_inside_lists_are_reported(write_monograph):
    text = "- > " * 7 + "deep\n"  # 3 levels each: list, item, quote
    path = write_monograph(text=monograph_text(body_with(text)))
    _, problems = load(path)
    assert any("would not print" in p.message for p in problems)


def test_nesting_the_parser_reads_is_not_reported_as_lost(write_monograph):
    path = write_monograph(text=monograph_text(body_with("> " * 10 + "shown\n")))
    _, problems = load(path)
    # the quotes are reported (a box is what to use), but nothing as lost to the parser
    assert messages(problems) and not [m for m in messages(problems) if "would not print" in m]


def test_a_monograph_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.md"
    path.write_text(monograph_text())
    with path.open("r+b") as file:
        file.truncate(20 * 1024 * 1024)  # 20 MB, most of it never stored or read
    start = time.perf_counter()
    monograph, problems = load(path)
    assert monograph is None
    assert messages(problems) == [
        "1: the file is 20,480 KB; a monograph may be at most 256 KB (see 'Limits' in "
        "README.md): split it, or move long tables and text out of it"]
    assert time.perf_counter() - start < 1


def test_a_monograph_at_the_size_limit_is_read(tmp_path):
    path = tmp_path / "long.md"
    text = monograph_text()
    path.write_text(text + " " * (MAX_MONOGRAPH_BYTES - len(text.encode())))
    assert path.stat().st_size == MAX_MONOGRAPH_BYTES
    assert load(path)[0] is not None


def test_read_limited_never_reads_past_the_limit(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"x" * 11)
    assert read_limited(path, 11) == b"x" * 11
    with pytest.raises(TooLarge) as raised:
        read_limited(path, 10)
    assert raised.value.size == 11


@pytest.mark.parametrize("char,name", [("\x00", "U+0000 (NUL)"),
                                       ("\ufffe", "U+FFFE (a noncharacter)"),
                                       ("\uffff", "U+FFFF (a noncharacter)"),
                                       ("\x1b", "U+001B (a control character)")])
def test_characters_that_are_never_text_are_errors_in_text_and_front_matter(tmp_path, char,
                                                                            name):
    path = tmp_path / "x.md"
    text = monograph_text(body_with(f"Take 1 tablet{char} in the morning.\n"),
                          name=f"Test{char}amol")
    path.write_text(text, encoding="utf-8")
    monograph, problems = load(path)
    assert monograph is None
    body_line = text.splitlines().index(f"Take 1 tablet{char} in the morning.") + 1
    message = f"character {name} is not allowed in a monograph; delete it (it prints as " \
              "nothing, or breaks the leaflet)"
    assert messages(problems) == [f"2: {message}", f"{body_line}: {message}"]


def table(rows: int, columns: int) -> str:
    return ("| " + " | ".join(f"h{c}" for c in range(columns)) + " |\n"
            + "|" + "---|" * columns + "\n"
            + "".join("| " + " | ".join("x" for _ in range(columns)) + " |\n"
                      for _ in range(rows)))


def test_tables_over_the_limits_are_errors_at_the_table(write_monograph):
    text = table(MAX_TABLE_ROWS + 1, 2) + "\n" + table(1, MAX_TABLE_COLUMNS + 1)
    path = write_monograph(text=monograph_text(body_with(text)))
    _, problems = load(path)
    first, second = line_of(path, "| h0 | h1 |"), line_of(
        path, "| " + " | ".join(f"h{c}" for c in range(MAX_TABLE_COLUMNS + 1)) + " |")
    assert messages(problems) == [
        f"{first}: this table has {MAX_TABLE_ROWS + 1} rows; a table may have at most "
        f"{MAX_TABLE_ROWS} (see 'Limits' in README.md): split it, or keep only the rows "
        "readers need",
        f"{second}: this table has {MAX_TABLE_COLUMNS + 1} columns; a table may have at most "
        f"{MAX_TABLE_COLUMNS} (see 'Limits' in README.md): split it"]


def test_tables_at_the_limits_are_fine(write_monograph):
    text = table(MAX_TABLE_ROWS, 2) + "\n" + table(1, MAX_TABLE_COLUMNS)
    path = write_monograph(text=monograph_text(body_with(text)))
    assert not any("this table has" in p.message for p in load(path)[1])


def test_deep_brackets_fail_one_file_and_the_catalogue_still_builds(tmp_path, capsys):
    leaflets = tmp_path / "leaflets"
    leaflets.mkdir()
    (leaflets / "good.md").write_text(monograph_text(), encoding="utf-8")
    bad = leaflets / "bad.md"
    bad.write_text(monograph_text(forms="[" * 500 + "]" * 500), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["build", str(leaflets), "-o", str(out), "--styles", str(STYLES),
                 "--variant", "patient"])
    captured = capsys.readouterr()
    assert code == 1
    assert "internal error" not in captured.err and "RecursionError" not in captured.err
    line = line_of(bad, "forms: " + "[" * 500 + "]" * 500)
    assert (f"{bad}:{line}: the front matter nests values more than 20 levels deep here "
            "(lists and fields inside each other); flatten it") in captured.err
    assert (out / "good-patient.pdf").is_file()


def test_an_alias_bomb_in_front_matter_is_refused_at_once(write_monograph):
    bomb = '"x"\nlol: &a [a, a, a, a, a, a, a, a, a]\n' + "".join(
        f"l{i}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    path = write_monograph(text=monograph_text(drug_class=bomb))
    start = time.perf_counter()
    problems = leafletgen.check_report([path], STYLES).problems
    assert time.perf_counter() - start < 5
    assert [p.message for p in problems] == [
        "YAML aliases (*a) are not allowed in the front matter: write the value out in full "
        "where it is needed"]


def test_links_to_files_outside_the_folder_are_refused_without_reading_them(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\npassword: hunter2\n---\n")
    leaflets = tmp_path / "leaflets"
    leaflets.mkdir()
    (leaflets / "good.md").write_text(monograph_text(), encoding="utf-8")
    os.symlink(secret, leaflets / "evil.md")
    os.symlink(leaflets / "good.md", leaflets / "same.md")  # inside the folder: read
    files, problems = find_monographs([leaflets])
    assert files == [leaflets / "good.md", leaflets / "same.md"]
    assert [str(p) for p in problems] == [
        f"{leaflets / 'evil.md'}: this is a link to a file outside {leaflets}, which is not "
        "read; put the monograph itself in the folder"]
    reported = "\n".join(str(p) for p in leafletgen.check_report([leaflets], STYLES).problems)
    assert "evil.md" in reported
    assert "password" not in reported and "hunter2" not in reported
