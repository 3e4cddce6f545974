#!/usr/bin/env bash
# Prints the path of the Bicep CLI restored from NuGet (Azure.Bicep.CommandLine.linux-x64, a PackageDownload of
# tests/Brisa.Infra.Tests), restoring it first if needed. The same binary the tests use; nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
project=tests/Brisa.Infra.Tests/Brisa.Infra.Tests.csproj
version=$(sed -n 's:.*<BicepCliVersion>\(.*\)</BicepCliVersion>.*:\1:p' "$project")
bicep="${NUGET_PACKAGES:-$HOME/.nuget/packages}/azure.bicep.commandline.linux-x64/${version}/tools/bicep"
if [ ! -x "$bicep" ]; then
  dotnet restore "$project" --nologo -v quiet >&2
fi
[ -x "$bicep" ] || { echo "error: Bicep CLI not found at $bicep after restore" >&2; exit 1; }
echo "$bicep"
