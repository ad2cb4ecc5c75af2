"""The one CSV/XLSX writer and reader (bridgework.core.tabular) and the exports built on it."""

import csv
import io
import re
from datetime import date

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, OrganisationArea
from bridgework.actors.selectors import HXL_COLUMNS
from bridgework.core.tabular import (
    TableReadError,
    neutralise,
    read_table,
    safe_filename,
    tabular_response,
)
from bridgework.web.testing import covers

# Each would run as a formula (or a DDE command) if a spreadsheet read it as typed.
HOSTILE = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def as_xml_reads(text: str) -> str:
    """XLSX is XML, whose parsers read a bare carriage return back as a line feed."""
    return text.replace("\r", "\n")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = response.getvalue()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(response.getvalue())).active  # not data_only: formulas show


# --- neutralise ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_a_formula_gets_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 2.5, date(2024, 5, 1), None, True])
def test_numbers_dates_and_none_stay_as_they_are(value):
    assert neutralise(value) is value


def test_other_values_become_text_and_are_checked_too():
    class Named:
        def __str__(self):
            return "=1+1"

    assert neutralise(Named()) == "'=1+1"
    assert neutralise("#org+name") == "#org+name"  # an HXL hashtag is not a formula
    assert neutralise("Riverton") == "Riverton"


def test_filenames_keep_only_safe_characters():
    assert safe_filename('3w "x"/../\r\nevil.csv') == "3wx..evil.csv"
    assert safe_filename("../") == "export"


# --- writing -------------------------------------------------------------------------------------


def test_csv_is_streamed_and_neutralised():
    response = tabular_response(
        ["Name", "Count"],
        ([text, -3] for text in HOSTILE),
        fmt="csv",
        filename="hostile.csv",
    )
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="hostile.csv"'
    rows = csv_rows(response)
    assert rows[0] == ["Name", "Count"]
    assert [row[0] for row in rows[1:]] == ["'" + text for text in HOSTILE]
    assert {row[1] for row in rows[1:]} == {"-3"}  # a number is written as it is


def test_xlsx_cells_are_text_never_formulas_and_numbers_stay_numbers():
    response = tabular_response(
        ["Name", "Count", "Since"],
        ([text, -3, date(2024, 5, 1)] for text in HOSTILE),
        fmt="xlsx",
        filename="hostile.xlsx",
        sheet_title="Hostile: [names]?",
    )
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == 'attachment; filename="hostile.xlsx"'
    sheet = xlsx_sheet(response)
    assert sheet.title == "Hostile names"  # characters Excel refuses in a sheet name dropped
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(HOSTILE)
    for (name, count, since), text in zip(rows, HOSTILE, strict=True):
        assert name.data_type == "s"
        assert name.value.startswith("'")
        assert name.value == as_xml_reads("'" + text)
        assert count.data_type == "n" and count.value == -3
        assert since.is_date and since.value.date() == date(2024, 5, 1)


def test_xlsx_drops_control_characters_openpyxl_would_refuse():
    response = tabular_response(
        ["Name"], [["bell\x07 ok"]], fmt="xlsx", filename="x.xlsx", sheet_title="x"
    )
    assert xlsx_sheet(response)["A2"].value == "bell ok"


def test_preamble_rows_follow_the_header_unchanged_but_neutralised():
    response = tabular_response(
        ["Organisation", "Sector"],
        [["Riverton Youth Forum", "Youth"]],
        fmt="csv",
        filename="3w.csv",
        preamble_rows=[["#org+name", "-sector"]],
    )
    assert csv_rows(response) == [
        ["Organisation", "Sector"],
        ["#org+name", "'-sector"],
        ["Riverton Youth Forum", "Youth"],
    ]


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="format"):
        tabular_response(["a"], [], fmt="ods", filename="x.ods")  # type: ignore[arg-type]


# --- the exports built on it ---------------------------------------------------------------------


@pytest.fixture
def hostile_orgs(tree):
    """Organisations named to attack a spreadsheet, in the city, and one in the sibling city."""
    for text in HOSTILE:
        Organisation.objects.create(
            name=text, sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.city
        )
    Organisation.objects.create(
        name="Hillbury Youth", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.sibling
    )


def test_organisation_list_exports_as_a_streamed_neutralised_csv(tree, hostile_orgs):
    response = client_for(tree.in_scope).get(reverse("actors:organisation_list"), {"format": "csv"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="organisation.csv"'
    rows = csv_rows(response)
    assert rows[0] == ["Name", "Short name", "Sector", "Level", "Based in", "Activities"]
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == sorted("'" + text for text in HOSTILE)  # not the sibling's
    assert all(row[4] == "Riverton" for row in rows[1:])


def test_organisation_list_exports_as_a_streamed_neutralised_xlsx(tree, hostile_orgs):
    response = client_for(tree.in_scope).get(
        reverse("actors:organisation_list"), {"format": "xlsx"}
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="organisation.xlsx"'
    sheet = xlsx_sheet(response)
    header, *rows = list(sheet.iter_rows())
    assert [cell.value for cell in header] == [
        "Name",
        "Short name",
        "Sector",
        "Level",
        "Based in",
        "Activities",
    ]
    assert sorted(row[0].value for row in rows) == sorted(as_xml_reads("'" + t) for t in HOSTILE)
    assert all(row[0].data_type == "s" for row in rows)


@covers("actors:three_w_export")
def test_three_w_export_keeps_its_hxl_hashtag_row(tree):
    hostile = Organisation.objects.create(
        name="=cmd|' /C calc'!A0", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.city
    )
    OrganisationArea.objects.create(organisation=hostile, place=tree.ward)
    client = client_for(tree.in_scope)
    url = reverse("actors:three_w_export")
    response = client.get(url, {"place": tree.city.pk, "format": "csv"})
    assert response.status_code == 200 and response.streaming
    # Named for the place as people call it: its name without a code, never its number.
    assert response["Content-Disposition"] == 'attachment; filename="3w-riverton.csv"'
    coded = client.get(url, {"place": "XA-N", "format": "csv"})
    assert coded["Content-Disposition"] == 'attachment; filename="3w-XA-N.csv"'
    rows = csv_rows(response)
    assert rows[0] == [label for label, _tag in HXL_COLUMNS]
    assert rows[1] == [tag for _label, tag in HXL_COLUMNS]
    assert rows[2][0] == "'=cmd|' /C calc'!A0"

    book = client.get(url, {"place": tree.city.pk, "format": "xlsx"})
    sheet = xlsx_sheet(book)
    assert sheet.title == "3W"
    assert [c.value for c in sheet[2]] == [tag for _label, tag in HXL_COLUMNS]
    assert sheet["A3"].data_type == "s" and sheet["A3"].value == "'=cmd|' /C calc'!A0"


# --- reading -------------------------------------------------------------------------------------


def test_read_table_round_trips_csv_and_skips_blank_rows():
    response = tabular_response(
        ["Name", "Place"],
        [["Chilinde  ", "Lilongwe"], ["", ""], ["Área 25", "Lilongwe"]],
        fmt="csv",
        filename="x.csv",
    )
    assert read_table(response.getvalue(), "x.csv") == [
        {"Name": "Chilinde", "Place": "Lilongwe"},
        {"Name": "Área 25", "Place": "Lilongwe"},
    ]


def test_read_table_round_trips_xlsx_by_extension_or_signature():
    response = tabular_response(
        ["Name", "Founded", "Members"],
        [["Chilinde", date(2020, 1, 31), 12], [None, None, None], ["Área 25", None, 3]],
        fmt="xlsx",
        filename="x.xlsx",
    )
    data = response.getvalue()
    expected = [
        {"Name": "Chilinde", "Founded": "2020-01-31T00:00:00", "Members": "12"},
        {"Name": "Área 25", "Founded": "", "Members": "3"},
    ]
    assert read_table(data, "upload.xlsx") == expected
    assert read_table(data) == expected  # no name: recognised by its zip signature


def test_read_table_pads_short_rows_and_drops_cells_beyond_the_header():
    assert read_table(b"a,b\n1\n2,3,4\n", "x.csv") == [{"a": "1", "b": ""}, {"a": "2", "b": "3"}]


def test_read_table_reads_a_path(tmp_path):
    book = Workbook()
    book.active.append(["ADM0_PCODE"])
    book.active.append(["MW"])
    path = tmp_path / "cod.xlsx"
    book.save(path)
    assert read_table(path) == [{"ADM0_PCODE": "MW"}]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\xff\xfe\x00bad utf-8 \xc3\x28", "x.csv"),
        (b"PK\x03\x04 not really a zip", "x.csv"),
        (b"just some text", "x.xlsx"),
    ],
)
def test_read_table_raises_a_table_read_error_on_garbage(data, name):
    with pytest.raises(TableReadError):
        read_table(data, name)


@covers("actors:import_upload")
def test_import_answers_a_corrupt_file_with_a_message(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(tree.in_scope)
    upload = SimpleUploadedFile("orgs.xlsx", b"PK\x03\x04 garbage", content_type="text/csv")
    response = client.post(
        reverse("actors:import_upload"), {"kind": "organisations", "file": upload}
    )
    assert response.status_code == 400
    assert "could not be read as CSV or XLSX" in response.content.decode()


# --- limits on what an upload may hold ----------------------------------------------------------


def _sheet_declaring(width_ref: str, rows: int = 3) -> bytes:
    """An XLSX whose sheet declares the dimension ``A1:<width_ref>`` with a few real cells."""
    import zipfile as _zip

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["name", "sector"])
    for n in range(rows):
        sheet.append([f"Org {n}", "youth"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = _zip.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with _zip.ZipFile(out, "w", _zip.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(
                    rb'<dimension ref="A1:B\d+" ?/>',
                    f'<dimension ref="A1:{width_ref}"/>'.encode(),
                    data,
                )
                assert count == 1, "the sheet's dimension was not rewritten"
            target.writestr(info, data)
    return out.getvalue()


def test_a_sheet_declaring_more_than_may_be_read_is_refused_before_reading(monkeypatch):
    """A 13.8 KB file declaring A1:XFD1048576 once cost 251 MB to read: now the declared
    extent is checked first, and the refusal says why."""
    from bridgework.core import tabular

    monkeypatch.setattr(tabular, "load_workbook", _never_called)
    with pytest.raises(TableReadError, match="declares 1048576 rows; at most 10000"):
        read_table(_sheet_declaring("XFD1048576"), "huge.xlsx")
    with pytest.raises(TableReadError, match="declares 201 columns; at most 200"):
        read_table(_sheet_declaring("GS4"), "wide.xlsx")


def test_a_sheet_declaring_what_may_be_read_is_read():
    data = _sheet_declaring("GR10001")  # 200 columns, a header and 10,000 rows: the limits
    assert read_table(data, "ok.xlsx") == [
        {"name": f"Org {n}", "sector": "youth"} for n in range(3)
    ]


def _never_called(*args, **kwargs):
    raise AssertionError("openpyxl was asked to read a file that should have been refused")


def _xlsx_with_shared_strings(strings_part: bytes, cells: list[list[int]]) -> bytes:
    """A minimal XLSX built by hand: one sheet whose cells are indexes into the shared-strings
    part ``strings_part`` (the ``<sst>`` element's content)."""
    import zipfile as _zip

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rows = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{chr(65 + c)}{r}" t="s"><v>{index}</v></c>' for c, index in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(cells, start=1)
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><dimension ref="A1:B{len(cells)}"/>'
            f"<sheetData>{rows}</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with _zip.ZipFile(out, "w", _zip.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr(
            "xl/sharedStrings.xml", f'<sst xmlns="{main}">'.encode() + strings_part + b"</sst>"
        )
    return out.getvalue()


def test_shared_strings_are_read():
    strings = b"".join(
        f"<si><t>{text}</t></si>".encode() for text in ["name", "sector", "Forum", "youth"]
    )
    data = _xlsx_with_shared_strings(strings, [[0, 1], [2, 3]])
    assert read_table(data, "strings.xlsx") == [{"name": "Forum", "sector": "youth"}]


def test_a_shared_strings_bomb_is_refused_before_openpyxl_reads_it(monkeypatch):
    """A file of about 20 KB whose shared-strings table unpacks to 250,000 empty strings (the
    audit's 123 KB file took 500 MB and 46 s), and one whose single string is 17 MB: both are
    refused with a clear message, openpyxl never asked to read them."""
    from bridgework.core import tabular

    many = _xlsx_with_shared_strings(b"<si><t/></si>" * 250_000, [[0, 0], [0, 0]])
    huge = _xlsx_with_shared_strings(b"<si><t>" + b"a" * (17 * 1024 * 1024) + b"</t></si>", [[0]])
    assert len(many) < 64 * 1024 and len(huge) < 64 * 1024
    monkeypatch.setattr(tabular, "load_workbook", _never_called)
    for data in (many, huge):
        with pytest.raises(TableReadError, match="more than 200000 different texts"):
            read_table(data, "bomb.xlsx")


@covers("actors:import_upload")
def test_the_import_page_says_why_a_file_is_refused(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "orgs.xlsx", _xlsx_with_shared_strings(b"<si><t/></si>" * 250_000, [[0, 0]])
    )
    response = client_for(tree.in_scope).post(
        reverse("actors:import_upload"), {"kind": "organisations", "file": upload}
    )
    assert response.status_code == 400
    assert "more than 200000 different texts" in response.content.decode()


def test_too_many_rows_or_columns_are_refused():
    csv_rows = "name\n" + "\n".join(f"Org {n}" for n in range(11))
    with pytest.raises(TableReadError):
        read_table(csv_rows.encode(), "many.csv", max_rows=10)
    assert len(read_table(csv_rows.encode(), "many.csv", max_rows=11)) == 11
    wide = ",".join(f"c{n}" for n in range(201)) + "\n" + ",".join("x" for _ in range(201))
    with pytest.raises(TableReadError):
        read_table(wide.encode(), "wide.csv")


def test_a_zip_bomb_is_refused_before_unpacking(monkeypatch):
    from bridgework.core import tabular

    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 1024)
    with pytest.raises(TableReadError, match="too large"):
        read_table(_sheet_declaring("B4"), "bomb.xlsx")
