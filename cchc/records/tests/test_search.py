"""Search: by number and symbol, by title words with or without diacritics, by type, dates and
signature; never another unit's documents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from cchc.accounts.models import User
from cchc.records.lookup import get_document_for
from cchc.records.models import OfficialDocument
from cchc.records.search import DocumentSearch, search_documents
from cchc.records.tests.support import register
from cchc.testing import World, make_user
from cchc.units.choices import Role


@pytest.fixture
def register_a(world: World, keeper: User, keeper_b: User) -> dict[str, OfficialDocument]:
    return {
        "plan": register(
            world, keeper, "20/KH-UBND", title="Kế hoạch cải cách hành chính năm 2026"
        ),
        "plan200": register(world, keeper, "200/KH-UBND", title="Kế hoạch tuyên truyền"),
        "report": register(
            world,
            keeper,
            "05/BC-UBND",
            title="Báo cáo kết quả thực hiện công tác cải cách hành chính quý I",
            issued_on=dt.date(2026, 3, 1),
            declared_signed=True,
        ),
        "decision": register(
            world,
            keeper,
            "547/QĐ-UBND",
            title="Ban hành quy chế làm việc",
            issued_on=dt.date(2026, 1, 5),
        ),
        "b": register(
            world, keeper_b, "20/KH-UBND", unit=world.commune_b, title="Kế hoạch CCHC xã Nga Thắng"
        ),
    }


def _found(user: User, **asked: object) -> list[str]:
    return [d.reference for d in search_documents(user, DocumentSearch(**asked))]  # type: ignore[arg-type]


def test_typing_the_start_of_a_number_and_symbol_finds_it(register_a: dict, keeper: User) -> None:
    assert _found(keeper, q="20/KH") == ["20/KH-UBND"]
    assert _found(keeper, q="5/bc") == ["05/BC-UBND"]
    assert _found(keeper, q="Số: 547/QD-UBND") == ["547/QĐ-UBND"]


def test_title_words_are_found_with_or_without_diacritics(register_a: dict, keeper: User) -> None:
    with_accents = _found(keeper, q="cải cách hành chính")
    without = _found(keeper, q="cai cach HANH chinh")
    assert with_accents == without == ["05/BC-UBND", "20/KH-UBND"]
    assert _found(keeper, q="quy che lam viec") == ["547/QĐ-UBND"]


def test_filters_by_type_dates_and_signature(register_a: dict, keeper: User) -> None:
    # Same day: the higher number was issued later.
    assert _found(keeper, type="plan") == ["200/KH-UBND", "20/KH-UBND"]
    assert _found(keeper, date_from=dt.date(2026, 2, 7)) == ["05/BC-UBND"]
    assert _found(keeper, date_to=dt.date(2026, 1, 31)) == ["547/QĐ-UBND"]
    assert _found(keeper, signed=True) == ["05/BC-UBND"]
    assert "05/BC-UBND" not in _found(keeper, signed=False)


def test_newest_first(register_a: dict, keeper: User) -> None:
    assert _found(keeper)[0] == "05/BC-UBND" and _found(keeper)[-1] == "547/QĐ-UBND"


def test_another_communes_documents_are_never_found(
    register_a: dict, keeper: User, keeper_b: User
) -> None:
    assert _found(keeper_b, q="20/KH") == ["20/KH-UBND"]
    assert {d.unit_id for d in search_documents(keeper_b, DocumentSearch())} == {
        register_a["b"].unit_id
    }
    with pytest.raises(Http404):
        get_document_for(keeper_b, register_a["plan"].pk)


def test_a_province_appraiser_sees_the_communes_documents(register_a: dict, world: World) -> None:
    appraiser = make_user("pat", world.province, Role.APPRAISER)
    assert len(_found(appraiser, q="20/KH")) == 2
