"""Demo residents, proposals in every state and a town hall with minutes, in Lilongwe's wards.
The people are fictional and marked "(demo)" (their public names too); the places and the
Community Policing Forum holding the town hall come from the other modules' demos.
Idempotent: running it again changes nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.access.models import Role, RoleAssignment, User
from bridgework.bodies.models import Body
from bridgework.places.models import Place

from .choices import Moderation, ProposalKind, ProposalStatus, ReportReason
from .models import (
    Comment,
    Proposal,
    ProposalReferral,
    Report,
    ResidentProfile,
    Support,
    SupportThreshold,
    TownHall,
)

__all__ = ["load", "summary"]

RESIDENTS = (
    # email, public name, ward
    ("resident.lilongwe@demo.bridgework.test", "Rhoda of Chilinde (demo)", "Chilinde"),
    ("chikondi.resident@demo.bridgework.test", "Chikondi K. (demo)", "Chilinde"),
    ("thoko.resident@demo.bridgework.test", "Thoko from Kawale (demo)", "Kawale"),
    ("yamikani.resident@demo.bridgework.test", "Yamikani (demo)", "Mtandire"),
    ("kondwani.resident@demo.bridgework.test", "Kondwani M. (demo)", "Chinsapo"),
)


@dataclass(frozen=True)
class DemoProposal:
    title: str
    ward: str
    author: int  # index in RESIDENTS
    status: str
    body: str
    days_ago: int
    answer: str = ""
    answered_days_ago: int | None = None
    kind: str = ProposalKind.PROPOSAL
    supporters: tuple[int, ...] = ()
    refer_to: str = ""


PROPOSALS = (
    DemoProposal(
        "Street lights on the path from Chilinde market (demo)",
        "Chilinde",
        0,
        ProposalStatus.NOT_ANSWERED,
        "The path from the market to the secondary school is dark after six. Girls walking "
        "home have been harassed twice this month.",
        6,
        supporters=(1, 2),
    ),
    DemoProposal(
        "A youth football league across Kawale and Chilinde (demo)",
        "Kawale",
        2,
        ProposalStatus.EVALUATING,
        "Young people from both wards only meet when there is trouble. A league with mixed "
        "teams would change that.",
        20,
        supporters=(0, 1, 3),
    ),
    DemoProposal(
        "Interfaith clean-up days at Mtandire market (demo)",
        "Mtandire",
        3,
        ProposalStatus.ACCEPTED,
        "Churches and mosques could take turns organising a monthly clean-up together.",
        45,
        answer="Accepted: the city will provide tools and add the clean-up days to its "
        "cohesion plan for this year.",
        answered_days_ago=30,
        supporters=(0, 2, 4),
    ),
    DemoProposal(
        "Close the minibus stage near Chinsapo school (demo)",
        "Chinsapo",
        4,
        ProposalStatus.REJECTED,
        "The stage brings crowds and fights in front of the school gate.",
        60,
        answer="Rejected: the stage serves three wards and moving it needs the district's "
        "transport plan. We asked the police to patrol at school hours instead.",
        answered_days_ago=40,
        kind=ProposalKind.CONCERN,
    ),
    DemoProposal(
        "A district hotline for reporting hate speech on radio (demo)",
        "Chilinde",
        1,
        ProposalStatus.REFERRED,
        "Community radio call-in shows sometimes carry hateful messages about newcomers. "
        "Nobody knows whom to tell.",
        35,
        answer="Referred to Lilongwe District: radio licensing and a hotline are district matters.",
        answered_days_ago=25,
        supporters=(0, 3),
        refer_to="MW-LI",
    ),
    DemoProposal(
        "Mediation corner at Kawale community hall (demo)",
        "Kawale",
        2,
        ProposalStatus.IMPLEMENTED,
        "A place where trained mediators from the ward sit on Saturdays.",
        120,
        answer="Implemented: the corner opened in the community hall, staffed by the Community "
        "Policing Forum's mediators every Saturday.",
        answered_days_ago=60,
        supporters=(0, 1, 3, 4),
    ),
    DemoProposal(
        "Weekly curfew for young men in Mtandire (demo)",
        "Mtandire",
        4,
        ProposalStatus.WITHDRAWN,
        "A curfew would stop the fights.",
        15,
        kind=ProposalKind.CONCERN,
    ),
)

HIDDEN_TITLE = "Cheap phones, best prices, call now (demo)"


def _place(name: str) -> Place:
    return Place.objects.filter(code=name).first() or Place.objects.get(name=name, is_demo=True)


def _residents() -> list[User]:
    role = Role.objects.get(slug="resident")
    users = []
    for email, public_name, ward in RESIDENTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, is_demo=True)
        home = _place(ward)
        RoleAssignment.objects.get_or_create(user=user, role=role, place=home, hub=None)
        ResidentProfile.objects.get_or_create(
            user=user,
            defaults={
                "public_name": public_name,
                "home": home,
                "born_on": datetime.date(1994, 3, 1),
                "verified_at": timezone.now(),
            },
        )
        users.append(user)
    return users


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _proposal(spec: DemoProposal, residents: list[User]) -> Proposal:
    existing = Proposal.objects.filter(title=spec.title).first()
    if existing is not None:
        return existing
    ward = _place(spec.ward)
    proposal = Proposal.objects.create(
        title=spec.title,
        kind=spec.kind,
        body=spec.body,
        place=ward,
        author=residents[spec.author],
        status=spec.status,
        answer=spec.answer,
        is_demo=True,
    )
    stamps: dict = {"created_at": _ago(spec.days_ago)}
    if spec.answered_days_ago is not None:
        stamps["answered_at"] = stamps["answer_published_at"] = _ago(spec.answered_days_ago)
    if spec.refer_to:
        target = _place(spec.refer_to)
        ProposalReferral.objects.create(
            proposal=proposal,
            from_place=ward,
            to_place=target,
            note=spec.answer,
            referred_by=User.objects.filter(email="local.lilongwe@demo.bridgework.test").first(),
        )
        proposal.handled_at = target
        proposal.save()
    for index in spec.supporters:
        Support.objects.create(proposal=proposal, user=residents[index])
    stamps["support_count"] = len(spec.supporters)
    Proposal.objects.filter(pk=proposal.pk).update(**stamps)
    return proposal


def _conversation(proposal: Proposal, residents: list[User]) -> None:
    if proposal.comments.exists():
        return
    first = Comment.objects.create(
        proposal=proposal,
        author=residents[1],
        body="My daughter takes this path every evening. Please do something before the rains.",
    )
    Comment.objects.create(
        proposal=proposal,
        parent=first,
        author=residents[2],
        body="The same happens on the Kawale side. Solar lights worked in Area 25.",
    )


def _hidden_spam(residents: list[User]) -> None:
    """What moderation looks like: a post hidden after three reports, kept, not deleted."""
    if Proposal.objects.filter(title=HIDDEN_TITLE).exists():
        return
    spam = Proposal.objects.create(
        title=HIDDEN_TITLE,
        body="Best prices in Lilongwe, call 0999 000 000.",
        place=_place("Mchesi"),
        author=residents[4],
        moderation=Moderation.HIDDEN,
        report_count=3,
        moderation_reason="Hidden automatically after 3 reports.",
        is_demo=True,
    )
    for reporter in residents[:3]:
        Report.objects.create(proposal=spam, reporter=reporter, reason=ReportReason.SPAM)


def _town_hall(proposals: list[Proposal]) -> None:
    forum = Body.objects.filter(name="Lilongwe City Community Policing Forum (demo)").first()
    if forum is None or TownHall.objects.filter(body=forum).exists():
        return
    past = TownHall.objects.create(
        body=forum,
        title="Chilinde and Kawale town hall on safe streets (demo)",
        starts_at=_ago(21).replace(hour=15, minute=0, second=0, microsecond=0),
        location="Chilinde Community Hall",
        capacity=150,
        agenda="1. Street lights on the market path\n2. A youth football league\n"
        "3. The mediation corner: three months on",
        minutes="84 residents came, with the ward councillors and the police. The city will "
        "look at solar lights for the market path and answer within a month. The youth "
        "league is being evaluated with the schools. The mediation corner settled 11 "
        "disputes since it opened; residents asked for a second day.",
        attendance_count=84,
        is_demo=True,
    )
    past.proposals.set(proposals[:2] + proposals[5:6])
    TownHall.objects.create(
        body=forum,
        title="Mtandire and Chinsapo town hall (demo)",
        starts_at=(timezone.now() + datetime.timedelta(days=12)).replace(
            hour=15, minute=0, second=0, microsecond=0
        ),
        location="Mtandire Primary School",
        capacity=200,
        agenda="1. Interfaith clean-up days\n2. Safety around the minibus stage",
        is_demo=True,
    )


def load() -> None:
    residents = _residents()
    proposals = [_proposal(spec, residents) for spec in PROPOSALS]
    _conversation(proposals[0], residents)
    _hidden_spam(residents)
    _town_hall(proposals)
    city = _place("Lilongwe City")
    if not SupportThreshold.objects.filter(place=city).exists():
        SupportThreshold.objects.create(
            place=city, supports=3, note="Agreed with the ward councillors (demo)"
        )


def summary() -> list[str]:
    return [
        "Residents' proposals: /participation/ (public); residents sign in as "
        + ", ".join(email for email, _name, _ward in RESIDENTS[:3])
    ]
