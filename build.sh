#!/usr/bin/env bash
# The two commands of a fresh clone:
#   ./build.sh demo [options]   run `brisa demo`: the whole loop on a private Azurite
#   ./build.sh test             build with warnings as errors and run every test
# Both install what they need: Azurite from package-lock.json (npm ci) and NuGet packages (restore); `test` also
# installs Chromium and chromedriver (Debian packages) for the catalog page's browser test.
set -euo pipefail
cd "$(dirname "$0")"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is not installed. $2" >&2; exit 3; }
}

install_azurite() {
  need node "Install Node.js 20 or later (https://nodejs.org or 'apt-get install nodejs npm')."
  need npm "Install npm (it ships with Node.js)."
  # npm ci only when the lock file changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# The catalog page test drives headless Chromium and fails (never skips) without it: find it, or install Debian's
# packages when apt-get is usable (root, or password-less sudo as on CI runners), and pass the paths to the test.
find_chromium() {
  browser="${BRISA_CHROMIUM:-}"
  [ -n "$browser" ] || [ ! -x /usr/lib/chromium/chromium ] || browser=/usr/lib/chromium/chromium
  [ -n "$browser" ] || browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
  driver="${BRISA_CHROMEDRIVER:-$(command -v chromedriver || true)}"
  [ -n "$browser" ] && [ -n "$driver" ]
}

install_chromium() {
  if ! find_chromium; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    if command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
      echo "Installing chromium and chromium-driver with apt-get (for the catalog page's browser test)..."
      $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null \
        || { echo "error: apt-get could not install chromium and chromium-driver (see above)." >&2; exit 3; }
    fi
    if ! find_chromium; then
      echo "error: the catalog page's browser test needs Chromium and chromedriver, which are not installed." >&2
      echo "       Install them as root with 'apt-get install -y chromium chromium-driver', or set BRISA_CHROMIUM" >&2
      echo "       and BRISA_CHROMEDRIVER to a Chromium (or Chrome) and a matching chromedriver." >&2
      exit 3
    fi
  fi
  export BRISA_CHROMIUM="$browser" BRISA_CHROMEDRIVER="$driver"
}

need dotnet "Install the .NET 10 SDK (https://dot.net)."
target="${1:-}"
shift || true
case "$target" in
  demo)
    install_azurite
    dotnet build src/Brisa.Cli -c Release --nologo -v quiet -clp:NoSummary
    exec dotnet src/Brisa.Cli/bin/Release/net10.0/brisa.dll demo "$@"
    ;;
  test)
    install_azurite
    install_chromium
    dotnet build Functions.sln -c Release --nologo -v quiet -clp:NoSummary -warnaserror
    dotnet test Functions.sln -c Release --no-build --nologo "$@"
    ;;
  *)
    echo "usage: ./build.sh demo [brisa demo options] | ./build.sh test [dotnet test options]" >&2
    exit 2
    ;;
esac
