"""Anchors: the log's head kept outside the archive (RFC 3161-timestamped by an offline
`openssl ts` authority) catches a log rewritten whole, chain and heads recomputed, which the
archive's own checks cannot see; exports carry the head."""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import zipfile

import pytest

from .conftest import WINTER
from .test_accounts import events, run

TSA_CONF = """
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = workplan test TSA
[ ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {serial}
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
ess_cert_id_alg = sha256
"""


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    """An offline time-stamping authority: a self-signed TSA certificate and `openssl ts -reply`."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tsa")
    (d / "serial").write_text("01\n")
    (d / "tsa.cnf").write_text(TSA_CONF.format(serial=d / "serial"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "key.pem"),
                    "-out", str(d / "cert.pem"), "-days", "2", "-config", str(d / "tsa.cnf"), "-extensions", "ext"],
                   check=True, capture_output=True)
    cmd = (f"openssl ts -reply -config {d / 'tsa.cnf'} -queryfile {{query}} -inkey {d / 'key.pem'} "
           f"-signer {d / 'cert.pem'} -out {{reply}}")
    return cmd, d / "cert.pem"


def _rewrite_log(root, change) -> None:
    """What a careful forger does: edit entries, recompute every hash of the chain, and the head
    kept beside the log and in the catalogue."""
    lines = (root / "events.jsonl").read_bytes().splitlines()
    out, prev = [], "0" * 64
    for line in lines:
        e = json.loads(line)
        change(e)
        e["prev"] = prev
        data = json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        out.append(data)
        prev = hashlib.sha256(data).hexdigest()
    body = b"".join(x + b"\n" for x in out)
    (root / "events.jsonl").write_bytes(body)
    last = json.loads(out[-1])
    (root / "events.head").write_text(json.dumps({"id": last["id"], "hash": prev, "bytes": len(body)}) + "\n")
    db = sqlite3.connect(root / "catalogue.sqlite")
    db.execute("UPDATE meta SET value = ? WHERE key = 'log_head_id'", (str(last["id"]),))
    db.execute("UPDATE meta SET value = ? WHERE key = 'log_head_hash'", (prev,))
    db.commit()
    db.close()


def test_an_anchor_catches_a_log_rewritten_whole(archive_copy, tmp_path, tsa):
    cmd, cert = tsa
    a = ["--archive", str(archive_copy)]
    anchors = tmp_path / "anchors"
    anchors.mkdir()
    r = run("archive", "anchor", "-o", str(archive_copy / "bags"), *a)
    assert r.exit_code == 1 and "inside the archive proves nothing" in r.output
    r = run("archive", "anchor", "-o", str(anchors), "--tsa-command", cmd, *a)
    assert r.exit_code == 0 and "timestamped" in r.output, r.output
    (anchor,) = anchors.glob("anchor-*.json")
    head = json.loads(anchor.read_text())
    lines = (archive_copy / "events.jsonl").read_bytes().splitlines()
    assert head["hash"] == hashlib.sha256(lines[head["event"] - 1]).hexdigest()
    assert (anchor.with_suffix(".tsr")).is_file()
    assert events(archive_copy)[-1]["type"] == "anchor"
    r = run("archive", "verify", "--anchors", str(anchors), "--tsa-ca", str(cert), *a)
    assert r.exit_code == 0 and "extends all 1 anchor" in r.output, r.output
    # every export carries the head
    r = run("archive", "export", "--year", "2023", "-o", str(tmp_path / "t.zip"), *a)
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(tmp_path / "t.zip") as z:
        carried = json.loads(z.read("log-head.json"))
        assert "log-head.json" in z.read("manifest-sha256.txt").decode()
    assert carried["event"] >= head["event"] and len(carried["hash"]) == 64
    # the forger changes who made the new version, and recomputes the chain and both heads
    def blame(e):
        if e["type"] == "new-version" and e["object"] == WINTER:
            e["agent"] = "someone.else (workplan/0.1.0 clerk@office)"
    _rewrite_log(archive_copy, blame)
    r = run("archive", "verify", *a)
    assert r.exit_code == 0, r.output  # the archive alone cannot tell
    r = run("archive", "verify", "--anchors", str(anchors), *a)
    assert r.exit_code == 1 and "the log was rewritten" in r.output and anchor.name in r.output
    # an anchor edited to match the forgery no longer matches its timestamp
    forged = json.loads(anchor.read_text())
    lines = (archive_copy / "events.jsonl").read_bytes().splitlines()
    forged["hash"] = hashlib.sha256(lines[head["event"] - 1]).hexdigest()
    anchor.write_text(json.dumps(forged, ensure_ascii=False, indent=2) + "\n")
    r = run("archive", "verify", "--anchors", str(anchors), *a)
    assert r.exit_code == 1 and "does not stamp this anchor" in r.output
