"""Anchors: the event log's head remembered outside the archive.

The log's chain proves that no entry was edited or removed *unless* someone rewrites the whole
log, recomputes every hash and updates the head the archive keeps beside it (and in the
catalogue). An anchor is a small file kept elsewhere (another disk, another office, an e-mail)
holding the head at a moment — event number and hash — optionally with an RFC 3161 timestamp from
a time-stamping authority (TSA) over the file's bytes, so that its date cannot be made up either.
``verify --anchors DIR`` then proves that the current log still holds every anchored entry with
the anchored hash: a rewritten log is caught.

Anchor file ``anchor-<event>.json``::

    {"format": "workplan-log-anchor", "fonds_code", "fonds_name", "event": 42, "hash": "<sha256>",
     "made_at": "...", "made_by": "<agent>"}

beside it ``anchor-<event>.tsr`` (the TSA's DER reply) when a TSA was asked. The request is
built here (DER, SHA-256 of the anchor file's bytes, a random nonce, certificate requested); the
TSA is a URL (HTTP POST ``application/timestamp-query``) or a command run with ``{query}`` and
``{reply}`` file names (an offline authority such as ``openssl ts -reply``).
"""
from __future__ import annotations

import hashlib
import json
import secrets
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..errors import Problem, WorkplanError
from .fsutil import atomic_replace, now_iso, open_regular
from .findings import Finding

ANCHOR_FORMAT = "workplan-log-anchor"
MAX_ANCHOR = 64 * 1024
MAX_REPLY = 1024 * 1024
TSA_SECONDS = 60
_SHA256_OID = bytes.fromhex("0609608648016503040201")  # 2.16.840.1.101.3.4.2.1


def _read_capped(path: Path, cap: int) -> bytes:
    """A regular file's bytes (never through a link), at most ``cap + 1`` of them (more: too large)."""
    with open_regular(path) as f:
        return f.read(cap + 1)


def log_head(arc: Any) -> dict:
    """The log's newest entry ``{"event", "hash"}`` (what exports, transfers and volumes carry)."""
    head = arc.events.read_head()
    if head is None:
        events, _ = arc.events.read()
        if not events:
            return {"event": 0, "hash": None}
        return {"event": events[-1].id, "hash": events[-1].hash}
    return {"event": head["id"], "hash": head["hash"]}


# --- RFC 3161 -------------------------------------------------------------------------------------
def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def _int(v: int) -> bytes:
    raw = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big")
    return _der(0x02, raw)


def timestamp_query(digest: bytes, nonce: int) -> bytes:
    """A DER TimeStampReq (RFC 3161) for a SHA-256 ``digest``, asking for the TSA's certificate."""
    imprint = _der(0x30, _der(0x30, _SHA256_OID + b"\x05\x00") + _der(0x04, digest))
    return _der(0x30, _int(1) + imprint + _int(nonce) + b"\x01\x01\xff")


def reply_granted(reply: bytes, digest: bytes) -> bool:
    """Whether a TimeStampResp says granted (status 0 or 1) and its token stamps ``digest``. (The
    signature is checked against the TSA's certificate by ``openssl ts -verify`` when one is given.)"""
    # TimeStampResp ::= SEQUENCE { status PKIStatusInfo (SEQUENCE { INTEGER ... }), token }
    try:
        i = 2 if reply[1] < 0x80 else 2 + (reply[1] & 0x7F)
        if reply[0] != 0x30 or reply[i] != 0x30:
            return False
        j = i + (2 if reply[i + 1] < 0x80 else 2 + (reply[i + 1] & 0x7F))
        if reply[j] != 0x02 or reply[j + 1] != 1:
            return False
        return reply[j + 2] in (0, 1) and digest in reply
    except IndexError:
        return False


def _ask_tsa(query: bytes, tsa: str | None, tsa_command: str | None) -> bytes:
    if tsa_command:
        with tempfile.TemporaryDirectory(prefix="workplan-tsa-") as d:
            q, r = Path(d) / "query.tsq", Path(d) / "reply.tsr"
            q.write_bytes(query)
            cmd = [part.replace("{query}", str(q)).replace("{reply}", str(r)) for part in shlex.split(tsa_command)]
            try:
                done = subprocess.run(cmd, capture_output=True, timeout=TSA_SECONDS, check=False)
            except (OSError, subprocess.TimeoutExpired) as e:
                raise WorkplanError(Problem(f"the time-stamping command could not run: {e}",
                                            hint="check --tsa-command (it gets {query} and {reply} file names)")) \
                    from None
            if done.returncode != 0 or not r.is_file():
                err = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
                raise WorkplanError(Problem(f"the time-stamping command failed (exit {done.returncode}): {err[0]}",
                                            hint="check --tsa-command; nothing was anchored"))
            return _read_capped(r, MAX_REPLY)
    import urllib.request
    if tsa is None or not tsa.startswith(("http://", "https://")):
        raise WorkplanError(Problem(f"{tsa!r} is not a TSA address", hint="give its http(s):// URL"))
    req = urllib.request.Request(tsa, data=query, headers={"Content-Type": "application/timestamp-query"})
    try:
        with urllib.request.urlopen(req, timeout=TSA_SECONDS) as resp:  # noqa: S310 - a configured TSA
            return resp.read(MAX_REPLY + 1)
    except OSError as e:
        raise WorkplanError(Problem(f"the time-stamping authority did not answer: {e}", file=tsa,
                                    hint="check the address and the network; nothing was anchored")) from None


# --- writing and checking anchors -----------------------------------------------------------------
def write_anchor(arc: Any, out_dir: Path, *, tsa: str | None = None, tsa_command: str | None = None) -> dict:
    """Write ``anchor-<event>.json`` (and ``.tsr`` when a TSA is given) into ``out_dir``, which
    must be outside the archive; log an ``anchor`` event. Returns what was written."""
    out_dir = Path(out_dir).expanduser().absolute()
    if out_dir == arc.root or arc.root in out_dir.parents:
        raise WorkplanError(Problem("an anchor kept inside the archive proves nothing: whoever rewrites the log "
                                    "rewrites it too", file=str(out_dir), hint="give a folder outside the archive "
                                                                              "(another disk, another machine)"))
    if not out_dir.is_dir():
        raise WorkplanError(Problem("the anchor folder does not exist", file=str(out_dir),
                                    hint="create it first (on another disk or machine)"))
    arc.require_log_intact()
    events, findings = arc.events.read()
    bad = [f for f in findings if f.kind in ("log-chain", "log-missing")]
    if bad:
        raise WorkplanError([Problem(f.message, file=f.file, line=f.line) for f in bad]
                            + [Problem("nothing was anchored: the log's chain is broken",
                                       hint="run `workplan archive verify`")])
    if not events:
        raise WorkplanError(Problem("the event log is empty: nothing to anchor", file=str(arc.root)))
    last = events[-1]
    anchor = {"format": ANCHOR_FORMAT, "fonds_code": arc.config.fonds_code, "fonds_name": arc.config.fonds_name,
              "event": last.id, "hash": last.hash, "made_at": now_iso(), "made_by": arc.events.agent}
    data = (json.dumps(anchor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    reply = None
    if tsa or tsa_command:
        digest = hashlib.sha256(data).digest()
        reply = _ask_tsa(timestamp_query(digest, secrets.randbits(63)), tsa, tsa_command)
        if len(reply) > MAX_REPLY or not reply_granted(reply, digest):
            raise WorkplanError(Problem("the time-stamping authority did not grant a timestamp of this anchor",
                                        file=tsa or tsa_command, hint="check the TSA; nothing was anchored"))
    path = out_dir / f"anchor-{last.id}.json"
    atomic_replace(path, data)
    out = {"anchor": str(path), "event": last.id, "hash": last.hash, "timestamp": None}
    if reply is not None:
        tsr = path.with_suffix(".tsr")
        atomic_replace(tsr, reply)
        out["timestamp"] = str(tsr)
    ev = arc.events.append("anchor", "archive", {"event": last.id, "hash": last.hash, "file": path.name,
                                                 "timestamped": reply is not None})
    try:
        arc.catalogue.note_event(ev)
    except WorkplanError:
        pass
    return out


def check_anchors(arc: Any, anchor_dir: Path, *, tsa_ca: str | None = None) -> tuple[list[Finding], int]:
    """Whether the current log extends every anchor in ``anchor_dir``: (findings, anchors checked)."""
    anchor_dir = Path(anchor_dir).expanduser()
    if not anchor_dir.is_dir():
        return [Finding("the anchor folder does not exist", file=str(anchor_dir), kind="anchor")], 0
    files = sorted(anchor_dir.glob("anchor-*.json"))
    if not files:
        return [Finding("no anchors (anchor-*.json) in this folder", file=str(anchor_dir), kind="anchor",
                        hint="write one with `workplan archive anchor -o DIR`")], 0
    events, _ = arc.events.read()
    by_id: dict[int, Any] = {}
    for e in events:
        by_id.setdefault(e.id, e)
    out: list[Finding] = []
    for f in files:
        try:
            data = _read_capped(f, MAX_ANCHOR)
            if len(data) > MAX_ANCHOR:
                raise ValueError("too large")
            a = json.loads(data)
            if not (isinstance(a, dict) and a.get("format") == ANCHOR_FORMAT and isinstance(a.get("event"), int)
                    and isinstance(a.get("hash"), str)):
                raise ValueError("not an anchor")
        except (OSError, ValueError, UnicodeDecodeError) as e:
            out.append(Finding(f"not a readable anchor ({e})", file=str(f), kind="anchor"))
            continue
        if a.get("fonds_code") not in (None, arc.config.fonds_code):
            out.append(Finding(f"this anchor is of fonds {a.get('fonds_code')}, not {arc.config.fonds_code}",
                               file=str(f), kind="anchor"))
            continue
        ev = by_id.get(a["event"])
        when = a.get("made_at", "?")
        if ev is None:
            out.append(Finding(f"the log no longer holds entry #{a['event']}, anchored on {when}: it was cut or "
                               "rewritten", file=str(f), kind="log-rewritten",
                               hint="restore events.jsonl from a backup taken after the anchor"))
        elif ev.hash != a["hash"]:
            out.append(Finding(f"entry #{a['event']} is not the entry anchored on {when} (its hash differs): the "
                               "log was rewritten, with its chain and head recomputed", file=str(f),
                               kind="log-rewritten", hint="restore events.jsonl from a backup taken after the "
                                                          "anchor; the rewritten log is evidence: keep it"))
        tsr = f.with_suffix(".tsr")
        if tsr.exists() or tsr.is_symlink():
            try:
                reply = _read_capped(tsr, MAX_REPLY)
            except OSError as e:
                out.append(Finding(f"the timestamp cannot be read ({e.strerror or e})", file=str(tsr), kind="anchor"))
                continue
            if len(reply) > MAX_REPLY or not reply_granted(reply, hashlib.sha256(data).digest()):
                out.append(Finding("the timestamp does not stamp this anchor (the anchor or its timestamp was "
                                   "changed)", file=str(tsr), kind="anchor"))
            elif tsa_ca:
                try:
                    done = subprocess.run(["openssl", "ts", "-verify", "-data", str(f), "-in", str(tsr), "-CAfile",
                                           tsa_ca], capture_output=True, timeout=TSA_SECONDS, check=False)
                    code = done.returncode
                except (OSError, subprocess.TimeoutExpired):
                    out.append(Finding("openssl is needed to check a timestamp's signature (--tsa-ca)", file=str(tsr),
                                       kind="anchor", hint="install openssl, or leave out --tsa-ca"))
                    continue
                if code != 0:
                    out.append(Finding("the timestamp's signature does not verify against the TSA's certificate",
                                       file=str(tsr), kind="anchor", hint=f"checked with {tsa_ca}"))
    return out, len(files)
