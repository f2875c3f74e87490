"""Writing files so that an interrupted or failed write never destroys the user's previous file.

Every file the program writes goes through :func:`atomic_path`: the data goes to a hidden
temporary file beside the target (``.NAME.PID.RANDOM.part``), is flushed to disk, checked to
be complete, and only then renamed over the target in one step. A write that fails (a full
disk, a file-size limit, a writer that reports nothing but stops short) raises and leaves the
old file as it was. A process killed mid-write leaves its ``.part`` file behind; the next
write to the same target removes it (:func:`remove_stale_parts`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PART_SUFFIX = ".part"
# A temporary file whose name carries no process id (written by an older version) is
# removed once it is this old: no write of ours takes a day.
LEGACY_PART_AGE_S = 24 * 3600
_PART_MIDDLE = re.compile(r"(?:(\d+)\.)?[A-Za-z0-9_]+")

Verify = Callable[[Path], None]


class IncompleteWrite(OSError):
    """The new file was not written completely; the previous file was kept."""


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def remove_stale_parts(*targets: str | os.PathLike) -> list[Path]:
    """Remove the temporary files of earlier writes to ``targets`` whose writer is gone.

    A ``.NAME.PID.RANDOM.part`` file is stale when process PID no longer exists (a write
    killed by SIGKILL or a power cut); a live writer's file, ours or another process's, is
    never touched. Each folder is listed once, however many targets it holds (a PNG
    sequence). Returns the files removed. Errors (a read-only folder) are ignored: this is
    tidying, not the write itself.
    """
    folders: dict[Path, set[str]] = {}
    for t in targets:
        t = Path(t)
        folders.setdefault(t.parent, set()).add(t.name)
    removed = []
    now = time.time()
    for folder, names in folders.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if not (name.startswith(".") and name.endswith(PART_SUFFIX)):
                continue
            parts = name[1:-len(PART_SUFFIX)].rsplit(".", 2)
            for target, middle in ((parts[0], ".".join(parts[1:])),
                                   (".".join(parts[:2]), parts[2] if len(parts) > 2 else "")):
                if target in names and _stale(entry, middle, now):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
                    break
    return removed


def _stale(entry, middle: str, now: float) -> bool:
    """Is this part file (``PID.RANDOM``, or an older version's ``RANDOM``) abandoned?"""
    m = _PART_MIDDLE.fullmatch(middle)
    if m is None:
        return False
    try:
        if m.group(1) is not None:
            pid = int(m.group(1))
            # os.kill(pid, 0) only tests existence on POSIX (on Windows it would signal).
            stale = os.name == "posix" and pid != os.getpid() and not _process_alive(pid)
        else:
            stale = now - entry.stat(follow_symlinks=False).st_mtime > LEGACY_PART_AGE_S
        return stale and entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _new_file_mode(target: Path) -> int:
    """The mode a plain open() would give a new file, or the mode of the file replaced."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, verify: Verify | None = None, tidy: bool = True):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    After the body, the temporary file is flushed to disk and ``verify(tmp)`` (if given)
    checks that it is complete, raising :class:`IncompleteWrite` if not. If the body or the
    check raises, the temporary file is removed and ``path`` is left as it was. The new
    file gets the mode of the file it replaces, or the umask's for a new one. With tidy,
    stale temporary files of earlier writes to ``path`` are removed first (a caller
    writing many files removes them once, with remove_stale_parts).
    """
    # Through a symbolic link, the file it points to is replaced, as open() would write it:
    # renaming over the link itself swapped the user's link for a plain file and left the
    # file it named as it was.
    target = Path(os.path.realpath(path))
    if tidy:
        remove_stale_parts(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=PART_SUFFIX,
                               dir=target.parent)
    os.close(fd)
    try:
        os.chmod(tmp, _new_file_mode(target))  # mkstemp makes the file private (0600)
        yield Path(tmp)
        with open(tmp, "rb+") as fh:  # the data is on disk before the rename makes it visible
            os.fsync(fh.fileno())
        if verify is not None:
            verify(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --- checks that a written file is complete -------------------------------------------------
def check_size(size: int) -> Verify:
    """A check that the file holds exactly ``size`` bytes."""
    def verify(path: Path) -> None:
        actual = os.path.getsize(path)
        if actual != size:
            raise IncompleteWrite(f"only {actual} of {size} bytes were written")
    return verify


def check_png(path: Path) -> None:
    """Every chunk of the PNG present with a correct checksum, up to its end marker."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            if im.format != "PNG":
                raise IncompleteWrite("the new file is not a PNG image")
            im.verify()
    except IncompleteWrite:
        raise
    except Exception as exc:  # Pillow reports a cut file as SyntaxError, OSError, EOFError...
        raise IncompleteWrite(f"the new PNG image is incomplete ({exc})") from None


def check_xml(path: Path) -> None:
    """The file parses as a whole XML document (an SVG cut short does not)."""
    import xml.etree.ElementTree as ET

    try:
        ET.parse(path)
    except ET.ParseError as exc:
        raise IncompleteWrite(f"the new file is not complete XML ({exc})") from None


def check_gif(path: Path) -> None:
    """A GIF header at the start and the trailer byte at the end."""
    with open(path, "rb") as fh:
        head = fh.read(6)
        fh.seek(0, os.SEEK_END)
        if fh.tell() < 14 or head not in (b"GIF87a", b"GIF89a"):
            raise IncompleteWrite("the new file is not a GIF image")
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) != b";":
            raise IncompleteWrite("the new GIF image is incomplete (no trailer)")


def write_all(fh, data: bytes) -> None:
    """fh.write(data), refusing the short count Python's buffered writer returns (with no
    error) when a file-size limit cuts the write."""
    written = fh.write(data)
    if written is not None and written != len(data):
        raise IncompleteWrite(f"only {written} of {len(data)} bytes were written")


def write_bytes_atomic(path: str | os.PathLike, data: bytes, verify: Verify | None = None) -> None:
    """Write ``data`` atomically; the file must then hold exactly ``data``'s length and pass
    ``verify`` (a structure check such as check_xml) before it replaces ``path``."""
    def check(tmp: Path) -> None:
        check_size(len(data))(tmp)
        if verify is not None:
            verify(tmp)

    with atomic_path(path, verify=check) as tmp:
        with open(tmp, "wb") as fh:
            write_all(fh, data)


def write_text_atomic(path: str | os.PathLike, text: str, verify: Verify | None = None) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), verify)
