"""Generate the Python code for the sessioncore.v1 contract into ./sessioncore/.

Run: python scripts/generate_proto.py [--out DIR]

The output is committed; tests/contract/test_generated_code.py fails when running
this script would change it.
"""

from __future__ import annotations

import argparse
import importlib.resources
import sys
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
PACKAGE_DOC = '"""Generated from proto/{}: do not edit; run scripts/generate_proto.py."""\n'


def generate(out: Path) -> None:
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    well_known = importlib.resources.files("grpc_tools") / "_proto"
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *protos,
    ]
    if protoc.main(args) != 0:
        sys.exit("protoc failed")
    for package in {Path(p).parent for p in protos}:
        for level in range(1, len(package.parts) + 1):
            init = out.joinpath(*package.parts[:level], "__init__.py")
            init.write_text(PACKAGE_DOC.format("/".join(package.parts[:level])))
        out.joinpath(package, "py.typed").write_text("")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT)
    generate(parser.parse_args().out)


if __name__ == "__main__":
    main()
