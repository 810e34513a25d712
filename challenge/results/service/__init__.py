"""Temporary re-exports for the other domains; removed at merge."""

from challenge.access.outcomes import (  # noqa: F401
    FINAL_OUTCOMES,
    OUTCOME_LABELS,
    RESULTS_ANNOUNCED,
    outcome_for_agent,  # noqa: F401
)
from challenge.errors import NotFound  # noqa: F401
from challenge.results.queries.delivery import delivery_page  # noqa: F401
from challenge.results.queries.public import public_laureates  # noqa: F401
from challenge.results.service.convocations import send_convocations  # noqa: F401
from challenge.results.service.laureates import record_results  # noqa: F401
from challenge.results.service.messages import send_results  # noqa: F401
from challenge.results.service.pitch_scoring import PitchScoreInput, save_pitch_score  # noqa: F401
from challenge.results.service.pitch_slots import fill_slots, generate_slots  # noqa: F401
from challenge.results.service.slot_input import GenerateInput  # noqa: F401
