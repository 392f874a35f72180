"""What the integration tests share beyond the infrastructure (`tests/conftest.py`)."""

from __future__ import annotations

import pytest

from tests.support.services import Keys, make_keys


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """The token signing key and the JWKS file the services under test verify tokens with."""
    return make_keys(tmp_path_factory.mktemp("auth"))
