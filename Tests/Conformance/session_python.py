#!/usr/bin/env python3
"""Sends the conformance session (README.md) with the Python client. Usage: session_python.py ADDRESS"""
import sys

import numpy as np

import infoplane
from spec import FRAME_LAYERS, LAYERS, RUNS, CHUNK_BYTES, label, scalars, value

NUMPY_DTYPE = {"f32": np.float32, "f16": np.float16, "bf16": np.float32, "f64": np.float64}


def main(address):
    for run, r_index, split, rows, sample_id, steps in RUNS:
        ids = np.array([sample_id(r) for r in range(rows)], dtype=np.int64)
        monitor = infoplane.Monitor(run=run, address=address, chunk_bytes=CHUNK_BYTES,
                                    client_name="conformance-python")
        for step in steps:
            for l_index, (layer, role, dtype, features, _) in enumerate(LAYERS):
                if role == "label":
                    values = np.array([label(r_index, step, i) for i in ids], dtype=np.int64)
                    wire = None
                else:
                    grid = [[value(r_index, step, l_index, int(i), j) for j in range(features)] for i in ids]
                    values = np.array(grid, dtype=NUMPY_DTYPE[dtype])
                    wire = "bf16" if dtype == "bf16" else None
                queued = monitor.log_activations(step, layer, values, sample_ids=ids, split=split, role=role,
                                                 epoch=step // 10, frame_layer_count=FRAME_LAYERS, dtype=wire)
                assert queued, f"{run} step {step} layer {layer} was not queued"
            for scalar_split, metrics in scalars(step):
                assert monitor.log_scalars(step, split=scalar_split, epoch=step // 10, **metrics)
        stats = monitor.close(timeout=30)
        print(f"python: {run}: {stats}")
        if stats.dropped or stats.errors or stats.acked != stats.sent:
            sys.exit(f"python: {run}: messages dropped, refused or unanswered: {stats}")


if __name__ == "__main__":
    main(sys.argv[1])
