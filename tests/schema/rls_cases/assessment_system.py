"""assessments, assessment_sessions, assessment_responses, assessment_results, assessment_tracking."""

from tests.support.rls_matrix import rls_case

# The participant's seeded session is completed; answers need an open one.
OPEN_SESSION_OF_PARTICIPANT = (
    "insert into public.assessment_sessions (id, assessment_id, participant_id, distributor_id, status)"
    " values (%(spare_session)s, %(assessment_health)s, %(participant)s, %(distributor_a)s,"
    " 'in_progress')"
)
ANSWER_IN_OPEN_SESSION = (
    OPEN_SESSION_OF_PARTICIPANT,
    "insert into public.assessment_responses (id, session_id, question_id, answer)"
    " values (%(spare)s, %(spare_session)s, 'sleep_hours', '7')",
)

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    # assessments ----------------------------------------------------------------
    rls_case(
        "assessments",
        "select",
        "an active assessment",
        "select id from public.assessments where id = %(assessment_health)s",
        "- A A A A A",
    ),
    rls_case(
        "assessments",
        "select",
        "a retired assessment",
        "select id from public.assessments where id = %(assessment_lifestyle)s",
        "- - - - - A",
        setup="update public.assessments set is_active = false where id = %(assessment_lifestyle)s",
    ),
    rls_case(
        "assessments",
        "insert",
        "a new assessment",
        "insert into public.assessments (slug, title, assessment_type)"
        " values ('stress-check', 'Stress Check', 'stress')",
        "X X X X X A",
    ),
    rls_case(
        "assessments",
        "update",
        "an assessment's title",
        "update public.assessments set title = 'Renamed' where id = %(assessment_health)s",
        "- - - - - A",
    ),
    rls_case(
        "assessments",
        "delete",
        "an unused assessment",
        "delete from public.assessments where id = %(spare)s",
        "- - - - - A",
        setup="insert into public.assessments (id, slug, title, assessment_type)"
        " values (%(spare)s, 'unused', 'Unused', 'stress')",
    ),
    # assessment_sessions ------------------------------------------------------------
    rls_case(
        "assessment_sessions",
        "select",
        "the participant's session referred by A",
        "select id from public.assessment_sessions where id = %(session_participant)s",
        "- A A - - A",
    ),
    rls_case(
        "assessment_sessions",
        "select",
        "an anonymous session from A's link",
        "select id from public.assessment_sessions where id = %(session_anonymous)s",
        "- - A - - A",
    ),
    rls_case(
        "assessment_sessions",
        "select",
        "the other participant's session referred by B",
        "select id from public.assessment_sessions where id = %(session_other_participant)s",
        "- - - A - A",
    ),
    rls_case(
        "assessment_sessions",
        "insert",
        "start your own session referred by A",
        "insert into public.assessment_sessions (assessment_id, participant_id, distributor_id)"
        " values (%(assessment_health)s, %(me)s, %(distributor_a)s)",
        "X A A A A A",
    ),
    rls_case(
        "assessment_sessions",
        "insert",
        "a session for the other participant",
        "insert into public.assessment_sessions (assessment_id, participant_id)"
        " values (%(assessment_health)s, %(other_participant)s)",
        "X X X X X A",
    ),
    rls_case(
        "assessment_sessions",
        "insert",
        "start your own session marked as a bot",
        "insert into public.assessment_sessions (assessment_id, participant_id, distributor_id,"
        " is_bot) values (%(assessment_health)s, %(me)s, %(distributor_a)s, true)",
        "X X X X X A",
    ),
    rls_case(
        "assessment_sessions",
        "update",
        "mark the participant's session as a bot",
        "update public.assessment_sessions set is_bot = true where id = %(session_participant)s",
        "- X - - - A",
    ),
    rls_case(
        "assessment_sessions",
        "update",
        "the participant's session metadata",
        "update public.assessment_sessions set metadata = '{\"step\": 3}'"
        " where id = %(session_participant)s",
        "- A - - - A",
    ),
    rls_case(
        "assessment_sessions",
        "update",
        "move the participant's referral to B",
        "update public.assessment_sessions set distributor_id = %(distributor_b)s"
        " where id = %(session_participant)s",
        "- X - - - A",
    ),
    rls_case(
        "assessment_sessions",
        "delete",
        "the participant's session",
        "delete from public.assessment_sessions where id = %(session_participant)s",
        "- - - - - A",
    ),
    # assessment_responses (raw answers: the participant's own, not the distributor's) ---
    rls_case(
        "assessment_responses",
        "select",
        "the participant's answer",
        "select id from public.assessment_responses"
        " where session_id = %(session_participant)s and question_id = 'sleep_hours'",
        "- A - - - A",
    ),
    rls_case(
        "assessment_responses",
        "insert",
        "an answer in the participant's open session",
        "insert into public.assessment_responses (session_id, question_id, answer)"
        " values (%(spare_session)s, 'stress_level', '4')",
        "X A X X X A",
        setup=OPEN_SESSION_OF_PARTICIPANT,
    ),
    rls_case(
        "assessment_responses",
        "insert",
        "an answer after the session completed",
        "insert into public.assessment_responses (session_id, question_id, answer)"
        " values (%(session_participant)s, 'water_glasses', '8')",
        "X X X X X A",
    ),
    rls_case(
        "assessment_responses",
        "update",
        "an answer in the participant's open session",
        "update public.assessment_responses set answer = '9' where id = %(spare)s",
        "- A - - - A",
        setup=ANSWER_IN_OPEN_SESSION,
    ),
    rls_case(
        "assessment_responses",
        "delete",
        "an answer in the participant's open session",
        "delete from public.assessment_responses where id = %(spare)s",
        "- A - - - A",
        setup=ANSWER_IN_OPEN_SESSION,
    ),
    # assessment_results ----------------------------------------------------------------
    rls_case(
        "assessment_results",
        "select",
        "the participant's result",
        "select id from public.assessment_results where id = %(result_participant)s",
        "- A A - - A",
    ),
    rls_case(
        "assessment_results",
        "insert",
        "a result for the other participant's session",
        "insert into public.assessment_results (session_id, assessment_type)"
        " values (%(session_other_participant)s, 'health_risk')",
        "X X X X X A",
    ),
    rls_case(
        "assessment_results",
        "update",
        "raise the participant's score",
        "update public.assessment_results set score = 99 where id = %(result_participant)s",
        "- - - - - A",
    ),
    rls_case(
        "assessment_results",
        "delete",
        "the participant's result",
        "delete from public.assessment_results where id = %(result_participant)s",
        "- - - - - A",
    ),
    # assessment_tracking ------------------------------------------------------------------
    rls_case(
        "assessment_tracking",
        "select",
        "an event of A's referral",
        "select id from public.assessment_tracking where id = %(tracking_participant)s",
        "- - A - - A",
    ),
    rls_case(
        "assessment_tracking",
        "insert",
        "an event in the participant's own session",
        "insert into public.assessment_tracking (session_id, event_type)"
        " values (%(session_participant)s, 'results_viewed')",
        "X A X X X A",
    ),
    rls_case(
        "assessment_tracking",
        "insert",
        "an event in the other participant's session",
        "insert into public.assessment_tracking (session_id, event_type)"
        " values (%(session_other_participant)s, 'assessment_completed')",
        "X X X X X A",
    ),
    rls_case(
        "assessment_tracking",
        "update",
        "rewrite an event",
        "update public.assessment_tracking set event_type = 'assessment_completed'"
        " where id = %(tracking_participant)s",
        "- - - - - -",
    ),
    rls_case(
        "assessment_tracking",
        "delete",
        "an event of A's referral",
        "delete from public.assessment_tracking where id = %(tracking_participant)s",
        "- - - - - A",
    ),
]
