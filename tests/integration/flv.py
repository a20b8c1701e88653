"""A minimal FLV file reader/writer for crafting test inputs."""
import struct


def read_tags(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:3] == b"FLV"
    header_len = struct.unpack(">I", data[5:9])[0]
    pos = header_len + 4
    tags = []
    while pos + 11 <= len(data):
        ttype = data[pos] & 0x1F
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        ts = int.from_bytes(data[pos + 4:pos + 7], "big") | (data[pos + 7] << 24)
        body = data[pos + 11:pos + 11 + size]
        tags.append([ttype, ts, body])
        pos += 11 + size + 4
    return tags


def write_tags(path, tags):
    with open(path, "wb") as f:
        f.write(b"FLV\x01\x05" + struct.pack(">I", 9) + b"\x00\x00\x00\x00")
        for ttype, ts, body in tags:
            head = bytes([ttype]) + len(body).to_bytes(3, "big") + (ts & 0xFFFFFF).to_bytes(3, "big") \
                + bytes([(ts >> 24) & 0xFF]) + b"\x00\x00\x00"
            f.write(head + body + struct.pack(">I", len(head) + len(body)))
