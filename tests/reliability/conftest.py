"""Print how many hostile inputs the reliability tests tried, by kind."""

from __future__ import annotations

from tests.reliability.hostile import TRIED


def pytest_terminal_summary(terminalreporter) -> None:
    if not TRIED:
        return
    terminalreporter.section("hostile inputs tried")
    for kind, count in sorted(TRIED.items()):
        terminalreporter.write_line(f"{count:7d}  {kind}")
    terminalreporter.write_line(f"{sum(TRIED.values()):7d}  in all")
