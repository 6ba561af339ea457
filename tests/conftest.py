"""Every test runs with a private cache folder: the suite never reads or writes the user's cache.

One folder per test session (so the bundled gazetteer's index is built once for the whole run);
tests about the cache itself point ``ENTITYRES_CACHE_DIR`` at their own ``tmp_path``.
"""
import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    folder = tmp_path_factory.mktemp("entityres-cache")
    old = {k: os.environ.get(k) for k in ("ENTITYRES_CACHE_DIR", "XDG_CACHE_HOME")}
    os.environ["ENTITYRES_CACHE_DIR"] = str(folder)
    os.environ["XDG_CACHE_HOME"] = str(folder / "xdg")  # code that bypasses the override still stays here
    yield folder
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
