"""What people do with the PAR Index: one function per business action, used by pages and API
alike, split by job (errors, common, opening, selfassess, appraisal, closing, remediation,
importing).

Every action runs in one transaction with the assessment row locked, checks the transition
table (`choices.TRANSITIONS`) and the actor's role, and changes scores only through
`common._set`, which appends a `ScoreChange` for each column it changes. Moves of the cycle
append an `AssessmentEvent` through the one workflow mechanism. A refused action raises a
`ParIndexError` whose message, in Vietnamese, names the criterion at fault; nothing is saved.
"""

from cchc.parindex.actions.appraisal import ROUNDS, AppraisalEntry, appraise, close_round, explain
from cchc.parindex.actions.closing import (
    NoSurveyResult,
    finalise,
    merge_survey,
    publish,
    sipas_scores,
)
from cchc.parindex.actions.common import (
    CENT,
    FLOW,
    allowed_actions,
    council_roles,
    may_manage_sets,
    own_roles,
)
from cchc.parindex.actions.errors import IllegalMove, InvalidScore, NotAllowed, ParIndexError
from cchc.parindex.actions.importing import import_assessment
from cchc.parindex.actions.opening import import_criteria_set, open_assessment
from cchc.parindex.actions.remediation import (
    TASK_FLOW,
    cancel_remediation_task,
    complete_remediation_task,
    create_remediation_task,
    may_give_tasks,
    start_remediation_task,
    task_actions,
)
from cchc.parindex.actions.selfassess import (
    SelfEntry,
    add_evidence,
    self_assess,
    self_assess_from_projection,
    set_self_score,
    submit,
)

__all__ = [
    "ParIndexError",
    "IllegalMove",
    "NotAllowed",
    "InvalidScore",
    "CENT",
    "own_roles",
    "council_roles",
    "may_manage_sets",
    "FLOW",
    "allowed_actions",
    "import_criteria_set",
    "open_assessment",
    "SelfEntry",
    "self_assess",
    "set_self_score",
    "self_assess_from_projection",
    "add_evidence",
    "submit",
    "AppraisalEntry",
    "ROUNDS",
    "appraise",
    "close_round",
    "explain",
    "NoSurveyResult",
    "sipas_scores",
    "merge_survey",
    "finalise",
    "publish",
    "TASK_FLOW",
    "may_give_tasks",
    "task_actions",
    "create_remediation_task",
    "start_remediation_task",
    "complete_remediation_task",
    "cancel_remediation_task",
    "import_assessment",
]
