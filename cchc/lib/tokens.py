"""Signed tokens that carry a few ids in a link or a kiosk session (rating links, the counter's
rating and survey tablets): Django's signing with a salt per use, read back with an age limit.

A token that is forged, expired, or lacks an id reads as None, so every caller answers it the
same way ("no longer valid") and never with a 500."""

from __future__ import annotations

import datetime as dt

from django.core import signing


def sign_ids(salt: str, **ids: int) -> str:
    return signing.dumps(ids, salt=salt)


def read_ids(
    token: str, salt: str, max_age: dt.timedelta | int, *keys: str
) -> tuple[int, ...] | None:
    """The ids under `keys`, in that order, of a token signed with `salt` no longer ago than
    `max_age`; None when it is not one."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
        return tuple(int(payload[key]) for key in keys)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
