"""``python -m simulator`` is ``launch-sim``."""

from simulator.cli import main

raise SystemExit(main())
