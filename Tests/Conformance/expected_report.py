#!/usr/bin/env python3
"""Compares counting-sink reports with the report the conformance session (README.md) must
produce. Usage: expected_report.py NAME=REPORT.json [NAME=REPORT.json ...]
Exits 1, listing the differences, unless every report equals the expected one."""
import json
import math
import struct
import sys

from spec import LAYERS, RUNS, label, rows_per_chunk, scalars, value

MASK = (1 << 64) - 1


def fnv_mix(h, x):
    for _ in range(8):
        h = ((h ^ (x & 0xFF)) * 0x100000001B3) & MASK
        x >>= 8
    return h


def float_bits(v):
    return struct.unpack("<I", struct.pack("<f", v))[0]


def expected_report():
    tallies, all_scalars = [], []
    for run, r_index, split, rows, sample_id, steps in RUNS:
        for step in steps:
            for l_index, (layer, role, _, features, size) in enumerate(LAYERS):
                checksum = 0
                for r in range(rows):
                    i = sample_id(r)
                    h = fnv_mix(0xCBF29CE484222325, i & MASK)
                    if role == "label":
                        h = fnv_mix(h, label(r_index, step, i) & MASK)
                    else:
                        for j in range(features):
                            h = fnv_mix(h, float_bits(value(r_index, step, l_index, i, j)))
                    checksum = (checksum + h) & MASK
                tallies.append({"run": run, "layer": layer, "split": split, "step": step,
                                "chunks": math.ceil(rows / rows_per_chunk(features, size)), "rows": rows,
                                "values": rows * max(features, 1), "checksum": format(checksum, "x")})
            for scalar_split, metrics in scalars(step):
                all_scalars.append({"run": run, "step": step, "split": scalar_split, "values": metrics})
    return {"runs": sorted(r[0] for r in RUNS), "sessionsEnded": len(RUNS), "tallies": normalise(tallies),
            "scalars": sorted(all_scalars, key=lambda s: (s["run"], s["step"], s["split"]))}


def normalise(tallies):
    return sorted(tallies, key=lambda t: (t["run"], t["layer"], t["split"], t["step"]))


def differences(expected, actual):
    out = []
    for key in ("runs", "sessionsEnded"):
        if expected[key] != actual.get(key):
            out.append(f"{key}: expected {expected[key]}, got {actual.get(key)}")
    want = {(t["run"], t["layer"], t["split"], t["step"]): t for t in expected["tallies"]}
    got = {(t["run"], t["layer"], t["split"], t["step"]): t for t in actual.get("tallies", [])}
    for key in sorted(want.keys() | got.keys()):
        if key not in got:
            out.append(f"missing tally {key}")
        elif key not in want:
            out.append(f"unexpected tally {key}: {got[key]}")
        elif want[key] != got[key]:
            fields = [f"{f}: expected {want[key][f]}, got {got[key].get(f)}" for f in want[key] if want[key][f] != got[key].get(f)]
            out.append(f"tally {key}: " + "; ".join(fields))
    actual_scalars = sorted(actual.get("scalars", []), key=lambda s: (s["run"], s["step"], s["split"]))
    if expected["scalars"] != actual_scalars:
        out.append(f"scalars differ:\n  expected {expected['scalars']}\n  got      {actual_scalars}")
    return out


def main(arguments):
    if not arguments:
        sys.exit(__doc__)
    expected = expected_report()
    failed = False
    for argument in arguments:
        name, _, path = argument.partition("=")
        with open(path) as f:
            actual = json.load(f)
        problems = differences(expected, actual)
        if problems:
            failed = True
            print(f"conformance: {name}: {len(problems)} difference(s) from the expected report:")
            for p in problems[:40]:
                print("  " + p)
        else:
            print(f"conformance: {name}: {len(expected['tallies'])} tallies, {len(expected['scalars'])} scalar records: identical to the expected report")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
