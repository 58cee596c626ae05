"""The sourcing-to-listing funnel: its stages and the one table of moves between them."""
import enum

from flask_babel import lazy_gettext as _l

from crm.core.types import LabelledEnum


class Stage(LabelledEnum):
    SOURCED = "sourced"
    CONTACTED = "contacted"
    GUIDED = "guided"
    APPLIED = "applied"
    LISTED = "listed"
    ON_HOLD = "on_hold"
    DROPPED = "dropped"

    @property
    def is_active(self) -> bool:
        return self in FUNNEL


STAGE_LABELS = Stage.set_labels({
    Stage.SOURCED: _l("발굴"),
    Stage.CONTACTED: _l("연락"),
    Stage.GUIDED: _l("입점안내"),
    Stage.APPLIED: _l("입점신청"),
    Stage.LISTED: _l("입점완료"),
    Stage.ON_HOLD: _l("보류"),
    Stage.DROPPED: _l("제외"),
})
FUNNEL = (Stage.SOURCED, Stage.CONTACTED, Stage.GUIDED, Stage.APPLIED, Stage.LISTED)


class Move(enum.StrEnum):
    FORWARD = "forward"
    SKIP = "skip"            # forward past one or more stages
    BACK = "back"            # one stage back
    HOLD = "hold"
    RESUME = "resume"        # from on_hold to the stage it left
    DROP = "drop"
    REOPEN = "reopen"        # from dropped to sourced


NOTE_REQUIRED = frozenset({Move.BACK, Move.HOLD, Move.DROP, Move.REOPEN})


def _build_transitions() -> dict[Stage, dict[Stage, Move]]:
    table: dict[Stage, dict[Stage, Move]] = {stage: {} for stage in Stage}
    for index, stage in enumerate(FUNNEL):
        for later in FUNNEL[index + 1:]:
            table[stage][later] = Move.FORWARD if later is FUNNEL[index + 1] else Move.SKIP
        if index > 0:
            table[stage][FUNNEL[index - 1]] = Move.BACK
        table[stage][Stage.ON_HOLD] = Move.HOLD
        table[stage][Stage.DROPPED] = Move.DROP
        table[Stage.ON_HOLD][stage] = Move.RESUME
    table[Stage.ON_HOLD][Stage.DROPPED] = Move.DROP
    table[Stage.DROPPED][Stage.SOURCED] = Move.REOPEN
    return table


# TRANSITIONS[from][to] is the kind of move; a pair that is not in it is not allowed.
# From on_hold, RESUME is allowed only to the stage the company left (checked with `held_from`).
TRANSITIONS = _build_transitions()


def move_kind(current: Stage, target: Stage, held_from: Stage | None = None) -> Move | None:
    """The kind of move from `current` to `target`, or None when the table does not allow it."""
    kind = TRANSITIONS[current].get(target)
    if kind is Move.RESUME and target is not held_from:
        return None
    return kind


def allowed_targets(current: Stage, held_from: Stage | None = None) -> list[Stage]:
    return [target for target in Stage if move_kind(current, target, held_from) is not None]
