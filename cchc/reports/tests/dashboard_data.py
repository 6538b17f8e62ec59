"""A small, hand-counted world for the dashboard, public page and report tests.

Today is Wednesday 10/12/2025, 10:00. Commune A (Nga Sơn):
- a1 counter, copy (chứng thực): received 03/11 09:00, due 06/11 17:00, resolved 05/11 (early),
  rated "rất hài lòng" on 06/11;
- a2 online (partial), copy: received 10/11, due 13/11 17:00, resolved 14/11 10:00 (late, no
  apology letter);
- a3 counter, copy: received 01/12, due 04/12 17:00, still open: overdue now;
- a4 counter, copy: received 08/12, due 11/12 17:00, open within time;
- a5 online (full), birth (hộ tịch): received 09/12, waiting for the citizen's supplement.
Commune B (Nga Thắng): b1 counter, birth: received 05/11, resolved 06/11 (early).

So for commune A over the last twelve months: 5 received (2 online, 40,0 %), 2 resolved (1 early,
1 late: 50,0 % on time), 3 in progress (1 overdue, 1 waiting for supplement), 1 rating (100,0 %).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cchc.dossiers.choices import Channel, EndType
from cchc.dossiers.models import Dossier
from cchc.reports.tests.support import make_dossier
from cchc.testing import TZ, World

NOW = dt.datetime(2025, 12, 10, 10, 0, tzinfo=TZ)


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=TZ)


@dataclass
class Dossiers:
    a1: Dossier
    a2: Dossier
    a3: Dossier
    a4: Dossier
    a5: Dossier
    b1: Dossier

    @property
    def commune_a(self) -> list[Dossier]:
        return [self.a1, self.a2, self.a3, self.a4, self.a5]


def make_world_dossiers(world: World) -> Dossiers:
    resolved = EndType.RESOLVED
    a1 = make_dossier(
        world, received=at(11, 3), due=at(11, 6, 17), finished=at(11, 5, 15), end_type=resolved,
        rating=(at(11, 6, 10), 5),
    )  # fmt: skip
    a2 = make_dossier(
        world, received=at(11, 10), due=at(11, 13, 17), finished=at(11, 14, 10), end_type=resolved,
        channel=Channel.ONLINE_PARTIAL,
    )  # fmt: skip
    a3 = make_dossier(world, received=at(12, 1), due=at(12, 4, 17))
    a4 = make_dossier(world, received=at(12, 8), due=at(12, 11, 17))
    a5 = make_dossier(
        world, received=at(12, 9), due=at(12, 9, 17), procedure=world.birth,
        channel=Channel.ONLINE_FULL, supplement_asked=at(12, 9, 11),
    )  # fmt: skip
    b1 = make_dossier(
        world, received=at(11, 5), due=at(11, 5, 17), finished=at(11, 5, 15), end_type=resolved,
        unit=world.commune_b, procedure=world.birth,
    )  # fmt: skip
    # Personal data that must never reach a public page.
    Dossier.objects.filter(pk__in=[a1.pk, a2.pk, a3.pk]).update(
        applicant_phone="0912345678", applicant_id_number="038090001234"
    )
    return Dossiers(a1, a2, a3, a4, a5, b1)
