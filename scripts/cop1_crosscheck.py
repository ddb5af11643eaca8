#!/usr/bin/env python3
"""Record what an independent FARM-1 (Python `ccsds-cop`) reports on scripted COP-1 scenarios.

Output: ccsds-tc/tests/vectors/cop1_farm_ccsds_cop.json, read by ccsds-tc/tests/farm1_crosscheck.rs,
which drives our FARM-1 (ccsds-tc/src/cop1/farm.rs) through the same steps and compares.

Requires `ccsds-cop==0.1.2` with `spacepackets==0.32.0` (it pulls `fastcrc` and `deprecation`):
    pip install ccsds-cop==0.1.2 spacepackets==0.32.0

Usage:
    python3 scripts/cop1_crosscheck.py           # (re)write the JSON
    python3 scripts/cop1_crosscheck.py --check   # regenerate in memory, exit 1 if the file differs

How the package is driven
-------------------------
`ccsds_cop.cop_1.farm.Farm1(w)` implements FARM-1 (CCSDS 232.1-B-2 §6) over USLP frames
(`spacepackets.uslp.TransferFrame`); the FARM only reads the bypass / protocol-control flags, the
VCF count (= N(S), one octet here so sequence numbers are mod 256 as in TC) and the data zone
(the control command of a BC frame), so a TC frame maps one-to-one onto such a USLP frame:
AD = sequence-controlled user data, BD = expedited user data, BC = expedited protocol
information. Each frame goes through the package's own entry point: put it in
`lower_interface.buffer`, signal `ValidFrameArrivedIndication`, `tick()`. The buffer release
signal (E10) is `higher_interface.buffer_release.set()` then `tick()`.
Buffer availability for AD frames is the package's own test: `higher_interface.buffer` (10 FDUs)
is emptied before the step ("buffer available") or filled with 10 placeholders ("no buffer").
After each step the script records whether the frame landed in `higher_interface.buffer`
(`delivered`, our `FarmAction::Accept`) and the CLCW fields FARM-1 owns (Lockout, Wait,
Retransmit, FARM-B counter mod 4, Report Value V(R)), plus the CLCW packed by the package's
`ControlWord` (VCID 7, everything else 0).

Each step also names the table 6-1 event (232.1-B-2 §6.3.2) the book assigns to it, written by
hand in the scenarios below; the Rust test checks our FARM classifies it the same way.

Known deviations of ccsds-cop 0.1.2 from 232.1-B-2 table 6-1 (shared/CCSDS-NOTES.md §3.2)
-----------------------------------------------------------------------------------------
* E2 (S1) never enters S2 (Wait): only the Wait flag is set and the state stays Open, so what
  table 6-1 does in S2 afterwards (E1 "not applicable", E7/E8/E10 clear Wait) does not happen:
  the Wait flag sticks until Lockout + Unlock, and an in-sequence frame with a buffer is accepted.
* E2 sets Wait and Retransmit in every state (the book: discard only in S2 and S3).
* E1 in S3 puts the FDU in the Higher Procedures' buffer before reporting a discard.
* E1 in S2 raises RuntimeError (unreachable here, since the package never enters S2).
* Unlock is recognised by its first octet only, Set V(R) without checking its length; an empty
  or short (`82`, `82 00`) BC data field raises IndexError. Empty data fields are invalid TC
  frames (232.0-B-4 §4.1.3.1.3) that never reach a FARM, and short Set V(R) fields would crash
  the package, so those inputs are not exercised.
Scenarios that show a deviation record it on the step with `expected_deviation`: `book` holds
the values table 6-1 gives for the fields that differ (the script refuses to write a note whose
fields do not actually differ) and `note` explains. The Rust test asserts our FARM gives the book
values, that the package's values differ from them, and that every other field agrees. Each
deviation scenario ends at (or soon after) its deviation, since the two FARMs no longer share a
state.

The scenarios are fixed lists (no randomness): the file is reproducible (--check).
"""

import argparse
import importlib.metadata
import json
import pathlib
import sys

from spacepackets.uslp import (
    BypassSequenceControlFlag,
    PrimaryHeader,
    ProtocolCommandFlag,
    SourceOrDestField,
    TfdzConstructionRules,
    TransferFrame,
    TransferFrameDataField,
    UslpProtocolIdentifier,
)

from ccsds_cop.cop_1 import ControlWord, Gvcid
from ccsds_cop.cop_1.farm import Farm1, ValidFrameArrivedIndication

PINNED = {"ccsds-cop": "0.1.2", "spacepackets": "0.32.0"}
VCID = 7
SCID = 0x1AB
FDU = b"fdu"

OUT = (
    pathlib.Path(__file__).resolve().parent.parent
    / "ccsds-tc" / "tests" / "vectors" / "cop1_farm_ccsds_cop.json"
)


# ---------------------------------------------------------------------------------------------
# Scenario steps: the input, the table 6-1 event the book assigns, and optionally a deviation.


def ad(n_s, event, buffer=True, deviation=None):
    """A Type-AD frame with N(S) = n_s; `buffer` says whether the Higher Procedures have room."""
    return {"input": {"kind": "ad", "n_s": n_s, "buffer": buffer}, "event": event, "dev": deviation}


def bd(n_s=0):
    """A Type-BD frame (E6 in every state); N(S) is not looked at."""
    return {"input": {"kind": "bd", "n_s": n_s}, "event": "E6", "dev": None}


def bc(data, event, deviation=None):
    """A Type-BC frame whose data field is `data` (hex)."""
    return {"input": {"kind": "bc", "data": data}, "event": event, "dev": deviation}


def unlock(deviation=None):
    return bc("00", "E7", deviation)


def set_vr(v_r, deviation=None):
    return bc("8200%02x" % v_r, "E8", deviation)


def release(deviation=None):
    """The Higher Procedures' buffer release signal (E10)."""
    return {"input": {"kind": "release"}, "event": "E10", "dev": deviation}


def dev(note, **book):
    return {"book": book, "note": note}


STICKY_WAIT = (
    "ccsds-cop never enters S2 on E2 (it only sets the Wait flag and stays Open), so this "
    "event finds it in S1 and leaves Wait set. "
)

SCENARIOS = [
    {
        "name": "in_sequence",
        "description": "AD frames in sequence from V(R) = 0 are all accepted (E1 in S1).",
        "w": 10,
        "steps": [ad(n, "E1") for n in range(6)],
    },
    {
        "name": "lost_frame_positive_window",
        "description": (
            "Frame 2 is lost: 3 and 4 fall in the positive window (E3), are discarded and set "
            "Retransmit; the retransmitted 2 (E1) clears it."
        ),
        "w": 10,
        "steps": [ad(0, "E1"), ad(1, "E1"), ad(3, "E3"), ad(4, "E3"), ad(2, "E1"), ad(3, "E1"),
                  ad(4, "E1")],
    },
    {
        "name": "go_back_n",
        "description": (
            "W = 20: frame 3 is lost, 4..7 are discarded (E3, Retransmit set), a stale copy of 2 is "
            "discarded (E4, Retransmit kept), then FOP-1 goes back to 3 and resends 3..7."
        ),
        "w": 20,
        "steps": [ad(0, "E1"), ad(1, "E1"), ad(2, "E1"), ad(4, "E3"), ad(5, "E3"), ad(6, "E3"),
                  ad(7, "E3"), ad(2, "E4"), ad(3, "E1"), ad(4, "E1"), ad(5, "E1"), ad(6, "E1"),
                  ad(7, "E1"), ad(8, "E1")],
    },
    {
        "name": "lockout_and_unlock",
        "description": (
            "A frame far ahead (E5) locks the FARM out; in S3 AD frames in the positive, negative "
            "and lockout areas are discarded without flag changes, BD frames are still accepted, "
            "Set V(R) is only counted; Unlock returns to S1 with V(R) unchanged."
        ),
        "w": 10,
        "steps": [ad(0, "E1"), ad(1, "E1"), ad(100, "E5"), ad(3, "E3"), ad(0, "E4"),
                  ad(200, "E5"), bd(), set_vr(50), unlock(), ad(2, "E1"), ad(3, "E1")],
    },
    {
        "name": "set_vr",
        "description": (
            "Set V(R) (E8 in S1) clears Retransmit and moves V(R) forwards or backwards; an AD "
            "frame far from the new V(R) locks out; Unlock, and V(R) stays the one set."
        ),
        "w": 10,
        "steps": [ad(0, "E1"), ad(1, "E1"), ad(2, "E1"), ad(4, "E3"), set_vr(4), ad(4, "E1"),
                  set_vr(200), ad(200, "E1"), ad(5, "E5"), unlock(), ad(201, "E1"), set_vr(3),
                  ad(3, "E1")],
    },
    {
        "name": "bd_farm_b_counter",
        "description": (
            "BD frames (E6) are accepted in every state and counted, as are valid BC frames "
            "(E7, E8); invalid BC frames (E9) are not; the CLCW carries the count mod 4."
        ),
        "w": 10,
        "steps": [bd(), bd(77), ad(0, "E1"), bd(), bd(), bd(), unlock(), set_vr(9),
                  bc("01", "E9"), bc("820105", "E9"), bc("ff", "E9"), ad(9, "E1"), bd(),
                  ad(200, "E5"), bd(), bd(), unlock(), bd()],
    },
    {
        "name": "negative_window_duplicates",
        "description": (
            "W = 10 (NW = 5): duplicates 1..5 behind V(R) are discarded silently (E4, "
            "Retransmit kept as it was); 6 behind is in the lockout area (E5)."
        ),
        "w": 10,
        "steps": [ad(n, "E1") for n in range(8)]
        + [ad(7, "E4"), ad(6, "E4"), ad(5, "E4"), ad(4, "E4"), ad(3, "E4"), ad(10, "E3"),
           ad(4, "E4"), ad(7, "E4"), ad(2, "E5"), unlock(), ad(8, "E1")],
    },
    {
        "name": "wraparound",
        "description": (
            "N(S) and V(R) wrap 255 -> 0: in-sequence frames across the wrap, the negative window "
            "reaching back over it, the positive window reaching forward over it."
        ),
        "w": 10,
        "steps": [set_vr(250)] + [ad(n % 256, "E1") for n in range(250, 258)]
        + [ad(255, "E4"), ad(253, "E4"), ad(252, "E5"), unlock(), set_vr(254), ad(255, "E3"),
           ad(1, "E3"), ad(2, "E3"), ad(3, "E5"), unlock(), ad(254, "E1"), ad(255, "E1"),
           ad(0, "E1"), ad(4, "E3"), ad(5, "E3"), ad(6, "E5")],
    },
    {
        "name": "small_window_edges",
        "description": (
            "W = 10 (PW = NW = 5) at V(R) = 0 and 128: N(S) = V(R)+4 is the last positive value, "
            "V(R)+5 locks out; V(R)-5 is the last negative value, V(R)-6 locks out."
        ),
        "w": 10,
        "steps": [ad(4, "E3"), ad(251, "E4"), ad(5, "E5"), unlock(), ad(250, "E5"), unlock(),
                  set_vr(128), ad(132, "E3"), ad(123, "E4"), ad(128, "E1"), ad(133, "E3"),
                  ad(134, "E5"), unlock(), ad(123, "E5"), unlock(), ad(124, "E4")],
    },
    {
        "name": "minimal_window",
        "description": (
            "W = 2 (PW = NW = 1): no positive area, so V(R)+1 locks out; V(R)-1 is the only "
            "negative value."
        ),
        "w": 2,
        "steps": [ad(0, "E1"), ad(0, "E4"), ad(2, "E5"), unlock(), ad(1, "E1"), ad(255, "E5"),
                  unlock(), ad(2, "E1")],
    },
    {
        "name": "maximal_window",
        "description": (
            "W = 254 (PW = NW = 127): V(R)+126 is positive, V(R)+127 and V(R)+128 are the only "
            "lockout values, V(R)-127 is negative."
        ),
        "w": 254,
        "steps": [ad(0, "E1"), ad(127, "E3"), ad(128, "E5"), unlock(), ad(129, "E5"), unlock(),
                  ad(130, "E4"), ad(1, "E1")],
    },
    {
        "name": "no_buffer_then_lockout",
        "description": (
            "No buffer for the in-sequence frame (E2: Wait and Retransmit set), then a frame far "
            "ahead locks out with Wait kept, the buffer release clears Wait in S3, Unlock reopens "
            "and the frame is resent."
        ),
        "w": 10,
        "steps": [ad(0, "E1"), ad(1, "E2", buffer=False), ad(60, "E5"), release(), unlock(),
                  ad(1, "E1"), release()],
    },
    {
        "name": "deviation_e2_then_release",
        "description": "E2 in S1 then the buffer release signal.",
        "w": 10,
        "steps": [ad(0, "E1"), ad(1, "E2", buffer=False), release(dev(
            STICKY_WAIT + "232.1-B-2 table 6-1, E10 in S2: Wait := 0, go to S1.", wait=False))],
    },
    {
        "name": "deviation_e2_then_in_sequence",
        "description": "E2 in S1 then the same frame again while the FARM is waiting.",
        "w": 10,
        "steps": [ad(0, "E1"), ad(1, "E2", buffer=False), ad(1, "E2", deviation=dev(
            STICKY_WAIT + "232.1-B-2 table 6-1 marks E1 not applicable in S2: in Wait only E10 "
            "or a control command says a buffer is free again, so the frame is E2 (S2): discard, "
            "V(R) and the flags unchanged. ccsds-cop accepts it, increments V(R) and clears "
            "Retransmit.",
            delivered=False, retransmit=True, report_value=1))],
    },
    {
        "name": "deviation_e2_then_unlock",
        "description": "E2 in S1 then Unlock.",
        "w": 10,
        "steps": [ad(0, "E1"), ad(1, "E2", buffer=False), unlock(dev(
            STICKY_WAIT + "232.1-B-2 table 6-1, E7 in S2: Wait := 0 (and Retransmit := 0), "
            "go to S1.", wait=False))],
    },
    {
        "name": "deviation_e2_then_set_vr",
        "description": "E2 in S1 then Set V(R).",
        "w": 10,
        "steps": [ad(0, "E1"), ad(1, "E2", buffer=False), set_vr(1, dev(
            STICKY_WAIT + "232.1-B-2 table 6-1, E8 in S2: Wait := 0, Retransmit := 0, "
            "V(R) := V*(R), go to S1.", wait=False))],
    },
    {
        "name": "deviation_e2_in_lockout",
        "description": "An in-sequence frame with no buffer while locked out.",
        "w": 10,
        "steps": [ad(0, "E1"), ad(100, "E5"), ad(1, "E2", buffer=False, deviation=dev(
            "232.1-B-2 table 6-1, E2 in S3: discard only. ccsds-cop sets Wait and Retransmit "
            "for E2 in every state.", wait=False, retransmit=False))],
    },
    {
        "name": "deviation_e1_in_lockout",
        "description": (
            "An in-sequence frame with a buffer while locked out, then Unlock and the frame again "
            "(the two FARMs agree again from there)."
        ),
        "w": 10,
        "steps": [ad(0, "E1"), ad(100, "E5"), ad(1, "E1", deviation=dev(
            "232.1-B-2 table 6-1, E1 in S3: discard. ccsds-cop puts the FDU in the Higher "
            "Procedures' buffer (and signals its arrival) before it reports the discard; V(R) "
            "and the flags are unchanged on both sides.", delivered=False)),
            unlock(), ad(1, "E1")],
    },
    {
        "name": "deviation_unlock_with_trailing_octet",
        "description": "A BC frame `00 FF` while locked out.",
        "w": 10,
        "steps": [ad(0, "E1"), ad(50, "E5"), bc("00ff", "E9", dev(
            "232.0-B-4 §4.1.3.3 / 232.1-B-2 §5.2: Unlock is the single octet 00, anything else "
            "in a BC frame is invalid, E9 (table 6-1): discard, nothing counted, still locked "
            "out. ccsds-cop reads only the first octet and executes Unlock.",
            lockout=True, farm_b=0))],
    },
    {
        "name": "deviation_set_vr_with_trailing_octet",
        "description": "A BC frame `82 00 05 00`.",
        "w": 10,
        "steps": [ad(0, "E1"), bc("82000500", "E9", dev(
            "232.0-B-4 §4.1.3.3 / 232.1-B-2 §5.2: Set V(R) is exactly the three octets "
            "82 00 V*(R); a longer BC data field is invalid, E9 (table 6-1): discard, nothing "
            "counted. ccsds-cop does not check the length and executes Set V(R) 5.",
            farm_b=0, report_value=1))],
    },
]


# ---------------------------------------------------------------------------------------------
# Driving ccsds-cop.

FLAGS = {
    "ad": (BypassSequenceControlFlag.SEQ_CTRLD_QOS, ProtocolCommandFlag.USER_DATA,
           UslpProtocolIdentifier.USER_DEFINED_OCTET_STREAM),
    "bd": (BypassSequenceControlFlag.EXPEDITED_QOS, ProtocolCommandFlag.USER_DATA,
           UslpProtocolIdentifier.USER_DEFINED_OCTET_STREAM),
    "bc": (BypassSequenceControlFlag.EXPEDITED_QOS, ProtocolCommandFlag.PROTOCOL_INFORMATION,
           UslpProtocolIdentifier.COP_1_CTRL_COMMANDS),
}


def uslp_frame(inp):
    """The USLP frame that stands for the TC frame `inp` (see the module docstring)."""
    bypass, ctrl, ident = FLAGS[inp["kind"]]
    data = bytes.fromhex(inp["data"]) if inp["kind"] == "bc" else FDU
    tfdf = TransferFrameDataField(
        tfdz_cnstr_rules=TfdzConstructionRules.VpNoSegmentation, uslp_ident=ident, tfdz=data)
    header = PrimaryHeader(
        scid=SCID, src_dest=SourceOrDestField.DEST, vcid=VCID, map_id=0, frame_len=0,
        bypass_seq_ctrl_flag=bypass, prot_ctrl_cmd_flag=ctrl, vcf_count_len=1,
        vcf_count=inp.get("n_s", 0))
    frame = TransferFrame(header=header, tfdf=tfdf, has_fecf=True)
    frame.set_frame_len_in_header()  # USLP: total octets - 1
    return frame


def step(farm, inp):
    """Feed one input to the package's FARM; return what it delivered and its CLCW fields."""
    higher = farm.higher_interface
    higher.buffer.clear()
    higher.signal.clear()
    if inp["kind"] == "release":
        frame = None
        higher.buffer_release.set()
    else:
        frame = uslp_frame(inp)
        if not inp.get("buffer", True):
            higher.buffer.extend([None] * higher.buffer._maxlen)
        farm.lower_interface.buffer.append(frame)
        farm.lower_interface.signal.append(ValidFrameArrivedIndication(Gvcid(0b1100, SCID, VCID)))
    farm.tick()
    assert not farm.lower_interface.signal and not farm.lower_interface.buffer
    delivered = frame is not None and any(x is frame for x in higher.buffer)
    clcw = ControlWord(
        vcid=VCID, lockout=farm.lockout, wait=farm.wait, retransmit=farm.retransmit,
        farm_b_counter=farm.b_counter, report_value=farm.v_r)
    return {
        "delivered": delivered,
        "lockout": farm.lockout,
        "wait": farm.wait,
        "retransmit": farm.retransmit,
        "farm_b": farm.b_counter % 4,
        "report_value": farm.v_r,
        "clcw": clcw.pack().hex(),
    }


def run(scenario):
    farm = Farm1(w=scenario["w"])
    steps = []
    for s in scenario["steps"]:
        result = step(farm, s["input"])
        out = {"input": s["input"], "event": s["event"], "python": result}
        if s["dev"] is not None:
            for field, book in s["dev"]["book"].items():
                assert result[field] != book, (scenario["name"], field, "no deviation here")
            out["expected_deviation"] = s["dev"]
        steps.append(out)
    return {
        "name": scenario["name"],
        "description": scenario["description"],
        "w": scenario["w"],
        "steps": steps,
    }


def build():
    for package, version in PINNED.items():
        found = importlib.metadata.version(package)
        if found != version:
            sys.exit(f"{package} {found} installed, this script is pinned to {version}")
    return {
        "source": (
            "Generated by scripts/cop1_crosscheck.py with Python ccsds-cop 0.1.2 "
            "(ccsds_cop.cop_1.farm.Farm1, FARM-1 of CCSDS 232.1-B-2) over spacepackets 0.32.0 "
            "USLP frames; scenarios and the table 6-1 events are written by hand in the script."
        ),
        "format": (
            "scenarios[]: w = FARM_Sliding_Window_Width; steps[]: input {kind ad|bd|bc|release, "
            "n_s (ad/bd), buffer (ad: Higher Procedures have room), data (bc: hex data field)}, "
            "event = table 6-1 event per 232.1-B-2, python = what ccsds-cop reported after the "
            "step (delivered = FDU handed to the Higher Procedures; CLCW fields; farm_b = FARM-B "
            "counter mod 4; report_value = V(R); clcw = 4 octets hex, VCID 7); "
            "expected_deviation {book = the 232.1-B-2 values of the fields where ccsds-cop "
            "differs, note}."
        ),
        "vcid": VCID,
        "scid": SCID,
        "scenarios": [run(s) for s in SCENARIOS],
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
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
