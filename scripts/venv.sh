#!/usr/bin/env bash
# Creates .venv with the Python named in .python-version and installs Mutua with the given extras.
# Re-installs only when pyproject.toml changes (a stamp file remembers its hash).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
want="$(tr -d '[:space:]' < .python-version)"

find_python() {
  for candidate in \
      "$(command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null)/versions/$want"*/bin/python \
      "$HOME/.pyenv/versions/$want"*/bin/python \
      "$(command -v "python$want" 2>/dev/null || true)" \
      "$(command -v python3 2>/dev/null || true)"; do
    [ -x "$candidate" ] || continue
    if "$candidate" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)"; then
  py="$(find_python)" || { echo "Python $want is needed (see .python-version); install it with pyenv or your package manager." >&2; exit 1; }
  echo "Creating .venv with $py"
  rm -rf .venv
  "$py" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi

stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)-${extras:-base}"
if [ ! -f "$stamp" ]; then
  spec="."
  [ -n "$extras" ] && spec=".[$extras]"
  echo "Installing Mutua ($spec) into .venv"
  # pip and setuptools print banners and deprecation notes on success; show them only on failure.
  log="$(mktemp)"
  if ! .venv/bin/python -m pip install --quiet -e "$spec" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
  rm -f .venv/.installed-*-"${extras:-base}"
  touch "$stamp"
fi
