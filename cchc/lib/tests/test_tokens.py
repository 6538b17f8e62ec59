"""Signed id tokens: read back within their age, refused when forged, expired, of another use
(salt) or missing an id."""

from __future__ import annotations

import datetime as dt

import time_machine

from cchc.lib.tokens import read_ids, sign_ids

DAY = dt.timedelta(days=1)


def test_a_token_reads_back_its_ids_in_the_order_asked() -> None:
    token = sign_ids("use-a", d=12, o=7)
    assert read_ids(token, "use-a", DAY, "o", "d") == (7, 12)


def test_forged_expired_other_use_or_missing_id_read_as_none() -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        token = sign_ids("use-a", d=12)
    with time_machine.travel(dt.datetime(2026, 3, 2, 20, tzinfo=dt.UTC), tick=False):
        assert read_ids(token, "use-a", DAY, "d") == (12,)
        assert read_ids(token + "x", "use-a", DAY, "d") is None
        assert read_ids(token, "use-b", DAY, "d") is None
        assert read_ids(token, "use-a", DAY, "d", "o") is None
        assert read_ids("not a token", "use-a", DAY, "d") is None
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC), tick=False):
        assert read_ids(token, "use-a", DAY, "d") is None
