"""BEP 52 reference for tests/libtorrent.rs: libtorrent builds a v2-only
torrent per case and prints its `pieces root` and `piece layers` entry.

stdin: one case per line, "<file path> <piece size>".
stdout: one line per case, "<pieces root hex> <piece layer hex or ->".
Run with Debian's /usr/bin/python3 (python3-libtorrent).
"""
import os
import sys

import libtorrent as lt

for line in sys.stdin:
    path, piece_size = line.split()
    fs = lt.file_storage()
    lt.add_files(fs, path)
    t = lt.create_torrent(fs, int(piece_size), flags=lt.create_torrent.v2_only)
    lt.set_piece_hashes(t, os.path.dirname(path))
    e = t.generate()
    assert e[b"info"][b"piece length"] == int(piece_size)
    tree = e[b"info"][b"file tree"][os.path.basename(path).encode()][b""]
    root = tree[b"pieces root"]
    layer = e.get(b"piece layers", {}).get(root)
    print(root.hex(), layer.hex() if layer else "-", flush=True)
