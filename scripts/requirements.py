#!/usr/bin/env python3
"""Print the pinned requirements of pyproject.toml, one a line, for ``pip install -r``.

    python3 scripts/requirements.py            # runtime dependencies
    python3 scripts/requirements.py test       # runtime + the ``test`` extra
    python3 scripts/requirements.py --hash     # a short hash of every dependency list (the Makefile's stamp)

The project runs from its source tree (``manage.py``); only its dependencies are installed, so no wheel of the
project is built and no ``*.egg-info`` lands in the tree. Needs Python 3.11+ (tomllib).
"""

import hashlib
import json
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def main(argv: list[str]) -> int:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    if argv == ["--hash"]:
        payload = json.dumps([project["dependencies"], extras, project.get("requires-python")], sort_keys=True)
        print(hashlib.sha256(payload.encode()).hexdigest()[:12])
        return 0
    lines = list(project["dependencies"])
    for extra in argv:
        if extra not in extras:
            print(f"unknown extra {extra!r}; pyproject.toml has: {', '.join(sorted(extras))}", file=sys.stderr)
            return 2
        lines += extras[extra]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
