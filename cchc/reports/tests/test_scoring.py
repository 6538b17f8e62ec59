"""The scoring configuration: the shipped file holds the verified figures, a deployment's own
file (REPORTS_SCORING_FILE) changes the weights and formulas, and a file that does not add up
stops the process with the reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from cchc.reports import scoring
from cchc.reports import service_index as si


@pytest.fixture(autouse=True)
def _fresh_config() -> Iterator[None]:
    # The configuration is read once per process: forget it around each test.
    scoring._load.cache_clear()
    yield
    scoring._load.cache_clear()


def shipped() -> dict[str, Any]:
    return json.loads(scoring.DEFAULT_FILE.read_text(encoding="utf-8"))


def use(settings: Any, tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "scoring.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    settings.REPORTS_SCORING_FILE = str(path)
    scoring.reload()


def test_the_shipped_file_holds_the_verified_figures() -> None:
    cfg = scoring.config()
    assert [(g.key, g.max) for g in cfg.index.groups] == [
        ("publicity", 18),
        ("progress", 20),
        ("digitisation", 22),
        ("online", 22),
        ("satisfaction", 18),
    ]
    verified = {i.key: i.max for i in cfg.index.indicators if i.weight_verified}
    assert verified == {"procedures_published": 4, "on_time": 20, "satisfaction": 6}
    assert not cfg.index.bands_verified
    assert [t for t, _k in cfg.tt01.unit_bands] == [15, 12, 9, 6, 0]
    assert [t for t, _k in cfg.tt01.officer_bands] == [5, Decimal("3.5"), 0]


def test_a_deployment_changes_a_formula(settings: Any, tmp_path: Path) -> None:
    data = shipped()
    on_time = next(i for i in data["qd766"]["indicators"] if i["key"] == "on_time")
    on_time["formula"] = {"kind": "steps", "steps": [[100, 1], [95, 0.75], [90, 0.5], [0, 0]]}
    use(settings, tmp_path, data)
    result = si.score(si.Inputs(resolved=100, resolved_on_time=96))
    assert result.sub("on_time").points == Decimal("15.00")  # 96 % → 0,75 × 20
    assert scoring.config().fingerprint != ""
    data["qd766"]["indicators"][3]["formula"] = {"kind": "target", "target": 90}
    use(settings, tmp_path, data)
    assert si.score(si.Inputs(resolved=100, resolved_on_time=96)).sub("on_time").points == 20


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d["qd766"]["groups"][0].update(max=19), "add up to 100"),
        (lambda d: d["qd766"]["indicators"][0].update(max=5), "add up to"),
        (lambda d: d["qd766"]["indicators"][0].update(measure="guess"), "unknown measure"),
        (lambda d: d["qd766"]["indicators"][3].update(formula={"kind": "magic"}), "formula kind"),
        (lambda d: d["qd766"].update(bands=[[50, "weak"], [90, "excellent"]]), "decreasing"),
        (lambda d: d["tt01_2018"].update(officer_indicators=[1, 12]), "numbered 1-9"),
        (lambda d: d.pop("tt01_2018"), "tt01_2018"),
    ],
)
def test_a_file_that_does_not_add_up_is_refused(
    settings: Any, tmp_path: Path, change: Any, says: str
) -> None:
    data = shipped()
    change(data)
    with pytest.raises(ImproperlyConfigured, match=says):
        use(settings, tmp_path, data)


def test_an_unreadable_file_is_refused(settings: Any, tmp_path: Path) -> None:
    settings.REPORTS_SCORING_FILE = str(tmp_path / "missing.json")
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        scoring.reload()
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    settings.REPORTS_SCORING_FILE = str(tmp_path / "bad.json")
    with pytest.raises(ImproperlyConfigured, match="not JSON"):
        scoring.reload()
