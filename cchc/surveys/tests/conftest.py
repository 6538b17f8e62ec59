"""Survey tests reuse the world of `cchc/conftest.py` (province 38, commune A with its one-stop
centre, commune B next door). The example questionnaire below is the one docs/surveys.md
computes by hand."""

from __future__ import annotations
