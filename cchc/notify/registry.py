"""The seam between the outbox and the domains: what the apps that have something to say register
here, in their `AppConfig.ready()`, the way the dossiers register their due-date recomputation
with the calendar (`cchc.worktime.actions.register_recompute`).

`notify` imports no domain app. A domain writes its own words and queues them with
`cchc.notify.dispatch.queue_message`; what notify itself starts (the morning run) and what one
domain adds to another's message (the rating invitation in the "result returned" message) goes
through the two registries below, so the import arrows keep pointing at notify, never out of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol


class MorningResult(Protocol):
    """What one morning job reports: how many messages it queued, and a line for the command."""

    @property
    def queued(self) -> int: ...

    def summary(self) -> str: ...


MorningJob = Callable[[dt.datetime], MorningResult]
# A paragraph another app adds to a message about an object of a domain (e.g. a dossier): "" for
# none. Called inside the message's translation override, so gettext answers in Vietnamese.
Addendum = Callable[[Any], str]

_morning_jobs: list[MorningJob] = []
_addenda: dict[str, list[Addendum]] = {}


def register_morning_job(job: MorningJob) -> MorningJob:
    """Run `job(now)` in each morning's reminder run (`cchc.notify.reminders.run_daily`) and in
    `manage.py send_reminders`, inside the run's transaction. Registering twice keeps one."""
    if job not in _morning_jobs:
        _morning_jobs.append(job)
    return job


def unregister_morning_job(job: MorningJob) -> None:
    if job in _morning_jobs:
        _morning_jobs.remove(job)


def morning_jobs() -> list[MorningJob]:
    return list(_morning_jobs)


def register_addendum(kind: str, addendum: Addendum) -> Addendum:
    """Add `addendum(subject)`'s paragraph to the e-mails of this kind (a `Kind` value), after
    their facts; the domain writing those e-mails asks for them with `addenda(kind, subject)`."""
    registered = _addenda.setdefault(kind, [])
    if addendum not in registered:
        registered.append(addendum)
    return addendum


def unregister_addendum(kind: str, addendum: Addendum) -> None:
    registered = _addenda.get(kind, [])
    if addendum in registered:
        registered.remove(addendum)


def addenda(kind: str, subject: Any) -> list[str]:
    """The registered paragraphs for a message of this kind about `subject`, in order."""
    return [text for text in (a(subject) for a in _addenda.get(kind, [])) if text]
