#!/usr/bin/env bash
# Installs the npm packages the integration tests run against (tests/peers/package.json): the
# Kinesis server kinesalite and the AWS SDK for JavaScript as an independent client.
set -euo pipefail
cd "$(dirname "$0")/../tests/peers"

# Reinstall only when the lock file changed since the last install.
stamp=node_modules/.installed-lock
if [[ -f "$stamp" ]] && cmp -s package-lock.json "$stamp"; then
  echo "test peers: ok"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
echo "test peers: installed"
