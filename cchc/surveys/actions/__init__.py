"""What people do with SIPAS surveys: one function per business action, used by pages and API
alike, split by job (errors, common, questionnaires, rounds, sampling, answers).

Questionnaires are imported as new versions, edited only while they are unused drafts, and
activated. A round moves on the one workflow mechanism (`cchc.workflow`): created → opened →
sample drawn → closed → published, one `SurveyRoundEvent` per step. Responses come from paper
(an officer types the form in), the counter's tablet (a kiosk session an officer opened) and the
one-time online link sent to each sampled applicant. A refusal raises a `SurveyError` whose
Vietnamese message says why; nothing is half-saved (one transaction per action).
"""

from cchc.surveys.actions.answers import (
    KIOSK_MAX_AGE,
    KIOSK_SALT,
    already_answered_message,
    check_collecting,
    clean_answers,
    invitation_for_token,
    kiosk_expired_message,
    kiosk_session,
    kiosk_token,
    open_kiosk,
    read_kiosk_token,
    record_kiosk_response,
    record_online_response,
    record_paper_response,
    unknown_link_message,
)
from cchc.surveys.actions.common import MAX_SAMPLE, managed_units, may_collect, may_manage
from cchc.surveys.actions.errors import (
    AlreadyAnswered,
    IllegalMove,
    InvalidSurvey,
    KioskExpired,
    NotAllowed,
    QuestionnaireInUse,
    RoundNotOpen,
    SurveyError,
    UnknownInvitation,
)
from cchc.surveys.actions.questionnaires import (
    activate_questionnaire,
    import_questionnaire,
    replace_questionnaire,
    usable_questionnaires,
)
from cchc.surveys.actions.rounds import (
    FLOW,
    allowed_actions,
    close_round,
    create_round,
    open_round,
    publish_round,
)
from cchc.surveys.actions.sampling import (
    Eligible,
    SendResult,
    applicant_key,
    draw_sample,
    eligible_applicants,
    sample,
    send_due_invitations,
    send_invitations,
)

__all__ = [
    "SurveyError",
    "InvalidSurvey",
    "NotAllowed",
    "IllegalMove",
    "QuestionnaireInUse",
    "AlreadyAnswered",
    "RoundNotOpen",
    "UnknownInvitation",
    "KioskExpired",
    "may_collect",
    "may_manage",
    "managed_units",
    "import_questionnaire",
    "replace_questionnaire",
    "activate_questionnaire",
    "usable_questionnaires",
    "FLOW",
    "create_round",
    "open_round",
    "close_round",
    "publish_round",
    "allowed_actions",
    "MAX_SAMPLE",
    "applicant_key",
    "Eligible",
    "eligible_applicants",
    "sample",
    "draw_sample",
    "SendResult",
    "send_invitations",
    "send_due_invitations",
    "KIOSK_SALT",
    "KIOSK_MAX_AGE",
    "clean_answers",
    "check_collecting",
    "record_paper_response",
    "kiosk_token",
    "read_kiosk_token",
    "kiosk_expired_message",
    "open_kiosk",
    "kiosk_session",
    "record_kiosk_response",
    "unknown_link_message",
    "already_answered_message",
    "invitation_for_token",
    "record_online_response",
]
