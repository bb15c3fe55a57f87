import io
import logging

from rich.console import Console

from pipeline.progress import rate_text, stage_progress


def test_off_terminal_progress_is_logged_as_lines(caplog):
    caplog.set_level(logging.INFO, logger="pipeline.progress")
    console = Console(file=io.StringIO(), force_terminal=False)
    with stage_progress("filter", total=300, console=console, interval=0) as advance:
        for _ in range(3):
            advance(100)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("filter: 100/300 documents (")
    assert lines[-1].startswith("filter: done, 300/300 documents")
    assert "documents/s" in lines[-1]


def test_terminal_progress_draws_a_bar_with_rate():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with stage_progress("dedup", total=50, console=console) as advance:
        advance(50)
    screen = out.getvalue()
    assert "dedup" in screen and "50/50" in screen and "documents/s" in screen


def test_rate_text_gives_eta_only_when_total_is_known():
    assert "ETA 10s" in rate_text(100, 10.0, 200, "records")
    assert "ETA" not in rate_text(100, 10.0, None, "records")


def test_progress_by_input_bytes_logs_share_and_eta(caplog):
    caplog.set_level(logging.INFO, logger="pipeline.progress")
    console = Console(file=io.StringIO(), force_terminal=False)
    with stage_progress("extract", None, "records", console, interval=0, input_bytes=4_000_000) as advance:
        advance(10, 1_000_000)
        advance(10, 2_000_000)
    lines = [r.getMessage() for r in caplog.records]
    assert "25% of 4 MB input, ETA" in lines[0] and "50% of 4 MB input" in lines[1]
    assert lines[-1].startswith("extract: done, 20 records")


def test_terminal_progress_by_input_bytes_shows_records_and_share():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=140)
    with stage_progress("extract", None, "records", console, input_bytes=1000) as advance:
        advance(7, 500)
    screen = out.getvalue()
    assert "7 records" in screen and "100%" in screen and "records/s" in screen
