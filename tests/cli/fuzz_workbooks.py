"""A seeded loop of mutated workbooks through a reader; prints each unexpected exception, then
"bugs N". Run in a capped subprocess by tests/cli/test_no_traceback.py:

    python -m tests.cli.fuzz_workbooks rubric|register GOOD.xlsx SEED ROUNDS WORKDIR
"""

from __future__ import annotations

import io
import random
import sys
import traceback
import zipfile
from pathlib import Path

from inspector.errors import InspectorError

_SPLICES = (b"<", b">", b'"', b"9999999", b"A0", b"", b"&", b"XFD1048577")


def mutated(good: bytes, rng: random.Random) -> bytes:
    """Half the time random bytes of the file, else a few splices inside one XML member."""
    if rng.random() < 0.5:
        data = bytearray(good)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        victim = rng.choice([n for n in names if n.endswith(".xml")])
        for n in names:
            body = bytearray(zin.read(n))
            if n == victim and body:
                for _ in range(rng.randint(1, 8)):
                    k = rng.randrange(len(body))
                    body[k : k + 1] = rng.choice([*_SPLICES, bytes([rng.randrange(256)])])
            zout.writestr(n, bytes(body))
    return out.getvalue()


def main(what: str, src: Path, seed: int, rounds: int, work: Path) -> int:
    from inspector.centre.register import read_register_workbook
    from inspector.rubric.xlsx_form import import_rubric_xlsx

    read = import_rubric_xlsx if what == "rubric" else read_register_workbook
    good = src.read_bytes()
    rng = random.Random(seed)
    bugs = 0
    for n in range(rounds):
        path = work / f"m{n}.xlsx"
        path.write_bytes(mutated(good, rng))
        try:
            read(path)
        except InspectorError:
            pass
        except Exception:
            bugs += 1
            print(f"case {n}:", traceback.format_exc(limit=4).replace("\n", " | ")[-700:])
    print("bugs", bugs)
    return 0


if __name__ == "__main__":
    what, src, seed, rounds, work = sys.argv[1:6]
    sys.exit(main(what, Path(src), int(seed), int(rounds), Path(work)))
