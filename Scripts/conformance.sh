#!/usr/bin/env bash
# Conformance: the same scripted session (Tests/Conformance/README.md) is sent by the Python
# client, the C client and the Swift client, each to a fresh `infoplaned --sink counting`;
# every sink report must equal the report computed from the specification.
#
#   Scripts/conformance.sh                 # builds what it needs, then runs the three clients
#   Scripts/conformance.sh --no-build      # use already built binaries
#   SCRATCH_PATH=.build-x Scripts/conformance.sh   # SwiftPM scratch path (default .build)
#   CONFORMANCE_CLIENTS="c python" Scripts/conformance.sh   # a subset
#
# Needs: swift, a C compiler, protobuf-c (libprotobuf-c-dev), python3 with numpy and protobuf.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. Scripts/wait-for-daemon.sh
scratch=${SCRATCH_PATH:-.build}
bin=${INFOPLANE_BIN_DIR:-$scratch/debug}
clients=${CONFORMANCE_CLIENTS:-"python c swift"}
work=$(mktemp -d /tmp/ip-conformance.XXXXXX)

if [ "${1:-}" != "--no-build" ]; then
  swift build --scratch-path "$scratch" --product infoplaned
  swift build --scratch-path "$scratch" --product conformance-swift-client
fi
make -s -C Clients/c libinfoplane_client.a
cc -std=c11 -O1 -Wall -Wextra -I Sources/CInfoplaneClient/include Tests/Conformance/session_c.c \
  Clients/c/libinfoplane_client.a $(pkg-config --libs libprotobuf-c 2>/dev/null || echo -lprotobuf-c) \
  -o "$work/session_c"

daemon_pid=
stop_daemon() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"
    for _ in $(seq 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$daemon_pid" 2>/dev/null && { echo "conformance: infoplaned did not stop; killing it" >&2; kill -KILL "$daemon_pid"; }
    wait "$daemon_pid" 2>/dev/null || true
  fi
  daemon_pid=
}
trap 'stop_daemon' EXIT

reports=()
for client in $clients; do
  dir="$work/$client"
  mkdir -p "$dir"
  "$bin/infoplaned" --socket "$dir/s.sock" --no-tcp --state-dir "$dir/state" \
    --sink counting --no-http --sink-report "$dir/report.json" >"$dir/daemon.log" 2>&1 &
  daemon_pid=$!
  wait_for_daemon "$dir/daemon.log" "$daemon_pid" || { echo "conformance: infoplaned did not start:"; cat "$dir/daemon.log"; exit 1; }
  case $client in
    python) (cd Tests/Conformance && PYTHONPATH="$root/Clients/python" python3 session_python.py "$dir/s.sock") ;;
    c) "$work/session_c" "$dir/s.sock" ;;
    swift) "$bin/conformance-swift-client" "$dir/s.sock" ;;
    *) echo "conformance: unknown client $client" >&2; exit 2 ;;
  esac
  stop_daemon
  [ -f "$dir/report.json" ] || { echo "conformance: no sink report from the $client session:"; cat "$dir/daemon.log"; exit 1; }
  reports+=("$client=$dir/report.json")
done

(cd Tests/Conformance && python3 expected_report.py "${reports[@]}")
rm -rf "$work"
