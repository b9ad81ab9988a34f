"""Coordinates and codes as a department's list writes them (issue 41, item 13).

Each file is made by the test; each is read by :func:`read_village_list`, as ``whitespot
gaps``, ``report`` and ``validate villages`` read it.
"""

from __future__ import annotations

import openpyxl
import pytest

from whitespot.cli import main
from whitespot.department import read_village_list

CELLS = [
    "(16.79, 106.98)",
    "N16.79 E106.98",
    "https://www.google.com/maps/place/B%E1%BA%A3n+M%E1%BB%99t/@16.79,106.98,15z/data=!4m6",
    "https://www.google.com/maps?q=16.79,106.98",
    "https://maps.google.com/maps?ll=16.79,106.98&z=14",
]


def test_coordinates_in_parentheses_with_leading_hemispheres_or_as_a_maps_link(tmp_path, capsys):
    path = tmp_path / "toa_do.csv"
    rows = [f'Bản {k},{20 + k},"{cell}"' for k, cell in enumerate(CELLS)]
    path.write_text("Thôn,Số hộ,Tọa độ\n" + "\n".join(rows) + "\n", encoding="utf-8")
    read = read_village_list(path)
    points = read.villages.geometry
    assert points.notna().all()  # every one unreadable before
    assert points.x.round(6).tolist() == [106.98] * len(CELLS)
    assert points.y.round(6).tolist() == [16.79] * len(CELLS)
    links = read.issues[read.issues["check"] == "maps_link"]
    assert links["row"].tolist() == [4, 5, 6]
    assert main(["validate", "villages", str(path)]) == 0
    assert "0 problems" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("number_format", "value", "shown"),
    [('"QT-"0000', 7, "QT-0007"), ("000-000", 4512, "004-512"), ("00000", 7, "00007")],
)
def test_codes_under_a_number_format_are_read_as_excel_shows_them(
    tmp_path, number_format, value, shown
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã thôn", "Thôn", "Số hộ", "Kinh độ", "Vĩ độ"])
    sheet.append([value, "Bản Một", 40, 106.6, 16.9])
    sheet.append(["QT-0008", "Bản Hai", 30, 106.62, 16.91])
    sheet["A2"].number_format = number_format
    sheet["C2"].number_format = "0"  # a count under a plain format stays a number
    path = tmp_path / "ma_thon.xlsx"
    book.save(path)
    villages = read_village_list(path).villages
    assert villages["village_id"].tolist() == [shown, "QT-0008"]
    assert villages["households"].tolist() == [40, 30]
