"""Length-delimited framing and the envelope written around a pre-serialized body."""

import socket
import threading

import pytest

from infoplane._framing import FrameReader, FramingError, embedded_field, encode_varint, send_frame
from infoplane._proto.infoplane.v1 import infoplane_pb2 as pb


@pytest.mark.parametrize("n, encoded", [(0, b"\x00"), (1, b"\x01"), (127, b"\x7f"), (128, b"\x80\x01"),
                                        (300, b"\xac\x02"), (2 ** 32, b"\x80\x80\x80\x80\x10")])
def test_varint(n, encoded):
    assert encode_varint(n) == encoded


def test_envelope_around_a_serialized_body_is_the_standard_encoding():
    snapshot = pb.Snapshot(step=7, layer="fc", values=pb.Tensor(shape=[2, 1], dtype=pb.DTYPE_F32, data=b"\x00" * 8))
    body = snapshot.SerializeToString()
    head = pb.ClientMessage(sequence=9).SerializeToString() + embedded_field(11, body)
    parsed = pb.ClientMessage.FromString(head + body)
    assert parsed == pb.ClientMessage(sequence=9, snapshot=snapshot)


def test_frames_round_trip_through_a_socket_pair():
    a, b = socket.socketpair()
    big = bytes(range(256)) * 1000  # above the size sent in one piece
    received = []

    def read_all():
        reader = FrameReader(b)
        while (message := reader.read()) is not None:
            received.append(message)

    reader_thread = threading.Thread(target=read_all)
    reader_thread.start()
    try:
        send_frame(a, b"small")
        send_frame(a, big, head=b"HEAD")
        send_frame(a, b"")
        a.shutdown(socket.SHUT_WR)
        reader_thread.join(timeout=10)
        assert received == [b"small", b"HEAD" + big, b""]
    finally:
        a.close()
        b.close()


def test_truncated_and_oversized_frames_are_errors():
    a, b = socket.socketpair()
    try:
        a.sendall(encode_varint(10) + b"abc")
        a.shutdown(socket.SHUT_WR)
        with pytest.raises(FramingError, match="middle"):
            FrameReader(b).read()
    finally:
        a.close()
        b.close()
    a, b = socket.socketpair()
    try:
        a.sendall(encode_varint(1000))
        with pytest.raises(FramingError, match="limit"):
            FrameReader(b, max_message_bytes=999).read()
    finally:
        a.close()
        b.close()
