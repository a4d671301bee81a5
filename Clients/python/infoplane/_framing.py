"""Length-delimited framing: each message is preceded by its byte length as an unsigned
LEB128 varint (protobuf's "delimited" form)."""

from __future__ import annotations

import socket
from typing import List, Optional, Tuple


class FramingError(Exception):
    """The peer sent bytes that are not a valid length-delimited stream."""


_ONE_BYTE = [bytes([i]) for i in range(128)]


def encode_varint(value: int) -> bytes:
    """Unsigned LEB128 encoding of a non-negative integer."""
    if 0 <= value < 0x80:
        return _ONE_BYTE[value]
    if value < 0:
        raise ValueError("a varint length cannot be negative")
    if value < 0x4000:
        return bytes((value & 0x7F | 0x80, value >> 7))
    if value < 0x200000:
        return bytes((value & 0x7F | 0x80, (value >> 7) & 0x7F | 0x80, value >> 14))
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def send_frame(sock: socket.socket, payload: bytes, head: bytes = b"") -> None:
    """Writes one length-prefixed message made of `head` followed by `payload`. Large
    payloads are not copied into a new buffer."""
    prefix = encode_varint(len(head) + len(payload))
    if len(payload) <= 65536:
        sock.sendall(prefix + head + payload)
    else:
        sock.sendall(prefix + head)
        sock.sendall(payload)


def embedded_field(field_number: int, serialized: bytes) -> bytes:
    """The key and length of a length-delimited protobuf field (wire type 2) holding
    `serialized`; followed by `serialized`, it is that field's encoding."""
    return encode_varint((field_number << 3) | 2) + encode_varint(len(serialized))


class FrameReader:
    """Reads length-prefixed messages from a stream socket."""

    def __init__(self, sock: socket.socket, max_message_bytes: int = 16 << 20) -> None:
        self._sock = sock
        self._buffer = bytearray()
        self.max_message_bytes = max_message_bytes

    def read(self) -> Optional[bytes]:
        """The next message's bytes, or None at a clean end of stream (EOF between messages).

        Raises FramingError on a malformed prefix, an oversized message or EOF inside a message;
        socket errors (including timeouts) propagate.
        """
        while True:
            parsed = self._parse_prefix()
            if parsed is not None:
                length, consumed = parsed
                if length > self.max_message_bytes:
                    raise FramingError(f"the server announced a {length}-byte message, above the {self.max_message_bytes}-byte limit")
                if len(self._buffer) >= consumed + length:
                    payload = bytes(self._buffer[consumed:consumed + length])
                    del self._buffer[:consumed + length]
                    return payload
            chunk = self._sock.recv(65536)
            if not chunk:
                if self._buffer:
                    raise FramingError("the connection closed in the middle of a message")
                return None
            self._buffer += chunk

    def read_ready(self) -> Tuple[List[bytes], bool]:
        """For a non-blocking socket: the complete messages that can be read without
        waiting, and whether the peer closed the stream. Raises FramingError (as `read`) and
        socket errors other than "would block"."""
        messages: List[bytes] = []
        closed = False
        while True:
            try:
                chunk = self._sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                break
            if not chunk:
                closed = True
                break
            self._buffer += chunk
            if len(chunk) < 65536:
                break
        buffer = self._buffer
        end = len(buffer)
        position = 0
        while position < end:
            # The length prefix (one byte for every answer the server sends but Welcome).
            length = buffer[position]
            start = position + 1
            if length & 0x80:
                parsed = _parse_varint(buffer, position)
                if parsed is None:
                    break
                length, start = parsed
            if length > self.max_message_bytes:
                raise FramingError(f"the server announced a {length}-byte message, above the {self.max_message_bytes}-byte limit")
            if start + length > end:
                break
            messages.append(bytes(buffer[start:start + length]))
            position = start + length
        if position:
            del buffer[:position]
        if closed and self._buffer:
            raise FramingError("the connection closed in the middle of a message")
        return messages, closed

    def _parse_prefix(self):
        return _parse_varint(self._buffer, 0)


def _parse_varint(buffer, position: int):
    """(value, position after it) of the varint at `position`, or None if it is incomplete.
    Raises FramingError if it is longer than 10 bytes."""
    value = 0
    for i in range(10):
        if position + i >= len(buffer):
            return None
        byte = buffer[position + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, position + i + 1
    raise FramingError("the length prefix is longer than 10 bytes")

