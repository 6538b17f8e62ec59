"""Short random codes a citizen reads out or types: a PAKN's suffix, an appointment's code.

The alphabet leaves out 0/O and 1/I, which are confused over the phone and on a receipt; codes
are drawn with `secrets` so that one code does not tell the next."""

from __future__ import annotations

import secrets

SPOKEN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def spoken_code(length: int) -> str:
    """`length` characters of SPOKEN_ALPHABET, 32 possibilities each."""
    return "".join(secrets.choice(SPOKEN_ALPHABET) for _ in range(length))
