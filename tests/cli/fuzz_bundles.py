"""Import every bundle in a folder into a data folder, one by one; print each unexpected exception
and each refusal that changed the store, then "bugs N". Run in a capped subprocess by
tests/cli/test_no_traceback.py:

    python -m tests.cli.fuzz_bundles DATA_FOLDER PASSPHRASE_FILE BUNDLE_FOLDER
"""

from __future__ import annotations

import shutil
import sys
import traceback
from pathlib import Path

from inspector.bundles.importer import import_bundle
from inspector.crypto.identity import unlock_identity
from inspector.errors import InspectorError
from inspector.folder import open_folder
from tests.bundle_support import dump


def main(data: Path, secret: str, bundles: Path) -> int:
    """Each bundle into a fresh copy of ``data``: one accepted bundle must not shield the rest."""
    keyring = unlock_identity(data, secret)
    scratch = bundles / "scratch"
    bugs = 0
    for path in sorted(bundles.glob("*.inspbundle")):
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(data, scratch)
        db = open_folder(scratch)
        before = dump(scratch)
        try:
            report = import_bundle(db, scratch, path, keyring=keyring)
            print(f"{path.name}: imported, {report.added}")
        except InspectorError as e:
            print(f"{path.name}: refused: {e}"[:200])
            if dump(scratch) != before:
                bugs += 1
                print(f"{path.name}: refused but the store changed")
        except Exception:
            bugs += 1
            print(f"{path.name}:", traceback.format_exc(limit=4).replace("\n", " | ")[-700:])
        finally:
            db.conn.close()
    print("bugs", bugs)
    return 0


if __name__ == "__main__":
    folder, secret_file, bundle_folder = sys.argv[1:4]
    secret = Path(secret_file).read_text(encoding="utf-8").splitlines()[0]
    sys.exit(main(Path(folder), secret, Path(bundle_folder)))
