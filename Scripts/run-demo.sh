#!/usr/bin/env bash
# make demo: start infoplaned on a local socket, stream the Shwartz-Ziv & Tishby training
# demo (numpy) to it, then show the information plane it measured and where everything is.
#   Scripts/run-demo.sh [DIR] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
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
echo "starting infoplaned (log: $log)"
"$bin" --socket "$sock" --no-tcp --state-dir "$state" --config /dev/null >"$log" 2>&1 &
echo $! >"$dir/infoplaned.pid"
for _ in $(seq 100); do grep -q "] ready" "$log" 2>/dev/null && break; sleep 0.1; done
grep -q "] ready" "$log" || { echo "infoplaned did not start:"; cat "$log"; exit 1; }

echo "training the 12-10-7-5-4-3-2 tanh network for $epochs epochs, streaming every hidden layer"
python3 Clients/python/examples/szt_demo.py --epochs "$epochs" --address "$sock" --progress 250

echo "waiting for the last frames to be estimated..."
sleep 3
python3 Scripts/show-infoplane.py "$state/infoplane.sqlite"

http=$(grep -o 'http listening.*address=[^ ]*' "$log" | sed 's/.*address=//' | head -1 || true)
cat <<MSG

Results
  store (SQLite):   $state/infoplane.sqlite
  daemon log:       $log
  daemon socket:    $sock   (still running, pid $(cat "$dir/infoplaned.pid"); stop: kill \$(cat $dir/infoplaned.pid))
MSG
if [ -n "$http" ]; then
  echo "  dashboard:        http://${http#*]}/  (information plane, series, alerts)"
fi
