"""The sane bounds of a scheme, one place: what a county cannot mistype past.

List lengths follow the request bound every RPC gets (services/common/bounds.py); the numbers are
bounds no real scheme comes near (a score of 10,000 or a notice of a year is a typo).
"""

from __future__ import annotations

import re
from decimal import Decimal

from services.common.bounds import MAX_ITEMS

SCORE_MAX = Decimal(1000)  # an indicator's max_score, a tier's score, a deduction
PERCENT = Decimal(100)  # weights sum to it; a grade's min_score lies within it
MAX_TIERS = 20
MAX_STAGES = 20
MAX_LIST = MAX_ITEMS  # dimensions, indicators per dimension, sources, negative items, grades
# Across all dimensions: the 五个好 has 50; a round scores targets x indicators x sources values.
MAX_INDICATORS = 300
NOTICE_DAYS = (1, 60)  # 公开公示: at least a day, at most two months
TALK_AFTER_MAX = 10  # consecutive last places before an admonishing talk
STARS = (0, 5)
NAME_MAX, NAME_EN_MAX = 50, 100
DISPLAY_NAME_MAX, DESCRIPTION_MAX = 100, 2000
INDICATOR_DESCRIPTION_MAX = 1000
CODE_MAX = 40

CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
SCHEME_ID = re.compile(r"[a-z][a-z0-9-]{0,39}")
