#!/usr/bin/env python3
"""Regenerates the small IDX fixtures of HiSoDataTests (run from this directory).

Files (each IDX file also as a reproducible .gz, mtime 0):
  small-images-idx3-ubyte       5 images of 3x4, pixel (i, r, c) = (37*i + 5*r + c) % 256
  small-labels-idx1-ubyte       labels 0, 9, 3, 3, 7
  truncated-images-idx3-ubyte   header says 5 images, only 50 of 60 pixel bytes present
  badmagic-images-idx3-ubyte    the small images with the label magic 0x00000801
  trailing-images-idx3-ubyte    the small images plus 3 extra bytes
  short-header-images-idx3-ubyte  only 6 bytes (magic and half of the count)
  zero-rows-images-idx3-ubyte   5 images of 0x4
  mismatch-labels-idx1-ubyte    4 labels (count mismatch with the 5 images)
  outofrange-labels-idx1-ubyte  labels 0, 9, 3, 10, 7 (10 at byte offset 11)
  corrupt-stream-images-idx3-ubyte.gz  the small images' gzip stream cut to its first half
"""
import gzip
import struct


def images(count, rows, cols, magic=0x803):
    header = struct.pack(">IIII", magic, count, rows, cols)
    pixels = bytes((37 * i + 5 * r + c) % 256 for i in range(count) for r in range(rows) for c in range(cols))
    return header + pixels


def labels(values, magic=0x801):
    return struct.pack(">II", magic, len(values)) + bytes(values)


def write(name, data, gz=True):
    with open(name, "wb") as f:
        f.write(data)
    if gz:
        with open(name + ".gz", "wb") as f:
            f.write(gzip.compress(data, mtime=0))


small = images(5, 3, 4)
write("small-images-idx3-ubyte", small)
write("small-labels-idx1-ubyte", labels([0, 9, 3, 3, 7]))
write("truncated-images-idx3-ubyte", small[:16 + 50])
write("badmagic-images-idx3-ubyte", images(5, 3, 4, magic=0x801))
write("trailing-images-idx3-ubyte", small + b"\x01\x02\x03")
write("short-header-images-idx3-ubyte", small[:6])
write("zero-rows-images-idx3-ubyte", struct.pack(">IIII", 0x803, 5, 0, 4))
write("mismatch-labels-idx1-ubyte", labels([0, 9, 3, 3]))
write("outofrange-labels-idx1-ubyte", labels([0, 9, 3, 10, 7]))
stream = gzip.compress(small, mtime=0)
with open("corrupt-stream-images-idx3-ubyte.gz", "wb") as f:
    f.write(stream[: len(stream) // 2])
