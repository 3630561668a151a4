#!/usr/bin/env sh
# Print the path of a Python >= 3.12: first on PATH, then among pyenv-installed versions.
# Exit 1 with a message saying what to install when there is none.
check() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null
}
for candidate in python3.14 python3.13 python3.12 python3 python; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if check "$path"; then echo "$path"; exit 0; fi
done
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
for path in $(ls -d "$pyenv_root"/versions/3.1[2-9]*/bin/python3 "$pyenv_root"/versions/3.[2-9][0-9]*/bin/python3 2>/dev/null | sort -rV); do
  if check "$path"; then echo "$path"; exit 0; fi
done
for path in /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
  if [ -x "$path" ] && check "$path"; then echo "$path"; exit 0; fi
done
cat >&2 <<'MSG'
Conventio needs Python 3.12 or newer, and none was found (on PATH nor under pyenv).
Install one, for example:
  - Debian/Ubuntu:  sudo apt-get install python3.12 python3.12-venv
  - macOS:          brew install python@3.13
  - pyenv:          pyenv install 3.13
then run the command again.
MSG
exit 1
