"""Totals of the mutation tests, summed over every program (and every xdist worker)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    totals = {}
    for key in ("passed", "failed"):
        for report in terminalreporter.stats.get(key, []):
            for name, value in getattr(report, "user_properties", ()):
                if name.startswith("mutation-"):
                    row = totals.setdefault(name[len("mutation-"):], [0, 0, 0, 0, 0, 0])
                    row[0] += 1
                    for i, figure in enumerate(value):
                        row[i + 1] += figure
    for mode, (programs, tried, changed, survived, redundant, invalid) in sorted(totals.items()):
        unchanged = tried - changed - invalid
        terminalreporter.write_line(
            f"mutation testing [{mode}]: {programs} programs, {tried} mutants, {changed} change the output, "
            f"{survived} served stale, {redundant} of {unchanged} that do not change it reran (redundant), "
            f"{invalid} invalid")
