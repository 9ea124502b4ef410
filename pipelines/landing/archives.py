"""Archives: a .zip is unpacked and each file in it lands as an input of its own, named
``archive.zip!member.docx``; the archive itself stays in the store as it arrived.

Nothing is unpacked onto the disk: a member's bytes go into the content store under their hash,
so no member name can write anywhere, and a name that climbs out of the archive (``../x``, an
absolute path, a drive letter) is refused all the same, since it is no name a person gave a
report. Zip bombs are read no further than the limits: a member is read only when the size its
header states is within MAX_MEMBER_BYTES (and zipfile never inflates past that size), and an
archive gives at most MAX_TOTAL_BYTES and MAX_MEMBERS files in all (archives inside it
included, down to MAX_DEPTH levels). What is left
out, and why, is told by the archive's own row of rejected_sources (the reading stage calls
unpack again to say it).

Chinese zips made on Windows store their names in GBK without saying so (no UTF-8 flag): those
names are read as GB18030, so 报告.docx keeps its name.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from pipelines.landing.store import Arrival, ContentStore, open_regular

SEPARATOR = "!"
ORIGIN = "archive"
MAX_MEMBER_BYTES = 30 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 500
MAX_DEPTH = 3
ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")
# The part that tells what an Office Open XML or OpenDocument package is: read as such, never
# unpacked.
PACKAGE_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/epub+zip": "epub",
}
UNSAFE_PATH = re.compile(r"^(?:/|[A-Za-z]:)|(?:^|/)\.\.(?:/|$)")
UTF8_NAMES = 0x800
ENCRYPTED = 0x1


@dataclass(frozen=True)
class Member:
    """A file of an archive: its path inside (nested archives joined by !), and its bytes, or
    why it was left out."""

    name: str
    data: bytes | None
    skipped: str | None = None


def _as_file(source: bytes | BinaryIO) -> BinaryIO:
    """An archive's bytes, or the stored file that holds them: a file is read where zipfile
    seeks, its directory and the members taken, never whole (it may be larger than memory)."""
    return io.BytesIO(source) if isinstance(source, bytes) else source


def package_format(archive: zipfile.ZipFile) -> str | None:
    """What Office Open XML or OpenDocument file the zip is, from the part that tells (a stray
    `mimetype` or `[Content_Types].xml` in a plain zip tells nothing); None for a plain zip."""
    names = set(archive.namelist())
    for part, fmt in PACKAGE_PARTS.items():
        if part in names:
            return fmt
    mimetype = archive.read("mimetype") if "mimetype" in names else b""
    return OPENDOCUMENT.get(mimetype.decode("ascii", "replace").strip())


def is_archive(source: bytes | BinaryIO) -> bool:
    """A plain zip (its bytes, or a file at its start): one that is not a Word, Excel,
    PowerPoint or OpenDocument file."""
    if isinstance(source, bytes) and not source.startswith(ZIP_STARTS):
        return False
    try:
        with zipfile.ZipFile(_as_file(source)) as archive:
            return package_format(archive) is None
    # Not only BadZipFile: a name flagged UTF-8 that is not, a field out of range. Such a zip
    # is not unpacked, and reading says what is wrong with it.
    except Exception:
        return False


def member_name(info: zipfile.ZipInfo) -> str:
    """The name as its maker wrote it: GBK names without the UTF-8 flag are decoded as such."""
    if info.flag_bits & UTF8_NAMES:
        return info.filename
    try:
        return info.orig_filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


@dataclass
class Budget:
    """What is left of one archive's allowance, shared by the archives inside it."""

    bytes_left: int = MAX_TOTAL_BYTES
    members_left: int = MAX_MEMBERS


def why_skipped(info: zipfile.ZipInfo, name: str, budget: Budget) -> str | None:
    parts = name.split("/")
    if UNSAFE_PATH.search(name):
        return "a path that leads outside the archive"
    if "__MACOSX" in parts or any(part.startswith(".") for part in parts):
        return "system metadata (__MACOSX, a hidden file)"
    if info.flag_bits & ENCRYPTED:
        return "encrypted: it needs a password"
    if budget.members_left <= 0:
        return f"over the limit of {MAX_MEMBERS} files per archive"
    if info.file_size > MAX_MEMBER_BYTES:
        return f"too large: {info.file_size:,} bytes unpacked, over the {MAX_MEMBER_BYTES:,} limit"
    if info.file_size > budget.bytes_left:
        return f"the archive unpacks to more than {MAX_TOTAL_BYTES:,} bytes"
    return None


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> Member:
    """A member's bytes, read no further than the limits whatever its header says."""
    name = member_name(info).replace("\\", "/")
    skipped = why_skipped(info, name, budget)
    if skipped:
        return Member(name, None, skipped)
    try:
        # zipfile inflates no further than the size the header states (checked above), and a
        # stream that would go on fails its CRC: a lying header cannot unpack more.
        with archive.open(info) as handle:
            data = handle.read()
    # Any error of the member's compression (zlib's, LZMA's, bz2's) or of zipfile's own.
    except Exception as error:
        return Member(name, None, f"damaged or of an unsupported compression: {error}")
    budget.bytes_left -= len(data)
    budget.members_left -= 1
    return Member(name, data)


def unpack(source: bytes | BinaryIO, depth: int = 1, budget: Budget | None = None) -> list[Member]:
    """Every file of the archive (its bytes, or a file at its start), archives inside it
    unpacked too (their members named inner.zip!file), each with its bytes or the reason it
    was left out."""
    budget = budget or Budget()
    members: list[Member] = []
    with zipfile.ZipFile(_as_file(source)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            member = read_member(archive, info, budget)
            if member.data is not None and is_archive(member.data) and depth >= MAX_DEPTH:
                # Not landed either: read as a zip, it would say its files were read.
                member = Member(
                    member.name, None, f"an archive nested deeper than {MAX_DEPTH}: not unpacked"
                )
            members.append(member)
            if member.data is None or not is_archive(member.data):
                continue
            members += [
                Member(f"{member.name}{SEPARATOR}{inner.name}", inner.data, inner.skipped)
                for inner in unpack(member.data, depth + 1, budget)
            ]
    return members


def archive_members(
    store: ContentStore, inputs: list[tuple[str, str]], now: str, known: set[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[Arrival]]:
    """Land the files of every archive among inputs (source_name, sha256): each goes into the
    store and, the first time its name brings these bytes (not among known pairs), into the
    arrivals log. Returns (archive!member, sha256) for every file unpacked, and the arrivals
    logged."""
    found: list[tuple[str, str]] = []
    arrivals: list[Arrival] = []
    with store.batch() as batch:
        for source_name, sha256 in inputs:
            # Most inputs are not zips: their first bytes say so without reading the rest.
            with open_regular(store.object_path(sha256)) as handle:
                if handle.read(4) not in ZIP_STARTS or not is_archive(handle):
                    continue
                members = unpack(handle)
            for member in members:
                if member.data is None:
                    continue
                name = f"{source_name}{SEPARATOR}{member.name}"
                member_sha = batch.put(member.data)
                found.append((name, member_sha))
                if (name, member_sha) not in known:
                    arrivals.append(Arrival(name, member_sha, len(member.data), now, ORIGIN))
    store.record(arrivals)
    return found, arrivals
