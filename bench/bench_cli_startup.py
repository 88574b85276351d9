"""`maxpulse --help` cold start: the CLI must stay lazy (target <= 0.3 s).

Baselines from the same run: a bare interpreter start (`python -c pass`), the
floor no Python CLI can beat, and `python -c "import typer"`, the framework.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import median_seconds, report

REPEATS = 15
TARGET_SECONDS = 0.3


def main() -> None:
    maxpulse = Path(sys.executable).parent / "maxpulse"

    def run(*command: str) -> None:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    bare = median_seconds(lambda: run(sys.executable, "-c", "pass"), REPEATS)
    typer_only = median_seconds(lambda: run(sys.executable, "-c", "import typer"), REPEATS)
    figure = median_seconds(lambda: run(str(maxpulse), "--help"), REPEATS)
    print(f"median of {REPEATS} runs each")
    report("maxpulse --help", figure, "python -c pass", bare)
    report("maxpulse --help", figure, "python -c 'import typer'", typer_only)
    verdict = "within" if figure <= TARGET_SECONDS else "OVER"
    print(f"target <= {TARGET_SECONDS:.1f} s: {verdict} ({figure:.3f} s)")
    if figure > TARGET_SECONDS:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
