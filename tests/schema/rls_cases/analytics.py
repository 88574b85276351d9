"""analytics_events, performance_metrics, ai_analysis_results, feature_flags."""

from tests.support.rls_matrix import rls_case

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    # analytics_events ---------------------------------------------------------------
    rls_case(
        "analytics_events",
        "select",
        "the participant's event on A's dashboard",
        "select id from public.analytics_events where id = %(event_participant)s",
        "- A A - - A",
    ),
    rls_case(
        "analytics_events",
        "insert",
        "your own event",
        "insert into public.analytics_events (user_id, event_type) values (%(me)s, 'page.viewed')",
        "X A A A A A",
    ),
    rls_case(
        "analytics_events",
        "insert",
        "your own event on A's dashboard",
        "insert into public.analytics_events (user_id, distributor_id, event_type)"
        " values (%(me)s, %(distributor_a)s, 'page.viewed')",
        "X X A X X A",
    ),
    rls_case(
        "analytics_events",
        "update",
        "the participant's event",
        "update public.analytics_events set event_type = 'results.shared'"
        " where id = %(event_participant)s",
        "- - - - - A",
    ),
    rls_case(
        "analytics_events",
        "delete",
        "the participant's event",
        "delete from public.analytics_events where id = %(event_participant)s",
        "- - - - - A",
    ),
    # performance_metrics --------------------------------------------------------------
    rls_case(
        "performance_metrics",
        "select",
        "a metric the participant's browser sent",
        "select id from public.performance_metrics where id = %(metric_participant)s",
        "- - - - - A",
    ),
    rls_case(
        "performance_metrics",
        "insert",
        "a metric of your own",
        "insert into public.performance_metrics (component_name, metric_type, metric_value, unit)"
        " values ('ResultsPage', 'render_time', 120.5, 'ms')",
        "X A A A A A",
    ),
    rls_case(
        "performance_metrics",
        "update",
        "a metric's value",
        "update public.performance_metrics set metric_value = 1 where id = %(metric_participant)s",
        "- - - - - A",
    ),
    rls_case(
        "performance_metrics",
        "delete",
        "a metric",
        "delete from public.performance_metrics where id = %(metric_participant)s",
        "- - - - - A",
    ),
    # ai_analysis_results (the ai-analysis function's cache) ---------------------------
    rls_case(
        "ai_analysis_results",
        "select",
        "a cached analysis",
        "select id from public.ai_analysis_results where id = %(ai_analysis)s",
        "- - - - - A",
    ),
    rls_case(
        "ai_analysis_results",
        "insert",
        "a cached analysis",
        "insert into public.ai_analysis_results (input_hash, assessment_type, analysis_data)"
        " values (repeat('ab', 32), 'health_risk', '{}')",
        "X X X X X A",
    ),
    rls_case(
        "ai_analysis_results",
        "update",
        "a cached analysis",
        "update public.ai_analysis_results set hit_count = hit_count + 1"
        " where id = %(ai_analysis)s",
        "- - - - - A",
    ),
    rls_case(
        "ai_analysis_results",
        "delete",
        "a cached analysis",
        "delete from public.ai_analysis_results where id = %(ai_analysis)s",
        "- - - - - A",
    ),
    # feature_flags (the one table anon reads) -------------------------------------------
    rls_case(
        "feature_flags",
        "select",
        "use_supabase",
        "select name from public.feature_flags where name = 'use_supabase'",
        "A A A A A A",
    ),
    rls_case(
        "feature_flags",
        "insert",
        "a new flag",
        "insert into public.feature_flags (name, enabled) values ('new_flag', true)",
        "X X X X X A",
    ),
    rls_case(
        "feature_flags",
        "update",
        "switch a flag on",
        "update public.feature_flags set enabled = true where name = 'ai_edge_function'",
        "- - - - - A",
    ),
    rls_case(
        "feature_flags",
        "delete",
        "a flag",
        "delete from public.feature_flags where name = 'realtime_backend'",
        "- - - - - A",
    ),
]
