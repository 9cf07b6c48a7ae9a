"""The shape of a code and of a list of code references, one rule for every part of a scheme."""

from __future__ import annotations

import enum

from services.assessment.domain.scheme_bounds import CODE, CODE_MAX
from services.common import identifiers
from services.common.errors import Validator


def enum_set(v: Validator, value, kind: type[enum.Enum], path: str) -> bool:
    """A required enum: set, and one of its values."""
    if isinstance(value, kind):
        return True
    names = ", ".join(member.name for member in kind)
    v.add(path, f"必须指定，应为 {names} 之一", f"must be set to one of {names}")
    return False


def code(v: Validator, value: str, path: str) -> str:
    """A code (UPPER_SNAKE, 1..40), normalised first: full-width letters are the same code."""
    before = len(v.violations)
    normalised = identifiers.check(v, value, path)
    if len(v.violations) > before:  # a control character: said once, not again as a malformed code
        return normalised
    if not normalised:
        v.add(path, "不能为空", "must not be empty")
    elif len(normalised) > CODE_MAX or not CODE.fullmatch(normalised):
        v.add(path, f"应为大写字母、数字和下划线（如 FIVE_STAR），最多{CODE_MAX}个字符",
              f"must be UPPER_SNAKE_CASE (e.g. FIVE_STAR), at most {CODE_MAX} characters")
    return normalised


def codes(v: Validator, values: tuple[str, ...], path: str) -> tuple[str, ...]:
    """A list of code references, each normalised, none twice."""
    out: list[str] = []
    for k, value in enumerate(values):
        normalised = identifiers.check(v, value, f"{path}[{k}]")
        if v.require(normalised not in out, f"{path}[{k}]", f"{normalised} 重复", f"{normalised} is listed twice"):
            out.append(normalised)
    return tuple(out)
