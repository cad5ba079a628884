"""Fuzzing, CI profile: interchanges generated from our maps, mutated, fed to everything that reads a file.

The promise: every input ends in a valid result or in findings, never in an uncaught exception and
never in a hang (each input runs under a wall-clock limit). The batch-level test adds: every file
archived or quarantined, every outbound file valid, nothing sent twice.

The CI profile is short and derandomized (the same examples every run, so CI is not flaky); ``make fuzz``
(``tools/fuzz.py``) draws fresh examples, at least 100,000 of them, and prints the counts.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from edi import translate as tr
from edi.guide import GuideValidator
from edi.pyx12_ref import pyx12_findings
from edi.validate import validate_stream
from tests.fuzz.batch_harness import run_batch
from tests.fuzz.generate import MAPS, SEPARATOR_SETS, Generated, generate, interchanges, set_maps
from tests.fuzz.harness import TIME_LIMIT, bounded, check
from tests.fuzz.mutate import VALID_SAMPLES, Mutant, business_files, files, mutants, reseparate, sample

CI = settings(deadline=None, derandomize=True, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
#: no shrinking for the expensive properties: a failing input is printed with the mutations that made it
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


@pytest.fixture(scope="module")
def guide() -> GuideValidator:
    return GuideValidator.from_map_dir(MAPS)


def test_the_generator_covers_every_map() -> None:
    assert sorted(m.st01 for m in set_maps()) == ["810", "814", "824", "867", "997"]
    seen = {seg[1] for seed in range(60) for seg in generate(seed).segments if seg[0] == "ST"}
    assert seen == {"810", "814", "824", "867", "997"}
    assert {generate(seed).separators for seed in range(200)} == set(SEPARATOR_SETS)


@settings(CI, max_examples=150)
@given(interchanges())
def test_generated_interchanges_validate_clean(g: Generated) -> None:
    result = validate_stream(io.BytesIO(g.data), f"seed-{g.seed}", GuideValidator.from_map_dir(MAPS))
    assert result.findings == [], "\n".join(str(f) for f in result.findings[:5])
    assert result.segments == len(g.segments)
    out = io.StringIO()
    tr.x12_to_json(io.BytesIO(g.data), out)
    back = io.StringIO()
    tr.json_to_x12(io.StringIO(out.getvalue()), back)
    assert back.getvalue().encode("utf-8", "surrogateescape") == g.data, "translation is not byte for byte"


@settings(CI, max_examples=60)
@given(st.sampled_from(VALID_SAMPLES), st.sampled_from(SEPARATOR_SETS))
def test_a_valid_sample_in_other_separators_is_still_valid(path: object, seps: tuple[str, str, str, str]) -> None:
    from pathlib import Path

    again = reseparate(sample(Path(str(path))), seps)
    if again is not None:
        result = validate_stream(io.BytesIO(again.data), "resep", GuideValidator.from_map_dir(MAPS))
        assert result.findings == [], "\n".join(str(f) for f in result.findings[:5])


@pytest.mark.parametrize("seed", [0, 3, 8, 17, 29, 101, 977, 4242])
def test_generated_interchanges_are_valid_for_pyx12_too(seed: int, tmp_path: object) -> None:
    """The generator and our validator could be wrong together; pyx12, the reference, is the third opinion."""
    from pathlib import Path

    path = Path(str(tmp_path)) / "generated.x12"
    path.write_bytes(generate(seed).data)
    assert pyx12_findings(path, MAPS) == []


@settings(CI, max_examples=1000, phases=NO_SHRINK)
@given(files())
def test_any_input_ends_in_a_result_or_findings_in_bounded_time(m: Mutant) -> None:
    result, seconds = bounded(lambda: check(m.data), TIME_LIMIT)
    assert result.valid or result.findings > 0
    assert seconds < TIME_LIMIT


@settings(CI, max_examples=80)
@given(mutants(huge=False))
def test_a_mutant_reads_the_same_whatever_the_chunk_size(m: Mutant) -> None:
    """The reader streams in chunks; where a chunk ends must never change what is found."""
    from edi.reader import X12Reader
    from edi.validate import validate_reader

    guide = GuideValidator.from_map_dir(MAPS)
    whole = validate_reader(X12Reader(io.BytesIO(m.data), "m"), guide)
    for chunk in (1, 7, 106, 4096):
        small = validate_reader(X12Reader(io.BytesIO(m.data), "m", chunk_size=chunk), guide)
        assert [f.to_json() for f in small.findings] == [f.to_json() for f in whole.findings], chunk


@settings(CI, max_examples=30, phases=NO_SHRINK)
@given(st.lists(st.one_of(files(), business_files()), min_size=1, max_size=6))
def test_the_batch_survives_any_files_and_sends_nothing_twice(batch: list[Mutant]) -> None:
    run_batch([(f"in-{i:02d}.x12", m.data) for i, m in enumerate(batch)])
