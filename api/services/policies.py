"""Planning rules: the alliance's default policy, and how a new round's policy is resolved from it.

Each MODEL.md policy value of a round comes from, in this order: the round's own value (set when it was
opened), the alliance's default (set by its coordinator), the model's default (``alliance.scenario.Policy``).
The round keeps the resolved values and where each came from, so later edits of the alliance's default
never change a round already opened, and the round form can say where every value came from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from alliance.scenario import Policy
from api.models import Alliance, User
from api.schemas import AlliancePolicyOut, PolicyIn
from api.services import audit

MODEL_DEFAULTS: dict[str, Any] = Policy().model_dump(mode="json")


def _set_values(data: PolicyIn) -> dict[str, Any]:
    return {k: v for k, v in data.model_dump(mode="json").items() if v is not None}


def alliance_policy(alliance: Alliance) -> AlliancePolicyOut:
    own = {k: v for k, v in (alliance.policy or {}).items() if k in MODEL_DEFAULTS}
    return AlliancePolicyOut(
        alliance_id=alliance.id, set=own, policy=Policy.model_validate({**MODEL_DEFAULTS, **own}).model_dump(),
        sources={k: "alliance" if k in own else "model" for k in MODEL_DEFAULTS}, model_defaults=MODEL_DEFAULTS,
    )


def set_alliance_policy(session: Session, actor: User, alliance: Alliance, data: PolicyIn) -> AlliancePolicyOut:
    """Replace the alliance's default: the values given; a value left out goes back to the model's default."""
    before = {"policy": alliance.policy}
    alliance.policy = _set_values(data) or None
    session.flush()
    audit.record(session, actor, "alliance.policy", "alliance", alliance.id, before=before,
                 after={"policy": alliance.policy}, alliance_id=alliance.id)
    return alliance_policy(alliance)


def resolve_round_policy(alliance: Alliance, data: PolicyIn) -> tuple[dict[str, Any], dict[str, str]]:
    """The round's policy and the source of each value: the round's own, else the alliance's, else the model's."""
    inherited = alliance_policy(alliance)
    own = _set_values(data)
    values = {**inherited.policy.model_dump(mode="json"), **own}
    sources = {k: "round" if k in own else inherited.sources[k] for k in MODEL_DEFAULTS}
    return Policy.model_validate(values).model_dump(mode="json"), sources
