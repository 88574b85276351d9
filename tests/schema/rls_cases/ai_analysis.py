"""ai_analysis_generations and ai_analysis_usage: the ai-analysis function's cost and usage record.

Written only by the function, as service_role, through its SQL functions in
private; admins read them through the API, nobody writes them. anon has no
privileges on either table.
"""

from tests.support.rls_matrix import rls_case

GENERATION = (
    "insert into public.ai_analysis_generations (id, input_hash, key_version, model, outcome,"
    " prompt_tokens, completion_tokens, cost_usd, duration_ms)"
    " values (%(spare)s, repeat('ab', 32), '0123456789abcdef', 'gpt-4.1-mini', 'stored',"
    " 300, 400, 0.00076, 2100)"
)
USAGE = (
    "insert into public.ai_analysis_usage (day, outcome, requests) values ('2026-11-20', 'hit', 41)"
)

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    # ai_analysis_generations ------------------------------------------------------------
    rls_case(
        "ai_analysis_generations",
        "select",
        "an LLM call",
        "select id from public.ai_analysis_generations where id = %(spare)s",
        "X - - - - A",
        setup=GENERATION,
    ),
    rls_case(
        "ai_analysis_generations",
        "insert",
        "a made-up LLM call",
        GENERATION,
        "X X X X X X",
    ),
    rls_case(
        "ai_analysis_generations",
        "update",
        "the cost of an LLM call",
        "update public.ai_analysis_generations set cost_usd = 0 where id = %(spare)s",
        "X X X X X X",
        setup=GENERATION,
    ),
    rls_case(
        "ai_analysis_generations",
        "delete",
        "an LLM call",
        "delete from public.ai_analysis_generations where id = %(spare)s",
        "X X X X X X",
        setup=GENERATION,
    ),
    # ai_analysis_usage -------------------------------------------------------------------
    rls_case(
        "ai_analysis_usage",
        "select",
        "a day's hits",
        "select requests from public.ai_analysis_usage where day = '2026-11-20'",
        "X - - - - A",
        setup=USAGE,
    ),
    rls_case(
        "ai_analysis_usage",
        "insert",
        "made-up hits",
        USAGE,
        "X X X X X X",
    ),
    rls_case(
        "ai_analysis_usage",
        "update",
        "a day's hits",
        "update public.ai_analysis_usage set requests = 0 where day = '2026-11-20'",
        "X X X X X X",
        setup=USAGE,
    ),
    rls_case(
        "ai_analysis_usage",
        "delete",
        "a day's hits",
        "delete from public.ai_analysis_usage where day = '2026-11-20'",
        "X X X X X X",
        setup=USAGE,
    ),
]
