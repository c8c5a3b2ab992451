"""What a reader must not meet in a notes line, a heading or a table: developer words, a count of one in the plural,
a note led by a function name. Shared by the dashboard's browser test (tests/browser/test_voila.py) and the views
benchmark's run on 160 models × 14 benchmarks (benchmarks/bench_views.py)."""

from __future__ import annotations

import re

DEVELOPER = ("first_party", "third_party", "(s)", "lbtools.", "df.attrs", "Warning", "site-packages", "Traceback",
             "verified (verified)", "ValueError", "model_id", "dataset_id")
WRONG_PLURAL = re.compile(r"\b1 (models|benchmarks|entries|pairs|rows|results|cells|leaderboards)\b")
FUNCTION_PREFIX = re.compile(r"^[a-z_]+(\(\))?: ")
ONE_ARE = re.compile(r"\b1 (?:of \d+ )?[a-z]+ [a-z]+ and are\b")  # "1 of 26 benchmarks failed and are left out"
NESTED = re.compile(r"\([^()]*\([^()]*\)[^()]*\)")  # "(90% intervals (approximate); …)"


def unplain(text: str) -> list[str]:
    """The developer words, wrong plurals and brackets within brackets in ``text`` (empty when it speaks plainly)."""
    return ([w for w in DEVELOPER if w in text] + WRONG_PLURAL.findall(text) + ONE_ARE.findall(text)
            + NESTED.findall(text))


def unplain_notes(notes) -> list[str]:
    """The problems of one view's notes: developer words or wrong plurals, a function name in front, a repeated
    note (one note per fact)."""
    notes = list(notes)
    found = [f"{word!r} in the notes" for word in unplain("\n".join(notes))]
    found += [f"a function name in front: {n!r}" for n in notes if FUNCTION_PREFIX.match(n)]
    found += [f"said twice: {n!r}" for n in sorted(set(notes)) if notes.count(n) > 1]
    return found
