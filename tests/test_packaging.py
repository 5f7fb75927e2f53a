"""The package as a user installs it (not editable), and an honest build summary."""
from __future__ import annotations

import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT


def _fresh_venv(tmp: Path) -> Path:
    """A new virtual environment that sees this environment's dependencies (like
    --system-site-packages: one .pth line per site-packages folder, whose own .pth files, the
    editable install's among them, are not read) but not workplan itself."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    target = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            check=True, capture_output=True, text=True).stdout.strip()
    (Path(target) / "_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv


@pytest.mark.slow
def test_non_editable_install_builds_docx_and_pdf(tmp_path):
    from docx import Document
    from pypdf import PdfReader

    # a copy of the project, so the build's own files (build/, *.egg-info) stay out of the checkout
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, repo / name)
    shutil.copytree(ROOT / "src", repo / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    venv = _fresh_venv(tmp_path)
    py = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                    "--no-build-isolation", "--no-index", str(repo)], check=True, timeout=600, cwd=tmp_path)
    shutil.rmtree(repo)  # the installed package must not need its source tree

    work = tmp_path / "work"
    work.mkdir()
    where = subprocess.run([str(py), "-c", "import workplan; print(workplan.__file__)"], cwd=work,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(venv)), where   # the installed copy, not src/ of this checkout
    r = subprocess.run([str(venv / "bin" / "workplan"), "build", str(CORPUS / "winter-fire-safety.yaml"),
                        "--format", "docx,pdf", "-o", "out"], cwd=work, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    assert "2 document(s) written" in r.stdout
    # the other PDF engine's templates are installed too
    r = subprocess.run([str(venv / "bin" / "workplan"), "build", str(CORPUS / "winter-fire-safety.yaml"),
                        "--format", "pdf", "--pdf-engine", "weasyprint", "-o", "out-weasyprint"], cwd=work,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (work / "out-weasyprint" / "winter-fire-safety.zh.pdf").is_file()
    docx_out = work / "out" / "winter-fire-safety.zh.docx"
    pdf_out = work / "out" / "winter-fire-safety.zh.pdf"
    d = Document(str(docx_out))
    assert d.paragraphs and "WP Title" in {p.style.name for p in d.paragraphs}
    reader = PdfReader(str(pdf_out))
    assert len(reader.pages) >= 1
    assert "消防" in "".join(page.extract_text() for page in reader.pages)


def test_failed_pdf_is_reported_and_the_docx_counted(tmp_path, monkeypatch):
    """A PDF writer that fails (the packaging bug: TemplateNotFound) must not hide the DOCX that
    was written, nor let the summary claim success."""
    from click.testing import CliRunner

    from workplan import formats
    from workplan.cli import cli

    # the writer runs in the capped layout child: the broken one is named by module
    engine = formats.PDF_ENGINES["weasyprint"]
    monkeypatch.setitem(formats.PDF_ENGINES, "weasyprint", formats.Engine(
        "weasyprint", "fake_engines:broken_write_pdf", engine.options, check=engine.check))
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["build", str(CORPUS / "winter-fire-safety.yaml"), "--format", "docx,pdf",
                                 "--pdf-engine", "weasyprint", "-o", str(out)])
    assert r.exit_code == 1
    assert "1 document(s) written" in r.output
    assert "1 file(s) failed" in r.output
    assert "TemplateNotFound" in r.output and "pdf" in r.output
    assert (out / "winter-fire-safety.zh.docx").is_file()
    assert not (out / "winter-fire-safety.zh.pdf").exists()
    assert not list(out.glob("*.part"))
