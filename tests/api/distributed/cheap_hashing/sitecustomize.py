"""Imported at start-up by every process the distributed tests spawn (``PYTHONPATH``, see conftest.py): argon2 at
its smallest cost, as tests/hashing.py sets it in the test process.

The web processes seed the demo (27 accounts, ~0.2 s of CPU each at pwdlib's defaults, twice over when two start
at once) and verify each sign-in; nothing the distributed tests check depends on that cost.  The command lines, the
services and every other setting stay those of docs/deployment.md.
"""

from api import security
from tests.hashing import cheap_hasher

security._hasher = cheap_hasher()
