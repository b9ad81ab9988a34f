"""A KMZ of several KML documents is read whole, within one limit (issue 41, item 10)."""

from __future__ import annotations

import zipfile

import pytest

from whitespot.data import ArchiveLimitError, read_kml

DOC = (
    '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
    "<Document><!--{pad}--><Placemark><name>{name}</name>"
    "<Point><coordinates>106.6,16.9</coordinates></Point></Placemark></Document></kml>"
)


def test_the_size_limit_holds_for_the_documents_together(tmp_path):
    path = tmp_path / "two.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("a", "b"):
            archive.writestr(f"{name}.kml", DOC.format(pad=" " * 1_500_000, name=name))
    assert read_kml(path, max_ratio=1e6)["name"].tolist() == ["a", "b"]
    with pytest.raises(ArchiveLimitError, match=r"3 MB with the other documents.*limit of 2 MB"):
        read_kml(path, max_inflated_mb=2, max_ratio=1e6)  # each is 1.5 MB: under it alone
