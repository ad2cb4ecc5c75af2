"""Bulk import of organisations and people: every row checked by the pages' forms, a preview
per row and column, flagged near-duplicates skipped, merged or created as the user decides,
good rows imported while bad rows come back as a file, atomicity, scope."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import PolicyRule, Role
from bridgework.actors import actions
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.importers import SKIP, normalise_name, similar_names
from bridgework.actors.models import Organisation, Person, Post, Theme
from bridgework.actors.views import SESSION_KEY
from bridgework.web.testing import covers

ORG_HEADER = "name,short_name,sector,level,place,areas,themes,website,tlp\n"
PEOPLE_HEADER = "full_name,place,email,phone,organisation,title,starts_on,ends_on,tlp\n"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def upload(client, text, kind: str = "organisations", name: str = "orgs.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("actors:import_upload"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
    )


def confirm(client, response, **decisions):
    """Post the preview's form: its upload id and the given decisions (``row_3="skip"``)."""
    data = {"upload": response.context["upload"]["id"]}
    data.update({key.replace("_", "-"): value for key, value in decisions.items()})
    return client.post(reverse("actors:import_confirm"), data)


def row_errors(response) -> list[str]:
    return [str(error) for error in response.context["plan"].errors]


def planned(response, number: int):
    return next(row for row in response.context["plan"].rows if row.row == number)


def org(place, name, **fields):
    fields.setdefault("sector", Sector.YOUTH)
    fields.setdefault("level", OrgLevel.LOCAL)
    return Organisation.objects.create(name=name, place=place, **fields)


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
    assert similar_names("Peel Police", ["peel police"]) == ["peel police"]  # the same: flagged


@covers("actors:import_upload", "actors:import_confirm")
def test_preview_shows_each_row_and_confirm_creates_the_clean_ones(codes):
    tree = codes
    org(tree.city, "Riverton Regional Police", sector=Sector.POLICE)
    client = client_for(tree.in_scope)
    text = ORG_HEADER + (
        "Riverton Peace Forum,RPF,Civil society,local,XA01,XA0101,community-policing;"
        "Youth engagement,https://rpf.example.org,\n"
        "Ward Clinic,,health,community,Riverton Ward 1,,psychosocial-support,,amber\n"
        "Riverton Police,,police,local,XA01,,,,\n"
    )
    response = upload(client, text)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(p.row, p.action, p.name) for p in plan.rows] == [
        (2, "create", "Riverton Peace Forum"),
        (3, "create", "Ward Clinic"),
        (4, SKIP, "Riverton Police"),  # flagged: skipped unless the user says otherwise
    ]
    page = response.content.decode()
    # Sector, level and activities as the pages name them, the place, the duplicate.
    for shown in ("Civil society", "Local", "Community policing", "Youth engagement"):
        assert shown in page, shown
    assert "Riverton Ward 1" in page and "Riverton Regional Police" in page
    assert "Import 3 rows" in page
    assert Organisation.objects.count() == 1  # a preview writes nothing

    confirmed = confirm(client, response)
    assert confirmed.status_code == 302
    forum = Organisation.objects.get(name="Riverton Peace Forum")
    assert forum.sector == Sector.CIVIL_SOCIETY and forum.short_name == "RPF"
    assert set(forum.areas.values_list("place_id", flat=True)) == {tree.city.pk, tree.ward.pk}
    assert set(forum.themes.values_list("slug", flat=True)) == {
        "community-policing",
        "youth-engagement",
    }
    assert Organisation.objects.get(name="Ward Clinic").tlp == 2
    assert not Organisation.objects.filter(name="Riverton Police").exists()  # skipped
    # One audit entry per write (the record, then its activities), by the acting user.
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation), object_id=forum.pk
    ).order_by("pk")
    assert [(e.action, e.actor_id) for e in entries] == [
        (LogEntry.Action.CREATE, tree.in_scope.pk),
        (LogEntry.Action.UPDATE, tree.in_scope.pk),
    ]
    assert entries[1].changes["themes"]["operation"] == "add"
    # The stored rows are used once.
    assert confirm(client, response).status_code == 302
    assert Organisation.objects.count() == 3


def test_a_flagged_row_can_be_created_anyway(codes):
    client = client_for(codes.in_scope)
    org(codes.city, "Riverton Regional Police", sector=Sector.POLICE)
    response = upload(client, ORG_HEADER + "Riverton Police,,police,local,XA01,,,,\n")
    row = planned(response, 2)
    assert row.flagged and row.options[0] == SKIP and row.options[-1] == "create"
    confirm(client, response, row_2="create")
    assert Organisation.objects.filter(name="Riverton Police").count() == 1


def test_an_exact_name_at_the_same_place_is_flagged_not_overwritten(codes):
    existing = org(codes.city, "Riverton Youth Forum", short_name="RYF")
    client = client_for(codes.in_scope)
    response = upload(client, ORG_HEADER + "Riverton Youth Forum,YF,police,local,XA01,,,,\n")
    assert planned(response, 2).action == SKIP
    confirm(client, response)
    existing.refresh_from_db()
    assert (existing.short_name, existing.sector) == ("RYF", Sector.YOUTH)
    assert Organisation.objects.count() == 1


def test_merge_fills_empty_fields_adds_areas_and_themes_and_overwrites_nothing(codes):
    tree = codes
    existing = org(
        tree.city, "Riverton Youth Forum (demo)", website="https://old.example.org", tlp=0
    )
    existing.themes.add(Theme.objects.get(slug="youth-engagement"))
    client = client_for(tree.in_scope)
    text = ORG_HEADER + (
        "Riverton Youth Forum,RYF,police,local,XA01,XA0101,community-policing,"
        "https://new.example.org,GREEN\n"
    )
    response = upload(client, text)
    row = planned(response, 2)
    [candidate] = row.candidates
    assert candidate.pk == existing.pk and candidate.option == f"merge:{existing.pk}"
    described = [str(change) for change in candidate.changes]
    assert "sets short name to “RYF”" in described
    assert "keeps website “https://old.example.org” (the file says “https://new.example.org”)" in (
        described
    )
    assert "keeps sector “Youth” (the file says “Police”)" in described
    assert "keeps sensitivity “TLP:CLEAR” (the file says “TLP:GREEN”)" in described
    assert "adds areas: Riverton Ward 1" in described
    assert "adds activities and themes: Community policing" in described
    page = response.content.decode()
    assert "sets short name to “RYF”" in page  # the preview shows what merging would change
    assert f'<option value="merge:{existing.pk}">Merge into Riverton Youth Forum (demo)' in page

    logged = LogEntry.objects.order_by("pk").last().pk
    assert confirm(client, response, row_2=f"merge:{existing.pk}").status_code == 302
    existing.refresh_from_db()
    assert existing.short_name == "RYF"
    assert existing.website == "https://old.example.org"
    assert (existing.sector, existing.tlp) == (Sector.YOUTH, 0)
    assert set(existing.areas.values_list("place_id", flat=True)) == {tree.city.pk, tree.ward.pk}
    assert set(existing.themes.values_list("slug", flat=True)) == {
        "youth-engagement",
        "community-policing",
    }
    assert Organisation.objects.count() == 1
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id=existing.pk,
        pk__gt=logged,
    )
    assert {e.actor_id for e in entries} == {tree.in_scope.pk}
    assert sorted(list(e.changes) for e in entries) == [["short_name"], ["themes"]]


def test_a_merge_into_a_record_the_user_may_not_change_is_not_offered(codes):
    existing = org(codes.city, "Riverton Youth Forum")
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=codes.city)
    PolicyRule.objects.create(
        role=Role.objects.get(slug="partner"), action="add", model_label="actors.organisation"
    )
    client = client_for(partner)
    response = upload(client, ORG_HEADER + "Riverton Youth Forum,RYF,youth,local,XA01,,,,\n")
    row = planned(response, 2)
    [candidate] = row.candidates
    assert candidate.pk == existing.pk and not candidate.changeable and candidate.option is None
    assert row.options == [SKIP, "create"]
    assert "you may not change it" in response.content.decode()
    refused = confirm(client, response, row_2=f"merge:{existing.pk}")
    assert refused.status_code == 400
    existing.refresh_from_db()
    assert existing.short_name == ""


def test_decisions_the_preview_did_not_offer_are_refused(codes):
    tree = codes
    first = org(tree.city, "Riverton Youth Forum")
    elsewhere = org(tree.ward, "Ward Youth Forum")
    client = client_for(tree.in_scope)
    text = ORG_HEADER + (
        "Riverton Youth Forum,RYF,youth,local,XA01,,,,\n"
        "Riverton Youth Forum Inc,,youth,local,XA01,,,,\n"
    )
    response = upload(client, text)
    refused = confirm(client, response, row_2=f"merge:{elsewhere.pk}")
    assert refused.status_code == 400
    assert "is not one of its choices" in refused.content.decode()
    both = confirm(client, response, row_2=f"merge:{first.pk}", row_3=f"merge:{first.pk}")
    assert both.status_code == 400
    assert "Rows 2 and 3 both merge into the same record" in both.content.decode()
    first.refresh_from_db()
    assert first.short_name == "" and Organisation.objects.count() == 2
    # An earlier row of the same file flags the later one too.
    assert [c.row for c in planned(response, 3).candidates if c.row] == [2]


def test_what_changed_since_the_preview_is_shown_again_before_anything_is_written(codes):
    tree = codes
    existing = org(tree.city, "Riverton Youth Forum")
    client = client_for(tree.in_scope)
    response = upload(client, ORG_HEADER + "Riverton Youth Forum,RYF,youth,local,XA01,,,,\n")
    Organisation.objects.filter(pk=existing.pk).update(short_name="YF")  # someone else, meanwhile
    changed = confirm(client, response, row_2=f"merge:{existing.pk}")
    assert changed.status_code == 409
    assert "changed since your preview" in changed.content.decode()
    assert "keeps short name “YF” (the file says “RYF”)" in changed.content.decode()
    existing.refresh_from_db()
    assert existing.short_name == "YF"


def test_bad_rows_are_reported_per_column_and_the_good_rows_imported(codes):
    client = client_for(codes.in_scope)
    text = ORG_HEADER + (
        "Good Org,,youth,local,XA01,,,,\n"
        ",,ministry,planetary,XA01,,,,\n"
        "Odd Org,,youth,local,XA01,NOWHERE,unknown-theme,ftp://x,PURPLE\n"
    )
    response = upload(client, text)
    assert response.status_code == 200
    messages = row_errors(response)
    assert "Row 3, column name: This field is required." in messages
    assert any(m.startswith("Row 3, column sector: Select a valid choice.") for m in messages)
    assert any(m.startswith("Row 3, column level: Select a valid choice.") for m in messages)
    for column in ("areas", "themes", "website", "tlp"):
        assert any(m.startswith(f"Row 4, column {column}") for m in messages), column
    assert not any(m.startswith("Row 2") for m in messages)
    page = response.content.decode()
    assert "Import the 1 good row" in page and "rows to fix (CSV)" in page
    assert Organisation.objects.count() == 0

    assert confirm(client, response).status_code == 302  # back to the import page: rows to fix
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Good Org"]
    after = client.get(reverse("actors:import_upload"))
    assert "2 rows of orgs.csv were not imported" in after.content.decode()
    # Only the rows to fix are kept, and still offered as a file.
    stored = client.session[SESSION_KEY]
    assert [row["name"] for row in stored["rows"]] == ["", "Odd Org"]
    left = client.get(reverse("actors:import_bad_rows"), {"upload": stored["id"], "format": "csv"})
    text = b"".join(left.streaming_content).decode("utf-8-sig")
    assert [row["name"] for row in csv.DictReader(io.StringIO(text))] == ["", "Odd Org"]


@covers("actors:import_bad_rows")
def test_the_bad_rows_come_back_as_csv_and_xlsx_with_what_to_fix(codes):
    client = client_for(codes.in_scope)
    text = "name,sector,level,place,note\nGood Org,youth,local,XA01,fine\n=Bad,youth,local,XA99,x\n"
    response = upload(client, text)
    url = reverse("actors:import_bad_rows")
    upload_id = response.context["upload"]["id"]
    as_csv = client.get(url, {"upload": upload_id, "format": "csv"})
    assert as_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(as_csv.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["name", "sector", "level", "place", "note", "errors"]
    assert rows[1][:5] == ["'=Bad", "youth", "local", "XA99", "x"]  # a formula is neutralised
    assert rows[1][5].startswith("place: XA99 is not a known place code.")
    assert len(rows) == 2
    as_xlsx = client.get(url, {"upload": upload_id, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("name", "sector", "level", "place", "note", "errors")
    assert values[1][3] == "XA99" and "not a known place code" in values[1][5]
    # The file the user fixes and uploads again keeps one errors column.
    fixed = "name,sector,level,place,note,errors\nBad,youth,local,XA98,x,old message\n"
    again = upload(client, fixed, name="to-fix.csv")
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(
                        url, {"upload": again.context["upload"]["id"], "format": "csv"}
                    ).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert rows[0] == ["name", "sector", "level", "place", "note", "errors"]
    assert "XA98" in rows[1][5] and "old message" not in rows[1][5]
    # Another session, or an id that is not the stored upload's, gets nothing.
    assert client.get(url, {"upload": "guess", "format": "csv"}).status_code == 404
    assert client_for(codes.ancestor).get(url, {"upload": upload_id}).status_code == 404


def test_a_nul_byte_is_refused_by_the_form_in_any_column(codes):
    client = client_for(codes.in_scope)
    text = ORG_HEADER + (
        "Good Org,,youth,local,XA01,,,,\n"
        "Bad\x00Org,,youth,local,XA01,,,,\n"
        "Other Org,,youth,local,XA\x0001,,,,\n"
    )
    response = upload(client, text)
    messages = row_errors(response)
    assert "Row 3, column name: Null characters are not allowed." in messages
    assert "Row 4, column place: Null characters are not allowed." in messages
    confirm(client, response)
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Good Org"]
    # A column that names a record: refused before any query (PostgreSQL refuses NUL).
    people = PEOPLE_HEADER + "Ann Example,XA01,,,Good\x00Org,Chair,,,\n"
    response = upload(client, people, kind="people")
    assert row_errors(response) == ["Row 2, column organisation: Null characters are not allowed."]


def test_website_and_email_are_checked_as_the_forms_check_them_never_a_500(codes):
    tree = codes
    client = client_for(tree.in_scope)
    response = upload(client, ORG_HEADER + "X Org,,youth,local,XA01,,,http://x,\n")
    assert "Row 2, column website: Enter a valid URL." in row_errors(response)
    assert 'class="button primary">Import' not in response.content.decode()  # no good row
    assert confirm(client, response).status_code == 302
    assert Organisation.objects.count() == 0

    people = (
        PEOPLE_HEADER + "Ann Example,XA01,a@b.c,,,,,,\nBea Example,XA01,bea@example.org,,,,,,\n"
    )
    response = upload(client, people, kind="people")
    assert "Row 2, column email: Enter a valid email address." in row_errors(response)
    assert confirm(client, response).status_code == 302
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Bea Example"]


def test_a_long_short_name_is_refused_not_cut(codes):
    client = client_for(codes.in_scope)
    response = upload(client, ORG_HEADER + f"Long Org,{'S' * 80},youth,local,XA01,,,,\n")
    assert (
        "Row 2, column short_name: Ensure this value has at most 60 characters (it has 80)."
        in row_errors(response)
    )
    confirm(client, response)
    assert Organisation.objects.count() == 0


def test_places_by_code_or_unique_name_and_why_one_is_not_accepted(codes):
    tree = codes
    client = client_for(tree.in_scope)
    text = ORG_HEADER + (
        "A Org,,youth,local,riverton ward 1,,,,\n"  # a unique name, any case
        "B Org,,youth,local,XA010,,,,\n"  # unknown: the nearest codes are offered
        "C Org,,youth,local,XA-N,,,,\n"  # known (the region above) but not where they may add
        "D Org,,youth,local,XA02,,,,\n"  # the sibling city: out of sight, so unknown
        f"E Org,,youth,local,{tree.ward.pk},,,,\n"  # internal numbers are not an input
        "F Org,,youth,local,Riverton Ward,,,,\n"
        "G Org,,youth,local,northern region,XA0101;Hillbury,,,\n"  # names: known, out of sight
    )
    response = upload(client, text)
    assert planned(response, 2).place == tree.ward
    errors = row_errors(response)
    assert (
        "Row 3, column place: XA010 is not a known place code. "
        "Did you mean: XA0101 (Riverton Ward 1), XA01 (Riverton)?"
    ) in errors
    assert (
        "Row 4, column place: XA-N (Northern Region) is outside the places where you may add "
        "records."
    ) in errors
    assert any(e.startswith("Row 5, column place: XA02 is not a known place code.") for e in errors)
    assert not any(e.startswith("Row 5") and "Hillbury" in e for e in errors)  # never named
    assert any(
        e.startswith(f"Row 6, column place: {tree.ward.pk} is not a known place code.")
        for e in errors
    )
    assert any(
        e.startswith("Row 7, column place: “Riverton Ward” is not a known place. Did you mean: ")
        and "Riverton Ward 1" in e
        for e in errors
    )
    assert (
        "Row 8, column place: “Northern Region” is outside the places where you may add records."
    ) in errors
    assert any(
        e.startswith("Row 8, column areas: “Hillbury” is not a known place.") for e in errors
    )
    assert "place numbers" not in client.get(reverse("actors:import_upload")).content.decode()


def test_people_import_from_xlsx_with_posts_and_a_merge(codes):
    tree = codes
    forum = org(tree.city, "Riverton Peace Forum", sector=Sector.CIVIL_SOCIETY)
    known = Person.objects.create(full_name="Sam Sample", place=tree.ward)
    book = Workbook()
    sheet = book.active
    sheet.append(list(PEOPLE_HEADER.strip().split(",")))
    from datetime import datetime

    sheet.append(
        ["Noor Example", "XA01", "noor@example.org", "", "Riverton Peace Forum", "Chair"]
        + [datetime(2024, 1, 1), None, None]
    )
    sheet.append(["Sam Sample", "XA0101", "sam@example.org", "", "Riverton Peace Forum", "Member"])
    sheet.append(["Ola Example", "XA0101", "", "", "", "Treasurer"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(tree.in_scope)
    response = upload(client, buffer.getvalue(), kind="people", name="people.xlsx")
    assert response.status_code == 200
    assert "Row 4, column organisation: A post needs an organisation." in row_errors(response)
    [candidate] = planned(response, 3).candidates
    assert [str(c) for c in candidate.changes] == [
        "sets email to “sam@example.org”",
        "adds post: Member, Riverton Peace Forum",
    ]
    assert confirm(client, response, row_3=f"merge:{known.pk}").status_code == 302
    noor = Person.objects.get(full_name="Noor Example")
    assert noor.email == "noor@example.org"
    post = Post.objects.get(person=noor)
    assert (post.organisation, str(post.starts_on)) == (forum, "2024-01-01")
    known.refresh_from_db()
    assert known.email == "sam@example.org" and Person.objects.count() == 2
    assert known.posts.get().title == "Member"


def test_import_needs_the_add_action(codes):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=codes.city)
    client = client_for(partner)
    assert client.get(reverse("actors:import_upload")).status_code == 403
    assert client_for(codes.no_role).get(reverse("actors:import_upload")).status_code == 403


def test_the_import_is_atomic(codes, monkeypatch):
    client = client_for(codes.in_scope)
    response = upload(
        client, ORG_HEADER + "First,,youth,local,XA01,,,,\nSecond,,youth,local,XA0101,,,,\n"
    )
    real = actions.do_save_organisation
    calls = []

    def fail_on_second(record, **kwargs):
        calls.append(record.name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(record, **kwargs)

    monkeypatch.setattr(actions, "do_save_organisation", fail_on_second)
    with pytest.raises(RuntimeError):
        confirm(client, response)
    assert Organisation.objects.count() == 0


def test_the_upload_stays_on_the_server(codes):
    client = client_for(codes.in_scope)
    response = upload(client, ORG_HEADER + "First,,youth,local,XA01,,,,\n")
    stored = client.session[SESSION_KEY]
    assert stored["rows"] == [
        {
            "name": "First",
            "short_name": "",
            "sector": "youth",
            "level": "local",
            "place": "XA01",
            "areas": "",
            "themes": "",
            "website": "",
            "tlp": "",
        }
    ]
    # Rows sent by the browser are not read; a stale or guessed upload id imports nothing.
    sneaky = client.post(
        reverse("actors:import_confirm"), {"upload": "guess", "rows": "Evil,,youth,local,XA01"}
    )
    assert sneaky.status_code == 302 and Organisation.objects.count() == 0
    assert confirm(client, response).status_code == 302
    assert list(Organisation.objects.values_list("name", flat=True)) == ["First"]


def test_missing_columns_and_empty_files(codes):
    client = client_for(codes.in_scope)
    response = upload(client, "name,place\nX,XA01\n")
    assert response.status_code == 400
    assert "Row 1, column sector: This column is required." in {
        str(e) for e in response.context["file_errors"]
    }
    assert upload(client, "not a spreadsheet", name="x.txt").status_code == 400
    assert upload(client, b"PK\x03\x04broken", name="x.xlsx").status_code == 400
    assert upload(client, ORG_HEADER).status_code == 400


CELLS = st.one_of(
    st.text(max_size=90),
    st.sampled_from(
        [
            "",
            "XA01",
            "xa0101",
            "Riverton Ward 1",
            "XA02",
            "youth",
            "Local",
            "GREEN",
            "TLP:RED",
            "http://x",
            "https://ok.example.org",
            "a@b.c",
            "=1+1",
            "x\x00y",
            "S" * 80,
            "2024-02-30",
            "Riverton Peace Forum",
        ]
    ),
)


@pytest.mark.parametrize(
    ("kind", "columns"),
    [
        ("organisations", ORG_HEADER.strip().split(",")),
        ("people", PEOPLE_HEADER.strip().split(",")),
    ],
)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cells=st.lists(st.lists(CELLS, min_size=9, max_size=9), min_size=1, max_size=4))
def test_no_file_answers_500_or_saves_what_the_forms_refuse(codes, kind, columns, cells):
    if not Organisation.objects.filter(name="Riverton Peace Forum").exists():
        org(codes.city, "Riverton Peace Forum")
    client = Client(raise_request_exception=False)
    client.force_login(codes.in_scope)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    writer.writerows(cells)
    response = upload(client, text.getvalue(), kind=kind)
    assert response.status_code < 500
    if response.status_code == 200:
        assert confirm(client, response).status_code < 500
    for record in [*Organisation.objects.all(), *Person.objects.all(), *Post.objects.all()]:
        record.full_clean()  # whatever was saved is what the pages would have saved


def test_contact_details_need_the_right_to_see_them(codes):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=codes.city)
    PolicyRule.objects.create(
        role=Role.objects.get(slug="partner"), action="add", model_label="actors.person"
    )
    client = client_for(partner)
    people = PEOPLE_HEADER + "Ann Example,XA01,ann@example.org,,,,,,\nBea Example,XA01,,,,,,,\n"
    response = upload(client, people, kind="people")
    assert "Row 2, column email: You may not record contact details." in row_errors(response)
    confirm(client, response)
    assert list(Person.objects.values_list("full_name", "email")) == [("Bea Example", "")]


def test_the_import_action_refuses_a_merge_into_a_record_out_of_reach(codes):
    from django.core.exceptions import PermissionDenied

    elsewhere = org(codes.sibling, "Hillbury Youth Forum")
    elsewhere.short_name = "HYF"
    with pytest.raises(PermissionDenied):
        actions.do_import_actors([actions.ImportWrite(elsewhere)], acting_user=codes.in_scope)
    elsewhere.refresh_from_db()
    assert elsewhere.short_name == ""
