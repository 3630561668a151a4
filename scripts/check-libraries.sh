#!/usr/bin/env sh
# Warn (never fail) when a system library the PDF renderer uses is missing.
# WeasyPrint lays pages out with Pango and embeds font subsets with HarfBuzz's subsetter;
# without the subsetter it falls back to fontTools, almost twice as slow per PDF.
have() {
  ldconfig -p 2>/dev/null | grep -q "$1" && return 0
  for dir in /usr/lib /usr/local/lib /opt/homebrew/lib /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu; do
    ls "$dir"/"$1"* >/dev/null 2>&1 && return 0
  done
  return 1
}
missing=""
have libpango-1.0 || missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
have libharfbuzz-subset || missing="$missing libharfbuzz-subset0"
if [ -n "$missing" ]; then
  cat >&2 <<MSG
Attention : bibliothèques système absentes pour produire les PDF :$missing
  - Debian/Ubuntu :  sudo apt-get install$missing
  - macOS :          brew install pango harfbuzz
Sans Pango, aucun PDF ne peut être produit ; sans libharfbuzz-subset, les PDF sont produits
presque deux fois plus lentement.
MSG
fi
exit 0
