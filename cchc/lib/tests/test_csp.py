"""A strict Content-Security-Policy on every answer, and no template that would need it relaxed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

# Script or style written into the page itself: inline <script> (one with src= is a file),
# <style> blocks, style="" attributes, on…="" handlers and javascript: addresses.
INLINE = {
    "inline script": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I
    ),
    "style block": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
}


def templates() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/templates/**/*.html"))


def test_no_template_writes_script_or_style_inline() -> None:
    assert templates(), "no template found: the path is wrong"
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in templates()
        for name, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/tai-khoan/dang-nhap/", "/api/v1/procedures", "/khong-co/"])
def test_every_answer_carries_the_policy(url: str) -> None:
    response = Client().get(url)
    assert response.status_code in (200, 404)
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe" not in policy
