"""Demo data of the response module: a season of incident reports and weekly tension returns
in demo places, alert rules, and one closed crisis in Peel after a global event.

Every organisation and person is fictional and marked "(demo)"; places are the demo's real
ones. Dates follow today, so the demo always shows the last twelve weeks. Idempotent."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.access.models import Role, RoleAssignment, User
from bridgework.actors.choices import Sector
from bridgework.actors.models import Organisation, Person
from bridgework.bodies.choices import ActionStatus, SeatRole
from bridgework.bodies.models import ActionItem, Body, Seat
from bridgework.core.tlp import TLP
from bridgework.places.models import Place

from .choices import (
    CrisisStatus,
    EvidenceType,
    Reliability,
    ReportKind,
    ReportSource,
    ReportStatus,
    UpdateKind,
)
from .conf import retention_days
from .models import (
    AlertRule,
    BiasCategory,
    Crisis,
    CrisisUpdate,
    Report,
    TensionAssessment,
    TensionLevel,
    iso_week_start,
)

__all__ = ["PEEL_COORDINATOR", "load", "summary"]

PEEL_COORDINATOR = "local.peel@demo.bridgework.test"
PEEL_TABLE = "Peel Community Leaders' Table (demo)"
PEEL_POLICE = "Peel Community Policing Liaison (demo)"

# (days ago, place, kind, title, severity, factors, bias slugs, status, source)
REPORTS = [
    (
        80,
        "Mississauga",
        ReportKind.HATE_INCIDENT,
        "Slurs shouted at a bus stop",
        2,
        ("intent",),
        ("racism-xenophobia",),
        ReportStatus.CLOSED,
        ReportSource.VICTIM,
    ),
    (
        66,
        "Brampton",
        ReportKind.PROPAGANDA,
        "Extremist stickers on lamp posts",
        2,
        (),
        ("racism-xenophobia",),
        ReportStatus.CLOSED,
        ReportSource.STAFF,
    ),
    (
        52,
        "Mississauga",
        ReportKind.HATE_CRIME,
        "Graffiti on a synagogue wall",
        3,
        ("intent", "damage"),
        ("antisemitism",),
        ReportStatus.CLOSED,
        ReportSource.WITNESS,
    ),
    (
        51,
        "Brampton",
        ReportKind.HATE_CRIME,
        "Mosque window broken overnight",
        4,
        ("intent", "damage", "community_reaction"),
        ("anti-muslim",),
        ReportStatus.CLOSED,
        ReportSource.POLICE,
    ),
    (
        50,
        "Peel Region",
        ReportKind.TENSION,
        "Heated rallies after the overseas attack",
        3,
        ("community_reaction",),
        ("antisemitism", "anti-muslim"),
        ReportStatus.CLOSED,
        ReportSource.PARTNER,
    ),
    (
        48,
        "Mississauga",
        ReportKind.HATE_INCIDENT,
        "Students harassed on the way to school",
        3,
        ("intent", "repeat"),
        ("anti-muslim",),
        ReportStatus.FOLLOW_UP,
        ReportSource.PARTNER,
    ),
    (
        45,
        "Brampton",
        ReportKind.COHESION_THREAT,
        "False rumour of an attack spreads online",
        3,
        ("community_reaction",),
        (),
        ReportStatus.ROUTED,
        ReportSource.MEDIA,
    ),
    (
        30,
        "Mississauga",
        ReportKind.HATE_INCIDENT,
        "Leaflets against newcomers",
        2,
        (),
        ("racism-xenophobia",),
        ReportStatus.ANONYMISED,
        ReportSource.THIRD_PARTY,
    ),
    (
        9,
        "Brampton",
        ReportKind.HATE_INCIDENT,
        "Man spat at a woman in a headscarf",
        3,
        ("intent", "physical_contact"),
        ("anti-muslim", "gender"),
        ReportStatus.VERIFIED,
        ReportSource.WITNESS,
    ),
    (
        3,
        "Mississauga",
        ReportKind.HATE_INCIDENT,
        "Abuse at a community centre",
        2,
        ("intent",),
        ("anti-lgbti",),
        ReportStatus.RECEIVED,
        ReportSource.PUBLIC,
    ),
    (
        70,
        "Chilinde",
        ReportKind.TENSION,
        "Dispute between market traders turns ethnic",
        2,
        ("community_reaction",),
        ("racism-xenophobia",),
        ReportStatus.CLOSED,
        ReportSource.PARTNER,
    ),
    (
        40,
        "Lilongwe City",
        ReportKind.HATE_INCIDENT,
        "Albino man threatened at the market",
        4,
        ("intent", "physical_contact"),
        ("disability",),
        ReportStatus.FOLLOW_UP,
        ReportSource.POLICE,
    ),
    (
        12,
        "Chilinde",
        ReportKind.COHESION_THREAT,
        "Youth groups mobilised by a rumour",
        3,
        ("community_reaction", "repeat"),
        (),
        ReportStatus.VERIFIED,
        ReportSource.PARTNER,
    ),
    (
        60,
        "Tirana",
        ReportKind.PROPAGANDA,
        "Recruitment videos shared in a school group",
        3,
        ("intent",),
        (),
        ReportStatus.CLOSED,
        ReportSource.STAFF,
    ),
    (
        20,
        "Kamëz",
        ReportKind.HATE_INCIDENT,
        "Roma family insulted at a clinic",
        2,
        ("intent",),
        ("anti-roma",),
        ReportStatus.ANONYMISED,
        ReportSource.THIRD_PARTY,
    ),
]

# place -> weekly levels over the last twelve weeks, oldest first (a global event eight weeks
# ago raised them in Peel; Lilongwe and Tirana stayed calmer).
TENSIONS = {
    "Mississauga": [1, 1, 1, 1, 3, 4, 3, 3, 2, 2, 2, 1],
    "Brampton": [1, 1, 2, 1, 3, 4, 4, 3, 3, 2, 2, 2],
    "Lilongwe City": [2, 2, 2, 1, 1, 2, 2, 2, 3, 2, 2, 2],
    "Chilinde": [2, 2, 3, 2, 2, 2, 2, 3, 3, 2, 2, 2],
    "Tirana": [1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1],
}
INTERNATIONAL_WEEKS = {4, 5, 6}


def _place(name: str) -> Place:
    return Place.objects.filter(code=name).first() or Place.objects.get(name=name, is_demo=True)


def _peel_coordinator() -> User:
    """A local coordinator for Peel Region who sits at the leaders' table (so alerts to the
    table reach someone who may read them)."""
    user = User.objects.filter(email=PEEL_COORDINATOR).first()
    if user is None:
        user = User.objects.create_user(
            PEEL_COORDINATOR, DEMO_PASSWORD, full_name="Lee Coordinator (demo)", is_demo=True
        )
    peel = _place("Peel Region")
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.objects.get(slug="local_coordinator"), place=peel, hub=None
    )
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.create(
            full_name="Lee Coordinator (demo)",
            place=peel,
            is_demo=True,
            email="lee.coordinator@peel.example.org",
            user=user,
        )
    table = Body.objects.filter(name=PEEL_TABLE).first()
    if table is not None:
        # Regional government's seat: counted for local government, not as an individual.
        Seat.objects.get_or_create(
            body=table,
            person=person,
            defaults={
                "role": SeatRole.MEMBER,
                "sector": Sector.LOCAL_GOVERNMENT,
            },
        )
    return user


def _reports(today: datetime.date, author: User) -> list[Report]:
    categories = {category.slug: category for category in BiasCategory.objects.all()}
    made = []
    for days, where, kind, title, severity, factors, bias, status, source in REPORTS:
        occurred = today - datetime.timedelta(days=days)
        report = Report.objects.create(
            place=_place(where),
            kind=kind,
            title=f"{title} (demo)",
            occurred_on=occurred,
            description="Fictional demo report. " + title + ".",
            severity=severity,
            source=source,
            reliability=Reliability.B if source != ReportSource.PUBLIC else Reliability.F,
            evidence=EvidenceType.EXPERIENCED
            if status == ReportStatus.RECEIVED
            else EvidenceType.EVIDENCED,
            status=status,
            tlp=TLP.AMBER,
            reported_by=None if source == ReportSource.PUBLIC else author,
            retain_until=occurred + datetime.timedelta(days=retention_days(kind)),
            is_demo=True,
            **{factor: True for factor in factors},
        )
        report.bias_categories.set([categories[slug] for slug in bias if slug in categories])
        made.append(report)
    return made


def _tensions(today: datetime.date) -> list[TensionAssessment]:
    levels = {level.value: level for level in TensionLevel.objects.all()}
    # The twelve weeks before this one: this week's returns are still to come.
    first = iso_week_start(today) - datetime.timedelta(weeks=12)
    made = []
    for where, values in TENSIONS.items():
        place = _place(where)
        for index, value in enumerate(values):
            international = index in INTERNATIONAL_WEEKS and where in {"Mississauga", "Brampton"}
            made.append(
                TensionAssessment.objects.create(
                    place=place,
                    week_start=first + datetime.timedelta(weeks=index),
                    level=levels[value],
                    title=f"{where}: weekly return (demo)",
                    evidence="Reports received, partners' observations, social media watch.",
                    trigger_local=value >= 3 and not international,
                    trigger_international=international,
                    triggers="Reactions to an attack overseas" if international else "",
                    tlp=TLP.AMBER,
                    is_demo=True,
                )
            )
    return made


def _rules(coordinator: User) -> None:
    table = Body.objects.filter(name=PEEL_TABLE).first()
    if table is not None:
        AlertRule.objects.get_or_create(
            name="Serious incidents in Peel: the leaders' table (demo)",
            defaults={
                "place": _place("Peel Region"),
                "body": table,
                "min_severity": 3,
                "tension_from": TensionLevel.objects.filter(value=4).first(),
            },
        )
    lilongwe = User.objects.filter(email="local.lilongwe@demo.bridgework.test").first()
    if lilongwe is not None:
        AlertRule.objects.get_or_create(
            name="Hate crimes in Lilongwe City (demo)",
            defaults={
                "place": _place("Lilongwe City"),
                "kind": ReportKind.HATE_CRIME,
                "person": lilongwe,
                "min_severity": 2,
            },
        )


def _crisis(today: datetime.date, reports: list[Report], tensions, author: User) -> None:
    table = Body.objects.filter(name=PEEL_TABLE).first()
    police = Organisation.objects.filter(name=PEEL_POLICE).first()
    if table is None or police is None:
        return
    started = today - datetime.timedelta(days=52)
    crisis = Crisis.objects.create(
        title="Tensions in Peel after the overseas attack (demo)",
        place=table.place,
        body=table,
        started_on=started,
        trigger="An attack abroad was followed by rallies, a broken mosque window and "
        "graffiti on a synagogue within three days.",
        status=CrisisStatus.CLOSED,
        strengths="Partners reported within hours; faith leaders spoke together at the vigil.",
        improvements="The first public message came two days late; rumours filled the gap.",
        root_cause="No agreed spokesperson and no template for public messages.",
        closed_on=today - datetime.timedelta(days=30),
        tlp=TLP.AMBER,
        is_demo=True,
    )
    peel = {"Mississauga", "Brampton", "Peel Region"}
    crisis.reports.set(
        [r for r in reports if r.place.name in peel and 44 <= (today - r.occurred_on).days <= 53]
    )
    crisis.assessments.set(
        [t for t in tensions if t.place.name in {"Mississauga", "Brampton"} and t.level.value >= 3]
    )
    for days, kind, text in (
        (52, UpdateKind.SITUATION, "Rallies announced in both cities; police liaison informed."),
        (51, UpdateKind.SITUATION, "Mosque window broken overnight; leaders' table called."),
        (50, UpdateKind.PUBLIC, "Peel's faith leaders stand together: vigil at six tonight."),
        (46, UpdateKind.SITUATION, "Calmer; rumour-control line answering questions."),
    ):
        update = CrisisUpdate.objects.create(crisis=crisis, kind=kind, text=text, posted_by=author)
        CrisisUpdate.objects.filter(pk=update.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days)
        )
    tasks = [
        ("Extra patrols near places of worship (demo)", -45, ActionStatus.DONE),
        ("Joint statement by faith leaders (demo)", -49, ActionStatus.DONE),
    ]
    for title, due, status in tasks:
        crisis.tasks.add(_item(table, police, title, today + datetime.timedelta(days=due), status))
    for title, due in (
        ("Agree a spokesperson for the leaders' table (demo)", 14),
        ("Template for public messages in a crisis (demo)", 30),
    ):
        crisis.corrective_actions.add(
            _item(table, police, title, today + datetime.timedelta(days=due), ActionStatus.OPEN)
        )


def _item(body: Body, owner: Organisation, title: str, due: datetime.date, status: str):
    item, _created = ActionItem.objects.get_or_create(
        raised_by=body,
        title=title,
        defaults={
            "owner_organisation": owner,
            "due_on": due,
            "status": status,
            "tlp": body.tlp,
            "is_demo": True,
        },
    )
    return item


@transaction.atomic
def load() -> None:
    coordinator = _peel_coordinator()
    _rules(coordinator)
    if Report.objects.filter(is_demo=True).exists():
        return
    today = timezone.localdate()
    reports = _reports(today, coordinator)
    tensions = _tensions(today)
    _crisis(today, reports, tensions, coordinator)


def summary() -> list[str]:
    return [f"  {PEEL_COORDINATOR:<42} local coordinator, Peel Region (incidents and crises)"]
