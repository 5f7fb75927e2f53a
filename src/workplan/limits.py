"""Every bound on what workplan reads, expands or computes from a user's input, in one place.

Each reader of user input (data files, documents) checks its input against these constants
and refuses what exceeds them with a located message naming the limit and the fix. Three
helpers serve every reader and front end:

- :func:`read_regular` opens a path a user gave without blocking (a FIFO, a device, a socket
  is refused, not read), checks it is a regular file and reads at most a given number of bytes;
- :func:`printable` escapes control characters (terminal escape sequences, bidi overrides) in
  text about to be printed to a terminal;
- :func:`run_capped` runs work that can still grow with the input (layout by Typst,
  WeasyPrint, python-docx) in a child process with an address-space and a time cap, so that
  its failure is a message about one file, never the end of a batch.
"""
from __future__ import annotations

import errno
import os
import pickle
import re
import select
import signal
import stat
import time
from typing import Any, Callable

from .errors import Problem, WorkplanError

MiB = 1024 * 1024

# --- data files (YAML / JSON) ------------------------------------------------------------------
DATA_FILE_BYTES = 10 * MiB        # the largest corpus file is 27 kB
DATA_VALUES = 200_000             # values after expanding aliases; corpus files hold about 1,000
DATA_DEPTH = 100                  # nesting of lists and mappings; real files stay below 12
DATA_CHARS = 3_000_000            # characters of text after expanding aliases (a 10 MB file of Chinese
                                  # is about 3.3 million); corpus files hold under 20,000
WORD_CHARS = 1_000                # characters of one word (no space, no Chinese to break a line at): the
                                  # longest real words and web addresses are under 300; a PDF string
                                  # holds at most 32,767 bytes
MARKS_PER_CHAR = 16               # combining marks, joiners, variation selectors, conjoining jamo after
                                  # one character: Thai, Devanagari, Vietnamese and emoji use under 8
NUMBER_DIGITS = 20                # digits (or hex digits) in a number written in a data file
NUMBER_MAGNITUDE = 1e15           # the largest absolute value of a number (a target, a baseline)
EARLIEST_YEAR = 1949              # dates (成文日期, deadlines, due dates) from 1949 on
LATEST_YEAR = 2199
LATEST_DOCUMENT_YEAR = 2100      # the year of a document: its number's (〔2024〕), a search's, a volume's
DOCUMENT_BLOCKS = 15_000          # mappings and listed texts under `sections` (a task with a bilingual title
                                  # counts 2 or 3): what keeps a build under about 1.5 GB (2,000 rich tasks
                                  # take 0.5 GB); the largest corpus file holds about 300
SERIAL_MAX = 99_999               # a document number's serial (〔2024〕12号)
CONFIG_BYTES = 1 * MiB            # a workplan.toml
PROBLEMS_SHOWN = 200              # problems listed for one file; the rest are counted
SUGGESTIONS = 50                  # unknown names given a "did you mean" (each costs a fuzzy match)

# --- documents (import, lint) ----------------------------------------------------------------------
DOCUMENT_BYTES = 50 * MiB         # a .docx / .pdf / .txt file
TEXT_BYTES = 4 * MiB              # a .txt file: a 500-page document is under 2 MB of UTF-8
DOCX_UNZIPPED = 300 * MiB         # all parts of a .docx, counted while inflating (headers may lie)
DOCX_XML_BYTES = 16 * MiB         # one XML part of a .docx (document.xml of 1,000 pages is under 10 MB)
DOCX_PARAGRAPHS = 10_000          # paragraphs and table rows of document.xml (a 200-page program has
                                  # about 4,000), counted while inflating: a cheap refusal up front
DOCX_PARTS = 5_000                # entries in a .docx package
NUMBERING_START_MAX = 32_767      # the largest w:start Word itself writes
PDF_PAGES = 1_000                 # pages of a PDF to import or lint
PDF_PAGE_CONTENT_BYTES = 4 * MiB  # drawing instructions of one page, decoded (a dense page has under 200 kB)
PDF_RUNS_PER_PAGE = 10_000        # text runs drawn on one page (a dense page has under 3,000)
DOCUMENT_CHARS = 1_000_000        # characters of text extracted from one document (500 pages: about 500,000)

# --- layout in a child process --------------------------------------------------------------------
BUILD_MEMORY = 2048 * MiB         # address space of the process that lays out one language of one file
BUILD_SECONDS = 600               # wall time of it (the largest corpus file takes under 5 s on a quiet
                                  # machine; a backstop: hostile input is refused before layout)
# modules the fork server loads once for the children it starts (see run_capped)
SERVED_PRELOAD = ("workplan.limits", "workplan.render", "workplan.render.typst.writer", "workplan.render.docx.writer")


# --- regular files only, opened without blocking ---------------------------------------------------
def read_regular(path: str | os.PathLike, limit: int, *, what: str = "file") -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Opened with O_NONBLOCK (opening a FIFO never waits for a writer), then checked with fstat:
    anything but a regular file (a FIFO, /dev/zero, a socket, a folder) is refused before a byte
    is read, and so is a file larger than ``limit``; the size is checked again while reading (a
    file that grows is cut off). Raises :class:`WorkplanError` naming the file and the fix."""
    name = os.fsdecode(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise WorkplanError(Problem("file not found", file=name, hint="check the path")) from None
    except IsADirectoryError:
        raise WorkplanError(Problem(f"is a folder, not a {what}", file=name)) from None
    except OSError as e:
        raise WorkplanError(Problem(f"cannot read the file: {e.strerror or e}", file=name)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise WorkplanError(Problem(f"is a folder, not a {what}", file=name))
        if not stat.S_ISREG(st.st_mode):
            kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device" if
                    stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                    "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
            raise WorkplanError(Problem(f"is {kind}, not a regular file: not read", file=name,
                                        hint=f"give the path of a {what} saved on disk"))
        if st.st_size > limit:
            raise WorkplanError(too_large(name, st.st_size, limit, what))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        got = 0
        while True:
            chunk = os.read(fd, min(1 * MiB, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > limit:
                raise WorkplanError(too_large(name, got, limit, what))
        return b"".join(chunks)
    except OSError as e:
        if e.errno == errno.EISDIR:
            raise WorkplanError(Problem(f"is a folder, not a {what}", file=name)) from None
        raise WorkplanError(Problem(f"cannot read the file: {e.strerror or e}", file=name)) from None
    finally:
        os.close(fd)


def too_large(name: str, size: int, limit: int, what: str = "file") -> Problem:
    return Problem(f"the {what} is larger than {_size(limit)} (at least {_size(size)}): too large to read",
                   file=name, hint=f"a {what} this large is not one document; is this the right file? "
                                   "(split it, or keep the text only)")


def _size(n: int) -> str:
    return f"{n / MiB:.0f} MB" if n >= MiB else f"{n:,} bytes"


# --- text printed to a terminal ---------------------------------------------------------------------
# C0 and C1 controls (but tab and line feed), DEL, bidi embeddings/overrides/isolates, the line and
# paragraph separators and the interlinear annotation marks: what can move the cursor, retitle the
# window, hide or reorder what follows
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                          "\u2028\u2029\ufff9-\ufffb]")


def printable(text: Any, *, newlines: bool = True) -> str:
    """``text`` with every control character shown as an escape (``\\u001b``, ``\\u202e``) instead
    of being sent to the terminal; ``newlines=False`` escapes line feeds (and tabs) too."""
    s = str(text)
    rx = _UNPRINTABLE if newlines else _UNPRINTABLE_LINE
    if not rx.search(s):
        return s
    return rx.sub(_escape, s)


_UNPRINTABLE_LINE = re.compile(_UNPRINTABLE.pattern[:1] + "\t\n" + _UNPRINTABLE.pattern[1:])


def _escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"  # readable, and the same character again inside JSON


# --- what joins the character before it ---------------------------------------------------------------
# Combining marks of every script (Unicode categories Mn, Mc, Me, Unicode 14), emoji modifiers and
# tags, the zero-width non-joiner, conjoining Hangul jamo and the prepended signs, and whatever
# follows a zero-width joiner: a run of them makes one character of any length, which typesetters
# lay out in time and memory growing with the square of the run. Code point ranges (hex).
_JOINING_RANGES = (
    "300-36f 483-489 591-5bd 5bf 5c1-5c2 5c4-5c5 5c7 600-605 610-61a 64b-65f 670 6d6-6dd 6df-6e4 "
    "6e7-6e8 6ea-6ed 70f 711 730-74a 7a6-7b0 7eb-7f3 7fd 816-819 81b-823 825-827 829-82d 859-85b "
    "898-89f 8ca-903 93a-93c 93e-94f 951-957 962-963 981-983 9bc 9be-9c4 9c7-9c8 9cb-9cd 9d7 "
    "9e2-9e3 9fe a01-a03 a3c a3e-a42 a47-a48 a4b-a4d a51 a70-a71 a75 a81-a83 abc abe-ac5 ac7-ac9 "
    "acb-acd ae2-ae3 afa-aff b01-b03 b3c b3e-b44 b47-b48 b4b-b4d b55-b57 b62-b63 b82 bbe-bc2 "
    "bc6-bc8 bca-bcd bd7 c00-c04 c3c c3e-c44 c46-c48 c4a-c4d c55-c56 c62-c63 c81-c83 cbc cbe-cc4 "
    "cc6-cc8 cca-ccd cd5-cd6 ce2-ce3 d00-d03 d3b-d3c d3e-d44 d46-d48 d4a-d4d d57 d62-d63 d81-d83 "
    "dca dcf-dd4 dd6 dd8-ddf df2-df3 e31 e34-e3a e47-e4e eb1 eb4-ebc ec8-ecd f18-f19 f35 f37 f39 "
    "f3e-f3f f71-f84 f86-f87 f8d-f97 f99-fbc fc6 102b-103e 1056-1059 105e-1060 1062-1064 1067-106d "
    "1071-1074 1082-108d 108f 109a-109d 1100-11ff 135d-135f 1712-1715 1732-1734 1752-1753 "
    "1772-1773 17b4-17d3 17dd 180b-180d 180f 1885-1886 18a9 1920-192b 1930-193b 1a17-1a1b "
    "1a55-1a5e 1a60-1a7c 1a7f 1ab0-1ace 1b00-1b04 1b34-1b44 1b6b-1b73 1b80-1b82 1ba1-1bad "
    "1be6-1bf3 1c24-1c37 1cd0-1cd2 1cd4-1ce8 1ced 1cf4 1cf7-1cf9 1dc0-1dff 200c 20d0-20f0 "
    "2cef-2cf1 2d7f 2de0-2dff 302a-302f 3099-309a a66f-a672 a674-a67d a69e-a69f a6f0-a6f1 a802 "
    "a806 a80b a823-a827 a82c a880-a881 a8b4-a8c5 a8e0-a8f1 a8ff a926-a92d a947-a953 a960-a983 "
    "a9b3-a9c0 a9e5 aa29-aa36 aa43 aa4c-aa4d aa7b-aa7d aab0 aab2-aab4 aab7-aab8 aabe-aabf aac1 "
    "aaeb-aaef aaf5-aaf6 abe3-abea abec-abed d7b0-d7ff fb1e fe00-fe0f fe20-fe2f 101fd 102e0 "
    "10376-1037a 10a01-10a03 10a05-10a06 10a0c-10a0f 10a38-10a3a 10a3f 10ae5-10ae6 10d24-10d27 "
    "10eab-10eac 10f46-10f50 10f82-10f85 11000-11002 11038-11046 11070 11073-11074 1107f-11082 "
    "110b0-110ba 110bd 110c2 110cd 11100-11102 11127-11134 11145-11146 11173 11180-11182 "
    "111b3-111c0 111c9-111cc 111ce-111cf 1122c-11237 1123e 112df-112ea 11300-11303 1133b-1133c "
    "1133e-11344 11347-11348 1134b-1134d 11357 11362-11363 11366-1136c 11370-11374 11435-11446 "
    "1145e 114b0-114c3 115af-115b5 115b8-115c0 115dc-115dd 11630-11640 116ab-116b7 1171d-1172b "
    "1182c-1183a 11930-11935 11937-11938 1193b-1193e 11940 11942-11943 119d1-119d7 119da-119e0 "
    "119e4 11a01-11a0a 11a33-11a39 11a3b-11a3e 11a47 11a51-11a5b 11a8a-11a99 11c2f-11c36 "
    "11c38-11c3f 11c92-11ca7 11ca9-11cb6 11d31-11d36 11d3a 11d3c-11d3d 11d3f-11d45 11d47 "
    "11d8a-11d8e 11d90-11d91 11d93-11d97 11ef3-11ef6 16af0-16af4 16b30-16b36 16f4f 16f51-16f87 "
    "16f8f-16f92 16fe4 16ff0-16ff1 1bc9d-1bc9e 1cf00-1cf2d 1cf30-1cf46 1d165-1d169 1d16d-1d172 "
    "1d17b-1d182 1d185-1d18b 1d1aa-1d1ad 1d242-1d244 1da00-1da36 1da3b-1da6c 1da75 1da84 "
    "1da9b-1da9f 1daa1-1daaf 1e000-1e006 1e008-1e018 1e01b-1e021 1e023-1e024 1e026-1e02a "
    "1e130-1e136 1e2ae 1e2ec-1e2ef 1e8d0-1e8d6 1e944-1e94a 1f3fb-1f3ff e0020-e007f e0100-e01ef "
)
_JOINS = {cp: "\x01" for r in _JOINING_RANGES.split()
          for cp in range(int(r.partition("-")[0], 16), int(r.partition("-")[2] or r.partition("-")[0], 16) + 1)}
_JOINS[0x200D] = "\x02"  # the zero-width joiner: it and the character after it join
# text made only of these (ASCII, Latin, CJK, full-width forms, CJK punctuation) holds no joining run
_ORDINARY = re.compile("[^\t\n\r -~\u00a0-\u02ff\u3000-\u3029\u3030-\u3098\u309b-\u9fff\uff00-\uffef]")
_RUN = re.compile("[\x01\x02](?:[\x01\x02]|(?<=\x02)[^\n])" f"{{{MARKS_PER_CHAR}}}")


def unusual_chars(text: str):
    """None when ``text`` is only ASCII, Latin, CJK and full-width forms; else an iterator over the
    matches of its other characters."""
    if _ORDINARY.search(text) is None:
        return None
    return _ORDINARY.finditer(text)


def joining_run(text: str) -> int | None:
    """The index in ``text`` where more than MARKS_PER_CHAR marks, joiners or selectors are
    stacked on one character, or None. Linear in the text (one translation, one scan)."""
    if _ORDINARY.search(text) is None:
        return None
    m = _RUN.search(text.translate(_JOINS))   # each character maps to one: indexes are kept
    return m.start() if m else None


# --- layout in a capped child process ----------------------------------------------------------------
class CapExceeded(Exception):
    """The child ran out of its memory or time, or died: ``reason`` says which."""

    def __init__(self, reason: str, kind: str):
        super().__init__(reason, kind)
        self.reason, self.kind = reason, kind   # kind: "memory", "time" or "crash"

    def __str__(self) -> str:
        return self.reason


def run_capped(fn: Callable[..., Any], *args: Any, memory: int | None = None,
               seconds: float | None = None, fork_safe: bool = True) -> Any:
    """``fn(*args)`` run in a child process whose address space is capped at ``memory`` bytes
    (RLIMIT_AS; default BUILD_MEMORY) and which is killed after ``seconds`` (default BUILD_SECONDS);
    its return value (pickled) comes back, an
    exception it raises is raised here. Raises :class:`CapExceeded` if the child exceeds a cap
    or dies (a native library aborting on a failed allocation, a signal).

    The child is forked (it shares what is loaded: no start-up cost, and what the caller set up in
    this process). When ``fork_safe`` is false (the caller knows this process has used a native
    library whose thread pool a forked child would wait on forever: Typst after a compile here),
    the child comes from multiprocessing's fork server instead, and ``fn`` and ``args`` are
    pickled. Where fork is not available, ``fn`` runs here, uncapped."""
    memory = BUILD_MEMORY if memory is None else memory
    seconds = BUILD_SECONDS if seconds is None else seconds
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        return fn(*args)
    if not fork_safe:
        return _run_served(fn, args, memory, seconds)
    if _threads() > 1:
        # a forked child gets one thread and the locks the others held at that moment: it may wait
        # for them forever (seen in a test session: Typst, tantivy and ONNX thread pools). A
        # threaded process (a server, a test session) lays out here, uncapped; the command line
        # and the --jobs workers fork from a single thread and keep the caps
        return fn(*args)
    return _run_forked(fn, args, memory, seconds)


def _threads() -> int:
    """How many OS threads this process has (1 where /proc is not available)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def _child_run(fn: Callable[..., Any], args: tuple, memory: int) -> bytes:
    """In the child: cap the address space, run, and pickle (ok, value)."""
    import faulthandler
    import resource
    faulthandler.disable()  # a native library aborting under the cap is reported by the parent
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    # the cap is what the work may add: a forked child starts with its parent's address space
    # (a long-running process — a server, a test session — may already map gigabytes)
    want = memory + _address_space()
    cap = want if hard == resource.RLIM_INFINITY else min(want, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        out = (True, fn(*args))
    except MemoryError:
        out = (False, CapExceeded("memory", "memory"))
    except BaseException as e:  # noqa: BLE001 - handed to the parent
        out = (False, e)
    try:
        return pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:  # noqa: BLE001 - an unpicklable value: its text
        return pickle.dumps((False, RuntimeError(f"{type(out[1]).__name__}: {out[1]} ({e})")))


def _address_space() -> int:
    """This process's mapped address space in bytes (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _outcome(data: bytes, signalled: int | None, exit_code: int | None, memory: int) -> Any:
    if data:
        try:
            ok, value = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a child cut short while writing
            ok, value = False, None
        else:
            if ok:
                return value
            if isinstance(value, CapExceeded):
                raise CapExceeded(f"needed more than {_size(memory)} of memory", "memory")
            raise value
    if signalled:
        name = signal.Signals(signalled).name if signalled in signal.Signals._value2member_map_ else str(signalled)
        raise CapExceeded(f"needed more than {_size(memory)} of memory, or crashed (signal {name})", "crash")
    raise CapExceeded(f"stopped without an answer (exit status {exit_code})", "crash")


def _run_forked(fn: Callable[..., Any], args: tuple, memory: int, seconds: float) -> Any:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(r)
            data = _child_run(fn, args, memory)
            with os.fdopen(w, "wb") as f:
                f.write(data)
        except BaseException:  # noqa: BLE001
            code = 70
        finally:
            os._exit(code)
    os.close(w)
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                _kill(pid)
                raise CapExceeded(f"took longer than {seconds:.0f} s", "time")
            ready, _, _ = select.select([r], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(r, 1 * MiB)
                if not chunk:
                    break
                chunks.append(chunk)
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(r)
    _, status = os.waitpid(pid, 0)
    return _outcome(b"".join(chunks), os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                    os.WEXITSTATUS(status) if os.WIFEXITED(status) else None, memory)


def _served_child(conn, fn: Callable[..., Any], args: tuple, memory: int) -> None:
    conn.send_bytes(_child_run(fn, args, memory))
    conn.close()


def _run_served(fn: Callable[..., Any], args: tuple, memory: int, seconds: float) -> Any:
    import multiprocessing
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(SERVED_PRELOAD))
    r, w = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_served_child, args=(w, fn, args, memory), daemon=True)
    proc.start()
    w.close()
    data = b""
    try:
        if r.poll(seconds):
            try:
                data = r.recv_bytes()
            except EOFError:
                pass
        else:
            proc.kill()
            proc.join()
            raise CapExceeded(f"took longer than {seconds:.0f} s", "time")
    except BaseException:
        proc.kill()
        proc.join()
        raise
    finally:
        r.close()
    proc.join()
    code = proc.exitcode
    return _outcome(data, -code if code is not None and code < 0 else None, code, memory)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
