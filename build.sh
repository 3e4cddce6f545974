#!/usr/bin/env bash
# The two commands of a fresh clone:
#   ./build.sh demo [options]   run `brisa demo`: the whole loop on a private Azurite
#   ./build.sh test             build with warnings as errors and run every test
# Both install what they need: Azurite from package-lock.json (npm ci) and NuGet packages (restore).
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
    dotnet build Functions.sln -c Release --nologo -v quiet -clp:NoSummary -warnaserror
    dotnet test Functions.sln -c Release --no-build --nologo "$@"
    ;;
  *)
    echo "usage: ./build.sh demo [brisa demo options] | ./build.sh test [dotnet test options]" >&2
    exit 2
    ;;
esac
