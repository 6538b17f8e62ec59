"""The one `transition()`: lock the row, check the version, the table and the role, apply the
workflow's change, write the event, all in one transaction.

A workflow describes itself once in a `Workflow` (its table, its event model, how it locks its
row, where its roles are held, its refusals); its actions call `transition(flow, row, action,
by=…, at=…, change=…)`. Refusals are the workflow's own `DomainError` subclasses, built by the
functions it passes in, so each keeps its messages and HTTP statuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction

from cchc.lib.errors import DomainError
from cchc.workflow.models import WorkflowEvent
from cchc.workflow.table import Rule, TransitionTable

Row = TypeVar("Row", bound=models.Model)


def _plain_lock(row: Any) -> Any:
    return type(row)._default_manager.select_for_update().get(pk=row.pk)


@dataclass(frozen=True)
class Workflow(Generic[Row]):
    """What one workflow tells the mechanism about itself.

    - `lock`: reads the row again under `SELECT … FOR UPDATE` (with what the checks need joined);
      on SQLite the IMMEDIATE transactions serialise writers instead.
    - `version_field`: the optimistic-lock column a form sends back, bumped by every move; None
      when the workflow has none.
    - `illegal(row, action)`, `stale(row)`, `not_allowed(row, action, rule)`: the refusals.
    - `roles_of(row, by, where)`: the roles `by` holds where a rule says; needed when the table
      has rules. `roles_first`: check the role before the table (PAKN: someone who may not
      handle the unit's items hears that before anything about the item's state).
    - `data_field`: the event column `change`'s answer goes to (None: the event has none).
    - `on_event(row, event)`: runs after the event is written, in the same transaction (the
      notifications queued with it).
    """

    table: TransitionTable
    event: type[WorkflowEvent]
    illegal: Callable[[Row, str], DomainError]
    lock: Callable[[Row], Row] = _plain_lock
    status_field: str = "status"
    version_field: str | None = None
    stale: Callable[[Row], DomainError] | None = None
    roles_of: Callable[[Row, Any, str], Iterable[str]] | None = None
    not_allowed: Callable[[Row, str, Rule], DomainError] | None = None
    roles_first: bool = False
    data_field: str | None = "data"
    on_event: Callable[[Row, WorkflowEvent], None] | None = None

    def check_role(self, row: Row, action: str, by: Any) -> None:
        """Refuse `by` unless the table's rule for `action` names a role they hold where it
        says. A workflow without rules lets everyone its doors let in."""
        rule = self.table.rules.get(action)
        if rule is None:
            if self.table.rules:
                raise KeyError(f"no rule for {action!r}")
            return
        assert self.roles_of is not None and self.not_allowed is not None
        if not rule.roles & set(self.roles_of(row, by, rule.where)):
            raise self.not_allowed(row, action, rule)


def actor(by: Any) -> Any:
    """The user an event names: nobody for a citizen, the system or an anonymous request."""
    return by if getattr(by, "is_authenticated", False) else None


def record(
    flow: Workflow[Row],
    row: Row,
    action: str,
    from_status: str,
    to_status: str,
    *,
    by: Any,
    at: dt.datetime,
    **details: Any,
) -> WorkflowEvent:
    """Append one event for `row` (a move, or an act that creates the row or keeps its status)
    and run the workflow's `on_event` in the caller's transaction."""
    event = flow.event._default_manager.create(
        **{flow.event.subject_field: row},
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor(by),
        at=at,
        **details,
    )
    if flow.on_event is not None:
        flow.on_event(row, event)
    return event


def transition(
    flow: Workflow[Row],
    row: Row,
    action: str,
    *,
    by: Any,
    at: dt.datetime,
    expected_version: int | None = None,
    check_role: bool = True,
    change: Callable[[Row, dt.datetime], Mapping[str, Any] | None] | None = None,
    leads_to: Callable[[Row], str] | None = None,
    locked: bool = False,
    update_fields: Iterable[str] | None = None,
    details: Mapping[str, Any] | Callable[[Row], Mapping[str, Any]] | None = None,
) -> Row:
    """Move `row` by `action` and return it, locked and saved, with its event written.

    In order, in one transaction: lock the row, refuse a stale `expected_version`, refuse a
    move the table does not allow and a role it does not name
    (`check_role=False` for a citizen's own act, which the table's rules do not cover), apply
    `change` (its answer is the event's data), move to the table's target (or to
    `leads_to(row)` where the target depends on the change), bump the version, save (all
    columns, or the status, the version and `update_fields`), append the event with `details`
    (the event's own columns; a function of the locked row where they depend on it, read before
    `change`).

    `locked=True`: the caller already chose the row under its own lock (the queue's call takes
    the first ticket nobody else holds) and checked what it needed to first; the move then runs
    in the caller's transaction, not in a savepoint of its own.
    """
    if locked and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked=True needs the caller's transaction")
    with nullcontext() if locked else transaction.atomic():
        current = row if locked else flow.lock(row)
        version = getattr(current, flow.version_field) if flow.version_field else None
        if expected_version is not None and version != expected_version:
            assert flow.stale is not None
            raise flow.stale(current)
        if check_role and flow.roles_first:
            flow.check_role(current, action, by)
        target = flow.table.target(action, getattr(current, flow.status_field))
        if target is None:
            raise flow.illegal(current, action)
        if check_role and not flow.roles_first:
            flow.check_role(current, action, by)
        columns = dict(details(current) if callable(details) else details or {})
        data = change(current, at) if change is not None else None
        if leads_to is not None:
            target = leads_to(current)
        from_status = getattr(current, flow.status_field)
        setattr(current, flow.status_field, target)
        moved = [flow.status_field]
        if flow.version_field is not None:
            setattr(current, flow.version_field, getattr(current, flow.version_field) + 1)
            moved.append(flow.version_field)
        if update_fields is None:
            current.save()
        else:
            current.save(update_fields=[*moved, *update_fields])
        if flow.data_field is not None:
            columns[flow.data_field] = data or {}
        record(flow, current, action, from_status, target, by=by, at=at, **columns)
    return current
