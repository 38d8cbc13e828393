"""The typed values between stages: BuildOptions and Shard are checked when made."""

import pytest

from leafletgen.errors import UsageError
from leafletgen.model import BuildOptions, Shard


def test_build_options_refuse_an_unknown_paper_when_made():
    with pytest.raises(UsageError, match="unknown paper size 'A5'"):
        BuildOptions(paper="A5")


def test_build_options_need_a_worker():
    with pytest.raises(UsageError, match="jobs must be 1 or more"):
        BuildOptions(workers=0)


def test_only_the_options_that_shape_a_pdf_are_build_inputs():
    plain, parallel = BuildOptions(), BuildOptions(workers=4, html=True, force=True)
    assert plain.inputs() == parallel.inputs()
    assert BuildOptions(paper="letter").inputs()["paper"] == "letter"
    assert BuildOptions(archive=True).inputs() != plain.inputs()


def test_build_options_are_frozen():
    with pytest.raises(AttributeError):
        BuildOptions().paper = "letter"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["0/3", "4/3", "2-3", "x"])
def test_a_shard_is_k_of_n(text):
    with pytest.raises(UsageError):
        Shard.parse(text)


def test_shards_split_names_exactly_once():
    names = [f"leaflet-{i}.pdf" for i in range(200)]
    owners = [[s for s in range(1, 4) if Shard(s, 3).owns(n)] for n in names]
    assert all(len(o) == 1 for o in owners)
    assert {o[0] for o in owners} == {1, 2, 3}
