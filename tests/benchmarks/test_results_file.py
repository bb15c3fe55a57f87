"""Rerunning one part of the anchors runner must keep the other parts' summary rows, saying where from."""

from __future__ import annotations

from benchmarks.results_file import read_section, table_rows, write_section

ROW_START = {"minhash": "| MinHash", "filters": "| quality filters", "end-to-end": "| end to end"}
FULL_RUN = """Command: `python -m benchmarks` (from the repository root; 900 s).

| comparison | against | Sift's result | goal | |
|---|---|---|---|---|
| MinHash signatures (1,156 docs) | datasketch | 13.3x CPU | >= 5x | met |
| quality filters, chained (422 docs) | datatrove | 32.0x CPU | >= 10x | missed |
| end to end, same stages | datatrove | 1.62x docs/s | >= 1.5x | met |"""


def test_rows_of_parts_not_rerun_are_kept_and_marked_once(tmp_path):
    results = tmp_path / "RESULTS.md"
    write_section("summary", FULL_RUN, results)
    first = table_rows(
        {"filters": "| quality filters NEW | datatrove |"}, read_section("summary", results), ROW_START
    )
    assert first == [
        "| MinHash signatures (1,156 docs) *(earlier run: `python -m benchmarks`)* | datasketch | 13.3x CPU "
        "| >= 5x | met |",
        "| quality filters NEW | datatrove |",
        "| end to end, same stages *(earlier run: `python -m benchmarks`)* | datatrove | 1.62x docs/s "
        "| >= 1.5x | met |",
    ]
    partial = "Command: `python -m benchmarks --only filters`\n\n" + "\n".join(first)
    second = table_rows({"minhash": "| MinHash NEW |"}, partial, ROW_START)
    assert second[0] == "| MinHash NEW |"
    assert (
        second[1]
        == "| quality filters NEW *(earlier run: `python -m benchmarks --only filters`)* | datatrove |"
    )
    assert second[2] == first[2]  # still credited to the full run that measured it


def test_without_a_previous_section_only_this_runs_rows_are_written(tmp_path):
    assert read_section("summary", tmp_path / "RESULTS.md") is None
    assert table_rows({"filters": "| quality filters |"}, None, ROW_START) == ["| quality filters |"]
