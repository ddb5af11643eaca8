#!/usr/bin/env python3
"""Generate the CCSDS 131.0-B-4 Reed-Solomon known-answer vectors with Python `reedsolo`.

Output: ccsds-tm/tests/vectors/rs_reedsolo.json, read by ccsds-tm/tests/rs_vectors.rs.

Requires `reedsolo==1.7.0` (pure-Python module; `pip install reedsolo==1.7.0`).

Usage:
    python3 scripts/gen_rs_vectors.py           # (re)write the JSON
    python3 scripts/gen_rs_vectors.py --check   # regenerate in memory, exit 1 if the file differs

How reedsolo expresses the CCSDS code (131.0-B-4 §4; shared/CCSDS-NOTES.md §7.3)
------------------------------------------------------------------------------
The CCSDS generator is g(x) = prod_{j=fcr}^{fcr+2E-1} (x - alpha^(11 j)) over GF(2^8) with
F(x) = x^8+x^7+x^2+x+1 (0x187), alpha = 0x02; fcr = 112 for E=16, 120 for E=8.
reedsolo's RSCodec builds g(x) = prod_{i=0}^{nsym-1} (x - generator^(i+fcr)), so the root spacing
alpha^11 is expressed by passing `generator = beta = alpha^11` (0xAD, computed here with
reedsolo's own gf_pow over 0x187). beta is primitive (gcd(11, 255) = 1), so reedsolo's log/antilog
tables, built in base beta, describe the same field: multiplication is base independent.
The resulting g(x) is checked against the coefficients in the notes before anything is written.
Encoding and decoding (RSCodec.encode / RSCodec.decode: syndromes, Berlekamp-Massey, Chien,
Forney) are all reedsolo's; this script only adds the two things reedsolo does not know:

* Dual basis (Berlekamp) representation: the wire carries symbols in the dual basis. Conventional
  -> dual is dual_bit[c] = XOR_r conv_bit[r] * T[r][c] (bit 0 = MSB) with the matrix T below
  (notes §7.3); dual -> conventional is the inverse table (T is checked to be a bijection).
  Encoding: data dual -> conventional, reedsolo encode, parity conventional -> dual (data octets
  are transmitted unchanged). Decoding: the whole received codeword dual -> conventional,
  reedsolo decode, corrected codeword conventional -> dual.
* Interleaving (depth I) and shortening: codeword j of a codeblock is frame[j::I] followed by its
  parity; parity symbol p of codeword j sits at offset frame_len + p*I + j. Shortening (virtual
  fill) is reedsolo's natural handling of messages shorter than k: leading zero coefficients are
  implicit.

Random data comes from random.Random(SEED); the file is reproducible (--check).
"""

import argparse
import json
import pathlib
import random
import sys

import reedsolo

SEED = 1310  # 131.0-B-4
PRIM = 0x187
ROOT_SPACING = 11
FCR = {16: 112, 8: 120}
GEN_E16 = "01 5B 7F 56 10 1E 0D EB 61 A5 08 2A 36 56 AB 20 71 20 AB 56 36 2A 08 A5 61 EB 0D 1E 10 56 7F 5B 01"
T_ROWS = "10001101 11101111 11101100 10000110 11111010 10011001 10101111 01111011".split()

OUT = pathlib.Path(__file__).resolve().parent.parent / "ccsds-tm" / "tests" / "vectors" / "rs_reedsolo.json"


def conv_to_dual(x):
    """dual_bit[c] = XOR_r conv_bit[r] * T[r][c], bit 0 = MSB (notes §7.3)."""
    out = 0
    for r in range(8):
        if (x >> (7 - r)) & 1:
            for c in range(8):
                if T_ROWS[r][c] == "1":
                    out ^= 1 << (7 - c)
    return out


C2D = [conv_to_dual(x) for x in range(256)]
assert sorted(C2D) == list(range(256)), "T is not invertible"
D2C = [0] * 256
for _conv, _dual in enumerate(C2D):
    D2C[_dual] = _conv


def codec(e):
    """A reedsolo codec for RS(255, 255-2E) CCSDS, conventional basis."""
    reedsolo.init_tables(prim=PRIM, generator=2, c_exp=8)
    beta = reedsolo.gf_pow(2, ROOT_SPACING)
    rsc = reedsolo.RSCodec(nsym=2 * e, nsize=255, fcr=FCR[e], prim=PRIM, generator=beta, c_exp=8)
    return rsc


def generator_hex(rsc, e):
    return " ".join("%02X" % x for x in rsc.gen[2 * e])


def encode_codeword(rsc, data_dual):
    conv = bytes(D2C[b] for b in data_dual)
    enc = rsc.encode(conv)
    assert enc[: len(conv)] == conv
    return bytes(data_dual) + bytes(C2D[b] for b in enc[len(conv):])


def encode_codeblock(rsc, e, interleave, frame):
    assert len(frame) % interleave == 0
    parity = [encode_codeword(rsc, frame[j::interleave])[len(frame) // interleave:] for j in range(interleave)]
    out = bytearray(frame)
    for p in range(2 * e):
        for j in range(interleave):
            out.append(parity[j][p])
    return bytes(out)


def decode_codeblock(rsc, interleave, received):
    """Per-codeword reedsolo decode; returns (corrected codeblock or None, counts, uncorrectable)."""
    out = bytearray(received)
    counts, bad = [], []
    for j in range(interleave):
        cw = bytes(D2C[b] for b in received[j::interleave])
        try:
            _, full, errata = rsc.decode(cw)
        except reedsolo.ReedSolomonError:
            counts.append(None)
            bad.append(j)
            continue
        counts.append(len(errata))
        for i, b in enumerate(full):
            out[i * interleave + j] = C2D[b]
    return (None if bad else bytes(out)), counts, bad


def corrupt(rng, codeblock, interleave, per_codeword):
    """Inject per_codeword[j] symbol errors (distinct positions, non-zero XOR) into codeword j."""
    errors = []
    n = len(codeblock) // interleave
    for j, count in enumerate(per_codeword):
        for i in sorted(rng.sample(range(n), count)):
            errors.append({"offset": i * interleave + j, "xor": rng.randrange(1, 256)})
    received = bytearray(codeblock)
    for err in errors:
        received[err["offset"]] ^= err["xor"]
    return errors, bytes(received)


def build():
    rng = random.Random(SEED)
    codecs = {16: codec(16), 8: codec(8)}
    assert generator_hex(codecs[16], 16) == GEN_E16, generator_hex(codecs[16], 16)
    vectors = []

    def clean(name, e, interleave, frame_len, data=None):
        rsc = codecs[e]
        frame = data if data is not None else bytes(rng.randrange(256) for _ in range(frame_len))
        # reedsolo keeps its log/antilog tables in module globals: (re)select ours.
        reedsolo.init_tables(prim=PRIM, generator=rsc.generator, c_exp=8)
        block = encode_codeblock(rsc, e, interleave, frame)
        vectors.append({
            "name": name, "e": e, "interleave": interleave, "frame_len": frame_len,
            "codeblock": block.hex(),
        })
        return block

    def corrupted(name, e, interleave, frame_len, per_codeword):
        rsc = codecs[e]
        block = clean(name, e, interleave, frame_len)
        errors, received = corrupt(rng, block, interleave, per_codeword)
        reedsolo.init_tables(prim=PRIM, generator=rsc.generator, c_exp=8)
        fixed, counts, bad = decode_codeblock(rsc, interleave, received)
        vec = vectors[-1]
        vec["errors"] = errors
        vec["received"] = received.hex()
        if bad:
            vec["uncorrectable"] = bad
        else:
            assert fixed == block, name
            vec["corrected_per_codeword"] = counts

    # Full codewords, I = 1.
    for i in range(3):
        clean(f"full_e16_i1_{i}", 16, 1, 223)
    clean("zeros_e16_i1", 16, 1, 223, bytes(223))
    clean("ones_e16_i1", 16, 1, 223, bytes([0xFF] * 223))
    for i in range(2):
        clean(f"full_e8_i1_{i}", 8, 1, 239)
    # Shortened codewords (virtual fill).
    for k in (1, 2, 100, 222):
        clean(f"short_e16_i1_k{k}", 16, 1, k)
    clean("short_e8_i1_k50", 8, 1, 50)
    # Interleaved codeblocks.
    for interleave in (2, 5, 8):
        clean(f"full_e16_i{interleave}", 16, interleave, 223 * interleave)
    clean("short_e16_i5_k160", 16, 5, 5 * 160)
    clean("short_e16_i8_k17", 16, 8, 8 * 17)
    clean("full_e8_i4", 8, 4, 4 * 239)
    clean("short_e8_i3_k30", 8, 3, 3 * 30)
    # Corrupted codeblocks with known error patterns (reedsolo corrects them).
    corrupted("err_e16_i1_1", 16, 1, 223, [1])
    corrupted("err_e16_i1_16", 16, 1, 223, [16])
    corrupted("err_e16_i1_k40_16", 16, 1, 40, [16])
    corrupted("err_e16_i2_mixed", 16, 2, 446, [16, 5])
    corrupted("err_e16_i5_mixed", 16, 5, 1115, [0, 16, 3, 9, 16])
    corrupted("err_e16_i8_k100", 16, 8, 800, [1, 2, 3, 4, 13, 14, 15, 16])
    corrupted("err_e8_i1_8", 8, 1, 239, [8])
    corrupted("err_e8_i2_k60", 8, 2, 120, [8, 2])
    # More errors than E: reedsolo reports them uncorrectable.
    corrupted("bad_e16_i1_17", 16, 1, 223, [17])
    corrupted("bad_e16_i1_k20_20", 16, 1, 20, [20])
    corrupted("bad_e16_i5_one_bad", 16, 5, 1115, [2, 0, 24, 16, 1])
    corrupted("bad_e8_i1_9", 8, 1, 239, [9])

    return {
        "source": (
            "Generated by scripts/gen_rs_vectors.py with Python reedsolo 1.7.0 "
            "(RSCodec nsym=2E, fcr=112|120, prim=0x187, generator=alpha^11=0xAD, conventional basis) "
            "plus the script's own dual-basis conversion (T matrix of CCSDS 131.0-B-4, "
            "shared/CCSDS-NOTES.md 7.3) and symbol interleaving; seed %d." % SEED
        ),
        "generator_e16": GEN_E16,
        "generator_e8": generator_hex(codecs[8], 8),
        "format": (
            "hex strings; codeblock = frame (frame_len octets, dual basis, unchanged) followed by "
            "2E*I interleaved check symbols; codeword j = octets j, j+I, ...; errors[].offset/xor "
            "give the injected pattern; received = codeblock with the errors; "
            "corrected_per_codeword = reedsolo's count; uncorrectable = codeword indices reedsolo rejects"
        ),
        "vectors": vectors,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file")
    args = ap.parse_args()
    text = json.dumps(build(), indent=1) + "\n"
    if args.check:
        if OUT.read_text() != text:
            print(f"{OUT} differs from a fresh generation", file=sys.stderr)
            return 1
        print(f"{OUT}: up to date")
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
