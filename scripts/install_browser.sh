#!/usr/bin/env bash
# Make sure headless Chromium and a CJK font are present for the browser tests of /kiosk and /console.
#
# `playwright install` cannot download browsers here, so the tests drive Debian's own `chromium`
# package. Without a CJK font Chinese renders as boxes and the screenshots prove nothing, so the
# font is part of the same check. Idempotent: does nothing when both are already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

have_cjk_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]
}

if [ -x "$CHROMIUM" ] && have_cjk_font; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "install_browser: $CHROMIUM or a CJK font is missing; run this script as root to install them" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_browser: no apt-get here; install chromium and a CJK font (fonts-wqy-microhei) yourself" >&2
  exit 1
fi
echo "install_browser: installing chromium and fonts-wqy-microhei (Debian packages)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >&2
if [ ! -x "$CHROMIUM" ] || ! have_cjk_font; then
  echo "install_browser: installed, but $CHROMIUM or the CJK font is still missing" >&2
  exit 1
fi
echo "install_browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) ready" >&2
