#!/usr/bin/env bash
# The alert rules on real data: start infoplaned with a queue deep enough to estimate every
# probe frame, run the whole Shwartz-Ziv & Tishby demo against it, wait until every frame is
# estimated, then list the alerts the daemon raised (kind, step, message).
#   Scripts/demo-alerts.sh [EPOCHS] [INFOPLANED]     (defaults: 8000, the release build)
# About 4 minutes for 8000 epochs on a release build with 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/wait-for-daemon.sh
epochs=${1:-8000}
bin=${2:-$(swift build -c release --show-bin-path)/infoplaned}
dir=$(mktemp -d /tmp/infoplane-demo-alerts.XXXXXX)
"$bin" --socket "$dir/s.sock" --no-tcp --no-http --state-dir "$dir/state" >"$dir/infoplaned.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
wait_for_daemon "$dir/infoplaned.log" "$pid" || { echo "infoplaned did not start (log below):"; cat "$dir/infoplaned.log"; exit 1; }
python3 Clients/python/examples/szt_demo.py --epochs "$epochs" --address "$dir/s.sock" --quiet --result-json >"$dir/demo.out"
frames=$(sed -n 's/^RESULT .*"frames": \([0-9]*\).*/\1/p' "$dir/demo.out")
db="$dir/state/infoplane.sqlite"
count() { python3 -c "import sqlite3; db=sqlite3.connect('file:$db?mode=ro', uri=True); print(db.execute(\"SELECT count(DISTINCT step) FROM points WHERE metric='DSE(T)'\").fetchone()[0])" 2>/dev/null || echo 0; }
while [ "$(count)" -lt "$frames" ]; do
  kill -0 "$pid" 2>/dev/null || { echo "infoplaned exited before every frame was estimated (log below):"; cat "$dir/infoplaned.log"; exit 1; }
  sleep 2
done
echo "$frames frames estimated; alerts of $(tail -1 "$dir/demo.out" | cut -c1-60)..."
python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for kind, step, message in db.execute("SELECT kind, step, message FROM alerts ORDER BY id"):
    print(f"{kind:18} step {step:6}  {message}")
PY
echo "state: $dir"
