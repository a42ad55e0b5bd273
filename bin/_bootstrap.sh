# Shared by bin/start and bin/test: make a fresh clone runnable with nothing installed by hand.
# Sourced, not executed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\033[1m[bereik]\033[0m %s\n' "$*" >&2; }

ensure_uv() {
  if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then
    UV=(uv)
  elif python3 -m uv --version >/dev/null 2>&1; then
    UV=(python3 -m uv)
  else
    say "uv is missing: installing it with pip (python3 -m pip install --user uv)"
    python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv || {
      say "Could not install uv. Install it yourself: https://docs.astral.sh/uv/ (pip install uv)"
      exit 1
    }
    UV=(python3 -m uv)
  fi
}

# uv must find a Python >= 3.12. pyenv installs are not on uv's search path, so look there too.
ensure_python() {
  if [ -n "${UV_PYTHON:-}" ]; then return; fi
  local candidate
  for candidate in python3.13 python3.12; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
      export UV_PYTHON="$(command -v "$candidate")"; return
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.1[2-9]*/bin/python3; do
      if [ -x "$candidate" ]; then export UV_PYTHON="$candidate"; return; fi
    done
  fi
  if "${UV[@]}" python find '>=3.12' >/dev/null 2>&1; then return; fi
  say "Bereik needs Python 3.12 or newer. Install it (e.g. 'uv python install 3.12' or 'apt-get install python3.12')."
  exit 1
}

ensure_python_packages() {
  say "Installing Python packages (uv sync --frozen)"
  "${UV[@]}" sync --frozen --quiet
}

ensure_frontend_packages() {
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    say "npm is missing. Install Node.js 20 or newer with npm (apt-get install nodejs npm)."
    exit 1
  fi
  say "Installing front-end packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
}

bootstrap() {
  ensure_uv
  ensure_python
  ensure_python_packages
  ensure_frontend_packages
}

bereik() { "${UV[@]}" run --frozen --quiet bereik "$@"; }
