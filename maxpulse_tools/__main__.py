"""Allow `python -m maxpulse_tools` as an alias of the `maxpulse` command."""

from maxpulse_tools.cli import main

main()
