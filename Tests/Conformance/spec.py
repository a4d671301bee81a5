"""The conformance session (see README.md), shared by session_python.py and expected_report.py."""

CHUNK_BYTES = 4096
FRAME_LAYERS = 6

RUNS = [
    # name, R, snapshot split, rows, sample id of row r, steps
    ("conformance-alpha", 0, "probe", 300, lambda r: 1000 + 3 * r, [0, 7, 30]),
    ("conformance-beta", 1, "validation", 129, lambda r: 7 + 5 * r, [0, 100]),
]

# name, role, wire dtype, features (0: label vector), bytes per element
LAYERS = [
    ("inputs", "input", "f32", 12, 4),
    ("labels", "label", "i64", 0, 8),
    ("h1", "hidden", "f32", 10, 4),
    ("h2", "hidden", "f16", 7, 2),
    ("h3", "hidden", "bf16", 5, 2),
    ("out", "output", "f64", 2, 8),
]


def value(run_index, step, layer_index, sample_id, column):
    return ((sample_id * 7 + column * 13 + step * 3 + layer_index * 29 + run_index * 11) % 255 - 127) / 64


def label(run_index, step, sample_id):
    return (sample_id + step + run_index) % 3


def rows_per_chunk(features, element_bytes):
    row_bytes = max(features, 1) * element_bytes
    return max(1, CHUNK_BYTES // (row_bytes + 8))


def scalars(step):
    return [("train", {"loss": 2.5 - step / 64, "accuracy": (step % 8) / 8}),
            ("validation", {"val_loss": 3 - step / 128})]
