"""What a site rule may say: its conditions, its effect, and the safe subset of regular
expressions it may use.

Python's ``re`` backtracks, so a careless pattern can take exponential time. Rules accept
only a subset whose matching stays polynomial and small: no back-references, no
look-around, no conditional groups, no quantifier or alternation inside a quantified
group, at most
:data:`MAX_REPEATS` quantifiers, a bounded ``{m,n}`` at most :data:`MAX_BOUND`; patterns of
at most :data:`MAX_PATTERN` characters, run on at most the first :data:`MAX_INPUT`
characters of the folded field.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own parser: what re itself will compile
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from commentgate.errors import FieldValueError

MAX_PATTERN = 200
MAX_INPUT = 4000
MAX_REPEATS = 3
MAX_BOUND = 50
_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT}
_REFUSED = {sre_parse.GROUPREF, sre_parse.GROUPREF_EXISTS, sre_parse.ASSERT}
_REFUSED |= {sre_parse.ASSERT_NOT, sre_parse.ATOMIC_GROUP}
RuleAction = Literal["spam", "pending", "approve"]
RuleState = Literal["shadow", "active", "retired"]


def check_pattern(pattern: str) -> str:
    """``pattern`` if it is in the safe subset.

    Raises:
        FieldValueError: ``unsafe_pattern`` (or ``invalid`` when it does not compile).
    """
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise FieldValueError("invalid") from exc
    if _repeats(parsed, inside_repeat=False) > MAX_REPEATS:
        raise FieldValueError("unsafe_pattern")
    return pattern


def _repeats(items, inside_repeat: bool) -> int:
    """How many quantifiers ``items`` holds; refuses the unsafe constructs on the way."""
    count = 0
    for op, arg in items:
        if op in _REFUSED:
            raise FieldValueError("unsafe_pattern")
        if op in _REPEATS:
            low, high, body = arg
            if inside_repeat or _bounded_over(high):
                raise FieldValueError("unsafe_pattern")
            count += 1 + _repeats(body, inside_repeat=True)
        elif op is sre_parse.SUBPATTERN:
            count += _repeats(arg[-1], inside_repeat)
        elif op is sre_parse.BRANCH:
            if inside_repeat:  # (a|a)* backtracks through every split of the run
                raise FieldValueError("unsafe_pattern")
            count += sum(_repeats(branch, inside_repeat) for branch in arg[1])
    return count


def _bounded_over(high: int) -> bool:
    return high is not sre_parse.MAXREPEAT and high > MAX_BOUND


def _check_prefix(value: str) -> str:
    if not re.fullmatch(r"\+?[0-9]{1,14}", value):
        raise FieldValueError("invalid")
    return value if value.startswith("+") else "+" + value


def _check_domain(value: str) -> str:
    value = value.strip().lower().removeprefix("www.")
    if not re.fullmatch(r"(?:[a-z0-9-]{1,63}\.)+[a-z0-9-]{2,63}", value):
        raise FieldValueError("invalid")
    return value


Phrase = Annotated[str, Field(min_length=1, max_length=200)]


class RuleConditions(BaseModel):
    """Every condition given must hold (at least one must be given)."""

    model_config = ConfigDict(extra="forbid")

    name: Phrase | None = Field(None, description="Phrase in the author's name, folded")
    title: Phrase | None = Field(None, description="Phrase in the title, folded")
    content: Phrase | None = Field(None, description="Phrase in the content, folded")
    content_regex: (
        Annotated[str, Field(min_length=1, max_length=MAX_PATTERN), AfterValidator(check_pattern)]
        | None
    ) = Field(None, description="Regular expression (safe subset) on the folded content")
    link_domain: Annotated[str, Field(max_length=253), AfterValidator(_check_domain)] | None = (
        Field(None, description="A link to this domain or one under it")
    )
    has_link: bool | None = None
    phone_prefix: Annotated[str, AfterValidator(_check_prefix)] | None = Field(
        None, description="E.164 prefix of the author's phone, e.g. +8490"
    )
    first_comment: bool | None = Field(
        None, description="True: no approved comment by this phone yet (none: first-time)"
    )
    article: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        None, description="Article id, or its beginning"
    )

    @model_validator(mode="after")
    def _not_empty(self) -> RuleConditions:
        if not self.model_dump(exclude_none=True):
            raise FieldValueError("required")
        return self


class RuleDraft(BaseModel):
    """A rule as moderators write it: a name, conditions, and a weight or an action."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    conditions: RuleConditions
    weight: float | None = Field(None, ge=-3.0, le=3.0, description="Added to the score")
    action: RuleAction | None = Field(
        None, description="spam; pending (a moderator decides); approve (unless spam)"
    )

    @model_validator(mode="after")
    def _one_effect(self) -> RuleDraft:
        if (self.weight is None) == (self.action is None):
            raise FieldValueError("weight_or_action")
        return self
