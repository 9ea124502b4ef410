"""Legacy Word (.doc, and .wps files that are Word 97 inside) to text, by LibreOffice.

LibreOffice converts the file to .docx and the .docx reader reads it, so a .doc gives the same
paragraphs and table rows, in the same order, as the .docx saved from it. antiword and catdoc
were tried on a Chinese report: both read the characters, but they wrap paragraphs at a fixed
width and draw tables with | or tabs, so paragraphs would have to be guessed back, and neither
has been maintained for years; LibreOffice is maintained and reads what Word and WPS write.

Each conversion runs in a folder of its own with a private LibreOffice profile (so conversions
never share or corrupt one, and nothing of the user's is read), without network (a document
may link pictures on a web server; a new network namespace has no interface but loopback), and
within a time limit, after which the whole process group is killed. A conversion that fails
or times out is a rejection with the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from functools import cache
from pathlib import Path

from pipelines.fault_injection import pause_at
from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.extracted import Extracted
from pipelines.reading.word import read_docx
from pipelines.settings import convert_timeout

SOFFICE = "soffice"
INSTALL_HINT = "LibreOffice is not installed (make converters installs it)"

# The process groups of the conversions running now: a command stopped by a signal ends them
# with it, or they would run on, orphaned, past their time limit.
_RUNNING: set[int] = set()
_RUNNING_LOCK = threading.Lock()


def stop_conversions() -> None:
    """Kill every conversion running now, LibreOffice and all it started."""
    with _RUNNING_LOCK:
        for group in _RUNNING:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


@cache
def no_network_prefix() -> tuple[str, ...]:
    """The command that runs a program in a network namespace of its own (loopback only), where
    this machine allows one; -r maps the caller to root inside, so it works unprivileged too."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False)
    return (unshare, "-rn") if probe.returncode == 0 else ()


def convert_to_docx(data: bytes, what: str, timeout: float | None = None) -> bytes:
    """The .docx LibreOffice writes from these bytes (read as a Word 97 document), within
    timeout seconds (FAZHI_CONVERT_TIMEOUT when not given)."""
    timeout = convert_timeout() if timeout is None else timeout
    soffice = shutil.which(SOFFICE)
    if soffice is None:
        raise UnreadableSource(f"{what}: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="fazhi-convert-") as work:
        folder = Path(work)
        source = folder / "input.doc"
        source.write_bytes(data)
        command = [
            *no_network_prefix(),
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--infilter=MS Word 97",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        environment = {**os.environ, "HOME": str(folder / "home"), "TMPDIR": str(folder)}
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
        with _RUNNING_LOCK:
            _RUNNING.add(process.pid)
        pause_at("convert.started")
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise UnreadableSource(
                f"{what}: LibreOffice did not convert it within {timeout:g} s"
            ) from None
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(process.pid)
        converted = folder / "out" / "input.docx"
        if process.returncode != 0 or not converted.exists():
            said = " ".join(
                line
                for line in output.decode("utf-8", "replace").splitlines()
                if line.strip() and "javaldx" not in line
            )
            raise UnreadableSource(
                f"{what}: LibreOffice could not convert it (damaged or password-protected?)"
                + (f": {said[:200]}" if said else "")
            )
        return converted.read_bytes()


def read_legacy_word(data: bytes, what: str = "legacy Word (.doc) file") -> Extracted:
    """Paragraphs and table rows in document order, as the .docx reader gives them."""
    converted = convert_to_docx(data, what)
    try:
        return read_docx(converted)
    except UnreadableSource as error:
        raise UnreadableSource(f"{what}: {error}") from error
