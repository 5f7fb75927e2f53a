"""The archive's own BagIt writer (archive/bag.py build_bag) writes what the reference ``bagit``
library writes, and its bags validate with that library."""
from __future__ import annotations

import shutil
from pathlib import Path

import bagit

from workplan.archive.bag import build_bag

INFO = {"Archival-Code": "J001-WS·2024-D30-BGS-0001", "Title": "测试工作方案\n(第二行)", "Record-Version": 2,
        "Units": ["东湖派出所", "测试办公室"], "Empty": "", "Nothing": None,
        "Bag-Software-Agent": "workplan test", "Bagging-Date": "2024-03-05"}


def _payload(folder: Path) -> Path:
    folder.mkdir()
    (folder / "winter fire safety.yaml").write_text("title: {zh: 冬季消防}\n", encoding="utf-8")
    (folder / "冬季.zh.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (folder / "data").write_bytes(b"a payload file called data")
    (folder / "metadata.json").write_text('{"code": "J001"}\n', encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.txt").write_bytes(b"")
    return folder


def test_build_bag_writes_what_bagit_writes(tmp_path):
    ours = _payload(tmp_path / "ours")
    ref = tmp_path / "ref"
    shutil.copytree(ours, ref)
    build_bag(ours, dict(INFO), sync=False)
    bagit.make_bag(str(ref), bag_info={k: v for k, v in INFO.items() if v not in (None, "")}, checksums=["sha256"])
    for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt"):
        assert (ours / name).read_bytes() == (ref / name).read_bytes(), name
    assert sorted((ours / "tagmanifest-sha256.txt").read_text().splitlines()) == \
        sorted((ref / "tagmanifest-sha256.txt").read_text().splitlines())
    payload = sorted(p.relative_to(ours).as_posix() for p in (ours / "data").rglob("*") if p.is_file())
    assert payload == ["data/data", "data/metadata.json", "data/sub/b.txt", "data/winter fire safety.yaml",
                       "data/冬季.zh.pdf"]
    for rel in payload:
        assert (ours / rel).read_bytes() == (ref / rel).read_bytes()
        assert not (ours / rel).stat().st_mode & 0o222  # read-only
    bag = bagit.Bag(str(ours))
    bag.validate()
    assert bag.info["Payload-Oxum"] == (ref / "bag-info.txt").read_text().split("Payload-Oxum: ")[1].split("\n")[0]
    assert bag.info["Units"] == ["东湖派出所", "测试办公室"]


def test_a_changed_payload_file_fails_bagit_validation(tmp_path):
    ours = _payload(tmp_path / "ours")
    build_bag(ours, {"Title": "x"}, sync=False)
    f = ours / "data" / "metadata.json"
    f.chmod(0o644)
    f.write_text('{"code": "J002"}\n', encoding="utf-8")
    try:
        bagit.Bag(str(ours)).validate()
    except bagit.BagValidationError:
        pass
    else:
        raise AssertionError("a changed file passed validation")


def test_the_software_agent_is_looked_up_once_per_process(tmp_path, monkeypatch):
    """Every bag and event names the agent (workplan/<version> user@host); the package metadata
    look-up behind it costs a millisecond, so it is made once, not once per record."""
    import importlib.metadata

    from workplan.archive import fsutil
    real, calls = importlib.metadata.version, []
    monkeypatch.setattr(importlib.metadata, "version", lambda name: calls.append(name) or real(name))
    fsutil.agent.cache_clear()
    try:
        agents = set()
        for i in range(3):
            folder = _payload(tmp_path / f"b{i}")
            build_bag(folder, {"Title": "x"}, sync=False)
            agents.add(bagit.Bag(str(folder)).info["Bag-Software-Agent"])
        assert calls == ["workplan"]
        assert len(agents) == 1 and next(iter(agents)).startswith("workplan/")
    finally:
        fsutil.agent.cache_clear()


def test_fsync_batch_syncs_every_file_and_folder_and_reports_failures(tmp_path, monkeypatch):
    """store() starts each bag's fsyncs as soon as the bag is written and waits for all of them
    before the first bag is placed: every file and folder of each tree is synced, and a failed
    fsync is raised by wait(), after every other one finished."""
    import os

    from workplan.archive import fsutil
    trees = [_payload(tmp_path / f"t{i}") for i in range(3)]
    for t in trees:
        build_bag(t, {"Title": "x"}, sync=False)
    expected = {str(t) for t in trees}
    for t in trees:
        for dirpath, _dirs, files in os.walk(t):
            expected.add(dirpath)
            expected.update(os.path.join(dirpath, f) for f in files)
    synced: list[str] = []
    real = fsutil.fsync_path
    monkeypatch.setattr(fsutil, "fsync_path", lambda p: (real(p), synced.append(str(p))))
    batch = fsutil.FsyncBatch()
    for t in trees:
        batch.tree(t)
    batch.wait()
    assert sorted(synced) == sorted(expected)
    synced.clear()
    monkeypatch.setattr(fsutil, "fsync_path", lambda p: (_ for _ in ()).throw(OSError(5, "I/O error", str(p)))
                        if p.endswith("bagit.txt") else synced.append(str(p)))
    batch.tree(trees[0])
    try:
        batch.wait()
    except OSError as e:
        assert e.errno == 5 and e.filename.endswith("bagit.txt")
    else:
        raise AssertionError("a failed fsync was not reported")
    assert len(synced) == len([p for p in expected if p.startswith(str(trees[0]))]) - 1
