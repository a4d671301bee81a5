#!/usr/bin/env bash
# make demo: start infoplaned on a local socket, stream the Shwartz-Ziv & Tishby training
# demo (numpy) to it, then show the information plane it measured and where everything is.
#   Scripts/run-demo.sh [DIR] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/wait-for-daemon.sh
dir=${1:-.demo}
epochs=${2:-1500}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=$(swift build --show-bin-path)/infoplaned
sock="$dir/infoplane.sock"
state="$dir/state"
log="$dir/infoplaned.log"

if [ -f "$dir/infoplaned.pid" ] && kill -0 "$(cat "$dir/infoplaned.pid")" 2>/dev/null; then
  kill "$(cat "$dir/infoplaned.pid")"; sleep 1
fi
# Each demo starts from an empty store, so that what it shows is this run's (pass another DIR
# to keep an earlier one).
rm -rf "$state"
echo "starting infoplaned (log: $log, store: $state)"
# Keep every probe frame: the demo sends them faster than a debug build estimates them, and
# the daemon's default (latest wins) would estimate only the newest.
cat >"$dir/infoplaned.toml" <<TOML
[scheduler]
max_queued_frames_per_stream = 1024
TOML
"$bin" --socket "$sock" --no-tcp --state-dir "$state" --config "$dir/infoplaned.toml" >"$log" 2>&1 &
echo $! >"$dir/infoplaned.pid"
# "ready" is logged once the socket and the HTTP port are bound; a daemon that cannot bind
# (another infoplaned on port 7412, say) exits instead.
wait_for_daemon "$log" "$(cat "$dir/infoplaned.pid")" || {
  echo "infoplaned did not start (log below); if another infoplaned is running, stop it first:"
  cat "$log"; exit 1
}

echo "training the 12-10-7-5-4-3-2 tanh network for $epochs epochs, streaming every hidden layer"
python3 Clients/python/examples/szt_demo.py --epochs "$epochs" --address "$sock" --progress 250

echo "waiting for every frame to be estimated (progress: estimated steps per layer)..."
previous=-1
while true; do
  count=$(python3 -c "import sqlite3,sys; db=sqlite3.connect('file:$state/infoplane.sqlite?mode=ro', uri=True); print(db.execute(\"SELECT count(DISTINCT step) FROM points WHERE estimator='binning'\").fetchone()[0])" 2>/dev/null || echo 0)
  printf '\r  %s frames estimated' "$count"
  [ "$count" = "$previous" ] && break
  previous=$count
  sleep 5
done
echo
python3 Scripts/show-infoplane.py "$state/infoplane.sqlite"

http=$(grep 'http listening' "$log" | grep -o 'address=[^ ]*' | head -1 | sed 's/address=//' || true)
cat <<MSG

Results
  store (SQLite):   $state/infoplane.sqlite
  daemon log:       $log
  daemon socket:    $sock   (still running, pid $(cat "$dir/infoplaned.pid"); stop: kill \$(cat $dir/infoplaned.pid))
MSG
if [ -n "$http" ]; then
  echo "  dashboard:        http://$http/  (information plane, series, alerts; also: .build/debug/infoplane series szt-tanh-seed0)"
fi
