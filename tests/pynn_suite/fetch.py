"""Fetch PyNN 0.13.0's sdist and export its test/ and examples/ folders.

PyNN's scenario suite and examples are the compatibility bar, but they are
PyNN's files: they are downloaded at test time into a cache folder and never
committed. Only test/ and examples/ are exported, so no PyNN source tree can
shadow the installed PyNN.

    python tests/pynn_suite/fetch.py DEST      # prints DEST/pynn-0.13.0
"""

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "0.13.0"
CONFTEST = Path(__file__).with_name("scenario_conftest.py")


def export(dest):
    root = Path(dest) / f"pynn-{VERSION}"
    marker = root / ".complete"
    if not marker.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--no-binary", ":all:", f"pyNN=={VERSION}", "-d", tmp], check=True)
            archive, = Path(tmp).glob("*.tar.gz")
            with tarfile.open(archive) as tar:
                prefix = tar.getnames()[0].split("/")[0]
                members = [m for m in tar.getmembers()
                           if m.name.startswith((f"{prefix}/test/", f"{prefix}/examples/"))]
                for member in members:
                    member.name = member.name[len(prefix) + 1:]
                tar.extractall(root, members=members, filter="data")
        marker.touch()
    # our conftest re-parametrizes the suite onto pyNN.neurox; refreshed on every call
    conftest = root / "test" / "system" / "scenarios" / "conftest.py"
    conftest.write_text(CONFTEST.read_text())
    return root


if __name__ == "__main__":
    print(export(sys.argv[1] if len(sys.argv) > 1 else ".cache"))
