"""The ids of supabase/seed.sql, by name, and the callers of the RLS matrix.

Keep in step with the seed: the tests read its world instead of building
their own, so the seed is exercised by every run.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final
from uuid import UUID

from tests.support.postgrest import ANON, Caller, signed_in

ADMIN: Final = UUID("a0000000-0000-4000-8000-000000000001")
DISTRIBUTOR_A: Final = UUID("a0000000-0000-4000-8000-000000000002")  # Ava, code MP-AVA01
DISTRIBUTOR_B: Final = UUID("a0000000-0000-4000-8000-000000000003")  # Ben, upline Ava
TRAINER: Final = UUID("a0000000-0000-4000-8000-000000000004")
PARTICIPANT: Final = UUID("a0000000-0000-4000-8000-000000000005")  # Paula, referred by Ava
OTHER_PARTICIPANT: Final = UUID("a0000000-0000-4000-8000-000000000006")  # Peter, referred by Ben

# Everything else the seed creates, by the name the RLS cases use in their SQL.
IDS: Final = MappingProxyType(
    {
        "admin": ADMIN,
        "distributor_a": DISTRIBUTOR_A,
        "distributor_b": DISTRIBUTOR_B,
        "trainer": TRAINER,
        "participant": PARTICIPANT,
        "other_participant": OTHER_PARTICIPANT,
        "assessment_health": UUID("b0000000-0000-4000-8000-000000000001"),
        "assessment_lifestyle": UUID("b0000000-0000-4000-8000-000000000002"),
        # Paula's completed session, referred by Ava
        "session_participant": UUID("c0000000-0000-4000-8000-000000000001"),
        # Peter's session in progress, referred by Ben
        "session_other_participant": UUID("c0000000-0000-4000-8000-000000000002"),
        # an anonymous visitor's session from Ava's link
        "session_anonymous": UUID("c0000000-0000-4000-8000-000000000003"),
        "result_participant": UUID("c1000000-0000-4000-8000-000000000001"),
        "tracking_participant": UUID("c2000000-0000-4000-8000-000000000001"),
        "client_of_a": UUID("d0000000-0000-4000-8000-000000000001"),
        "client_of_b": UUID("d0000000-0000-4000-8000-000000000003"),
        "interaction_of_a": UUID("d1000000-0000-4000-8000-000000000001"),
        "follow_up_of_a": UUID("d2000000-0000-4000-8000-000000000001"),
        "product_sleep": UUID("e0000000-0000-4000-8000-000000000001"),
        "product_greens": UUID("e0000000-0000-4000-8000-000000000002"),
        "order_paid_of_a": UUID("e1000000-0000-4000-8000-000000000001"),
        "order_paid_of_b": UUID("e1000000-0000-4000-8000-000000000002"),
        "order_pending_of_a": UUID("e1000000-0000-4000-8000-000000000003"),
        "item_paid_of_a": UUID("e2000000-0000-4000-8000-000000000001"),
        "item_paid_of_b": UUID("e2000000-0000-4000-8000-000000000003"),
        "item_pending_of_a": UUID("e2000000-0000-4000-8000-000000000004"),
        "payout_of_a": UUID("e3000000-0000-4000-8000-000000000001"),
        "commission_paid_of_a": UUID("e4000000-0000-4000-8000-000000000001"),
        "commission_of_b": UUID("e4000000-0000-4000-8000-000000000003"),
        # Ava's level-1 commission on Ben's sale
        "commission_upline_of_a": UUID("e4000000-0000-4000-8000-000000000004"),
        "ledger_commission_of_a": UUID("e5000000-0000-4000-8000-000000000002"),
        "ledger_commission_of_b": UUID("e5000000-0000-4000-8000-000000000006"),
        "course_published": UUID("f0000000-0000-4000-8000-000000000001"),
        "course_draft": UUID("f0000000-0000-4000-8000-000000000002"),
        "module_published": UUID("f1000000-0000-4000-8000-000000000001"),
        "module_published_second": UUID("f1000000-0000-4000-8000-000000000002"),
        "module_draft": UUID("f1000000-0000-4000-8000-000000000003"),
        "lesson_preview": UUID("f2000000-0000-4000-8000-000000000001"),
        "lesson_enrolled_only": UUID("f2000000-0000-4000-8000-000000000002"),
        "lesson_without_progress": UUID("f2000000-0000-4000-8000-000000000003"),
        "lesson_draft": UUID("f2000000-0000-4000-8000-000000000004"),
        "enrollment_participant": UUID("f3000000-0000-4000-8000-000000000001"),
        "enrollment_distributor_a": UUID("f3000000-0000-4000-8000-000000000002"),
        "progress_participant": UUID("f4000000-0000-4000-8000-000000000002"),
        "event_participant": UUID("a1000000-0000-4000-8000-000000000001"),
        "metric_participant": UUID("a2000000-0000-4000-8000-000000000001"),
        "ai_analysis": UUID("a3000000-0000-4000-8000-000000000001"),
        # not in the seed: ids for rows a case's setup creates
        "spare": UUID("9e000000-0000-4000-8000-000000000001"),
        "spare_session": UUID("9e000000-0000-4000-8000-000000000002"),
    }
)

# The six callers of the RLS matrix, in the order of its expectation strings.
ACTORS: Final = MappingProxyType(
    {
        "anon": ANON,
        "participant": signed_in(PARTICIPANT, "paula.participant@maxpulse.example"),
        "distributor_a": signed_in(DISTRIBUTOR_A, "ava.distributor@maxpulse.example"),
        "distributor_b": signed_in(DISTRIBUTOR_B, "ben.distributor@maxpulse.example"),
        "trainer": signed_in(TRAINER, "tara.trainer@maxpulse.example"),
        "admin": signed_in(ADMIN, "ada.admin@maxpulse.example"),
    }
)


def caller(actor: str) -> Caller:
    """The caller an actor name of the matrix stands for."""
    return ACTORS[actor]
