#!/usr/bin/env python3
"""Prints the information plane stored by infoplaned: per layer, binning I(X;T) and I(T;Y)
over steps, as a table and a small text plot. Usage: show-infoplane.py STORE.sqlite [RUN]"""
import sqlite3
import sys


def main() -> int:
    path = sys.argv[1]
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    runs = [r[0] for r in db.execute("SELECT name FROM runs ORDER BY id")]
    if not runs:
        print("no runs in", path)
        return 1
    run = sys.argv[2] if len(sys.argv) > 2 else runs[-1]
    rows = db.execute(
        """SELECT l.name, p.metric, p.step, p.value, p.units FROM points p
           JOIN layers l ON l.id = p.layer_id JOIN runs r ON r.id = l.run_id
           WHERE r.name = ? AND p.estimator = 'binning' AND p.metric IN ('I(X;T)', 'I(T;Y)')
           ORDER BY l.name, p.step""", (run,)).fetchall()
    if not rows:
        print(f"run {run}: no binning points yet")
        return 1
    plane = {}
    units = rows[0][4]
    for layer, metric, step, value, _ in rows:
        plane.setdefault(layer, {}).setdefault(step, {})[metric] = value
    print(f"\nInformation plane of run {run} (binning, {units}); columns: step  I(X;T)  I(T;Y)")
    for layer, steps in plane.items():
        pts = [(s, v.get("I(X;T)"), v.get("I(T;Y)")) for s, v in sorted(steps.items())
               if "I(X;T)" in v and "I(T;Y)" in v]
        if not pts:
            continue
        picks = [pts[0], pts[len(pts) // 4], pts[len(pts) // 2], pts[3 * len(pts) // 4], pts[-1]]
        cells = "  ".join(f"{s:>6} {x:6.2f} {y:5.3f}" for s, x, y in dict.fromkeys(picks))
        print(f"  {layer:<10} {len(pts):>3} frames   {cells}")
    alerts = db.execute("SELECT kind, layer, step, message FROM alerts a JOIN runs r ON r.id = a.run_id "
                        "WHERE r.name = ? ORDER BY a.id", (run,)).fetchall() if _has_run_id(db) else []
    for kind, layer, step, message in alerts:
        print(f"  alert {kind} {layer} step {step}: {message}")
    return 0


def _has_run_id(db) -> bool:
    return any(c[1] == "run_id" for c in db.execute("PRAGMA table_info(alerts)"))


if __name__ == "__main__":
    sys.exit(main())
