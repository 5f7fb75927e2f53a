#!/usr/bin/env bash
# Installs the system packages workplan needs on Debian 12: Pango/HarfBuzz (with the
# subsetting library WeasyPrint needs to embed CJK fonts quickly), fontconfig, the free
# stand-ins for the official Chinese faces, and poppler-utils (pdftoppm/pdftotext for
# looking at output).  Safe to run again: it installs only what is missing.
set -euo pipefail

PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig
  fonts-noto-cjk            # 黑体 / 宋体 / 小标宋 stand-ins (Noto Sans/Serif CJK SC)
  texlive-lang-chinese      # FandolFang / FandolKai: the only free 仿宋 with full GB2312 coverage
  fonts-liberation          # Liberation Serif: Times New Roman metrics for Latin text
  poppler-utils             # pdftoppm, pdftotext
)
# test extras: only the tests and benchmarks need these
TEST_PACKAGES=(
  chromium                  # the browser the web site's end-to-end tests drive with Playwright
                            # (Debian's build; browsers are never downloaded by Playwright here)
  libreoffice-writer-nogui  # bench/bench_build_vs_libreoffice.py: the LibreOffice baseline
)
PACKAGES+=("${TEST_PACKAGES[@]}")

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: done"
