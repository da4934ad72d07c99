#!/usr/bin/python3
"""Cuts the web application's font fallback from Debian's fonts-noto-cjk (Noto Sans CJK SC Regular,
SIL OFL 1.1) with fonttools' pyftsubset (Debian python3-fonttools python3-brotli, or PyPI fonttools
brotli):

- crates/fupin-web/assets/noto-sans-sc-ui.woff2: printable ASCII, CJK punctuation and every Han
  character of the interface (templates, the interface text of fupin-web, the code lists and
  messages of fupin-core), a few hundred KB;
- crates/fupin-web/assets/fonts.css: the @font-face rules, the interface subset with its exact
  unicode-range, the GB 2312 subset (noto-sans-sc-subset.woff2, made the same way from the 6,763
  characters of GB 2312) for every other Chinese character. A browser downloads a face only for the
  characters a page shows that no earlier font of the stack has.

Run from the repository root: python3 scripts/font-subset.py [--gb2312] (also remakes the GB 2312
subset). Then commit the woff2 and fonts.css."""
import pathlib
import re
import subprocess
import sys

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_NUMBER = "2"  # Noto Sans CJK SC in the collection
ASSETS = pathlib.Path("crates/fupin-web/assets")
SOURCES = [
    "crates/fupin-web/templates",
    "crates/fupin-web/src",
    "crates/fupin-core/src",
]


def interface_chars():
    chars = set(chr(c) for c in range(0x20, 0x7F))
    chars |= set("·—–‘’“”…、。,:;!?()《》「」【】~%×✓✗←→↑↓")
    for root in SOURCES:
        for p in pathlib.Path(root).rglob("*"):
            if p.suffix in (".rs", ".html"):
                text = p.read_text(encoding="utf-8")
                chars |= set(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text))
    return chars


def ranges(codes):
    out, codes = [], sorted(codes)
    start = prev = codes[0]
    for c in codes[1:] + [None]:
        if c is not None and c == prev + 1:
            prev = c
            continue
        out.append(f"U+{start:X}" if start == prev else f"U+{start:X}-{prev:X}")
        if c is not None:
            start = prev = c
    return ", ".join(out)


def subset(out, text_file):
    subprocess.run(
        [sys.executable, "-m", "fontTools.subset", FONT, f"--font-number={FONT_NUMBER}", f"--text-file={text_file}",
         "--flavor=woff2", "--layout-features=*", "--no-hinting", "--desubroutinize",
         f"--output-file={out}"],
        check=True,
    )


def main():
    chars = interface_chars()
    tmp = pathlib.Path("target/font-subset-ui.txt")
    tmp.parent.mkdir(exist_ok=True)
    tmp.write_text("".join(sorted(chars)), encoding="utf-8")
    subset(ASSETS / "noto-sans-sc-ui.woff2", tmp)
    if "--gb2312" in sys.argv:
        gb = []
        for hi in range(0xB0, 0xF8):
            for lo in range(0xA1, 0xFF):
                try:
                    gb.append(bytes([hi, lo]).decode("gb2312"))
                except UnicodeDecodeError:
                    pass
        tmp.write_text("".join(gb) + "".join(sorted(chars)), encoding="utf-8")
        subset(ASSETS / "noto-sans-sc-subset.woff2", tmp)
    css = (
        "/* Made by scripts/font-subset.py: do not edit. Noto Sans CJK SC (SIL OFL 1.1). */\n"
        '@font-face { font-family: "fupin Noto Sans SC"; '
        'src: url("/static/noto-sans-sc-subset.woff2") format("woff2"); font-display: swap; '
        "font-weight: 100 900; "
        "unicode-range: U+3000-303F, U+4E00-9FFF, U+FF00-FFEF; }\n"
        '@font-face { font-family: "fupin Noto Sans SC"; '
        'src: url("/static/noto-sans-sc-ui.woff2") format("woff2"); font-display: swap; '
        "font-weight: 100 900; "
        f"unicode-range: {ranges([ord(c) for c in chars])}; }}\n"
    )
    (ASSETS / "fonts.css").write_text(css, encoding="utf-8")
    print(f"{len(chars)} characters; ui font {(ASSETS / 'noto-sans-sc-ui.woff2').stat().st_size} bytes")


if __name__ == "__main__":
    main()
