# Sourced by the scripts that start infoplaned in the background (run-demo.sh,
# demo-alerts.sh, conformance.sh).
#
#   wait_for_daemon LOG PID
# Waits (up to 30 s) until the daemon logs "ready" — its ingest socket and, when enabled,
# its HTTP port are bound — and returns 0; returns 1 as soon as the daemon has exited
# instead (a taken port, a bad configuration), or when it is still not ready at the end.
wait_for_daemon() {
  local log=$1 pid=$2
  for _ in $(seq 300); do
    grep -q "] ready" "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "] ready" "$log" 2>/dev/null
}
