#!/usr/bin/python3
"""Brotli (quality 11) copies of the web application's large vendor files, served as they are to
browsers that accept br (everything else is compressed on the fly, gzip or brotli at a fast level).
Run from the repository root after updating a vendor file: python3 scripts/compress-assets.py
(Debian python3-brotli or PyPI brotli). A unit test of fupin-web checks each copy against its file."""
import pathlib

import brotli

ASSETS = pathlib.Path("crates/fupin-web/assets")
for name in ["htmx.min.js"]:
    data = (ASSETS / name).read_bytes()
    out = ASSETS / (name + ".br")
    out.write_bytes(brotli.compress(data, quality=11, lgwin=22))
    print(f"{out}: {len(data)} → {out.stat().st_size} bytes")
