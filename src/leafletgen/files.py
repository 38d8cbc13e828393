"""Output files: written atomically and identified by content hash.

A file is written so that it appears whole under its name or not at all, and so that an
interrupted write leaves nothing readable behind:

- where the system allows it (Linux, most local file systems), the data goes to an unnamed
  file (``O_TMPFILE``) that is given its name only once complete: a process killed while
  writing leaves no file at all;
- otherwise a hidden temporary file ``.<name>.XXXXXXXX.tmp`` in the same folder is renamed
  into place. Its writer holds a lock on it until then, so ``remove_leftovers`` (run by the
  next build or packet) deletes only the temporary files of writers that died, never those of
  a build still running into the same folder.

``private_temp_folder`` gives a process a temporary folder of its own (WeasyPrint copies the
fonts into one) that is removed when it exits, or by the next run when it was killed.

Kept free of WeasyPrint so that commands which render nothing start fast.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterable
from pathlib import Path

from leafletgen.errors import UsageError

# .<name>.<8 random characters>.tmp: the temporary files write_atomic may leave
LEFTOVER = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")
_RANDOM = "abcdefghijklmnopqrstuvwxyz0123456789_"

# what a full disk is called in messages (the system's "No space left on device" is less plain)
_PLAIN = {errno.ENOSPC: "the disk is full (no space left on device)",
          errno.EDQUOT: "the disk quota is used up (disk quota exceeded)"}

# errors that mean "this way of linking an unnamed file is not available here"
_NO_LINK = {errno.EXDEV, errno.ENOENT, errno.EPERM, errno.EINVAL, errno.ENOSYS,
            errno.EOPNOTSUPP, errno.EACCES}
_AT_FDCWD, _AT_EMPTY_PATH = -100, 0x1000
_link_ways: list[str] | None = None  # the ways of linking that may work in this process


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    ``mode`` 0o600 keeps a file with patient data readable by its owner only. A write that is
    interrupted leaves no temporary file when the system supports unnamed files, else one
    that ``remove_leftovers`` deletes. A full disk is reported as such (OSError ENOSPC).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not _write_unnamed(path, data, mode):
            _write_named(path, data, mode)
    except OSError as exc:
        if exc.errno in _PLAIN:
            raise OSError(exc.errno, _PLAIN[exc.errno]) from None
        raise


def remove_leftovers(folder: Path, names: Collection[str] | None = None) -> list[Path]:
    """Delete the temporary files that interrupted writes left in ``folder``.

    Only ``.<name>.XXXXXXXX.tmp`` files of the given ``names`` (any name when None), and only
    those no running writer holds: another build writing into the same folder keeps its own.
    Returns what was deleted; a file that cannot be examined is left alone.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = LEFTOVER.fullmatch(entry.name)
        if match is None or (names is not None and match["name"] not in names):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its writer lives
            if _same_file(fd, entry.path):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _write_unnamed(path: Path, data: bytes, mode: int) -> bool:
    """Write through an unnamed file linked into place; False when the system cannot."""
    if not hasattr(os, "O_TMPFILE") or _link_ways == []:
        return False
    try:
        fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return False  # a file system (or kernel) without unnamed files
        raise
    try:
        _lock(fd)  # before it has a name: remove_leftovers must never take it
        _fill(fd, data, mode)
        try:
            return _link(fd, path)  # linked directly (there was no file of that name), or not
        except FileExistsError:
            pass
        # replacing a file: link under a temporary name, then rename over it
        while True:
            temporary = path.with_name(f".{path.name}.{_random8()}.tmp")
            try:
                if not _link(fd, temporary):
                    return False
                break
            except FileExistsError:
                continue
        try:
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return True
    finally:
        os.close(fd)


def _write_named(path: Path, data: bytes, mode: int) -> None:
    """Write a locked hidden temporary file in the same folder, then rename it into place."""
    while True:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        _lock(fd)
        if _same_file(fd, temporary):
            break
        os.close(fd)  # remove_leftovers took it before it was locked: make another
    try:
        _fill(fd, data, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    finally:
        os.close(fd)


def _fill(fd: int, data: bytes, mode: int) -> None:
    _write_all(fd, data)
    os.fsync(fd)
    os.fchmod(fd, mode)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _link(fd: int, target: Path) -> bool:
    """Give the unnamed file ``fd`` the name ``target``; False when no way of linking works.

    Raises FileExistsError when ``target`` exists, and OSError for other failures.
    """
    global _link_ways
    ways = _link_ways if _link_ways is not None else ["proc", "empty-path"]
    for way in list(ways):
        try:
            if way == "proc":
                os.link(f"/proc/self/fd/{fd}", target, follow_symlinks=True)
            else:
                _linkat_empty_path(fd, target)
        except OSError as exc:
            if exc.errno not in _NO_LINK or (exc.errno == errno.ENOENT
                                              and not target.parent.is_dir()):
                raise
            ways.remove(way)  # not available here: do not try it again in this process
            continue
        _link_ways = ways
        return True
    _link_ways = ways
    return False


def _linkat_empty_path(fd: int, target: Path) -> None:
    """linkat(fd, "", AT_FDCWD, target, AT_EMPTY_PATH): needs CAP_DAC_READ_SEARCH on most
    kernels, but works where /proc cannot be used (some sandboxes)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.linkat(fd, b"", _AT_FDCWD, os.fsencode(target), _AT_EMPTY_PATH) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _lock(fd: int) -> None:
    with contextlib.suppress(OSError):  # a file system without locks: no lock to hold
        fcntl.flock(fd, fcntl.LOCK_EX)


def _same_file(fd: int, path: str | os.PathLike) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        named = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _random8() -> str:
    return "".join(secrets.choice(_RANDOM) for _ in range(8))


def private_temp_folder(kind: str) -> Path | None:
    """A new folder ``<temp>/leafletgen-<uid>/<kind>-XXXXXXXX`` that this process owns.

    It is locked while this process lives and removed when it exits; the folders of
    processes that died without removing theirs (kill -9, a cancelled CI job) are removed
    when the next one is made. None when the shared folder cannot be trusted (another user
    owns it, or it is a link): the caller then uses the system's temporary folder as before.
    """
    for _ in range(5):  # another process may remove the shared folder just as this one starts
        shared = _shared_temp_folder()
        if shared is None:
            return None
        _remove_dead(shared, kind)
        try:
            folder = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=shared))
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        _lock(fd)
        if not _same_file(fd, folder):
            os.close(fd)  # a starting process took it for a dead one's: make another
            continue
        if not _held:
            atexit.register(_remove_own)
        _held[folder] = (fd, os.getpid())
        return folder
    return None


# this process's private temporary folders, each with its lock and the process that made it
_held: dict[Path, tuple[int, int]] = {}


def _shared_temp_folder() -> Path | None:
    shared = Path(tempfile.gettempdir()) / f"leafletgen-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        shared.mkdir(mode=0o700)
    try:
        info = os.lstat(shared)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() \
            or info.st_mode & 0o077:
        return None
    return shared


def _remove_dead(shared: Path, kind: str) -> None:
    """Remove the ``kind`` folders in ``shared`` whose process no longer holds them."""
    try:
        entries = [e for e in os.scandir(shared) if e.name.startswith(f"{kind}-")]
    except OSError:
        return
    for entry in entries:
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                         | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its process lives
            if _same_file(fd, entry.path):
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            pass
        finally:
            os.close(fd)


def _remove_own() -> None:
    for folder, (fd, pid) in list(_held.items()):
        del _held[folder]
        if pid != os.getpid():
            continue  # a forked child: the folder is its parent's
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)
        with contextlib.suppress(OSError):
            folder.parent.rmdir()  # only when no other process has a folder there


def cache_home() -> Path:
    """leafletgen's folder in the user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``);
    RuntimeError when there is no home folder. It holds what can be made again: never patient
    data, never a leaflet's text."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "leafletgen"


def prune_oldest(folder: Path, keep: int, suffix: str = "") -> None:
    """Delete the files of ``folder`` (ending in ``suffix``) written longest ago beyond the
    ``keep`` newest; files that cannot be seen or deleted are left."""
    with os.scandir(folder) as entries:
        files = []
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.name.endswith(suffix) and entry.is_file():
                    files.append((entry.stat().st_mtime_ns, entry.path))
    for _, path in sorted(files)[:-keep] if keep else sorted(files):
        with contextlib.suppress(OSError):
            os.unlink(path)


def sha256_bytes(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    """The hex SHA-256 of a file's content, or None when it does not exist."""
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return None


def content_stamp(files: Collection[Path], folders: Collection[Path] = ()) -> tuple[object, ...]:
    """What a result read from ``files`` and the listings of ``folders`` depends on: each
    file's path and a hash of its content (None when missing), and each folder's file names.

    Two equal stamps mean the same inputs, whatever the clock or the file times say, so a
    result kept under a stamp is never stale.
    """
    stamp: list[object] = []
    for path in sorted(files):
        try:
            stamp.append((str(path), hashlib.sha256(path.read_bytes()).digest()))
        except OSError:
            stamp.append((str(path), None))
    for folder in sorted(folders):
        try:
            stamp.append((str(folder), tuple(sorted(p.name for p in folder.iterdir()))))
        except OSError:
            stamp.append((str(folder), None))
    return tuple(stamp)


def link_out_of(path: Path, folder: Path) -> str | None:
    """Why writing ``path`` would leave ``folder``, or None when it would not.

    ``path`` itself a symbolic link (dangling or not: writing would go wherever it points), or
    a folder on the way that resolves outside ``folder``. Said in words for messages.
    """
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return f"{path.name} is a symbolic link; delete it or write elsewhere"
    except FileNotFoundError:
        pass
    except OSError as exc:
        return f"cannot examine {path.name}: {exc.strerror}"
    if not path.parent.resolve().is_relative_to(folder.resolve()):
        return f"the folder {path.parent.name} is a link to a place outside {folder}"
    return None


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file that is not a symbolic link, at most ``limit`` of them.

    OSError ELOOP for a link, EINVAL for what is not a regular file (a device, a pipe) and
    EFBIG for more than ``limit`` bytes; never reads more than ``limit + 1``.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit:,} bytes")
    return data


def find_pdfs(paths: Iterable[Path]) -> list[Path]:
    """The PDF files named in ``paths`` (files, or folders of ``*.pdf``), in order, once each."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.pdf"))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(dict.fromkeys(files))
