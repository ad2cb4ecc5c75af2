"""Gazetteer imports: ISO 3166-2 from pycountry, OCHA COD tables in CSV and XLSX."""

import io

import pycountry
import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from bridgework.places.importers import CodImportError, import_cod, import_iso3166, world
from bridgework.places.models import Place, PlaceLevel

pytestmark = pytest.mark.django_db


def tree_snapshot():
    return sorted(
        Place.objects.values_list("path", "code", "pcode", "name", "parent__code", "depth")
    )


def test_every_subdivision_of_every_country_twice_leaves_the_same_tree():
    first = import_iso3166()
    assert first.created == 1 + len(pycountry.countries) + len(pycountry.subdivisions)
    snapshot = tree_snapshot()
    second = import_iso3166()
    assert second.created == 0 and second.updated == 0
    assert tree_snapshot() == snapshot


def test_every_imported_place_has_its_create_entry_in_the_audit_log():
    """Subdivisions are inserted in bulk (no signals): each still gets auditlog's entry."""
    from auditlog.models import LogEntry

    import_iso3166(["MW", "GB"])
    places = dict(Place.objects.values_list("pk", "code"))
    entries = LogEntry.objects.filter(
        content_type__model="place", action=LogEntry.Action.CREATE
    ).values_list("object_id", "changes")
    logged = {object_id: changes for object_id, changes in entries}
    assert set(logged) == set(places)
    lilongwe = Place.objects.get(code="MW-LI")
    assert logged[lilongwe.pk]["code"] == ["None", "MW-LI"]
    assert logged[lilongwe.pk]["parent"] == ["None", str(lilongwe.parent_id)]


def test_subdivisions_hang_under_their_parents():
    import_iso3166(["MW", "GB"])
    lilongwe = Place.objects.get(code="MW-LI")
    assert lilongwe.parent.code == "MW-C"
    assert lilongwe.parent.parent.code == "MW"
    assert lilongwe.depth == 3 and lilongwe.country_code == "MW"
    assert PlaceLevel.objects.get(country_code="MW", depth=2).name == "Region"
    assert PlaceLevel.objects.get(country_code="MW", depth=3).name == "District"


def test_unknown_country_is_refused_and_nothing_saved():
    with pytest.raises(ValueError):
        import_iso3166(["MW", "QQ"])
    assert not Place.objects.exists()


COD_CSV = """ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,ADM2_PCODE,ADM2_EN,ADM3_PCODE,ADM3_EN
MW,Malawi,MW2,Central Region,MW206,Lilongwe,MW20601,Lilongwe City
MW,Malawi,MW2,Central Region,MW206,Lilongwe,MW20602,Kalumba
MW,Malawi,MW3,Southern Region,MW315,Blantyre,MW31501,Blantyre City
"""


def test_cod_csv_import_is_idempotent_and_reuses_iso_places():
    import_iso3166(["MW"])
    central = Place.objects.get(code="MW-C")
    summary = import_cod(
        COD_CSV.encode(),
        filename="mwi.csv",
        level_names=["Region", "District", "Traditional Authority"],
    )
    central.refresh_from_db()
    assert central.pcode == "MW2"  # matched by name under the same parent, not duplicated
    lilongwe_district = Place.objects.get(code="MW-LI")
    assert lilongwe_district.pcode == "MW206"
    city = Place.objects.get(pcode="MW20601")
    assert city.parent_id == lilongwe_district.pk and city.depth == 4
    assert PlaceLevel.objects.get(country_code="MW", depth=4).name == "Traditional Authority"
    assert summary.created == 3
    snapshot = tree_snapshot()
    again = import_cod(COD_CSV.encode(), filename="mwi.csv")
    assert again.created == 0 and again.updated == 0
    assert tree_snapshot() == snapshot


def test_cod_xlsx_import_creates_the_country_when_missing():
    book = Workbook()
    sheet = book.active
    for row in [line.split(",") for line in COD_CSV.strip().splitlines()]:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    summary = import_cod(data.getvalue(), filename="mwi.xlsx")
    assert Place.objects.get(code="MW").name == "Malawi"
    assert Place.objects.filter(pcode__startswith="MW").count() == 7
    assert summary.created == 1 + 1 + 7  # world, country, units


def test_bad_cod_file_lists_every_bad_row_and_column_and_saves_nothing():
    bad = (
        "ADM0_PCODE,ADM1_PCODE,ADM1_EN,ADM2_PCODE,ADM2_EN\n"
        "MW,MW2,Central Region,MW206,Lilongwe\n"
        "QQ,QQ1,Nowhere,,\n"
        "MW,,Northern Region,MW101,Chitipa\n"
        "MW,MW2,Centre Region,,\n"
        "MW,MW3,Southern Region,mw 315!,Blantyre\n"
    )
    with pytest.raises(CodImportError) as caught:
        import_cod(bad.encode(), filename="bad.csv")
    messages = [str(error) for error in caught.value.errors]
    assert any(m.startswith("Row 3, column ADM0_PCODE") for m in messages)
    assert any(m.startswith("Row 4, column ADM1_PCODE") and "Missing P-code" in m for m in messages)
    assert any(m.startswith("Row 5, column ADM1_PCODE") and "Central Region" in m for m in messages)
    assert any(
        m.startswith("Row 6, column ADM2_PCODE") and "not a valid P-code" in m for m in messages
    )
    assert not Place.objects.exists()


def test_cod_file_without_required_columns():
    with pytest.raises(CodImportError) as caught:
        import_cod(b"ADM1_PCODE,ADM1_EN\nMW1,North\n", filename="x.csv")
    assert [e.column for e in caught.value.errors] == ["ADM0_PCODE"]


def test_commands(tmp_path, capsys):
    call_command("import_iso3166", "AL")
    assert Place.objects.filter(code__startswith="AL-").count() == 12
    good = tmp_path / "mwi.csv"
    good.write_text(COD_CSV)
    call_command("import_cod", str(good), "--levels", "Region,District,TA")
    assert "COD import" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("ADM0_PCODE,ADM1_PCODE,ADM1_EN\nMW,,North\n")
    with pytest.raises(CommandError, match="Row 2, column ADM1_PCODE"):
        call_command("import_cod", str(bad))
    with pytest.raises(CommandError, match="Unknown country"):
        call_command("import_iso3166", "ZZ")


def test_cod_values_are_checked_by_the_place_model_row_by_row_and_nothing_saved():
    """What the place model (and so its form) refuses, the COD import refuses, with the same
    messages per row and column, before anything is written: no NUL reaches the database, no
    P-code or name is cut to fit."""
    long_pcode = "MW" + "1" * 23
    bad = (
        "ADM0_PCODE,ADM1_PCODE,ADM1_EN,ADM2_PCODE,ADM2_EN\n"
        "MW,MW2,Central Region,MW206,Lilongwe\n"
        "MW,MW3,Southern\x00Region,,\n"
        f"MW,MW1,Northern Region,{long_pcode},Chitipa\n"
        f"MW,MW4,{'N' * 201},,\n"
    )
    with pytest.raises(CodImportError) as caught:
        import_cod(bad.encode(), filename="bad.csv")
    messages = [str(error) for error in caught.value.errors]
    assert messages == [
        "Row 3, column ADM1_EN: Null characters are not allowed.",
        "Row 4, column ADM2_PCODE: Ensure this value has at most 20 characters (it has 25).",
        "Row 5, column ADM1_EN: Ensure this value has at most 200 characters (it has 201).",
    ]
    assert not Place.objects.exists()


def test_a_place_the_model_refuses_is_never_saved_by_the_tree():
    from django.core.exceptions import ValidationError

    from bridgework.places.importers import ImportSummary, _Tree

    tree = _Tree()
    root = world(tree)
    with pytest.raises(ValidationError):
        tree.create(parent=root, summary=ImportSummary(), name="Bad\x00Place", code="QQ")
    assert not Place.objects.filter(code="QQ").exists()
    country = tree.create(parent=root, summary=ImportSummary(), name="Fine", code="QQ")
    with pytest.raises(ValidationError):
        tree.update(country, ImportSummary(), name="N" * 201)
    country.refresh_from_db()
    assert country.name == "Fine"
