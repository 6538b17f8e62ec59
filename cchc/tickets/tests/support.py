"""The queue tests' helpers: the counters of the `queue` fixture, and moments on the real 2025
calendar (Monday 04/08/2025 is a working day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cchc.catalogue.models import Field
from cchc.testing import at
from cchc.tickets.models import Counter

MONDAY = "2025-08-04"


@dataclass
class Queue:
    civil: Field
    certify: Field
    one: Counter
    two: Counter
    three: Counter
    other_unit: Counter


def moment(day: str, hour: int = 9, minute: int = 0, second: int = 0) -> dt.datetime:
    return at(day, hour, minute).replace(second=second)
