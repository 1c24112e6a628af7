"""Request and response models of site rules, their trial and reports, and the engine
report."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from commentgate.rule_syntax import RuleConditions, RuleDraft, RuleState


class RulePath(BaseModel):
    site_name: str = Field(max_length=100)
    rule_id: int = Field(ge=1, le=2**31 - 1)


class RuleQuery(BaseModel):
    state: RuleState | None = None


class WindowQuery(BaseModel):
    days: int = Field(30, ge=1, le=365, description="The window: the last N days")


class RuleOut(BaseModel):
    id: int
    name: str
    conditions: RuleConditions
    weight: float | None
    action: Literal["spam", "pending", "approve"] | None
    state: RuleState = Field(description="shadow: recorded, not counted; active; retired")
    created_at: str
    updated_at: str


class RuleList(BaseModel):
    items: list[RuleOut]


class RuleTrial(BaseModel):
    rule: RuleDraft
    last: int = Field(200, ge=1, le=1000, description="How many of the newest comments")


class TrialHit(BaseModel):
    id: str
    status: str
    article: str
    created_at: str


class TrialOut(BaseModel):
    tried: int
    hits: list[TrialHit]


class RuleReport(BaseModel):
    id: int
    name: str
    state: RuleState
    days: int
    hits: int = Field(description="Comments whose latest verdict recorded the rule matching")
    decided_hits: int
    agreed: int = Field(description="Decided hits whose decision went the rule's way")
    precision: float | None
    recall: float | None


class SpamFigures(BaseModel):
    predicted: int
    confirmed: int
    precision: float | None
    recall: float | None


class ReasonFigures(BaseModel):
    code: str
    decided: int
    precision: float | None


class EngineReport(BaseModel):
    days: int
    scored: int
    decided: int
    overridden: int
    override_rate: float | None
    spam: SpamFigures
    reasons: list[ReasonFigures]
