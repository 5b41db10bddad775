#!/usr/bin/env bash
# Installs what shardpipe needs to build and test, from Debian's packages. Run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libyaml-cpp-dev nlohmann-json3-dev libsimdjson-dev libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev libcli11-dev libssl-dev libboost-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libprotobuf-dev libpq-dev libzstd-dev zlib1g-dev
  libxml2-dev librdkafka-dev kcat
  postgresql
  python3 nodejs openssl openjdk-17-jre-headless valgrind time
  clang-19 libclang-rt-19-dev llvm-19
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "dependencies: ok"
