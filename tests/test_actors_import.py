"""Bulk import of organisations and people: preview, duplicates, bad rows, atomicity, scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors import importers
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.importers import normalise_name, similar_names
from bridgework.actors.models import Organisation, Person, Post
from bridgework.web.testing import covers

ORG_HEADER = "name,short_name,sector,level,place,areas,themes,website,tlp\n"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def upload(client, text: str, kind: str = "organisations", name: str = "orgs.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("actors:import_upload"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
    )


@pytest.fixture
def codes(tree):
    tree.city.pcode, tree.ward.pcode, tree.sibling.pcode = "XA01", "XA0101", "XA02"
    for place in (tree.city, tree.ward, tree.sibling):
        place.save()
    return tree


def test_fuzzy_names():
    assert normalise_name("Peel Regional Police") == normalise_name("Peel Police")
    assert similar_names("Peel Police", ["Peel Regional Police", "Peel Youth Forum"]) == [
        "Peel Regional Police"
    ]
    assert similar_names("Peel Police", ["peel police"]) == []  # the same name is an update


@covers("actors:import_upload", "actors:import_confirm")
def test_preview_then_confirm(codes):
    tree = codes
    Organisation.objects.create(
        name="Riverton Regional Police", sector=Sector.POLICE, level=OrgLevel.LOCAL, place=tree.city
    )
    existing = Organisation.objects.create(
        name="Riverton Youth Forum", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.city
    )
    client = client_for(tree.in_scope)
    text = ORG_HEADER + (
        "Riverton Police,RP,Police,local,XA01,XA0101,community-policing,https://rp.example.org,\n"
        "Riverton Youth Forum,RYF,youth,Local,XA01,,Youth engagement,,GREEN\n"
        "Ward Clinic,,health,community,XA0101,,psychosocial-support,,amber\n"
    )
    response = upload(client, text)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(p.row, p.action, p.name) for p in plan] == [
        (2, "create", "Riverton Police"),
        (3, "update", "Riverton Youth Forum"),
        (4, "create", "Ward Clinic"),
    ]
    assert plan[0].duplicates == ["Riverton Regional Police"]
    assert "Riverton Regional Police" in response.content.decode()
    assert Organisation.objects.count() == 2  # a preview writes nothing

    confirmed = client.post(reverse("actors:import_confirm"))
    assert confirmed.status_code == 302
    police = Organisation.objects.get(name="Riverton Police")
    assert set(police.areas.values_list("place_id", flat=True)) == {tree.city.pk, tree.ward.pk}
    assert list(police.themes.values_list("slug", flat=True)) == ["community-policing"]
    existing.refresh_from_db()
    assert existing.short_name == "RYF"
    assert Organisation.objects.get(name="Ward Clinic").tlp == 2
    # The stored rows are used once.
    again = client.post(reverse("actors:import_confirm"))
    assert again.status_code == 302 and Organisation.objects.count() == 4


def test_bad_rows_are_listed_and_nothing_is_saved(codes):
    client = client_for(codes.in_scope)
    text = ORG_HEADER + (
        "Good Org,,youth,local,XA01,,,,\n"
        ",,ministry,planetary,XA01,,,,\n"
        "Far Org,,youth,local,XA02,,,,\n"
        "Odd Org,,youth,local,XA01,NOWHERE,unknown-theme,ftp://x,PURPLE\n"
    )
    response = upload(client, text)
    assert response.status_code == 400
    messages = [str(e) for e in response.context["errors"]]
    assert "Row 3, column name: A name is required." in messages
    assert any(m.startswith("Row 3, column sector") for m in messages)
    assert any(m.startswith("Row 3, column level") for m in messages)
    assert any(m.startswith("Row 4, column place") for m in messages)  # the sibling: out of scope
    for column in ("areas", "themes", "website", "tlp"):
        assert any(m.startswith(f"Row 5, column {column}") for m in messages), column
    assert not any(m.startswith("Row 2") for m in messages)
    assert Organisation.objects.count() == 0
    assert client.post(reverse("actors:import_confirm")).status_code == 302  # nothing stored
    assert Organisation.objects.count() == 0


def test_missing_columns_and_empty_files(codes):
    client = client_for(codes.in_scope)
    response = upload(client, "name,place\nX,XA01\n")
    assert {str(e) for e in response.context["errors"]} >= {
        "Row 1, column sector: This column is required."
    }
    assert upload(client, "not a spreadsheet", name="x.txt").status_code == 400
    assert upload(client, b"PK\x03\x04broken", name="x.xlsx").status_code == 400


def test_import_is_atomic(codes, monkeypatch):
    client = client_for(codes.in_scope)
    upload(client, ORG_HEADER + "First,,youth,local,XA01,,,,\nSecond,,youth,local,XA01,,,,\n")
    real = importers._write_org
    calls = []

    def fail_on_second(planned, user):
        calls.append(planned.name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(planned, user)

    monkeypatch.setattr(importers, "_write_org", fail_on_second)
    with pytest.raises(RuntimeError):
        client.post(reverse("actors:import_confirm"))
    assert Organisation.objects.count() == 0


def test_people_import_from_xlsx_with_posts(codes):
    tree = codes
    org = Organisation.objects.create(
        name="Riverton Peace Forum",
        sector=Sector.CIVIL_SOCIETY,
        level=OrgLevel.LOCAL,
        place=tree.city,
    )
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["full_name", "place", "email", "phone", "organisation", "title", "starts_on", "ends_on"]
    )
    sheet.append(
        [
            "Noor Example",
            "XA01",
            "noor@example.org",
            "",
            "Riverton Peace Forum",
            "Chair",
            "2024-01-01",
            "",
        ]
    )
    sheet.append(["Sam Sample", "XA0101", "", "", "", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(tree.in_scope)
    response = upload(client, buffer.getvalue(), kind="people", name="people.xlsx")
    assert response.status_code == 200, response.context.get("errors")
    assert [p.name for p in response.context["plan"]] == ["Noor Example", "Sam Sample"]
    assert client.post(reverse("actors:import_confirm")).status_code == 302
    noor = Person.objects.get(full_name="Noor Example")
    assert noor.email == "noor@example.org"
    assert Post.objects.get(person=noor).organisation == org
    assert Person.objects.get(full_name="Sam Sample").place == tree.ward


def test_import_needs_the_add_action(codes):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=codes.city)
    client = client_for(partner)
    assert client.get(reverse("actors:import_upload")).status_code == 403
    assert client_for(codes.no_role).get(reverse("actors:import_upload")).status_code == 403


def test_a_nul_character_is_refused_as_the_form_refuses_it(codes):
    client = client_for(codes.in_scope)
    text = ORG_HEADER + "Good Org,,youth,local,XA01,,,,\n" + "Bad\x00Org,,youth,local,XA01,,,,\n"
    response = upload(client, text)
    assert response.status_code == 400
    messages = [str(e) for e in response.context["errors"]]
    assert "Row 3, column name: Null characters are not allowed." in messages
    assert Organisation.objects.count() == 0
    # The same rule guards every write, whatever the way in.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Organisation(name="A\x00B", sector="youth", level="local", place=codes.city).full_clean()
