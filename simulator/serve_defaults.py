"""Where ``launch-sim serve`` listens unless told otherwise.

Apart from :mod:`simulator.server` because ``launch-sim``'s parser needs them for every
command, and importing the server (waitress with it) cost each ``replay`` and ``launch``
a tenth of its start-up for two constants.
"""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8773
