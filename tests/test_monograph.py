from pathlib import Path

from leafletgen.source.monograph import load, parse_file

from .conftest import BACLOFEN, monograph_text


def messages(problems) -> list[str]:
    return [f"{p.line}: {p.message}" for p in problems]


def test_parses_sections_blocks_and_lines(write_monograph):
    path = write_monograph()
    monograph, problems = load(path)
    assert problems == ()
    assert monograph.name == "Testamol"
    assert monograph.slug == "testamol"
    assert [s.id for s in monograph.sections] == [
        "most-important", "uses", "how-to-take", "stopping", "side-effects"]
    first = monograph.section("most-important")
    assert [b.audience for b in first.blocks] == ["patient", "clinician"]
    assert first.blocks_for("patient")[0].text == "Do not stop taking testamol suddenly."
    assert first.blocks_for("clinician")[0].text.startswith("Taper")
    # text outside a ::: block is for both audiences
    how = monograph.section("how-to-take")
    assert how.blocks_for("patient") == how.blocks_for("clinician")
    lines = path.read_text().splitlines()
    assert lines[first.line - 1] == "## most-important"
    assert lines[first.blocks[0].line - 1] == "Do not stop taking testamol suddenly."


def test_baclofen_is_valid_and_leads_with_do_not_stop():
    monograph, problems = load(BACLOFEN)
    assert [str(p) for p in problems] == []
    first = monograph.section("most-important").blocks_for("patient")[0].text
    assert first.startswith("**Do not stop taking baclofen suddenly.**")
    assert monograph.status == "approved"
    assert monograph.sources


def test_empty_file(write_monograph):
    path = write_monograph(text="")
    monograph, problems = load(path)
    assert monograph is None
    assert messages(problems) == [
        "1: the file is empty; start it with front matter between '---' lines "
        "(see docs/monograph-format.md)"]


def test_non_utf8_file_names_the_line(tmp_path: Path):
    path = tmp_path / "latin1.md"
    path.write_bytes(monograph_text().encode() + "## uses\ncaf\xe9\n".encode("latin-1"))
    monograph, problems = load(path)
    assert monograph is None
    line = monograph_text().count("\n") + 2
    assert messages(problems) == [
        f"{line}: the file is not UTF-8 text (byte 0xe9); save it with UTF-8 encoding"]


def test_yaml_syntax_error_carries_its_line(write_monograph):
    text = monograph_text().replace('drug_class: Test class', 'drug_class: "unclosed')
    path = write_monograph(text=text)
    _, problems = parse_file(path)
    assert len(problems) == 1
    assert problems[0].message.startswith("YAML syntax error in the front matter")
    assert problems[0].line in (4, 5)  # the unclosed quote's line or the next


def test_missing_front_matter(write_monograph):
    _, problems = load(write_monograph(text="## uses\nhello\n"))
    assert "must start with front matter" in problems[0].message


def test_unclosed_front_matter(write_monograph):
    _, problems = load(write_monograph(text="---\nname: x\n"))
    assert "front matter is not closed" in problems[0].message


def test_body_structure_errors_are_all_reported(write_monograph):
    body = """\
    stray text
    ## uses
    ::: nurse
    x
    :::
    ::: patient
    never closed
    """
    path = write_monograph(text=monograph_text(body=body))
    monograph, problems = load(path)
    assert monograph is None
    start = monograph_text(body="").count("\n") + 1
    found = messages(problems)
    assert f"{start}: text outside any section; start a section with '## <id>' " \
           "(see docs/monograph-format.md)" in found
    assert any(m.startswith(f"{start + 2}: unknown audience 'nurse'") for m in found)
    assert any(m.startswith(f"{start + 5}: this block is never closed") for m in found)


def test_a_line_separator_in_the_text_does_not_shift_line_numbers(write_monograph):
    from .conftest import BODY, monograph_text

    body = BODY.replace("You may feel sleepy.", "You may feel\u2028sleepy.")
    path = write_monograph(text=monograph_text(body=body))
    _, problems = load(path)
    # the separator itself is refused (textcheck: it prints as nothing), at its own line
    line = next(i for i, text in enumerate(path.read_text().split("\n"), 1)
                if text.startswith("You may feel"))
    assert [p.line for p in problems if "U+2028" in p.message] == [line]


def test_a_monograph_is_parsed_once_per_content(tmp_path, monkeypatch):
    import leafletgen.source.monograph as reader

    parsed: list[str] = []
    real = reader.parse_file

    def counting(path):
        parsed.append(path.name)
        return real(path)

    monkeypatch.setattr(reader, "parse_file", counting)
    path = tmp_path / "cachemol.md"
    path.write_text(monograph_text(name="Cachemol"), encoding="utf-8")
    first, _ = reader.load(path)
    again, _ = reader.load(path)
    assert first is again and parsed == ["cachemol.md"]
    path.write_text(monograph_text(name="Cachemol Forte"), encoding="utf-8")
    changed, _ = reader.load(path)
    assert changed is not None and changed.name == "Cachemol Forte"
    assert parsed == ["cachemol.md", "cachemol.md"]


def test_a_short_name_is_what_headings_call_the_medicine(tmp_path):
    from leafletgen.source.variants import load_variants, select

    from .conftest import STYLES, monograph_text

    path = tmp_path / "testamol.md"
    path.write_text(monograph_text(name='"Testamol 100 units/mL pen"',
                                   short_name="testamol"), encoding="utf-8")
    monograph, problems = load(path)
    assert monograph is not None, [str(p) for p in problems]
    assert monograph.name == "Testamol 100 units/mL pen"
    sections, _ = select(monograph, load_variants(STYLES)[0]["patient"])
    uses = next(s for s in sections if s.id == "uses")
    assert uses.heading == "What is testamol and what is it used for?"
