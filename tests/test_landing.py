"""The content-addressed store keeps every input as it arrived and never rewrites it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.landing.listing import list_corpus
from pipelines.landing.sources import land_corpus
from pipelines.landing.store import SYNC_FILE_SYSTEM_FROM, ContentStore
from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.formats import read_source
from pipelines.settings import Settings
from pipelines.up_to_date import inputs_key
from tests.processes import Traced, traced


def test_files_land_once_and_first_arrivals_are_logged(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "district").mkdir(parents=True)
    (corpus / "a.txt").write_bytes("法治政府建设报告".encode())
    (corpus / "district" / "b.txt").write_bytes("法治政府建设报告".encode())
    (corpus / ".hidden").write_bytes(b"ignored")
    store = ContentStore(tmp_path / "store")

    first, _ = land_corpus(corpus, store)
    second, _ = land_corpus(corpus, store)

    assert first["source_name"].to_list() == ["a.txt", "district/b.txt"]
    assert first["is_new"].to_list() == [True, True]
    assert second["is_new"].to_list() == [False, False]
    assert second["arrived_at"].to_list() == first["arrived_at"].to_list()
    objects = [p for p in (tmp_path / "store" / "objects").rglob("*") if p.is_file()]
    assert len(objects) == 1
    assert objects[0].name == hashlib.sha256("法治政府建设报告".encode()).hexdigest()
    assert store.arrivals().height == 2


def test_names_that_are_not_utf8_land_readable_and_stop_nothing(tmp_path: Path) -> None:
    # Linux names are bytes: a GBK name (written by a Chinese Windows, copied as it was) crashed
    # the build's first step, its escaped bytes taken by no file, table or digest.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    root = os.fsencode(corpus)
    os.mkdir(root + b"/" + "区县".encode("gbk"))
    # A GBK folder and file, a UTF-8 one, and bytes no encoding reads.
    for name in ("区县/报告2023.txt".encode("gbk"), b"a.txt", b"\xff\xfe.txt"):
        with open(root + b"/" + name, "wb") as out:
            out.write("法治政府建设报告".encode())
    store = ContentStore(tmp_path / "warehouse" / "store")

    files, rejected = land_corpus(corpus, store)

    assert rejected.is_empty()
    # Bytes no encoding reads keep them, written out.
    assert files["source_name"].to_list() == ["\\xff\\xfe.txt", "a.txt", "区县/报告2023.txt"]
    assert store.arrivals()["source_name"].sort().to_list() == files["source_name"].to_list()
    settings = Settings(corpus, tmp_path / "warehouse" / "fazhi.duckdb")
    assert inputs_key(settings) == inputs_key(settings)


def test_a_file_larger_than_memory_allows_is_kept_a_piece_at_a_time(tmp_path: Path) -> None:
    # Landing read each file whole, and the store's check read each object whole: a disk image
    # dropped in the corpus would have stopped the build for lack of memory. Measured here on a
    # file of 64 MB, by what Python allocates while it lands and is checked.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    size = 64 * 2**20
    with open(corpus / "disk.img", "wb") as image:
        image.write(b"PK\x03\x04 not quite a zip")
        image.truncate(size)
    expected = hashlib.sha256((corpus / "disk.img").read_bytes()).hexdigest()
    store = ContentStore(tmp_path / "warehouse" / "store")
    tracemalloc.start()
    try:
        files, rejected = land_corpus(corpus, store)
        assert store.intact(expected, size)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size / 8
    assert rejected.is_empty()
    assert files.select("source_name", "sha256", "size").rows() == [("disk.img", expected, size)]
    assert store.object_path(expected).stat().st_size == size
    assert not [path for path in store.objects.rglob("*.part")]


def test_a_changed_file_keeps_its_old_bytes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report = corpus / "report.txt"
    report.write_bytes(b"first version")
    store = ContentStore(tmp_path / "store")
    old = land_corpus(corpus, store)[0]["sha256"][0]
    report.write_bytes(b"second version")
    new = land_corpus(corpus, store)[0]["sha256"][0]

    assert store.read(old) == b"first version"
    assert store.read(new) == b"second version"
    assert store.arrivals()["sha256"].to_list() == [old, new]


def test_a_log_line_cut_short_by_a_killed_run_is_skipped(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "store")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(b"a")
    land_corpus(corpus, store)
    with store.log.open("a", encoding="utf-8") as log:
        log.write('{"source_name": "b.txt", "sha2')
    assert store.arrivals()["source_name"].to_list() == ["a.txt"]


def test_lines_of_the_arrivals_log_damaged_are_skipped_by_a_build_and_named_by_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A log damaged on the disk or edited by hand: a build reads the records left (it failed on
    the first line that was no JSON), and verify names each damaged line (it said all was
    well: with no record read, it had nothing to check)."""
    store = ContentStore(tmp_path / "warehouse" / "store")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes("法治政府建设报告".encode())
    land_corpus(corpus, store)
    with store.log.open("a", encoding="utf-8") as log:
        log.write("\x00\x07 garbage }\n")
        log.write('{"source_name": "b.txt"}\n')
        log.write(
            '{"source_name": "c.txt", "sha256": "ab", "size": "big", "arrived_at": "x",'
            ' "origin": "local"}\n'
        )
        log.write('{"source_name": "d.txt", "sha2')
    assert store.arrivals()["source_name"].to_list() == ["a.txt"]
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(tmp_path / "warehouse" / "fazhi.duckdb"))
    assert main(["verify"]) == 1
    out, err = capsys.readouterr()
    assert "1 stored inputs checked, 0 missing or changed; 3 lines of the arrivals log" in out
    assert [line.rsplit(" line ", 1)[1] for line in err.splitlines()] == [
        "2: no arrival record",
        "3: no arrival record",
        "4: no arrival record",
    ]


def test_verify_rehashes_the_whole_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes("法治政府建设报告".encode())
    (corpus / "b.txt").write_bytes("依法行政工作报告".encode())
    store = ContentStore(tmp_path / "warehouse" / "store")
    land_corpus(corpus, store)
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(tmp_path / "warehouse" / "fazhi.duckdb"))
    assert main(["verify"]) == 0
    assert "2 stored inputs checked, 0 missing or changed" in capsys.readouterr().out
    # One byte changed in place (the same size), one object gone.
    changed = store.object_path(hashlib.sha256("法治政府建设报告".encode()).hexdigest())
    changed.chmod(0o644)
    changed.write_bytes("法治政府建设报吿".encode())
    gone = store.object_path(hashlib.sha256("依法行政工作报告".encode()).hexdigest())
    gone.unlink()

    assert main(["verify"]) == 1
    out, err = capsys.readouterr()
    assert "2 stored inputs checked, 2 missing or changed" in out
    assert changed.name in err and gone.name in err


def land_traced(tmp_path: Path, store: Path, files: int) -> tuple[dict[str, bytes], Traced]:
    """A corpus of that many small reports landed into store in a process of its own, with the
    system calls that sync and rename traced."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = {f"r{n}.txt": f"第{n}份法治政府建设报告".encode() for n in range(files)}
    for name, data in texts.items():
        (corpus / name).write_bytes(data)
    landing = traced(
        "import sys; from pathlib import Path; from pipelines.landing.sources import land_corpus; "
        "from pipelines.landing.store import ContentStore; "
        "land_corpus(Path(sys.argv[1]), ContentStore(Path(sys.argv[2])))",
        [str(corpus), str(store)],
        "fsync,rename,sync,syncfs",
        tmp_path / "trace.txt",
    )
    return texts, landing


def test_landing_syncs_each_new_object_before_naming_it_and_never_the_whole_disk(
    tmp_path: Path,
) -> None:
    """Seen in the system calls landing makes (strace): every new object's bytes are synced
    before the rename that names it, its folder after, and no sync() flushes every file system
    of the machine (a few objects: fewer than SYNC_FILE_SYSTEM_FROM)."""
    store = tmp_path / "store"
    texts, landing = land_traced(tmp_path, store, 3)
    assert not [call for call in landing.calls if re.search(r"\b(sync|syncfs)\(", call)]
    first = landing.first

    for data in texts.values():
        sha256 = hashlib.sha256(data).hexdigest()
        folder = re.escape(str(store / "objects" / sha256[:2]))
        renamed = first(rf'rename\("{folder}/\.[^"]+", "{folder}/{sha256}"\) = 0')
        assert first(rf"fsync\(\d+<{folder}/\.[^>]+>") < renamed
        assert first(rf"fsync\(\d+<{folder}>") > renamed


def test_landing_many_objects_syncs_the_store_file_system_around_the_renames(
    tmp_path: Path,
) -> None:
    """From SYNC_FILE_SYSTEM_FROM new objects, landing flushes the one file system holding the
    store (syncfs) before the first rename and after the last, instead of syncing each object
    and folder; never sync(), which flushes every file system of the machine."""
    store = tmp_path / "store"
    texts, landing = land_traced(tmp_path, store, SYNC_FILE_SYSTEM_FROM)
    objects = re.escape(str(store / "objects"))
    renames = [
        i for i, call in enumerate(landing.calls) if re.search(rf'rename\("{objects}/', call)
    ]
    flushes = [i for i, call in enumerate(landing.calls) if re.search(r"\bsyncfs\(", call)]
    assert len(renames) == len(texts)
    assert len(flushes) == 2 and flushes[0] < renames[0] and flushes[1] > renames[-1]
    assert all(f"<{store}>" in landing.calls[i] for i in flushes)
    assert not [
        call for call in landing.calls if re.search(rf"\b(sync\(|fsync\(\d+<{objects})", call)
    ]


def test_files_unchanged_since_the_last_landing_are_not_read_again(tmp_path: Path) -> None:
    """With the hash index, the second landing opens only the file that changed (strace), and a
    change that keeps the size and the modification time is still seen."""
    corpus, store, index = tmp_path / "corpus", tmp_path / "store", tmp_path / "hashes.json"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(f"{name}法治政府建设报告", encoding="utf-8")
    land = (
        "import sys; from pathlib import Path; from pipelines.landing.sources import land_corpus; "
        "from pipelines.landing.store import ContentStore; import json; "
        "files, _ = land_corpus(Path(sys.argv[1]), ContentStore(Path(sys.argv[2])), "
        "hashes=Path(sys.argv[3])); print(json.dumps(dict(files.select('source_name', 'sha256').rows())))"
    )

    def landing() -> tuple[list[str], dict[str, str]]:
        done = traced(land, [str(corpus), str(store), str(index)], "openat", tmp_path / "trace.txt")
        opened = re.findall(rf'"{re.escape(str(corpus))}/([^"]+)"', "\n".join(done.calls))
        return opened, json.loads(done.stdout)

    opened, first = landing()
    assert sorted(set(opened)) == ["a.txt", "b.txt"]
    # The same bytes count, the same modification time: only the change time tells.
    stat = (corpus / "b.txt").stat()
    (corpus / "b.txt").write_text("b.txt法治政府建设汇报", encoding="utf-8")
    os.utime(corpus / "b.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (corpus / "b.txt").stat().st_size == stat.st_size
    opened, second = landing()
    assert sorted(set(opened)) == ["b.txt"]
    assert second["a.txt"] == first["a.txt"]
    assert second["b.txt"] == hashlib.sha256((corpus / "b.txt").read_bytes()).hexdigest()
    assert second["b.txt"] != first["b.txt"]
    # An object gone from the store is stored again from the file, unchanged as it is.
    ContentStore(store).object_path(first["a.txt"]).unlink()
    opened, _ = landing()
    assert sorted(set(opened)) == ["a.txt"]
    assert ContentStore(store).intact(first["a.txt"])


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_archives_nested_past_the_limit_are_left_out_and_each_zip_says_only_what_landed(
    tmp_path: Path,
) -> None:
    """Four zips, one in the next, a report in each: landing unpacks three levels. Each zip's
    row says which of its files were read as inputs of their own, and those are exactly the
    ones landed (a zip read again from the top said the deeper ones were read too)."""
    report = "某区法治政府建设年度报告。全年办理行政复议案件{}件。".format
    fourth = _zip({"r4.txt": report(4).encode()})
    third = _zip({"r3.txt": report(3).encode(), "d.zip": fourth})
    second = _zip({"r2.txt": report(2).encode(), "c.zip": third})
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.zip").write_bytes(_zip({"r1.txt": report(1).encode(), "b.zip": second}))
    store = ContentStore(tmp_path / "store")
    files = land_corpus(corpus, store)[0]
    landed = set(files["source_name"])
    assert landed == {
        "a.zip",
        "a.zip!r1.txt",
        "a.zip!b.zip",
        "a.zip!b.zip!r2.txt",
        "a.zip!b.zip!c.zip",
        "a.zip!b.zip!c.zip!r3.txt",
    }
    for name, sha256 in files.select("source_name", "sha256").iter_rows():
        if not name.endswith(".zip"):
            continue
        with pytest.raises(UnreadableSource) as said:
            read_source(name, "zip", store.read(sha256))
        claimed = set(re.findall(r"archive!([^,)]+)", str(said.value).split("; left out")[0]))
        inside = {
            other.removeprefix(f"{name}!") for other in landed if other.startswith(f"{name}!")
        }
        assert claimed == inside, str(said.value)
    with pytest.raises(UnreadableSource, match=r"left out: b.zip!c.zip!d.zip \(an archive nested"):
        read_source("a.zip", "zip", (corpus / "a.zip").read_bytes())


def test_a_named_pipe_in_a_files_place_is_refused_not_waited_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file replaced by a named pipe between the listing and the read, and store objects
    replaced by a pipe and by a folder: landing waited for a writer for ever (and the build
    with it), verify and a build from scratch waited on the object, and verify stopped at the
    folder. Each is refused at once, saying what it is."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (corpus / name).write_bytes(f"法治政府建设报告{name}".encode())
    listing = list_corpus(corpus)
    (corpus / "b.txt").unlink()
    os.mkfifo(corpus / "b.txt")
    store = ContentStore(tmp_path / "warehouse" / "store")
    files, rejected = land_corpus(corpus, store, listing)
    assert sorted(files["source_name"]) == ["a.txt", "c.txt"]
    assert rejected.select("source_name", "reason").rows() == [
        ("b.txt", "cannot read: not a file but a named pipe")
    ]
    a, c = (hashlib.sha256(f"法治政府建设报告{n}".encode()).hexdigest() for n in ("a.txt", "c.txt"))
    store.object_path(a).unlink()
    os.mkfifo(store.object_path(a))
    store.object_path(c).unlink()
    store.object_path(c).mkdir()
    with pytest.raises(OSError, match="not a file but a named pipe"):
        store.read(a)
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(tmp_path / "warehouse" / "fazhi.duckdb"))
    assert main(["verify"]) == 1
    out, err = capsys.readouterr()
    assert "2 stored inputs checked, 2 missing or changed" in out
    assert a in err and c in err


def test_what_is_in_the_corpus_and_no_file_is_refused_by_name(tmp_path: Path) -> None:
    """A link that leads nowhere, a named pipe and a link to a device were passed over without
    a word (the README says such inputs are refused, each with its reason)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes("法治政府建设报告".encode())
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "folder_link").symlink_to(tmp_path)
    files, rejected = land_corpus(corpus, ContentStore(tmp_path / "store"))
    assert files["source_name"].to_list() == ["a.txt"]
    assert rejected.select("source_name", "reason").rows() == [
        ("gone.txt", f"cannot read: a link that leads nowhere ({tmp_path / 'nowhere.txt'})"),
        ("pipe.txt", "cannot read: not a file but a named pipe"),
        ("zero.txt", "cannot read: not a file but a device"),
    ]


def test_files_landed_by_threads_at_once_keep_each_content_once_and_the_listing_order(
    tmp_path: Path,
) -> None:
    # Many files, most of them sharing their bytes with others, so that threads storing at
    # once meet the same object: each content is stored once, no partial file is left, and
    # the files come out in the listing's order.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    contents = [f"第{n % 7}份法治政府建设报告".encode() * 200 for n in range(120)]
    for number, data in enumerate(contents):
        (corpus / f"r{number:03}.txt").write_bytes(data)
    store = ContentStore(tmp_path / "store")

    files, rejected = land_corpus(corpus, store)

    assert rejected.height == 0
    assert files["source_name"].to_list() == [f"r{number:03}.txt" for number in range(120)]
    assert files["sha256"].to_list() == [hashlib.sha256(data).hexdigest() for data in contents]
    stored = sorted(path for path in (tmp_path / "store" / "objects").rglob("*") if path.is_file())
    assert [path.name for path in stored] == sorted(
        {hashlib.sha256(data).hexdigest() for data in contents}
    )
