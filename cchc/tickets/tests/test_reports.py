"""Waiting and service times: the pure summaries and the query over real tickets."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.accounts.models import User
from cchc.testing import World
from cchc.tickets import queue as queue_actions
from cchc.tickets.reports import mean, percentile, queue_stats
from cchc.tickets.tests.support import MONDAY, Queue, moment

M = dt.timedelta(minutes=1)


def test_mean_and_nearest_rank_p90() -> None:
    values = [n * M for n in range(1, 11)]  # 1 … 10 minutes
    assert mean(values) == dt.timedelta(minutes=5, seconds=30)
    assert percentile(values, 90) == 9 * M
    assert percentile([4 * M], 90) == 4 * M
    assert percentile(values, 100) == 10 * M
    assert mean([]) is None and percentile([], 90) is None
    with pytest.raises(ValueError):
        percentile(values, 0)


@pytest.mark.django_db
def test_queue_stats_per_field_and_day(world: World, queue: Queue, reception: User) -> None:
    def serve(field: object, issued: int, called: int, started: int, finished: int) -> None:
        ticket = queue_actions.issue_ticket(
            world.commune_a,
            field=field,  # type: ignore[arg-type]
            at=moment(MONDAY, 8, issued),
        )
        counter = queue.two if field == queue.civil else queue.three
        got = queue_actions.call_next(counter, by=reception, at=moment(MONDAY, 9, called))
        assert got == ticket
        queue_actions.start_service(ticket, by=reception, at=moment(MONDAY, 9, started))
        queue_actions.finish(ticket, by=reception, at=moment(MONDAY, 9, finished))

    # Civil status: waits 60+0 and 60+10-5 = 65 min; service 10 and 20 min.
    serve(queue.civil, 0, 0, 0, 10)
    serve(queue.civil, 5, 10, 10, 30)
    # Certification: one served, one skipped, one still waiting.
    serve(queue.certify, 0, 1, 2, 5)
    skipped = queue_actions.issue_ticket(
        world.commune_a, field=queue.certify, at=moment(MONDAY, 8, 1)
    )
    queue_actions.call_next(queue.three, by=reception, at=moment(MONDAY, 9, 40))
    queue_actions.skip(skipped, by=reception, at=moment(MONDAY, 9, 45))
    queue_actions.issue_ticket(world.commune_a, field=queue.certify, at=moment(MONDAY, 8, 2))
    queue_actions.issue_ticket(world.commune_b, at=moment(MONDAY, 8))

    day = dt.date(2025, 8, 4)
    stats = {s.field_id: s for s in queue_stats([world.commune_a.pk], day, day)}
    civil, certify = stats[queue.civil.pk], stats[queue.certify.pk]
    assert (civil.issued, civil.called, civil.served) == (2, 2, 2)
    assert civil.waiting_avg == 62 * M + 30 * dt.timedelta(seconds=1)
    assert civil.waiting_p90 == 65 * M
    assert civil.service_avg == 15 * M and civil.service_p90 == 20 * M
    assert (certify.issued, certify.called, certify.served, certify.skipped) == (3, 2, 1, 1)
    assert certify.waiting_avg == (61 * M + 99 * M) / 2
    assert certify.service_avg == 3 * M

    whole = queue_stats([world.commune_a.pk], day, day, by_field=False)
    assert len(whole) == 1 and whole[0].issued == 5 and whole[0].served == 3
    assert (
        queue_stats([world.commune_a.pk], day + dt.timedelta(days=1), day + dt.timedelta(days=2))
        == []
    )
