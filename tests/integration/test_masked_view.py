"""What a caller without personal-data rights sees cannot narrow an ID number below a large
space (issue 6, item 2): the candidates are counted, not guessed."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.clock import today_in
from services.common.tenancy import city_of
from services.organization.domain.personal_data import _CHECK, _WEIGHTS, age_on
from tests.helpers import County, id_card

LARGE = 10**5


def _sums(strings, weights) -> Counter:
    """How many of `strings` give each weighted digit sum mod 11."""
    return Counter(sum(int(d) * w for d, w in zip(s, weights, strict=True)) % 11 for s in strings)


def _fits(text: str, mask: str) -> bool:
    return all(m == "*" or m == c for c, m in zip(text, mask, strict=True))


def count_candidates(masked: str, region: str, birth_dates: list[dt.date], male: bool | None) -> int:
    """Valid ID numbers that agree with a masked number, a known region, the possible birth dates
    and the gender (the 17th digit's parity)."""
    if len(masked) != 18:
        return 0
    regions = _sums([region] if _fits(region, masked[:6]) else [], _WEIGHTS[:6])
    dates = _sums([s for s in (d.strftime("%Y%m%d") for d in birth_dates) if _fits(s, masked[6:14])], _WEIGHTS[6:14])
    seqs = _sums([s for s in (f"{n:03d}" for n in range(1000)) if _fits(s, masked[14:17])
                  and (male is None or int(s[2]) % 2 == male)], _WEIGHTS[14:17])
    total = 0
    for (a, x), (b, y), (c, z) in itertools.product(regions.items(), dates.items(), seqs.items()):
        if masked[17] in ("*", _CHECK[(a + b + c) % 11]):
            total += x * y * z
    return total


def _birth_dates(seen: pb.Member, today: dt.date) -> list[dt.date]:
    """Every birth date consistent with what the view shows: birth date or year, age band, joining date."""
    days = [dt.date(1900, 1, 1) + dt.timedelta(n) for n in range((today - dt.date(1900, 1, 1)).days + 1)]
    if seen.birth_date:
        days = [d for d in days if d.isoformat().startswith(seen.birth_date)]
    if seen.age_band:
        lo, _, hi = seen.age_band.rstrip("+").partition("-")
        days = [d for d in days if int(lo) <= age_on(d, today) <= (int(hi) if hi else 200)]
    if seen.joined_on:
        joined = dt.date.fromisoformat(seen.joined_on)
        days = [d for d in days if age_on(d, joined) >= 18]
    return days


def test_a_masked_member_leaves_a_large_space_of_id_numbers(platform):
    county = County(platform)
    town = county.unit(pb.TOWNSHIP, "彭镇")
    number = id_card(born="19850312", region=county.code)
    member = county.member(town.name, id_card_number=number, phone="13812345678", joined_on="2010-07-01")
    county.post(pb.SECRETARY, town.name, member.name)
    today = today_in()
    for md in (platform.as_("city", [city_of(county.code)]), platform.operator(),
               platform.as_("system", [county.code], scopes=["org.read"])):
        seen = platform.stub.GetMember(pb.GetMemberRequest(name=member.name), metadata=md)
        listed = platform.stub.ListMembers(pb.ListMembersRequest(parent=county.parent), metadata=md).members
        posts = platform.stub.ListPosts(pb.ListPostsRequest(parent=county.parent, member=member.name), metadata=md)
        history = platform.stub.ListMemberHistory(pb.ListMemberHistoryRequest(name=member.name), metadata=md)
        assert seen.personal_data_masked and listed[0] == seen and seen.age_band == "35-44"
        # Nothing else any RPC answers holds a digit of the number beyond the county's own code.
        for answer in (seen, posts, history):
            assert number[6:14] not in str(answer) and number[14:] not in str(answer)
        male = {pb.MALE: True, pb.FEMALE: False}.get(seen.gender)
        found = count_candidates(seen.id_card_number, county.code, _birth_dates(seen, today), male)
        assert found >= LARGE, found


def test_the_former_mask_gave_the_number_away():
    """6102**********1234 with the birth year: the view this replaced (issue 6 counted ~33)."""
    number = id_card(born="19850312")
    old = pb.Member(id_card_number=number[:4] + "*" * 10 + number[-4:], birth_date=number[6:10])
    days = _birth_dates(old, today_in())
    assert count_candidates(old.id_card_number, number[:6], days, int(number[16]) % 2 == 1) < 100
