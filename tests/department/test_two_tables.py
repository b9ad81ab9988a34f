"""Two tables on one sheet, each with its title and header (issue 41, item 12)."""

from __future__ import annotations

import pytest

from whitespot.cli import main
from whitespot.data import ValidationError
from whitespot.department import read_village_list

HEADER = "Thôn,Xã,Số hộ,Kinh độ,Vĩ độ"


def table(title: str, commune: str, first: int, header: str = HEADER) -> list[str]:
    rows = [f"Bản {k},{commune},{10 * k},{106.5 + k / 100},{16.7 + k / 100}" for k in range(3)]
    return [f"{title},,,,", header, *[r.replace("Bản ", f"Bản {first}-") for r in rows]]


def test_a_second_table_on_the_sheet_is_read_and_said(tmp_path, capsys):
    lines = [
        *table("DANH SÁCH THÔN BẢN LÕM SÓNG HUYỆN HƯỚNG HÓA", "Hướng Lập", 1),
        ",,,,",
        *table("DANH SÁCH THÔN BẢN LÕM SÓNG HUYỆN ĐAKRÔNG", "A Ngo", 2),
    ]
    path = tmp_path / "hai_bang.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_village_list(path)
    assert len(read.villages) == 6  # 8 before: the second title and header as villages
    assert read.villages["old_commune"].tolist() == ["Hướng Lập"] * 3 + ["A Ngo"] * 3
    assert read.villages["source_row"].tolist() == [3, 4, 5, 9, 10, 11]
    issues = read.issues.set_index("check")
    assert issues.loc["table_title", "row"] == 7 and issues.loc["repeated_header", "row"] == 8
    assert "titled in row 7" in issues.loc["repeated_header", "message"]
    assert main(["validate", "villages", str(path)]) == 0
    out = capsys.readouterr().out
    assert "6 villages" in out and "another table starts here" in out


def test_a_second_table_with_its_columns_in_another_order_is_refused(tmp_path):
    lines = [
        *table("Huyện Hướng Hóa", "Hướng Lập", 1),
        *table("Huyện Đakrông", "A Ngo", 2, header="Xã,Thôn,Số hộ,Kinh độ,Vĩ độ"),
    ]
    path = tmp_path / "hai_bang.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"row 7 starts a second table.*other columns"):
        read_village_list(path)
