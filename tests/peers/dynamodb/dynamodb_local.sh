#!/usr/bin/env bash
# Starts DynamoDB Local (AWS's jar, unpacked by scripts/install-test-peers.sh) in memory on PORT
# and prints "listening <PORT>" once it answers a ListTables request. Usage:
#
#   dynamodb_local.sh PORT
#
# DynamoDB Local has no option to choose the address it binds: it listens on every interface of
# the network namespace it runs in. Run this script only inside a private network namespace
# (`unshare -n` and `ip link set lo up`, or enter_private_network_namespace() in C++ tests),
# where loopback is the only interface, so nothing outside can reach it.
#
# Java runs as this script's child with a parent-death signal: killing the script (even with
# SIGKILL) kills Java. SIGTERM/SIGINT stop Java and end the script. Extra JVM options may be
# given in DYNAMODB_LOCAL_JAVA_OPTS.
set -euo pipefail

port=${1:?usage: dynamodb_local.sh PORT}
here=$(cd "$(dirname "$0")" && pwd)
home="$here/../node_modules/.dynamodb-local/emulator"
if [[ ! -f "$home/DynamoDBLocal.jar" ]]; then
  echo "DynamoDB Local is not installed in $home: run scripts/install-test-peers.sh" >&2
  exit 1
fi

# Refuse to start where anything but loopback is routed (outside a private network namespace).
if awk 'NR > 1 && $1 != "lo" { found = 1 } END { exit !found }' /proc/self/net/route ||
   awk '$10 != "lo" { found = 1 } END { exit !found }' /proc/self/net/ipv6_route; then
  echo "dynamodb_local.sh: this network namespace routes beyond loopback:" \
    "run it inside a private one (unshare -n)" >&2
  exit 1
fi

java_pid=
stop() {
  if [[ -n "$java_pid" ]]; then
    kill -TERM "$java_pid" 2>/dev/null || true
    wait "$java_pid" 2>/dev/null || true
  fi
  exit "${1:-0}"
}
trap stop TERM INT HUP

# C1 only and the serial collector: starts about twice as fast on a busy machine.
# -disableTelemetry: it would otherwise try to send usage data.
cd "$home"
# shellcheck disable=SC2086
setpriv --pdeathsig KILL -- java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  ${DYNAMODB_LOCAL_JAVA_OPTS:-} -Djava.library.path=./DynamoDBLocal_lib \
  -jar DynamoDBLocal.jar -inMemory -sharedDb -disableTelemetry -port "$port" &
java_pid=$!

# Ready when a real request is answered (the port opens before the service is set up).
answers_list_tables() {
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s\r\n' "POST / HTTP/1.1" "Host: 127.0.0.1:$port" \
    "X-Amz-Target: DynamoDB_20120810.ListTables" "Content-Type: application/x-amz-json-1.0" \
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0" \
    "Content-Length: 2" "Connection: close" "" >&3
  printf '{}' >&3
  IFS= read -r -t 10 status <&3 || status=
  exec 3<&-
  [[ "$status" == "HTTP/1.1 200"* ]]
}
deadline=$((SECONDS + 120))
until answers_list_tables 2>/dev/null; do
  if ! kill -0 "$java_pid" 2>/dev/null; then
    wait "$java_pid" || true
    echo "dynamodb_local.sh: DynamoDB Local exited before it was ready" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "dynamodb_local.sh: DynamoDB Local did not answer within 120 s" >&2
    stop 1
  fi
  sleep 0.1
done
echo "listening $port"

# Wait for Java, waking up for signals (wait returns when a trapped signal arrives).
while kill -0 "$java_pid" 2>/dev/null; do
  wait "$java_pid" || true
done
