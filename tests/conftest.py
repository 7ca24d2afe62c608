"""Shared fixtures: the contract charts in ../shared (skipped with a reason when absent)."""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "charts")
EXAMPLES = os.path.join(ROOT, "examples")
ARTIFACTS = os.path.join(ROOT, "out", "test-artifacts")

# Pictures are cached on disk (backline.plot.disk_cache): the suite's in a folder of its own, not ~/.cache.
os.environ["BACKLINE_CACHE_DIR"] = tempfile.mkdtemp(prefix="backline-test-pictures-")
atexit.register(shutil.rmtree, os.environ["BACKLINE_CACHE_DIR"], True)


def shared_charts() -> list[str]:
    return sorted(glob.glob(os.path.join(SHARED, "*.chart")))


def example_charts() -> list[str]:
    return sorted(glob.glob(os.path.join(EXAMPLES, "*.chart")))


needs_shared = pytest.mark.skipif(not shared_charts(), reason="../shared/charts is not beside the project")


@pytest.fixture(params=shared_charts() or [pytest.param(None, marks=pytest.mark.skip(reason="no ../shared"))],
                ids=lambda p: os.path.basename(p) if p else "none")
def shared_chart(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=shared_charts() + example_charts(), ids=os.path.basename)
def any_chart(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def artifacts() -> str:
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS
