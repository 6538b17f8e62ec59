"""The one workflow mechanism: a transition table type (`table.py`), the one `transition()`
that locks the row, checks the version, the table and the role, writes the event and returns the
row (`transition.py`), and the abstract event model every workflow's history inherits
(`models.py`). Dossiers, PAKN and the queue's tickets run on it; it knows none of them: each
workflow passes in its table, its event model and its own refusals (`DomainError` subclasses)."""
