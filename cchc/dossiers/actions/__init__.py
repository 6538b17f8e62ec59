"""What people do to a dossier: one function per business action, used by pages and API alike.

Every action runs in one transaction with the dossier row locked, checks the transition table
(`choices.TRANSITIONS`), the actor's role in the right unit and the form's row version, changes
the reporting facts, and appends one `DossierEvent`. A refused action raises a `DossierError`
subclass whose message says why (in Vietnamese) and changes nothing.

One module per job; this package names their public functions, so callers outside the app keep
`from cchc.dossiers import actions` (and a test that replaces `actions.receive_dossier` replaces
what those callers look up):

- `errors`: the refusals (`DossierError` and its subclasses, each with its HTTP status);
- `common`: the workflow on the one mechanism (`FLOW`, the event, the move), the role checks,
  `allowed_actions`, the moment of an action;
- `receipt`: a dossier received, turned away or refused at the counter, and the counter's decision
  on an online submission;
- `steps`: the clock from receipt, the steps and their times, `hand_over`, `send_back`;
- `moves`: supplement, payment, new date, extended time, notes;
- `endings`: resolved, refused, withdrawn, stopped, result returned;
- `documents`: scans and files, checked and stored;
- `online`: the citizen's own submission, completion and supplement;
- `perform`: an action by name with its parameters (pages and API).
"""

from __future__ import annotations

from cchc.dossiers.actions.common import FLOW, MissingInput, allowed_actions, local_iso
from cchc.dossiers.actions.documents import attach_document, max_dossier_bytes
from cchc.dossiers.actions.endings import refuse, resolve, return_result, stop, withdraw
from cchc.dossiers.actions.errors import (
    DossierError,
    FileTooLarge,
    IllegalTransition,
    InvalidDossierData,
    NotAllowed,
    StaleDossier,
)
from cchc.dossiers.actions.moves import (
    MAX_AMOUNT_VND,
    add_note,
    extend,
    record_payment,
    request_payment,
    request_supplement,
    reschedule,
    supplement_received,
)
from cchc.dossiers.actions.online import (
    OnlineDocument,
    resubmit_online,
    submit_online,
    supplement_online,
)
from cchc.dossiers.actions.perform import ActionParams, perform
from cchc.dossiers.actions.receipt import (
    MAX_SETS,
    Applicant,
    Receipt,
    ReceivedDocument,
    ask_completion,
    clean_applicant,
    missing_required_documents,
    next_code,
    receive_dossier,
    receive_submitted,
    refuse_at_counter,
    refuse_submission,
    turn_away_incomplete,
)
from cchc.dossiers.actions.steps import (
    allot_steps,
    duration_of,
    hand_over,
    reallot_remaining,
    reception_handover_due,
    send_back,
)

# The list of what is missing is given as `MissingItem`s (see `MissingInput`).
from cchc.dossiers.missing import MissingItem

__all__ = [
    "FLOW",
    "MAX_AMOUNT_VND",
    "MAX_SETS",
    "ActionParams",
    "Applicant",
    "DossierError",
    "FileTooLarge",
    "IllegalTransition",
    "InvalidDossierData",
    "MissingInput",
    "MissingItem",
    "NotAllowed",
    "OnlineDocument",
    "Receipt",
    "ReceivedDocument",
    "StaleDossier",
    "add_note",
    "allot_steps",
    "allowed_actions",
    "ask_completion",
    "attach_document",
    "clean_applicant",
    "duration_of",
    "extend",
    "hand_over",
    "local_iso",
    "max_dossier_bytes",
    "missing_required_documents",
    "next_code",
    "perform",
    "reallot_remaining",
    "receive_dossier",
    "receive_submitted",
    "reception_handover_due",
    "record_payment",
    "refuse",
    "refuse_at_counter",
    "refuse_submission",
    "request_payment",
    "request_supplement",
    "reschedule",
    "resolve",
    "resubmit_online",
    "return_result",
    "send_back",
    "stop",
    "submit_online",
    "supplement_online",
    "supplement_received",
    "turn_away_incomplete",
    "withdraw",
]
