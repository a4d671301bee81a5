"""How values become wire tensors: precision kept, bfloat16 bits, labels, flattening, refusals."""

import numpy as np
import pytest

from infoplane._proto.infoplane.v1 import infoplane_pb2 as pb
from infoplane._tensors import NonFiniteValues, decode_tensor, encode_sample_ids, encode_values


def _roundtrip(values, role=pb.ROLE_HIDDEN, send_dtype=None):
    wire = encode_values(values, role, send_dtype)
    tensor = wire.tensor(0, wire.rows)
    assert len(tensor.data) == int(np.prod(tensor.shape)) * {1: 4, 2: 2, 3: 2, 4: 8, 5: 4, 6: 8}[tensor.dtype]
    return tensor


@pytest.mark.parametrize("dtype, code", [(np.float16, pb.DTYPE_F16), (np.float32, pb.DTYPE_F32), (np.float64, pb.DTYPE_F64)])
def test_floats_are_sent_in_their_own_precision(dtype, code):
    values = np.random.default_rng(1).standard_normal((7, 3)).astype(dtype)
    tensor = _roundtrip(values)
    assert tensor.dtype == code and list(tensor.shape) == [7, 3]
    np.testing.assert_array_equal(decode_tensor(tensor), values)


def test_big_endian_input_is_sent_little_endian():
    values = np.arange(6, dtype=">f4").reshape(3, 2)
    tensor = _roundtrip(values)
    assert tensor.dtype == pb.DTYPE_F32
    assert tensor.data == np.arange(6, dtype="<f4").tobytes()


def test_rows_are_flattened_per_sample():
    values = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    tensor = _roundtrip(values)
    assert list(tensor.shape) == [2, 12]
    np.testing.assert_array_equal(decode_tensor(tensor), values.reshape(2, 12))
    assert list(_roundtrip(np.ones(5, dtype=np.float32)).shape) == [5, 1]


def test_float32_to_bfloat16_rounds_to_nearest_even():
    # 1 + 2^-8 lies halfway between bf16 1.0 and 1 + 2^-7: ties go to the even pattern (1.0);
    # 1 + 3*2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6 and goes up to the even 1 + 2^-6.
    values = np.array([[1.0, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.5, 3.0e38]], dtype=np.float32)
    tensor = _roundtrip(values, send_dtype="bf16")
    assert tensor.dtype == pb.DTYPE_BF16
    bits = np.frombuffer(tensor.data, dtype="<u2")
    assert list(bits[:4]) == [0x3F80, 0x3F80, 0x3F82, 0xC020]
    np.testing.assert_allclose(decode_tensor(tensor)[0, 4], 3.0e38, rtol=2 ** -8)


def test_integer_activations_become_float32():
    tensor = _roundtrip(np.array([[1, 2], [3, 4]], dtype=np.int64))
    assert tensor.dtype == pb.DTYPE_F32
    np.testing.assert_array_equal(decode_tensor(tensor), [[1, 2], [3, 4]])


def test_labels_are_int64_with_one_value_per_row():
    tensor = _roundtrip(np.array([[0], [1], [1]], dtype=np.int32), role=pb.ROLE_LABEL)
    assert tensor.dtype == pb.DTYPE_I64 and list(tensor.shape) == [3]
    np.testing.assert_array_equal(decode_tensor(tensor), [0, 1, 1])
    assert decode_tensor(_roundtrip(np.array([2.0, 0.0]), role=pb.ROLE_LABEL)).tolist() == [2, 0]
    with pytest.raises(ValueError):
        encode_values(np.array([0.5, 1.0]), pb.ROLE_LABEL)
    with pytest.raises(ValueError):
        encode_values(np.zeros((3, 2), dtype=np.int64), pb.ROLE_LABEL)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("send_dtype", [None, "bf16", "f16"])
def test_non_finite_values_are_refused_locally(bad, send_dtype):
    values = np.zeros((4, 2), dtype=np.float32)
    values[2, 1] = bad
    with pytest.raises(NonFiniteValues, match="flat index 5"):
        encode_values(values, pb.ROLE_HIDDEN, send_dtype)


def test_float64_overflowing_float16_is_refused_not_sent_as_infinity():
    with pytest.raises(NonFiniteValues):
        encode_values(np.array([[1e6]]), pb.ROLE_HIDDEN, "f16")


def test_encoding_copies_the_callers_array():
    values = np.ones((3, 2), dtype=np.float32)
    wire = encode_values(values, pb.ROLE_HIDDEN)
    values[:] = 5
    assert decode_tensor(wire.tensor(0, 3)).tolist() == [[1, 1]] * 3


def test_sample_ids():
    assert encode_sample_ids(None, 4).array.tolist() == [0, 1, 2, 3]
    assert encode_sample_ids(np.array([9, 3], dtype=np.int32), 2).array.dtype == np.dtype("<i8")
    with pytest.raises(ValueError, match="unique"):
        encode_sample_ids([1, 1], 2)
    with pytest.raises(ValueError, match="rows"):
        encode_sample_ids([1, 2, 3], 2)
    with pytest.raises(ValueError):
        encode_sample_ids(np.array([0.0, 1.0]), 2)


def test_unsupported_values_are_refused_with_a_message():
    with pytest.raises(ValueError, match="float16, bfloat16, float32 or float64"):
        encode_values(np.array([["a"]]), pb.ROLE_HIDDEN)
    with pytest.raises(ValueError, match="no rows"):
        encode_values(np.zeros((0, 3), dtype=np.float32), pb.ROLE_HIDDEN)
    with pytest.raises(ValueError, match="'f16', 'bf16'"):
        encode_values(np.zeros((1, 3), dtype=np.float32), pb.ROLE_HIDDEN, "int8")


try:
    import torch
except ImportError:
    torch = None
requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed: torch tensor encoding is not tested")


@requires_torch
@pytest.mark.parametrize("torch_dtype, code", [("float16", pb.DTYPE_F16), ("bfloat16", pb.DTYPE_BF16),
                                               ("float32", pb.DTYPE_F32), ("float64", pb.DTYPE_F64)])
def test_torch_tensors_keep_their_dtype(torch_dtype, code):
    t = torch.randn(5, 2, 3).to(getattr(torch, torch_dtype))
    tensor = _roundtrip(t)
    assert tensor.dtype == code and list(tensor.shape) == [5, 6]
    np.testing.assert_array_equal(decode_tensor(tensor).astype(np.float64), t.reshape(5, 6).double().numpy())


@requires_torch
def test_float_to_bf16_conversion_matches_torch():
    values = np.random.default_rng(3).standard_normal((64, 16)).astype(np.float32) * 100
    tensor = _roundtrip(values, send_dtype="bf16")
    expected = torch.from_numpy(values).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    np.testing.assert_array_equal(np.frombuffer(tensor.data, dtype="<u2").reshape(64, 16), expected)
