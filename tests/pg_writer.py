"""One writer process of the many-writers tests (tests/test_pg_archive.py, bench/): adds data
files one by one (each add takes the archive's lock, logs and commits on its own) into the
archive at ARCHIVE, keeping this "machine's" search index in INDEX, and writes what was
acknowledged to OUT (JSON: codes, errors). A failed add (the server restarting, say) is retried
up to --retries times after a pause; its message is kept.

    python tests/pg_writer.py ARCHIVE INDEX OUT FILE... [--retries N] [--no-listener]

--no-listener: the search index is not updated after each add (it catches up from the log when
it is next searched).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    retries = 0
    if "--retries" in argv:
        i = argv.index("--retries")
        retries = int(argv[i + 1])
        del argv[i:i + 2]
    listener = "--no-listener" not in argv
    argv = [a for a in argv if a != "--no-listener"]
    root, index, out, *files = argv
    from workplan.archive import open_archive
    from workplan.errors import WorkplanError
    from workplan.ingest import add_data_files
    from workplan.search import keep_index_current

    done: list[str] = []
    errors: list[str] = []
    started = time.perf_counter()

    def save() -> None:
        Path(out).write_text(json.dumps({"codes": done, "errors": errors,
                                         "seconds": time.perf_counter() - started}, ensure_ascii=False))

    arc = None
    try:
        for f in files:
            for attempt in range(retries + 1):
                try:
                    if arc is None:
                        arc = open_archive(root, index_dir=index)
                        if listener:
                            keep_index_current(arc)
                    # as `archive add` does: a file whose content is already the current version is
                    # not archived again, so a retry after an add that landed unacknowledged is harmless
                    outcome = add_data_files(arc, [f], formats=(), again=False)
                    rec = (outcome.records or outcome.skipped)[0]
                except WorkplanError as e:
                    errors.append(e.format())
                    if arc is not None:
                        arc.close()  # connections are made anew for the retry
                        arc = None
                    if attempt == retries:
                        save()
                        return 1
                    time.sleep(0.5)
                    continue
                done.append(rec.code)
                save()  # each acknowledged add is on disk before the next begins
                break
    finally:
        if arc is not None:
            arc.close()
    save()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
