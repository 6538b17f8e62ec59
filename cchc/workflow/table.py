"""The transition table type: action × from-status → to-status, with the roles allowed where
the workflow has roles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple


class Move(NamedTuple):
    """One row of a table: the statuses an action may start from and the status it leads to.
    `None` as the target keeps the status (a note, a hand-over between steps)."""

    sources: frozenset[str]
    target: str | None


class Rule(NamedTuple):
    """Who may take an action: one of `roles`, held where `where` says. What `where` names is
    the workflow's business (a dossier's receiving or processing unit); the mechanism only
    hands it back to the workflow's `roles_of`."""

    where: str
    roles: frozenset[str]


class TransitionTable(Mapping[str, Move]):
    """The one table of a workflow. Reads like the plain dict it replaces (`table[action]` is
    the action's `Move`, `table[action][0]` its sources), plus `rules`: the roles per action,
    empty for a workflow without roles (the queue)."""

    def __init__(
        self,
        moves: Mapping[str, tuple[frozenset[str], str | None]],
        rules: Mapping[str, Rule] | None = None,
    ):
        self._moves = {action: Move(*move) for action, move in moves.items()}
        self.rules: Mapping[str, Rule] = dict(rules or {})
        unknown = set(self.rules) - set(self._moves)
        if unknown:
            raise ValueError(f"rules for actions not in the table: {sorted(unknown)}")

    def __getitem__(self, action: str) -> Move:
        return self._moves[action]

    def __iter__(self) -> Iterator[str]:
        return iter(self._moves)

    def __len__(self) -> int:
        return len(self._moves)

    def sources(self, action: str) -> frozenset[str]:
        """The statuses `action` may start from; none for an action the table does not know."""
        move = self._moves.get(action)
        return move.sources if move is not None else frozenset()

    def target(self, action: str, current: str) -> str | None:
        """The status `action` leads to from `current`, or None if the table does not allow it."""
        move = self._moves.get(action)
        if move is None or current not in move.sources:
            return None
        return move.target or current
