"""Test data of the web tests: a small election package and the persona roster."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from django.contrib.auth.models import User

from pollguard.core import model as core

BAGHDAD = timezone(timedelta(hours=3))
PASSWORD = "correct horse battery staple"


def make_package(**changes: Any) -> core.ElectionPackage:
    """Two sectors (al-Rifai, al-Shatra), five centers, five units, a little of everything."""
    election = core.Election(
        code="test-2010",
        name_en="Test election 2010",
        name_ar="انتخابات تجريبية 2010",
        governorate_code="DQ",
        governorate_en="Dhi Qar",
        governorate_ar="ذي قار",
        timezone="Asia/Baghdad",
        special_vote_date=date(2010, 3, 4),
        general_vote_date=date(2010, 3, 7),
        polls_open=time(7, 0),
        polls_close=time(17, 0),
        seats=18,
        ballot=core.Ballot(
            entities=(
                core.BallotEntity(1, "Entity One", "الكيان الأول"),
                core.BallotEntity(22, "Christian List", "قائمة مسيحية", component="christian"),
            ),
            components=(core.Component("christian", "Christian component", "المكون المسيحي", 5),),
        ),
    )
    policy = core.Policy(
        roles={"inner_cordon": core.RolePolicy(frozenset({core.UnitKind.POLICE}), base=4)},
        sweep=core.SweepPolicy(
            window_start=datetime(2010, 3, 6, 6, 0, tzinfo=BAGHDAD),
            window_end=datetime(2010, 3, 6, 18, 0, tzinfo=BAGHDAD),
        ),
    )
    C = core.Center
    centers = (
        C(
            "C-0001",
            "Rifai Boys School",
            "مدرسة الرفاعي للبنين",
            "RIF",
            31.71,
            46.10,
            4,
            2400,
            district="D-RIF",
        ),
        C(
            "C-0002",
            "Nasiriyah Girls School",
            "مدرسة الناصرية للبنات",
            "RIF",
            31.72,
            46.11,
            2,
            900,
            risk=0.7,
            district="D-RIF",
            subdistrict="D-RIF-N",
        ),
        C("C-0003", "Shatra Secondary", "ثانوية الشطرة", "SHA", 31.41, 46.17, 3, 1500),
        C("C-0004", "Gharraf Primary", "ابتدائية الغراف", "SHA", 31.42, 46.18, 1, 300),
        C(
            "C-0101",
            "Police Special Center",
            "مركز الاقتراع الخاص",
            "SHA",
            31.40,
            46.16,
            2,
            800,
            kind=core.CenterKind.SPECIAL_SECURITY,
        ),
    )
    U = core.Unit
    units = (
        U("U-0001", "IP", core.UnitKind.POLICE, 40, "RIF", 31.70, 46.10, "Rifai Police", "شرطة"),
        U("U-0002", "IA", core.UnitKind.ARMY, 120, "RIF", 31.70, 46.12, team_size=20),
        U("U-0003", "IP", core.UnitKind.POLICE, 30, "SHA", 31.40, 46.17),
        U("U-0004", "IP", core.UnitKind.EOD, 6, "SHA", 31.40, 46.17, team_size=3),
        U("U-0005", "IA", core.UnitKind.ARMY, 200, None, 31.05, 46.25),
    )
    package = core.ElectionPackage(
        version=1,
        election=election,
        policy=policy,
        agencies=(
            core.Agency("IP", "Dhi Qar Police Directorate", "مديرية شرطة ذي قار"),
            core.Agency("IA", "10th Division, Iraqi Army", "الفرقة العاشرة"),
        ),
        sectors=(
            core.Sector("RIF", "al-Rifai", "الرفاعي"),
            core.Sector("SHA", "al-Shatra", "الشطرة"),
        ),
        districts=(
            core.District("D-RIF", "Rifai District", "قضاء الرفاعي"),
            core.District("D-RIF-N", "Nasr Sub-district", "ناحية النصر", parent="D-RIF"),
        ),
        centers=centers,
        units=units,
        personnel=(
            core.Person("P-1", "علي حسين", "U-0001"),
            core.Person("P-2", "حسن كاظم", "U-0001"),
            core.Person("P-3", "محمد جاسم", "U-0003", name_en="Mohammed Jasim"),
        ),
        special_register=(core.SpecialVoter("P-3", "محمد جاسم", "C-0101", unit="U-0003"),),
        incidents_history=(
            core.PastIncident(
                "H-1",
                datetime(2009, 1, 31, 9, 0, tzinfo=BAGHDAD),
                31.71,
                46.10,
                "ied",
                0.8,
                center="C-0001",
            ),
        ),
        intel=(
            core.IntelReport(
                "I-1",
                datetime(2010, 2, 20, 12, 0, tzinfo=BAGHDAD),
                "C-0003",
                0.6,
                0.5,
                "مصدر موثوق",
            ),
        ),
    )
    return dataclasses.replace(package, **changes)


@dataclasses.dataclass
class Personas:
    """One user per role; `by_role` names them for parametrized tables."""

    chair: User
    ops: User
    cmd_rifai: User
    cmd_shatra: User
    commission: User
    auditor: User
    intel: User
    liaison_army: User
    field: User
    outsider: User

    def __getitem__(self, name: str) -> User:
        user = getattr(self, name)
        assert isinstance(user, User)
        return user


PERSONAS = [f.name for f in dataclasses.fields(Personas)]
