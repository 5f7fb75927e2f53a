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
# --- test extras: only the tests and benchmarks need these -----------------------------------
TEST_PACKAGES=(
  chromium                  # the browser the web site's end-to-end tests drive with Playwright
                            # (Debian's build; browsers are never downloaded by Playwright here)
  libreoffice-writer-nogui  # renders our DOCX as a recipient's LibreOffice/WPS would (tests/test_layout.py
                            # page counts) and bench/bench_build_vs_libreoffice.py's baseline
  hyphen-en-us              # LibreOffice's English hyphenation patterns: it hyphenates our DOCX's
                            # English text (w:autoHyphenation) as Word does (tests/test_content.py)
  postgresql-15             # the PostgreSQL catalogue's tests start throwaway servers with scripts/pg-cluster
  postgresql-contrib        # (no default cluster is created or started: see no_default_cluster below)
)
PACKAGES+=("${TEST_PACKAGES[@]}")

# fontconfig aliases: the canonical faces named in our DOCX files (仿宋_GB2312, 楷体_GB2312, 黑体,
# 方正小标宋简体, 宋体) → the free stand-ins, for LibreOffice/WPS on Linux
install_font_aliases() {
  local src dst
  src="$(dirname "$0")/fontconfig/64-workplan-cjk-aliases.conf"
  dst=/etc/fonts/conf.d/64-workplan-cjk-aliases.conf
  if ! cmp -s "$src" "$dst" 2>/dev/null; then
    echo "fontconfig: installing $dst"
    $SUDO install -m 0644 "$src" "$dst"
    $SUDO fc-cache -f >/dev/null 2>&1 || true
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
if [ "$(id -u)" -ne 0 ] && { [ ${#missing[@]} -gt 0 ] || ! cmp -s "$(dirname "$0")/fontconfig/64-workplan-cjk-aliases.conf" /etc/fonts/conf.d/64-workplan-cjk-aliases.conf; }; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "error: need root (or sudo) to install: ${missing[*]} (and the fontconfig aliases)" >&2; exit 1; fi
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  install_font_aliases
  exit 0
fi
# PostgreSQL: Debian would create a cluster "main" and start it as a service; the tests start their
# own throwaway servers (scripts/pg-cluster), so no default cluster is created (createcluster.conf,
# written before the package and kept by dpkg: --force-confold) and no service is started during
# the install (policy-rc.d)
CREATECLUSTER=/etc/postgresql-common/createcluster.conf
no_default_cluster() {
  $SUDO mkdir -p /etc/postgresql-common
  if [ -f "$CREATECLUSTER" ] && grep -q '^[[:space:]]*create_main_cluster' "$CREATECLUSTER"; then
    $SUDO sed -i 's/^[[:space:]]*create_main_cluster.*/create_main_cluster = false/' "$CREATECLUSTER"
  else
    echo "create_main_cluster = false" | $SUDO tee -a "$CREATECLUSTER" >/dev/null
  fi
}
POLICY=/usr/sbin/policy-rc.d
made_policy=""
cleanup_policy() { if [ -n "$made_policy" ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup_policy EXIT

echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if printf '%s\n' "${missing[@]}" | grep -q '^postgresql'; then
  no_default_cluster
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod 0755 "$POLICY" && made_policy=1
  fi
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef \
  -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
cleanup_policy; made_policy=""
echo "system packages: done"
install_font_aliases
