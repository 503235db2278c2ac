"""The ballot benchmark's server: benchmarks/ballot_server_settings.py plus the floor, a minimal
view measured beside the ballot in the same server (benchmarks/floor.py). Nothing of it is in
the product: its address, template and table exist only in the benchmark's own server and
database."""

import copy
from pathlib import Path

from benchmarks.ballot_server_settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.floor"
TEMPLATES = copy.deepcopy(TEMPLATES)  # noqa: F405
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]
