"""Build the department spreadsheets the report tests read (run from the repository root).

    python tests/report/data/build_department_files.py

The files are in the shape a provincial department sends: the villages are the sample
province's (synthetic positions in Quảng Trị), each named after the real pre-2025 commune
(xã) and district (huyện) whose centre is nearest, taken from vietnamadminunits' legacy
data, so the conversion to post-2025 units is exercised on real names. The files are
committed; this script documents how they were made and rebuilds them byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import datetime
from importlib.resources import files
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from scipy.spatial import cKDTree

from whitespot.data import load_sample
from whitespot.data._io import pin_xlsx_timestamps

HERE = Path(__file__).parent
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
TITLE = "DANH SÁCH THÔN, BẢN CHƯA CÓ SÓNG THÔNG TIN DI ĐỘNG VÀ CHƯA CÓ ĐIỆN LƯỚI QUỐC GIA"


def old_units(lon: np.ndarray, lat: np.ndarray) -> list[tuple[str, str]]:
    """Nearest pre-2025 (district, commune) of Quảng Trị to each point."""
    legacy = json.loads(
        files("vietnamadminunits").joinpath("data/parser_legacy.json").read_text("utf-8")
    )
    districts = legacy["DICT_PROVINCE_DISTRICT"]["tinhquangtri"]
    wards = legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"]["tinhquangtri"]
    names, points = [], []
    for district_key, communes in wards.items():
        for ward in communes.values():
            if ward["wardType"] == "Xã":
                names.append((districts[district_key]["district"], ward["ward"]))
                points.append((ward["wardLon"], ward["wardLat"]))
    _, nearest = cKDTree(np.asarray(points)).query(np.column_stack([lon, lat]))
    return [names[i] for i in nearest]


def dms(value: float, positive: str, negative: str) -> str:
    """18.503 -> 18°30'10.8"N."""
    sign = positive if value >= 0 else negative
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return f"{degrees}°{minutes:02d}'{seconds:04.1f}\"{sign}"


def villages_table(start: int, count: int) -> list[dict]:
    villages = load_sample().villages.iloc[start : start + count]
    lon, lat = villages.geometry.x.to_numpy(), villages.geometry.y.to_numpy()
    units = old_units(lon, lat)
    rows = []
    pairs = zip(villages.itertuples(), units, strict=True)
    for i, (record, (district, commune)) in enumerate(pairs):
        rows.append(
            {
                "id": record.village_id,
                "province": "Quảng Trị",
                "district": district,
                "commune": commune.removeprefix("Xã "),
                "name": record.name,
                "households": int(record.households),
                "population": int(record.households) * 4 + i % 3,
                "lon": round(float(lon[i]), 6),
                "lat": round(float(lat[i]), 6),
                "electrified": float(record.electrified),
            }
        )
    return sorted(rows, key=lambda r: (r["district"], r["commune"], r["name"]))


def save(book: Workbook, path: Path) -> None:
    book.save(path)
    pin_xlsx_timestamps(path)


def vietnamese_workbook(path: Path) -> None:
    """A department's workbook: title, two-row merged header, numbering row, district
    headings, merged district and commune cells, empty rows, mixed coordinates, a total."""
    rows = villages_table(0, 60)
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.append([TITLE])
    sheet.merge_cells("A1:K1")
    sheet.append(["(Kèm theo Báo cáo số 123/BC-SKHCN ngày 15/5/2025 của Sở Khoa học và Công nghệ)"])
    sheet.merge_cells("A2:K2")
    sheet.append([])
    sheet.append(["STT", "Tỉnh", "Huyện", "Xã", "Thôn/Bản", "Số hộ", "Số dân", "Tọa độ", None,
                  "Có điện", "Ngày khảo sát"])  # fmt: skip
    sheet.append([None] * 7 + ["Kinh độ", "Vĩ độ"])
    for column in "ABCDEFGJK":
        sheet.merge_cells(f"{column}4:{column}5")
    sheet.merge_cells("H4:I4")
    sheet.append([f"({i})" for i in range(1, 12)])
    district = None
    for i, row in enumerate(rows):
        if row["district"] != district:
            if district is not None:
                sheet.append([])
            district = row["district"]
            numeral = ROMAN[len({r["district"] for r in rows[:i]})]
            sheet.append([f"{numeral}. {district}"])
            block_start = sheet.max_row + 1
        number = i + 1
        lon, lat = row["lon"], row["lat"]
        if i % 7 == 3:
            lon, lat = dms(lon, "E", "W"), dms(lat, "N", "S")
        elif i % 5 == 1:
            lon, lat = f"{lon:.6f}".replace(".", ","), f"{lat:.6f}".replace(".", ",")
        households = f"{row['households']} hộ" if i % 11 == 5 else row["households"]
        surveyed = datetime(2023, 3, 1) if i % 13 == 0 else datetime(2026, 4, 1 + i % 28)
        sheet.append([number, row["province"], row["district"], row["commune"], row["name"],
                      households, row["population"], lon, lat,
                      "Có" if row["electrified"] >= 0.5 else "Không", surveyed])  # fmt: skip
        last_of_block = i + 1 == len(rows) or rows[i + 1]["district"] != district
        if last_of_block and sheet.max_row > block_start:
            sheet.merge_cells(f"C{block_start}:C{sheet.max_row}")
    sheet.append([])
    sheet.append(["Tổng cộng", None, None, None, None, sum(r["households"] for r in rows),
                  sum(r["population"] for r in rows)])  # fmt: skip
    for row in sheet.iter_rows(min_row=7, min_col=11, max_col=11):
        row[0].number_format = "dd/mm/yyyy"
    save(book, path)


def english_csv(path: Path, start: int = 60, count: int = 30) -> None:
    """English headers, ids, UTF-8 with a byte-order mark, semicolons."""
    rows = villages_table(start, count)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["village_id", "province", "district", "commune", "village", "households",
                     "population", "longitude", "latitude", "electrified"])  # fmt: skip
    for row in rows:
        writer.writerow([f"QT-{row['id']}", row["province"], row["district"], row["commune"],
                         row["name"], row["households"], row["population"], row["lon"],
                         row["lat"], row["electrified"]])  # fmt: skip
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese software writes it: base letter + combining tone mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            tones = [m for m in marks if m in TONE_MARKS]
            letters = base + "".join(m for m in marks if m not in tones)
            composed = unicodedata.normalize("NFC", letters)
            out += composed.encode("cp1258") + "".join(tones).encode("cp1258")
    return out


def windows_csv(path: Path) -> None:
    """Vietnamese headers without diacritics in upper case, Windows-1258, tabs."""
    rows = villages_table(90, 12)
    lines = ["\t".join(["TINH", "HUYEN", "XA", "THON BAN", "SO HO", "KINH DO", "VI DO"])]
    for row in rows:
        lines.append("\t".join([row["province"], row["district"], row["commune"], row["name"],
                                str(row["households"]), dms(row["lon"], "Đ", "T"),
                                dms(row["lat"], "B", "N")]))  # fmt: skip
    path.write_bytes(encode_cp1258("\n".join(lines) + "\n"))


def broken_workbook(path: Path) -> None:
    """Every problem at once, each on its own row (row numbers are asserted in the tests)."""
    rows = villages_table(110, 8)
    book = Workbook()
    sheet = book.active
    sheet.append(["Danh sách thôn bản (bản nháp)"])  # row 1
    sheet.append(["Địa bàn", None, None, "Thôn/Bản", "Số hộ", "Tọa độ", None, "Có điện"])  # 2
    sheet.append(["Tỉnh", "Huyện", "Xã", None, None, "Kinh độ", "Vĩ độ", None])  # 3
    sheet.merge_cells("A2:C2")
    sheet.merge_cells("F2:G2")
    for column in "DEH":
        sheet.merge_cells(f"{column}2:{column}3")
    good = rows[0]

    def village(row: dict, **changes) -> list:
        values = {**row, **changes}
        return [values["province"], values["district"], values["commune"], values["name"],
                values["households"], values["lon"], values["lat"],
                values.get("power", "Có")]  # fmt: skip

    sheet.append(village(good))  # 4: clean
    sheet.append(village(rows[1], households="120 hộ"))  # 5: text in a number column
    sheet.append([])  # 6: empty row
    sheet.append(village(rows[2], lon=rows[2]["lat"], lat=rows[2]["lon"]))  # 7: swapped
    sheet.append(village(rows[3], lon=dms(rows[3]["lon"], "E", "W"), lat="16,75"))  # 8: mixed
    sheet.append(village(rows[4], households=-5))  # 9: negative
    sheet.append(village(rows[5], lon=None, lat=None))  # 10: no coordinates
    sheet.append(village(rows[6], commune="Không Tồn Tại"))  # 11: unmatched commune
    sheet.append(village(good, households=good["households"]))  # 12: duplicate of row 4
    sheet.append(village(rows[7], lon=105.85, lat=21.03))  # 13: in Hà Nội, not Quảng Trị
    sheet.append(village(rows[7], name="Bản Trống", households=0, power="khoảng 50"))  # 14
    sheet.append(["Cộng", None, None, None, 999])  # 15: total row
    save(book, path)


if __name__ == "__main__":
    vietnamese_workbook(HERE / "quang_tri_vi.xlsx")
    english_csv(HERE / "quang_tri_en.csv")
    windows_csv(HERE / "quang_tri_cp1258.csv")
    broken_workbook(HERE / "broken.xlsx")
    print("wrote", ", ".join(sorted(p.name for p in HERE.iterdir() if p.suffix != ".py")))
