"""Procedure search on the real demo catalogue: what citizens type finds the right procedure
first, whatever the diacritics, word order, small typos or colloquial words."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from cchc.catalogue import search
from cchc.catalogue.models import Field, Procedure, ProcedureVersion
from cchc.catalogue.search import edit_distance, search_procedures
from cchc.lib.text import fold
from cchc.units.models import Unit

CATALOGUE = Path(__file__).resolve().parents[1] / "demo" / "catalogue.json"
UNITS = Path(__file__).resolve().parents[2] / "units" / "demo" / "units.csv"
DEMO = json.loads(CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo catalogue, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_units", str(UNITS), verbosity=0)
        call_command("import_catalogue", str(CATALOGUE), verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def catalogue(demo: None, db: Any) -> None:
    """Each test in its own savepoint inside the module's transaction."""


def codes(q: str, procedures: Any = None) -> list[str]:
    found = search_procedures(procedures or Procedure.objects.all(), q)
    return list(found.values_list("code", flat=True))


def first(q: str) -> str | None:
    found = codes(q)
    return found[0] if found else None


@pytest.mark.parametrize(
    "q",
    [
        "dang ky khai sinh",
        "giấy khai sinh",
        "khai sinh cho con",
        "KHAI SINH",
        "dăng ký khai sinh",
        "dang ki khai sinh",
        "khai sinh dang ky",
        "Đăng ký khai sinh",
        "dang ky khai sihn",  # letters swapped
        "dang ky khia sinh",
        "dangky khaisinh",  # no spaces
        "làm khai sinh cho bé",
        "khai sin",  # still typing
    ],
)
def test_birth_registration_comes_first(catalogue: None, q: str) -> None:
    assert first(q) == "1.001193"


def test_birth_registration_before_its_variants(catalogue: None) -> None:
    found = codes("dang ky khai sinh")
    assert found.index("1.001193") < found.index("2.000528")  # có yếu tố nước ngoài
    assert found.index("1.001193") < found.index("1.004884")  # đăng ký lại
    assert found.index("1.001193") < found.index("1.000689")  # kết hợp nhận cha, mẹ, con


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("chung thuc ban sao", "2.000815"),
        ("sao y bản chính", "2.000815"),
        ("photo công chứng cccd", "2.000815"),
        ("công chứng giấy tờ", "2.000815"),
        ("chứng thực chữ ký", "2.000884"),
        ("công chứng chữ ký", "2.000884"),
        ("đăng ký kết hôn", "1.000894"),
        ("cưới vợ", "1.000894"),
        ("giay ket hon", "1.000894"),
        ("kết hôn với người nước ngoài", "2.000806"),
        ("khai tử", "1.000656"),
        ("báo tử", "1.000656"),
        ("làm giấy chứng tử", "1.000656"),
        ("xin giấy xác nhận độc thân", "1.004873"),
        ("xac nhan tinh trang hon nhan", "1.004873"),
        ("trợ cấp xã hội", "1.001776"),
        ("lương hưu xã hội", "1.014027"),
        ("giấy phép xây dựng", "1.013225"),
        ("xin phép xây nhà", "1.013225"),
        ("gia hạn giấy phép xây dựng", "1.013227"),
        ("làm sổ đỏ", "1.012753"),
        ("hộ nghèo", "1.011607"),
        ("hỗ trợ mai táng", "1.001731"),
        ("thờ cúng liệt sỹ", "1.010803"),
        ("khoan giếng", "1.001662"),
        ("đăng ký lại khai sinh", "1.004884"),
        ("mất giấy khai sinh", "1.004884"),
        ("đổi tên con", "1.004859"),
        ("tranh chấp đất với hàng xóm", "1.012812"),
        ("chia thừa kế", "2.001406"),
        ("giay xac nhan khuyet tat", "1.001699"),
    ],
)
def test_citizen_queries_find_the_procedure_first(catalogue: None, q: str, expected: str) -> None:
    assert first(q) == expected


@pytest.mark.parametrize("procedure", DEMO["procedures"], ids=lambda p: p["code"])
def test_every_procedure_comes_first_for_its_own_name(catalogue: None, procedure: Any) -> None:
    name = procedure["versions"][-1]["name"]
    assert first(name) == procedure["code"]


def test_a_code_finds_exactly_that_procedure(catalogue: None) -> None:
    assert codes("1.001193") == ["1.001193"]
    assert codes(" 2.000815 ") == ["2.000815"]


@pytest.mark.parametrize("q", ["xyzzy qwertyuiop", "zzz", "asdfgh", "con mèo máy"])
def test_nonsense_finds_nothing(catalogue: None, q: str) -> None:
    assert codes(q) == []


def test_an_empty_query_leaves_the_queryset_alone(catalogue: None) -> None:
    procedures = Procedure.objects.filter(field__code="ho-tich")
    assert search_procedures(procedures, "  ") is procedures
    assert search_procedures(procedures, "?!") is procedures


def test_a_unit_sees_only_the_procedures_it_implements(catalogue: None) -> None:
    unit = Unit.objects.get(code="16303")  # does not implement 2.000806 (kết hôn nước ngoài)
    implemented = Procedure.objects.implemented_at(unit)
    assert "2.000806" in codes("kết hôn")
    found = codes("kết hôn", implemented)
    assert found[0] == "1.000894"
    assert "2.000806" not in found
    assert set(found) <= set(implemented.values_list("code", flat=True))
    assert codes("chung thuc", implemented)[0].startswith("2.")


def test_a_field_filter_still_applies(catalogue: None) -> None:
    found = codes("khai sinh", Procedure.objects.filter(field__code="chung-thuc"))
    assert found == []
    assert codes("công chứng", Procedure.objects.filter(field__code="chung-thuc"))


def test_every_procedure_with_all_the_words_is_found(catalogue: None) -> None:
    # The former search (every word in the folded search text) found these; so must this one.
    for q in ("dang ky", "chung thuc", "tro cap", "giay phep", "ho tich"):
        every_word = Procedure.objects.all()
        for word in q.split():
            every_word = every_word.filter(search_text__contains=word)
        assert set(every_word.values_list("code", flat=True)) <= set(codes(q)), q


def test_the_api_finds_with_typos(catalogue: None) -> None:
    body = Client().get("/api/v1/procedures", {"q": "dang ki khai sinh", "unit": "16300"}).json()
    assert "1.001193" in [p["code"] for p in body]


def test_the_page_lists_the_best_match_first(catalogue: None) -> None:
    page = Client().get("/thu-tuc/", {"q": "giay khai sinh"}).context["page"]
    assert page.object_list[0].code == "1.001193"


def test_the_index_follows_new_renamed_and_deleted_procedures(catalogue: None) -> None:
    assert "1.003005" not in codes("nuôi con nuôi")
    field = Field.objects.get(code="ho-tich")
    adoption = Procedure.objects.create(code="1.003005", field=field, authority_level="commune")
    version = ProcedureVersion.objects.create(
        procedure=adoption,
        effective_from="2025-07-01",
        name="Đăng ký nuôi con nuôi trong nước",
        time_unit="working_days",
        online_service="partial",
        keywords="xin con nuôi; nhận con nuôi",
    )
    assert first("nuôi con nuôi") == "1.003005"
    assert first("xin con nuoi") == "1.003005"
    version.name = "Đăng ký việc nuôi con nuôi"
    version.save()
    assert first("dang ky viec nuoi con nuoi") == "1.003005"
    adoption.delete()
    assert "1.003005" not in codes("nuôi con nuôi")


def test_a_change_forgets_the_index_and_renews_the_token_once_per_transaction(
    catalogue: None,
) -> None:
    search.get_index()
    procedure = Procedure.objects.get(code="1.001193")
    with transaction.atomic():
        procedure.refresh_denormalised()
        assert search._index is None
        search.get_index()
        procedure.refresh_denormalised()
        assert search._index is None
        registered = [item[1] for item in connection.run_on_commit]
        assert registered.count(search._new_generation) == 1


def test_a_change_outside_a_transaction_renews_the_token_at_once(
    catalogue: None, monkeypatch: Any
) -> None:
    # As in autocommit mode, which the test's own transaction does not allow to reach.
    outside = SimpleNamespace(in_atomic_block=False, run_on_commit=[])
    monkeypatch.setattr(search, "transaction", SimpleNamespace(get_connection=lambda: outside))
    before = cache.get(search.CACHE_KEY)
    search.invalidate()
    assert cache.get(search.CACHE_KEY) not in (None, before)


def test_another_process_change_is_seen(catalogue: None) -> None:
    index = search.get_index()
    assert search.get_index() is index
    cache.set(search.CACHE_KEY, "changed elsewhere", timeout=None)
    assert search.get_index() is not index


def test_results_are_ordered_in_the_database_as_ranked(catalogue: None, monkeypatch: Any) -> None:
    # Few exact ranks, small blocks: the SQL order must still follow the ranking block by block.
    monkeypatch.setattr(search, "EXACT_RANKS", 3)
    monkeypatch.setattr(search, "RANK_BLOCK", 4)
    ranked = [pk for pk, _ in search.rank("dang ky", search.get_index())]
    assert len(ranked) > 10
    found = list(search_procedures(Procedure.objects.all(), "dang ky").values_list("pk", flat=True))
    assert found[:3] == ranked[:3]
    for start in range(3, len(ranked), 4):
        assert sorted(found[start : start + 4]) == sorted(ranked[start : start + 4])


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("sinh", "sinh", 0),
        ("sinh", "sihn", 1),
        ("sinh", "snh", 1),
        ("sinh", "sinhh", 1),
        ("khai", "khoi", 1),
        ("chung", "chugn", 1),
        ("truong", "trung", 1),
        ("nghieng", "ngheing", 1),
        ("abcdefgh", "badcefhg", 3),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, 3) == distance
    assert edit_distance(a, b, 0) == min(distance, 1)


def reference_fold(text: str) -> str:
    """Folding written the slow, obvious way: the whole string decomposed at once."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^0-9a-z]+", " ", stripped).strip()


@given(st.text())
def test_folding_matches_the_obvious_definition(text: str) -> None:
    assert fold(text) == reference_fold(text)


def test_folding_of_the_demo_catalogue() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    assert fold(text) == reference_fold(text)
