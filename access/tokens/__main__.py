"""`python -m access.tokens keygen|issue`: the local issuer (`access.signing`), kept apart from
verification so that `access.signing` may use the verifier's constants without a cycle."""

import sys

from access.signing import main

sys.exit(main())
