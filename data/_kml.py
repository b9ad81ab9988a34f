"""KML and KMZ files, as Google Earth and Google My Maps write them.

Provincial offices keep many village lists as placemarks drawn in Google Earth: a name, a
description, attributes in ``ExtendedData`` (``<Data name="Số hộ">``), folders by commune.
GDAL's KML drivers read one folder per layer and turn attribute names outside ASCII into
underscores (``Số hộ`` becomes ``S____h___``), so the file is read here with the standard
library's XML parser (whose expat limits entity expansion): every placemark of every
folder, each attribute under its own name.

A KMZ is a zip from anywhere, so its document is inflated within limits
(:data:`KMZ_MAX_INFLATED_MB`, :data:`KMZ_MAX_RATIO`): a small KMZ that would inflate to
gigabytes (a zip bomb) is refused by what its directory declares, before anything is
inflated (Python's zipfile never inflates more than the size declared).
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from html import unescape
from os import PathLike
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import shapely

from whitespot._errors import InputError
from whitespot.data._crs import WGS84
from whitespot.data._encoding import decode_text
from whitespot.data._problems import Problem, ValidationError

KML_SUFFIXES = (".kml", ".kmz")
"""Suffixes read by :func:`read_kml`."""

KML_COLUMNS = ("name", "description", "folder")
"""Columns every placemark has, before its own attributes."""

KMZ_MAX_INFLATED_MB = 256.0
"""Largest KML document a KMZ may inflate to, MB (10^6 bytes). A province's villages drawn
in Google Earth are a few MB; parsing takes about twice the document in memory. Raise it
with ``read_kml(..., max_inflated_mb=)`` or the environment variable
:data:`KMZ_MAX_MB_VARIABLE`."""

KMZ_MAX_RATIO = 100.0
"""Largest ratio of a KMZ document's inflated to compressed size (Apache POI's
``ZipSecureFile`` refuses the same 1:100 by default; KML compresses 5-30 times, a zip bomb
about 1,000). Checked for documents of more than :data:`KMZ_RATIO_FROM_MB`. Raise it with
``read_kml(..., max_ratio=)`` or the environment variable :data:`KMZ_MAX_RATIO_VARIABLE`."""

KMZ_RATIO_FROM_MB = 1.0
"""Documents up to this size, MB, are not held to :data:`KMZ_MAX_RATIO` (a small file of
repeated placemarks may compress well and is harmless)."""

KMZ_MAX_MB_VARIABLE = "WHITESPOT_KMZ_MAX_MB"
"""Environment variable that sets the inflated-size limit of a KMZ, MB."""

KMZ_MAX_RATIO_VARIABLE = "WHITESPOT_KMZ_MAX_RATIO"
"""Environment variable that sets the compression-ratio limit of a KMZ."""


class ArchiveLimitError(ValidationError):
    """A KMZ whose document inflates beyond the limits (a zip bomb, or a very large file).

    The message names the file, its document, the size or ratio and the limit, and how to
    raise the limit for a file that is trusted.
    """


_TAG = re.compile(r"<[^>]+>")
_ROW = re.compile(
    r"<tr[^>]*>\s*<td[^>]*>((?:(?!<td|</tr).)*?)</td>"  # the name, then the value
    r"\s*<td[^>]*>((?:(?!<td|</tr).)*?)</td>\s*</tr>",
    flags=re.IGNORECASE | re.DOTALL,
)
"""A table row of two cells, name and value, as ArcGIS writes attributes into descriptions."""
_SPACE = re.compile(r"[ \t]+")


def read_kml(
    path: str | PathLike,
    label: str | None = None,
    *,
    max_inflated_mb: float | None = None,
    max_ratio: float | None = None,
) -> gpd.GeoDataFrame:
    """Read every placemark of a KML or KMZ file as one layer.

    Parameters
    ----------
    path : path-like
        A ``.kml`` file, or a ``.kmz`` (a zip holding one or several: every document is
        read, ``doc.kml`` first, and one that is empty or not KML is skipped and said).
    label : str, optional
        How errors name the file (default ``"layer (name)"``).
    max_inflated_mb : float, optional
        Largest document a KMZ may inflate to, MB; default the environment variable
        ``WHITESPOT_KMZ_MAX_MB``, else :data:`KMZ_MAX_INFLATED_MB` (256).
    max_ratio : float, optional
        Largest inflated-to-compressed ratio of a KMZ's document (above
        :data:`KMZ_RATIO_FROM_MB`); default ``WHITESPOT_KMZ_MAX_RATIO``, else
        :data:`KMZ_MAX_RATIO` (100).

    Returns
    -------
    geopandas.GeoDataFrame
        ``name``, ``description`` (text, HTML tags removed), ``folder`` (the innermost
        folder's name, ``""`` outside any), then each ``ExtendedData`` attribute
        (``Data`` or ``SimpleData``) under its own name, as text, and those written only
        into the description as rows of name and value (as ArcGIS exports them);
        geometry in EPSG:4326 (points, lines, polygons and their collections; heights
        dropped; None for a placemark without one; a ``gx:Track`` as its line), in the
        file's order. ``attrs["kml_tracks"]`` holds the positions of the placemarks
        drawn as tracks (:data:`TRACKS`), ``attrs["kml_notes"]`` what was said of the
        reading (:data:`NOTES`). Each document is decoded by what its bytes hold, not by
        its ``encoding=`` declaration (a contradiction is said).

    Raises
    ------
    ValidationError
        If the file is not KML (or a KMZ without one), naming it; if it holds no
        placemarks but a ``NetworkLink`` to another file, naming the link.
    ArchiveLimitError
        If a KMZ's document would inflate beyond the limits, before it is inflated.
    InputError
        If a limit (argument or environment variable) is not a positive number.
    """
    path = Path(path)
    label = label or f"layer ({path.name})"
    limits = (
        _limit(max_inflated_mb, KMZ_MAX_MB_VARIABLE, KMZ_MAX_INFLATED_MB, "max_inflated_mb"),
        _limit(max_ratio, KMZ_MAX_RATIO_VARIABLE, KMZ_MAX_RATIO, "max_ratio"),
    )
    try:
        documents = _kml_documents(path, label, *limits)
    except (zipfile.BadZipFile, KeyError) as error:
        raise ValidationError(
            [Problem(label, "file", "unreadable_file", f"cannot be read as KML: {error}")]
        ) from error
    notes: list[tuple[str, str]] = []
    found = [_parsed(name, raw, label, len(documents) > 1, notes) for name, raw in documents]
    roots = [(name, root) for name, root in found if root is not None]
    placemarks = [(p, folder) for _, root in roots for p, folder in _placemarks(root, "")]
    if len(documents) > 1:
        notes.append(("kml_documents", _documents_note(path, roots)))
    if not placemarks:
        _refuse_links_only(path, label, [root for _, root in roots])
    records, shapes, kinds = [], [], []
    for placemark, folder in placemarks:
        description = _text(_child(placemark, "description"))
        record = {
            "name": _text(_child(placemark, "name")),
            "description": _plain(description),
            "folder": folder,
        }
        for data in placemark.iter():
            kind = _local(data.tag)
            if kind == "Data" and data.get("name"):
                record.setdefault(data.get("name"), _text(_child(data, "value")))
            elif kind == "SimpleData" and data.get("name"):
                record.setdefault(data.get("name"), _text(data))
        for name, value in _ROW.findall(description):  # ArcGIS: attributes in a table
            if _plain(name):
                record.setdefault(_plain(name), _plain(value))
        records.append(record)
        shape, kind = _geometry(placemark)
        shapes.append(shape)
        kinds.append(kind)
    columns = dict.fromkeys(KML_COLUMNS)  # then each attribute where it first appears
    for record in records:
        columns.update(dict.fromkeys(record))
    table = {column: [r.get(column, "") for r in records] for column in columns}
    out = gpd.GeoDataFrame(table, geometry=shapes, crs=WGS84)
    out.attrs[TRACKS] = [k for k, kind in enumerate(kinds) if kind in ("Track", "MultiTrack")]
    out.attrs[NOTES] = notes
    return out


TRACKS = "kml_tracks"
"""Key of ``attrs`` that holds the positions (0-based) of the placemarks drawn as GPS tracks
(``gx:Track``, ``gx:MultiTrack``), read as lines. Kept short: ``attrs`` is copied by every
pandas operation on the frame."""

NOTES = "kml_notes"
"""Key of ``attrs`` that holds what a user should know of the reading, as (check, message):
``kml_documents`` (the documents of a KMZ read, and those without placemarks),
``kml_document_unread`` (a document of a KMZ that is not KML), ``kml_encoding`` (an
``encoding=`` declaration that the file's bytes contradict)."""


def _parsed(
    name: str, raw: bytes, label: str, several: bool, notes: list[tuple[str, str]]
) -> tuple[str, ElementTree.Element | None]:
    """Parse one document (decoded by its content); None for an empty or broken one of several."""
    text, note = _decoded(raw, name)
    if note:
        notes.append(("kml_encoding", note))
    try:
        return name, ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        if several:  # another document of the KMZ may hold the placemarks
            notes.append(("kml_document_unread", f"{name} is not readable KML ({error}): not read"))
            return name, None
        raise ValidationError(
            [Problem(label, "file", "unreadable_file", f"cannot be read as KML: {error}")]
        ) from error


_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")


def _decoded(raw: bytes, name: str) -> tuple[str, str]:
    """Return a document as text, decoded by its bytes, and a note if its declaration differs.

    Google Earth writes UTF-8; a file re-saved by another program may declare one encoding
    and hold another (``windows-1252`` over UTF-8 bytes reads every Vietnamese letter wrong;
    ``UTF-8`` over Windows-1258 bytes stops the parser): the bytes decide.
    """
    declared = _DECLARED.match(raw[:200])
    decoded = decode_text(raw)
    if declared is None or raw.isascii():
        return decoded.text, ""
    said = declared.group(1).decode("ascii")
    try:
        same = codecs.lookup(said).name == codecs.lookup(decoded.encoding).name
        same = same or raw.decode(said) == decoded.text
    except (LookupError, UnicodeDecodeError):
        same = False
    if same:
        return decoded.text, ""
    held = decoded.encoding.upper().replace("CP", "Windows-")
    return decoded.text, (
        f"{name} declares encoding={said!r} but holds {held} text: read as {held} "
        f"(the declaration would garble or refuse its Vietnamese letters)"
    )


def _documents_note(path: Path, roots: list[tuple[str, ElementTree.Element]]) -> str:
    """Say which documents of a KMZ were read, with their placemarks."""
    counts = [(name, sum(1 for _ in _placemarks(root, ""))) for name, root in roots]
    read = [f"{name} ({n:,} placemarks)" for name, n in counts if n]
    empty = [name for name, n in counts if not n]
    note = f"{path.name} holds several KML documents: read " + (", ".join(read) or "none")
    return note + (f"; no placemarks in {', '.join(empty)}" if empty else "")


def _refuse_links_only(path: Path, label: str, roots: list[ElementTree.Element]) -> None:
    """Refuse a file without placemarks that links to another (a Google Earth NetworkLink)."""
    links = [
        _text(_child(link, "href"))
        for root in roots
        for element in root.iter()
        if _local(element.tag) == "NetworkLink"
        for link in element.iter()
        if _local(link.tag) in ("Link", "Url") and _child(link, "href") is not None
    ]
    if links:
        raise ValidationError(
            [
                Problem(
                    label, "file", "network_link",
                    f"{path.name} holds no placemarks: the file only links to {links[0]}"
                    + (f" (and {len(links) - 1} more)" if len(links) > 1 else "")
                    + "; download it (open the link in a browser or in Google Earth and save "
                    "the places as KML/KMZ) and read that file: whitespot opens no network "
                    "connection",
                )
            ]
        )  # fmt: skip


def _limit(given: float | None, variable: str, default: float, name: str) -> float:
    """Return a KMZ limit: the argument, else the environment variable, else the default."""
    text = given if given is not None else os.environ.get(variable, "").strip() or default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        where = f"{name}={given!r}" if given is not None else f"{variable}={text!r}"
        raise InputError(f"{where}: the KMZ limit must be a positive number")
    return value


def _kml_documents(
    path: Path, label: str, max_mb: float, max_ratio: float
) -> list[tuple[str, bytes]]:
    """Return the KML documents of `path`: the file, or every ``.kml`` of a KMZ.

    A KMZ's documents come ``doc.kml`` first, then in the archive's order; they are
    refused by their declared sizes and ratios before any is inflated.
    """
    if not zipfile.is_zipfile(path):
        return [(path.name, path.read_bytes())]
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if m.filename.lower().endswith(".kml")]
        if not members:
            raise KeyError("the KMZ holds no .kml document")
        members.sort(key=lambda m: m.filename != "doc.kml")
        for member in members:
            _check_declared(member, path, label, int(max_mb * 1e6), max_ratio)
        total = sum(m.file_size for m in members)
        if total > max_mb * 1e6:
            raise _too_large(
                path, label, members[0], f"{total / 1e6:,.0f} MB with the other documents", max_mb
            )
        # zipfile inflates at most the declared size (a directory that lies fails its CRC)
        return [(m.filename, archive.read(m)) for m in members]


def _check_declared(
    member: zipfile.ZipInfo, path: Path, label: str, max_bytes: int, max_ratio: float
) -> None:
    """Refuse a KMZ document whose declared size or compression ratio passes the limits."""
    if member.file_size > max_bytes:
        inflated = f"{member.file_size / 1e6:,.0f} MB"
        raise _too_large(path, label, member, inflated, max_bytes / 1e6)
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > KMZ_RATIO_FROM_MB * 1e6 and ratio > max_ratio:
        raise ArchiveLimitError(
            [
                Problem(
                    label,
                    "file",
                    "archive_limit",
                    f"{path.name}: its document {member.filename} would inflate "
                    f"{ratio:,.0f} times ({member.compress_size:,} bytes to "
                    f"{member.file_size:,}), more than the limit of {max_ratio:g} (a zip "
                    "bomb?); refused before inflating it. For a file you trust, raise the "
                    f"limit: {KMZ_MAX_RATIO_VARIABLE}={ratio:.0f}",
                )
            ]
        )


def _too_large(
    path: Path, label: str, member: zipfile.ZipInfo, inflated: str, max_mb: float
) -> ArchiveLimitError:
    return ArchiveLimitError(
        [
            Problem(
                label,
                "file",
                "archive_limit",
                f"{path.name}: its document {member.filename} inflates to {inflated}, more "
                f"than the limit of {max_mb:g} MB; refused before reading it. For a file "
                f"you trust, raise the limit: {KMZ_MAX_MB_VARIABLE}=<MB>",
            )
        ]
    )


def _placemarks(element: ElementTree.Element, folder: str):
    """Yield (placemark, innermost folder name) in document order."""
    for child in element:
        kind = _local(child.tag)
        if kind == "Placemark":
            yield child, folder
        elif kind in ("Folder", "Document", "kml"):
            inner = _text(_child(child, "name")) if kind == "Folder" else folder
            yield from _placemarks(child, inner)


def _geometry(placemark: ElementTree.Element) -> tuple[shapely.Geometry | None, str]:
    """Return the placemark's first geometry and the KML element it was.

    Points, lines, polygons, MultiGeometry, and tracks (``gx:Track``, ``gx:MultiTrack``)
    as lines.
    """
    for child in placemark:
        shape = _shape(child)
        if shape is not None:
            return shape, _local(child.tag)
    return None, ""


def _shape(element: ElementTree.Element) -> shapely.Geometry | None:
    kind = _local(element.tag)
    if kind == "Point":
        points = _coordinates(element)
        return shapely.Point(points[0]) if points else None
    if kind == "LineString":
        points = _coordinates(element)
        return shapely.LineString(points) if len(points) >= 2 else None
    if kind == "Polygon":
        rings = [
            _coordinates(boundary)
            for boundary in element
            if _local(boundary.tag) in ("outerBoundaryIs", "innerBoundaryIs")
        ]
        return shapely.Polygon(rings[0], rings[1:]) if rings and len(rings[0]) >= 3 else None
    if kind in ("Track", "MultiTrack"):  # gx:coord holds "lon lat alt", space separated
        points = [
            _pair(c.text.split()) for c in element.iter() if _local(c.tag) == "coord" and c.text
        ]
        points = [p for p in points if p is not None]
        return shapely.LineString(points) if len(points) >= 2 else None
    if kind == "MultiGeometry":
        parts = [shape for part in element if (shape := _shape(part)) is not None]
        return shapely.GeometryCollection(parts) if parts else None
    return None


def _coordinates(element: ElementTree.Element) -> list[tuple[float, float]]:
    """Return the lon,lat pairs of the first ``coordinates`` element below `element`."""
    for child in element.iter():
        if _local(child.tag) == "coordinates":
            # tuples are separated by spaces; a space after a comma ("106.98, 16.79", as
            # hand-edited files have it) is inside a tuple
            text = _AFTER_COMMA.sub(",", child.text or "")
            pairs = (_pair(item.split(",")) for item in text.split())
            return [p for p in pairs if p is not None]
    return []


_AFTER_COMMA = re.compile(r"\s*,\s*")


def _pair(parts: list[str]) -> tuple[float, float] | None:
    """Return lon, lat of a tuple's parts (height dropped), None if they are not numbers."""
    try:
        return float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        return None


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: ElementTree.Element | None) -> str:
    return "" if element is None or element.text is None else element.text.strip()


def _plain(html: str) -> str:
    """Return a description as text: ``<br>`` as a line break, other tags removed."""
    text = unescape(_TAG.sub("", re.sub(r"<br\s*/?>", "\n", html, flags=re.IGNORECASE)))
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.splitlines()).strip()


def _local(tag: str) -> str:
    """Return a tag without its namespace (``{...kml/2.2}Placemark``: ``Placemark``)."""
    return tag.rsplit("}", 1)[-1]
