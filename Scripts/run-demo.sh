#!/usr/bin/env bash
# make demo: start infoplaned on a local socket, stream a training job to it, then show the
# information plane it measured and where everything is.
#   Scripts/run-demo.sh [DIR] [EPOCHS] [EXAMPLE]
# EXAMPLE: szt (default) the Shwartz-Ziv & Tishby network in numpy (default 1500 epochs);
#          cnn the digits CNN in PyTorch, watched with infoplane.torch.watch (default 30 epochs).
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/wait-for-daemon.sh
dir=${1:-.demo}
example=${3:-szt}
case "$example" in
  # patience: 5-second polls without a new estimated frame before the plane is shown (a debug
  # daemon takes tens of seconds for a CNN frame: 1024 x 4096 values to compress first);
  # expected: frames the example sent (cnn reports it; 0: unknown, wait for patience alone).
  szt) epochs=${2:-1500}; run=szt-tanh-seed0; patience=1; expected=0 ;;
  cnn) epochs=${2:-30}; run=digits-cnn-seed0; patience=24
       python3 -c "import torch, sklearn" 2>/dev/null || { echo "EXAMPLE=cnn needs PyTorch and scikit-learn (make deps installs both)"; exit 1; } ;;
  *) echo "unknown EXAMPLE=$example: use szt or cnn"; exit 1 ;;
esac
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
# Daemon defaults: every probe frame is kept and estimated, however fast the demo sends.
"$bin" --socket "$sock" --no-tcp --state-dir "$state" >"$log" 2>&1 &
echo $! >"$dir/infoplaned.pid"
# "ready" is logged once the socket and the HTTP port are bound; a daemon that cannot bind
# (another infoplaned on port 7412, say) exits instead.
wait_for_daemon "$log" "$(cat "$dir/infoplaned.pid")" || {
  echo "infoplaned did not start (log below); if another infoplaned is running, stop it first:"
  cat "$log"; exit 1
}

if [ "$example" = cnn ]; then
  echo "training the digits CNN (conv 32, conv 64, max-pool, fc 128, fc 10) for $epochs epochs, a probe frame every 50 steps"
  python3 Clients/python/examples/digits_cnn.py --epochs "$epochs" --address "$sock" --result-json \
    | tee "$dir/example.out" | grep -v '^RESULT '
  # Stop waiting as soon as every frame the example sent is estimated.
  expected=$(sed -n 's/^RESULT //p' "$dir/example.out" | python3 -c "import json, sys; print(json.load(sys.stdin).get('frames', 0))")
else
  echo "training the 12-10-7-5-4-3-2 tanh network for $epochs epochs, streaming every hidden layer"
  python3 Clients/python/examples/szt_demo.py --epochs "$epochs" --address "$sock" --progress 250
fi

echo "waiting for every frame to be estimated (progress: estimated steps per layer)..."
previous=-1
unchanged=0
while true; do
  count=$(python3 -c "import sqlite3,sys; db=sqlite3.connect('file:$state/infoplane.sqlite?mode=ro', uri=True); print(db.execute(\"SELECT count(DISTINCT step) FROM points WHERE estimator='binning'\").fetchone()[0])" 2>/dev/null || echo 0)
  printf '\r  %s frames estimated' "$count"
  if [ "$count" = "$previous" ]; then unchanged=$((unchanged + 1)); else unchanged=0; fi
  [ "$unchanged" -ge "$patience" ] && break
  [ "$expected" -gt 0 ] && [ "$count" -ge "$expected" ] && break
  previous=$count
  sleep 5
done
echo
python3 Scripts/show-infoplane.py "$state/infoplane.sqlite" "$run"

http=$(grep 'http listening' "$log" | grep -o 'address=[^ ]*' | head -1 | sed 's/address=//' || true)
cat <<MSG

Results
  store (SQLite):   $state/infoplane.sqlite
  daemon log:       $log
  daemon socket:    $sock   (still running, pid $(cat "$dir/infoplaned.pid"); stop: kill \$(cat $dir/infoplaned.pid))
MSG
if [ -n "$http" ]; then
  echo "  dashboard:        http://$http/  (information plane, series, alerts; also: .build/debug/infoplane series $run)"
fi
