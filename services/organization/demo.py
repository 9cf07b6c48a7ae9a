"""The demo county 宜君县 (610222) and synthetic counties of any size, as import rows.

Everything is generated from a seeded random source, so the same call gives the same county,
and everything is loaded through bulk_import so the organization rules apply to it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from services.common.auth import Principal
from services.common.errors import AlreadyExists
from services.organization.domain import sheet
from services.organization.domain.model import PostType, TenantSettings, UnitType
from services.organization.domain.personal_data import id_card_check_digit
from services.organization.service_layer import bulk_import, commands, tenants

DEMO_CODE = "610222"
DEMO_NAME = "宜君县"
DEMO_CITY, DEMO_CITY_NAME = "610200", "铜川市"
DEMO_TOWNSHIPS = ("宜阳街道", "彭镇", "五里镇", "太安镇", "棋盘镇", "尧生镇", "哭泉镇", "云梦乡")
DEMO_STATIONS, DEMO_VILLAGES = 29, 117

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "建国华明军伟芳娜秀英敏静丽强磊洋艳勇杰娟涛超霞平刚桂兰红梅玉珍德兴文斌海燕志鹏"
_VILLAGE_SYLLABLES = "东西南北上下前后新老李王张杨马石沟河坪塬湾岭峪庄寨川山"
_ORGANS = ("铜川市委组织部", "陕西省农业农村厅", "宜君县财政局", "铜川市自然资源局", "国网铜川供电公司", "宜君县教育局")
_EDUCATION = ("初中", "初中", "高中", "中专", "大专", "本科")
_MOBILE_PREFIXES = ("135", "136", "138", "139", "150", "151", "152", "158", "177", "180", "181", "189", "199")


@dataclass(frozen=True)
class CountyShape:
    """How big a synthetic county is."""

    townships: tuple[str, ...]
    stations: int
    villages: int
    members_per_village: tuple[int, int] = (8, 14)
    groups_per_village: int = 0  # 党小组 under each village
    min_per_station: int = 3
    max_per_station: int = 7


def _split(rng: random.Random, total: int, parts: int, lo: int, hi: int) -> list[int]:
    """`total` spread over `parts` buckets, each within lo..hi (requires parts*lo <= total <= parts*hi)."""
    if not parts * lo <= total <= parts * hi:
        raise ValueError(f"cannot split {total} into {parts} parts of {lo}..{hi}")
    sizes = [lo] * parts
    for _ in range(total - parts * lo):
        sizes[rng.choice([i for i, n in enumerate(sizes) if n < hi])] += 1
    return sizes


class _People:
    """Unique, valid personal data for one county."""

    def __init__(self, rng: random.Random, region: str):
        self.rng, self.region = rng, region
        self.seen: set[str] = set()

    def name(self) -> str:
        return self.rng.choice(_SURNAMES) + "".join(self.rng.choice(_GIVEN) for _ in range(self.rng.choice((1, 2, 2))))

    def id_card(self, born: dt.date) -> str:
        while True:
            first17 = f"{self.region}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = first17 + id_card_check_digit(first17)
            if number not in self.seen:
                self.seen.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def member(self, unit_ref: str, *, age: tuple[int, int] = (24, 85), education: str = "",
               posts: str = "") -> dict[str, str]:
        today = dt.date(2026, 1, 1)  # posts from 2021 on: the youngest (24) was of age then
        years = self.rng.randint(*age)
        born = today - dt.timedelta(days=years * 365 + self.rng.randrange(365))
        joined = born + dt.timedelta(days=(18 + self.rng.randint(0, max(0, years - 19))) * 365 + 30)
        old = years >= 70
        return {
            "record": "member", "parent_ref": unit_ref, "display_name": self.name(),
            "id_card_number": self.id_card(born), "phone": "" if old and self.rng.random() < 0.5 else self.phone(),
            "status": "PROBATIONARY" if self.rng.random() < 0.04 else "FULL",
            "category": "ELDERLY" if old else self.rng.choice(
                ("ORDINARY_FARMER",) * 6 + ("WELL_OFF", "POOR", "MIGRANT", "MIGRANT")),
            "joined_on": min(joined, today).isoformat(), "education": education or self.rng.choice(_EDUCATION),
            "posts": posts,
        }


def county_rows(code: str, shape: CountyShape, seed: int = 0) -> list[dict[str, str]]:
    """Import rows for one synthetic county: townships, stations, villages, members and their posts."""
    rng = random.Random(f"{code}:{seed}")
    people = _People(rng, code)
    rows: list[dict[str, str]] = []
    today = dt.date(2026, 1, 1)
    soon = dt.date.today() + dt.timedelta(days=20)

    def unit(ref: str, parent: str, type_: UnitType, name: str, division: str = "", **flags) -> None:
        rows.append({"record": "unit", "ref": ref, "parent_ref": parent, "type": type_.value, "display_name": name,
                     "division_code": division, **flags})

    stations_per_town = _split(rng, shape.stations, len(shape.townships), 1, shape.stations)
    villages_per_station = _split(rng, shape.villages, shape.stations, shape.min_per_station, shape.max_per_station)
    used_names: set[str] = set()
    station_no = village_no = 0
    for t, (town, n_stations) in enumerate(zip(shape.townships, stations_per_town, strict=True)):
        town_ref = f"T{t + 1:02d}"
        unit(town_ref, "", UnitType.TOWNSHIP, town, f"{code}{100 + t:03d}")
        town_staff = [people.member(town_ref, age=(30, 55), education="本科") for _ in range(n_stations)]
        rows += town_staff
        for s in range(n_stations):
            station_ref = f"S{station_no + 1:03d}"
            unit(station_ref, town_ref, UnitType.WORK_STATION, f"{town}第{s + 1}片区党建工作站")
            town_staff[s]["posts"] = f"{PostType.STATION_CHIEF.value}|{station_ref}|2024-01-01|2026-12-31"
            village_rows_start = len(rows)
            for _v in range(villages_per_station[station_no]):
                village_no += 1
                village_ref = f"V{village_no:04d}"
                while True:
                    name = "".join(rng.sample(_VILLAGE_SYLLABLES, 2)) + "村"
                    if name not in used_names:
                        used_names.add(name)
                        break
                flags = {}
                if rng.random() < 0.05:
                    flags["weak_and_lax"] = "1"
                if rng.random() < 0.08:
                    flags["demonstration_site"] = "1"
                if rng.random() < 0.5:
                    flags["star_level"] = str(rng.randint(1, 5))
                unit(village_ref, station_ref, UnitType.VILLAGE, name, f"{code}{100 + t:03d}{village_no:03d}"[:12], **flags)
                group_refs = [f"{village_ref}G{g + 1}" for g in range(shape.groups_per_village)]
                for g, group_ref in enumerate(group_refs):
                    unit(group_ref, village_ref, UnitType.PARTY_GROUP, f"第{g + 1}党小组")
                homes = [village_ref] + group_refs
                members = [people.member(rng.choice(homes) if i > 3 else village_ref)
                           for i in range(rng.randint(*shape.members_per_village))]
                rows += members
                secretary = f"{PostType.SECRETARY.value}|{village_ref}|2021-01-01|2026-12-31"
                if rng.random() < 0.6:  # 一肩挑: the secretary is also the village committee director
                    members[0]["posts"] = secretary + f";{PostType.VILLAGE_DIRECTOR.value}|{village_ref}|2021-01-01|2026-12-31"
                else:
                    members[0]["posts"] = secretary
                    members[1]["posts"] = f"{PostType.VILLAGE_DIRECTOR.value}|{village_ref}|2021-01-01|2026-12-31"
                members[2]["posts"] = f"{PostType.COMMITTEE_MEMBER.value}|{village_ref}|2021-01-01|2026-12-31"
                if rng.random() < 0.6:
                    members[3]["posts"] = f"{PostType.RESERVE_CADRE.value}|{village_ref}|{today.year - 1}-06-01"
                if rng.random() < 0.15:  # 第一书记, dispatched from an organ; some terms end soon
                    end = soon if rng.random() < 0.5 else dt.date(2027, 6, 30)
                    fs = people.member(village_ref, age=(28, 50), education="本科",
                                       posts=f"{PostType.FIRST_SECRETARY.value}|{village_ref}|2024-07-01|"
                                             f"{end.isoformat()}|{rng.choice(_ORGANS)}")
                    rows.append(fs)
                if rng.random() < 0.2:  # 乡村振兴工作专员: under 35 with a college degree
                    rows.append(people.member(village_ref, age=(23, 32), education="大专",
                                              posts=f"{PostType.REVITALIZATION_SPECIALIST.value}||2025-03-01"))
            # Deputies: a strong village secretary of the station, and a full-time Party affairs worker.
            strong_secretary = next(r for r in rows[village_rows_start:] if r["record"] == "member")
            strong_secretary["posts"] += f";{PostType.STATION_DEPUTY.value}|{station_ref}|2024-01-01|2026-12-31"
            rows.append(people.member(town_ref, age=(24, 40), education="大专",
                                      posts=f"{PostType.PARTY_AFFAIRS_WORKER.value}|{station_ref}|2024-03-01"))
            station_no += 1
    for r in rows:
        for col in sheet.COLUMNS:
            r.setdefault(col, "")
    return rows


def demo_shape() -> CountyShape:
    return CountyShape(DEMO_TOWNSHIPS, DEMO_STATIONS, DEMO_VILLAGES, members_per_village=(4, 5))


def load_demo_county(uow_factory, code: str = DEMO_CODE, display_name: str = DEMO_NAME) -> bool:
    """Create 宜君县 with its tree, members and posts unless the tenant is already there; True if loaded."""
    cmd = commands.CreateTenant(code, display_name, code[:4] + "00", DEMO_CITY_NAME if code[:4] == DEMO_CITY[:4] else "",
                         TenantSettings())
    try:
        tenants.create_tenant(cmd, uow_factory, Principal.operator("demo"))
    except AlreadyExists:
        return False
    report = bulk_import.import_rows(sheet.rows_from_dicts(county_rows(code, demo_shape())),
                                     uow_factory(code), actor="demo")
    if not report.ok:
        raise RuntimeError(f"the demo county does not import: {report.sorted_problems()[:5]}")
    return True
