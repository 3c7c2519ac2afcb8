"""Every file GD Lab reads or writes goes through here: regular files only, size limits applied while reading,
JSON refused beyond a nesting depth and with duplicate keys, and writes that never leave a half-written file.

Reading: :func:`read_bytes` opens without blocking (a FIFO never hangs), refuses anything but a regular file
(``/dev/zero``, a folder, a FIFO) and reads at most the limit + 1 bytes, so an endless device or a file that grew
since ``stat`` cannot exhaust memory. :func:`read_json` decodes UTF-8 and parses with :func:`parse_json`.

Writing: :func:`write_files` writes each file to a temporary file beside it, and only when every one is complete
renames them into place; on any failure it removes what it wrote, so the folder is as it was (a failing rename
removes the files already renamed). A target that is a folder, a device or a FIFO is refused (renaming onto
``/dev/full`` would replace the device). :class:`PendingFile` does the same for a file written in steps. Files
get the permissions ``open`` would give them (the umask's), not the temporary file's owner-only 0600.

Messages: :func:`quote` shortens a value for an error message, so a 1,000,000-character value gives a short line.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import reprlib
import stat
import sys
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .errors import ConfigError

#: Containers (objects and lists) may nest at most this deep in a config, a session or any JSON file GD Lab reads.
#: A session is 5 deep (session → runs → run → config → optimizer); a deeper file is refused before parsing.
MAX_JSON_DEPTH = 32

#: Integers in a JSON file may have at most this many digits (Python refuses to convert longer ones).
MAX_INT_DIGITS = 4000

#: How long a quoted value in a message may be, in characters.
QUOTE_CHARS = 60


# --- messages ------------------------------------------------------------------------------------------------
class _ShortRepr(reprlib.Repr):
    """``reprlib`` with every kind of value shortened, nesting cut at 3 levels, and integers too long for
    ``repr`` described by their digit count."""

    def __init__(self):
        super().__init__()
        self.maxlevel = 3
        self.maxstring = self.maxother = self.maxlong = QUOTE_CHARS
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 6

    def repr_int(self, x, level):
        if abs(x) < _LONG:
            return repr(x)
        if abs(x) >= _TOO_LONG:
            return f"an integer of more than {MAX_INT_DIGITS:,} digits"
        digits = str(abs(x))
        return f"{'-' if x < 0 else ''}{digits[:10]}...{digits[-4:]} (an integer of {len(digits):,} digits)"

    def repr_str(self, x, level):
        return '""' if x == "" else super().repr_str(x, level)


_LONG, _TOO_LONG = 10 ** QUOTE_CHARS, 10 ** MAX_INT_DIGITS
_SHORT = _ShortRepr()


def quote(value: Any) -> str:
    """A short, recursion-safe ``repr`` of a value for a message: at most about :data:`QUOTE_CHARS` characters
    per string, a few items per container, and ``""`` for the empty string."""
    text = _SHORT.repr(value)
    return text if len(text) <= 4 * QUOTE_CHARS else text[:4 * QUOTE_CHARS] + "..."


def key_name(key: str) -> str:
    """A config key as a message shows it: ``""`` for the empty key, shortened when long."""
    if isinstance(key, str) and key and len(key) <= QUOTE_CHARS and key.isprintable():
        return key
    return quote(key)


def check_plain_name(name: str, key: str, what: str) -> None:
    """Refuse a name holding ``<``: names (runs, data columns) are drawn in Qt and pyqtgraph labels that read
    rich text, where ``<img src="/dev/zero">`` would load - and block on, or exhaust memory with - a file."""
    if "<" in name:
        raise ConfigError(key, f"{what} {quote(name)} holds '<'; names are plain text (no markup)")


# --- reading -------------------------------------------------------------------------------------------------
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: str | os.PathLike, key: str, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, or a :class:`ConfigError` naming ``key``.

    ``stat`` refuses a folder, pipe or device before it is opened; the open never blocks (``O_NONBLOCK``) and
    ``fstat`` checks the opened file again; at most ``max_bytes + 1`` bytes are read.
    """
    path = os.fspath(path)
    if not path:
        raise ConfigError(key, f"needs a {what} name; got an empty one")
    limit = f"the limit for a {what} is " + (f"{max_bytes / 2**20:g} MiB" if max_bytes >= 2**20 else
                                             f"{max_bytes:,} bytes")
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind is not None:
            raise ConfigError(key, f"{path} is {kind}, not a {what}")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            info = os.fstat(fd)
            kind = _not_regular(info.st_mode)
            if kind is not None:
                raise ConfigError(key, f"{path} is {kind}, not a {what}")
            if info.st_size > max_bytes:
                raise ConfigError(key, f"{path} is {info.st_size:,} bytes; {limit}")
            chunks, size = [], 0
            while size <= max_bytes:
                chunk = os.read(fd, min(max_bytes + 1 - size, 2**20))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ConfigError(key, f"cannot read {path}: {exc.strerror or exc}") from None
    except ConfigError:
        raise
    except ValueError:  # a NUL character in the name
        raise ConfigError(key, f"{quote(path)} is not a valid file name") from None
    if size > max_bytes:
        raise ConfigError(key, f"{path} is larger than {max_bytes:,} bytes; {limit}")
    return b"".join(chunks)


# --- JSON ----------------------------------------------------------------------------------------------------
_STRING_OR_PLAIN = re.compile(r'"(?:[^"\\]|\\.)*"|[^"\[\]{}]+')


def json_depth(text: str) -> int:
    """How deep objects and lists nest in JSON ``text`` (0 for a scalar), counted without parsing: strings are
    skipped, then the brackets are summed. Malformed text gives some number; the parser reports its error."""
    brackets = _STRING_OR_PLAIN.sub("", text).replace('"', "")
    return max(itertools.accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def value_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep dicts, lists and tuples nest in ``value``, counted without recursion and only up to ``limit``
    + 1 (so a value that contains itself counts as too deep rather than looping)."""
    deepest, level = 0, [value]
    while level and deepest <= limit:
        containers = [v for v in level if isinstance(v, (dict, list, tuple))]
        if not containers:
            break
        deepest += 1
        level = [item for c in containers for item in (c.values() if isinstance(c, dict) else c)]
    return deepest


def check_depth(value: Any, key: str) -> None:
    """Refuse a value nested deeper than :data:`MAX_JSON_DEPTH` (a Python config passed to validate)."""
    if value_depth(value) > MAX_JSON_DEPTH:
        raise ConfigError(key, f"nests objects and lists more than {MAX_JSON_DEPTH} deep; that is the limit")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) < len(pairs):
        seen = set()
        duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ConfigError("", f"the key {quote(duplicate)} appears twice in one object (each key may appear once)")
    return out


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ConfigError("", f"an integer of {len(text.lstrip('-')):,} digits; at most {MAX_INT_DIGITS:,} "
                              "digits are read")
    return int(text)


#: A surrogate escape in JSON text ("\\ud800"): a half of a character, or of a pair that makes one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
#: Halves of a character that are no file name's byte either (Python holds a byte of a name that is not UTF-8 as
#: U+DC80..U+DCFF): text that cannot be written or printed ("surrogates not allowed" ended gd_core's CLI).
_NOT_TEXT = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def parse_json(text: str, key: str, where: str) -> Any:
    """Parse JSON ``text`` (``where`` names it in messages, e.g. the path): too deep nesting, a duplicate key in
    one object, an integer of more than :data:`MAX_INT_DIGITS` digits, a lone half of a character (a surrogate
    escape that is not a file name's byte) and invalid JSON are each one :class:`ConfigError` naming ``key``."""
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ConfigError(key, f"{where} nests objects and lists {depth:,} deep; the limit is {MAX_JSON_DEPTH}")
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise ConfigError(key, f"{where} line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})") from None
    except ConfigError as exc:
        raise ConfigError(key, f"{where}: {exc.problem}") from None
    if _SURROGATE_ESCAPE.search(text):  # (rare: the whole value is looked at only then)
        half = _NOT_TEXT.search(json.dumps(value, ensure_ascii=False))
        if half:
            raise ConfigError(key, f"{where}: a string holds \\u{ord(half.group()):04x}, half of a character "
                                   "(a lone surrogate): not text")
    return value


def read_json(path: str | os.PathLike, key: str, max_bytes: int, what: str = "file") -> Any:
    """Read a regular UTF-8 JSON file of at most ``max_bytes`` (see :func:`read_bytes`, :func:`parse_json`)."""
    path = os.fspath(path)
    raw = read_bytes(path, key, max_bytes, what)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(key, f"{path} line {line}: not UTF-8 text; a {what} is UTF-8 JSON") from None
    return parse_json(text, key, path)


_READ_BY_STAMP: dict[tuple[str, Callable], tuple[tuple, Any]] = {}


def read_unless_unchanged(path: str | os.PathLike, read: Callable[[str], Any]) -> Any:
    """``read(path)``, or what it gave last time when the file's (size, modification time, inode) are the same
    (the Lessons menu, the lesson panel and each lesson opened listed every lesson by reading every file: 2,970
    reads in one walk through the lessons). An edited or replaced file is read again; a file that cannot be
    looked at (gone, unreadable) is handed to ``read``, which says why."""
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except OSError:
        return read(path)
    stamp, key = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev), (os.path.abspath(path), read)
    kept = _READ_BY_STAMP.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    value = read(path)
    _READ_BY_STAMP[key] = (stamp, value)
    return value


# --- writing -------------------------------------------------------------------------------------------------
Writer = Callable[[str], Any]


def _temporary_beside(path: str) -> str:
    import tempfile  # here: the processes that write no file (the sweep worker) start without it

    folder = os.path.dirname(os.path.abspath(path))
    # the target's own extension: writers like QImage.save choose the format by it
    fd, tmp = tempfile.mkstemp(prefix=".gdlab-", suffix=os.path.splitext(path)[1], dir=folder)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~current_umask())  # as open() would make it: mkstemp's 0600 hides a shared file
    return tmp


def current_umask() -> int:
    """The process's file-creation mask (read by setting it, then setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def writable_target(path: str | os.PathLike) -> str:
    """``path`` if a file may be written there: not empty, and not an existing folder, device, FIFO or socket
    (renaming a finished file onto ``/dev/full`` would replace the device itself), else OSError naming it."""
    path = os.fspath(path)
    if not path:
        raise OSError(2, "an empty file name")
    _check_name_length(path)
    try:
        kind = _not_regular(os.stat(path).st_mode)
    except OSError:
        return path  # not there yet (or unreachable: making the temporary file says why)
    if kind == "a folder":
        raise IsADirectoryError(21, f"{path} is a folder")
    if kind is not None:
        raise OSError(22, f"{path} is {kind}, not a file")
    return path


def _check_name_length(path: str) -> None:
    """Refuse a file name longer than its folder takes, before anything is written: the temporary file beside it
    has a short name, so only the final rename failed - after a whole recording, for an animation."""
    name = os.fsencode(os.path.basename(path))
    try:
        most = os.pathconf(os.path.dirname(path) or ".", "PC_NAME_MAX")
    except (OSError, ValueError):  # a folder that is not there (making the file says so), or no such limit
        return
    if most and len(name) > most:
        raise OSError(36, f"the file name is {len(name):,} bytes long; names there have at most {most}")


def write_files(files: Sequence[tuple[str | os.PathLike, Writer]]) -> None:
    """Write several files all or nothing: each ``write(tmp_path)`` fills a temporary file beside its target
    (returning False means it failed); once all are written they are renamed into place. On any failure every
    temporary file and every file already renamed is removed, and the error (OSError) is raised."""
    pending: list[tuple[str, str]] = []
    placed: list[str] = []
    try:
        for path, write in files:
            path = writable_target(path)
            tmp = _temporary_beside(path)
            pending.append((tmp, path))
            if write(tmp) is False:
                raise OSError(5, f"could not write {path}")
        while pending:
            tmp, path = pending[0]
            os.replace(tmp, path)
            pending.pop(0)
            placed.append(path)
    except BaseException:
        for name in [tmp for tmp, _ in pending] + placed:
            try:
                os.unlink(name)
            except OSError:
                pass
        raise


def write_into(folder: str | os.PathLike, files: Sequence[tuple[str | os.PathLike, Writer]]) -> None:
    """:func:`write_files` into ``folder``, made if it is not there - and removed again, when this call made it
    and the writing failed. A file, pipe or device at ``folder`` is an OSError saying so (making the folder said
    only "File exists")."""
    folder = os.fspath(folder)
    if not folder:
        raise OSError(2, "an empty folder name")
    created = make_folder(folder)
    try:
        write_files(files)
    except OSError:
        if created and not os.listdir(folder):
            os.rmdir(folder)
        raise


def make_folder(folder: str | os.PathLike) -> bool:
    """Make ``folder`` (and its parents) unless it is there; True when this call made it. A file, pipe or device
    there is an OSError saying so (os.makedirs said only "File exists")."""
    try:
        kind = _not_regular(os.stat(folder).st_mode) or "a file"
    except OSError:
        kind = None  # not there yet (or unreachable: making it says why)
    if kind == "a folder":
        return False
    if kind is not None:
        raise NotADirectoryError(20, f"{os.fspath(folder)} is {kind}, not a folder")
    os.makedirs(folder, exist_ok=True)
    return True


def cannot_write(path: str | os.PathLike, error: OSError) -> str:
    """"cannot write PATH: why" for a message (the path said once, whether or not the reason names it)."""
    path = os.fspath(path)
    reason = error.strerror or str(error)
    return f"cannot write {path}: {reason.removeprefix(path + ' ')}"


class PendingFile:
    """A file written in several steps (the frames of a video): :attr:`tmp`, a temporary file beside ``path``,
    becomes ``path`` on :meth:`commit` and disappears on :meth:`discard` - never a half-written ``path``."""

    def __init__(self, path: str | os.PathLike):
        self.path = writable_target(path)
        self.tmp = _temporary_beside(self.path)

    def commit(self) -> int:
        """Put the file in place; returns its size in bytes."""
        try:
            writable_target(self.path)  # still: a FIFO may have been made there meanwhile
            size = os.stat(self.tmp).st_size
            os.replace(self.tmp, self.path)
            return size
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def write_file(path: str | os.PathLike, write: Writer) -> None:
    """Write one file atomically through ``write(tmp_path)`` (see :func:`write_files`)."""
    write_files([(path, write)])


#: How text files are written: UTF-8, a file name's bytes that are not UTF-8 (U+DC80..U+DCFF in Python's strings:
#: a CSV path in a lab report) as they are - "surrogates not allowed" was a crash - and the line ends as given.
_TEXT_FILE = {"encoding": "utf-8", "errors": "surrogateescape", "newline": ""}


def text_writer(text: str) -> Writer:
    def write(tmp: str) -> None:
        with open(tmp, "w", **_TEXT_FILE) as fh:
            fh.write(text)
    return write


def bytes_writer(data: bytes) -> Writer:
    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
    return write


def csv_writer(header: Sequence[str], rows: Iterable[Sequence]) -> Writer:
    """A writer of a UTF-8 CSV file through the csv module: fields with commas or quotes are quoted; floats are
    written as their shortest exact text."""
    def write(tmp: str) -> None:
        with open(tmp, "w", **_TEXT_FILE) as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(header)
            out.writerows(rows)
    return write


def write_text(path: str | os.PathLike, text: str) -> None:
    write_file(path, text_writer(text))


def write_csv(path: str | os.PathLike, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    write_file(path, csv_writer(header, rows))


def rename(path: str | os.PathLike, target: str | os.PathLike) -> None:
    """Give the file ``path`` the name ``target`` in one step (within a folder: atomic), its bytes untouched -
    nothing is read, so neither its size nor what it holds (a FIFO's writer) matters. OSError when it cannot."""
    os.replace(path, target)


# --- file names ----------------------------------------------------------------------------------------------
def _undecodable(path: str) -> bool:
    """Whether ``path`` holds bytes that are not UTF-8 (Python keeps them as lone surrogates: "caf\udce9")."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def path_text(path: str) -> str:
    """``path`` as text that a settings file and Qt's strings keep: the path itself, or - where its name holds
    bytes that are not UTF-8, which Qt's strings drop unsaid ("caf\udce9.json" came back "caf.json", another
    file) - the file URL of its bytes ("file:///tmp/caf%E9.json"). :func:`path_from_text` reads either back."""
    return "file://" + urllib.parse.quote(os.fsencode(path)) if _undecodable(path) else path


def path_from_text(text: str) -> str:
    """The path :func:`path_text` wrote (a path itself is absolute: it never starts with "file://")."""
    return os.fsdecode(urllib.parse.unquote_to_bytes(text[len("file://"):])) if text.startswith("file://") else text


def shown_path(path: str) -> str:
    """``path`` as a message or a menu shows it: each byte that is not UTF-8 as "\ufffd" (Qt dropped them: the
    message named "caf.json", a file that is not there)."""
    return os.fsencode(path).decode("utf-8", "replace") if _undecodable(path) else path


def file_name(path: str) -> str:
    """A file's name as a message shows it (:func:`shown_path`)."""
    return shown_path(os.path.basename(path))


#: How long a file stem may be, in characters and in UTF-8 bytes: a stem with the longest suffix GD Lab adds
#: ("_99" of :func:`unique_stems`, "-report.html") stays well within the 255 bytes a name may take on common file
#: systems (ext4, APFS; NTFS counts 255 UTF-16 units, never more than the bytes).
MAX_STEM_CHARS, MAX_STEM_BYTES = 80, 200

#: Names Windows reserves for devices, whatever follows them after a dot ("CON.gdlab.json" is the console);
#: it reads the superscript digits as digits ("COM¹").
_RESERVED_STEMS = frozenset(["CON", "PRN", "AUX", "NUL"] + [f"{port}{k}" for port in ("COM", "LPT")
                                                           for k in "0123456789¹²³"])


def _kept_in_stem(char: str) -> bool:
    """Whether ``char`` stays in a file stem: a letter, a combining mark or a digit of any script, '-', '_', '.'."""
    return char in "._-" or unicodedata.category(char)[0] in "LMN"


def file_stem(name: str) -> str:
    """A run or lesson name made safe as a file name: its letters, marks and digits of any script (composed,
    NFC: "Κλίση", "Градиентный_спуск"), '-', '_' and '.'; every other run of characters (spaces, path separators,
    control characters, symbols, halves of a character) becomes one '_'. "run" for a name without a letter or
    digit; no leading or trailing dot, never a name Windows reserves ("CON" becomes "CON_"), at most
    :data:`MAX_STEM_CHARS` characters and :data:`MAX_STEM_BYTES` bytes of UTF-8."""
    composed = unicodedata.normalize("NFC", name)
    stem = "".join("".join(run) if kept else "_" for kept, run in itertools.groupby(composed, _kept_in_stem))
    stem = stem[:MAX_STEM_CHARS]
    while len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        stem = stem[:-1]
    if not any(unicodedata.category(c)[0] in "LN" for c in stem):
        stem = "run"  # no letter or digit: nothing names it
    stem = stem.strip("._")
    head, dot, rest = stem.partition(".")
    return f"{head}_{dot}{rest}" if head.upper() in _RESERVED_STEMS else stem


def unique_stems(names: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """A file stem per name (:func:`file_stem`), distinct even on a case-insensitive file system and from every
    ``reserved`` stem: a repeat gets ``_2``, ``_3``, ... (compared case-folded: "ΚΛΊΣΗ" after "Κλίση", "STRASSE"
    after "Straße")."""
    taken = {r.casefold() for r in reserved}
    stems = []
    for name in names:
        base = stem = file_stem(name)
        k = 2
        while stem.casefold() in taken:
            stem, k = f"{base}_{k}", k + 1
        taken.add(stem.casefold())
        stems.append(stem)
    return stems


def silence_stdout() -> None:
    """Point standard output at the null device (its reader went away: a closed pipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
