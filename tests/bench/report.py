"""Writing one benchmark's section of BENCHMARKS.md (between its markers)."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "BENCHMARKS.md"


def write_section(start: str, end: str, lines: list[str]) -> None:
    """Replace the text between ``start`` and ``end`` (markers included) with
    ``lines``, or append the section when the markers are not there yet."""
    block = "\n".join([start, *lines, end])
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text)
