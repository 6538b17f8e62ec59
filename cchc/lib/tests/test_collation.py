"""Vietnamese alphabetical order for lists of names, in Python and in the database."""

from __future__ import annotations

import pytest

from cchc.catalogue.models import Field
from cchc.lib.text import by_name, person_key, vi_sorted

NAMES = ["Giáo dục", "Đất đai", "Dân tộc", "Y tế", "Ân xá", "Anh", "Ưu đãi", "Uỷ thác", "Ô tô"]
EXPECTED = ["Anh", "Ân xá", "Dân tộc", "Đất đai", "Giáo dục", "Ô tô", "Uỷ thác", "Ưu đãi", "Y tế"]


def test_vi_sorted_follows_the_vietnamese_alphabet() -> None:
    assert vi_sorted(NAMES, key=str) == EXPECTED
    # Code-point order, what the lists used to show, puts every Đ after Y.
    assert sorted(NAMES)[-3:] == ["Ô tô", "Đất đai", "Ưu đãi"]


def test_vi_sorted_defaults_to_the_name_attribute() -> None:
    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

    assert [n.name for n in vi_sorted([Named("Đất đai"), Named("Dân tộc"), Named("Giáo dục")])] == [
        "Dân tộc",
        "Đất đai",
        "Giáo dục",
    ]


@pytest.mark.django_db
def test_by_name_orders_in_the_database() -> None:
    for i, name in enumerate(NAMES):
        Field.objects.create(code=f"F{i}", name=name)
    assert list(Field.objects.order_by(by_name()).values_list("name", flat=True)) == EXPECTED
    assert list(
        Field.objects.order_by(by_name(descending=True)).values_list("name", flat=True)
    ) == list(reversed(EXPECTED))


def test_people_are_ordered_by_given_name_then_full_name() -> None:
    people = [
        "Nguyễn Thị Lan",
        "Lê Văn Hùng",
        "Trần Văn An",
        "Đỗ Thị Ánh",
        "Phạm Văn Đức",
        "Bùi Văn Dũng",
    ]
    assert sorted(people, key=person_key) == [
        "Trần Văn An",
        "Đỗ Thị Ánh",
        "Bùi Văn Dũng",
        "Phạm Văn Đức",
        "Lê Văn Hùng",
        "Nguyễn Thị Lan",
    ]
