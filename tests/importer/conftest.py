import shutil
from pathlib import Path

import pytest

from smd.models import Role

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CSV_FILES = [
    "people.csv",
    "episodes.csv",
    "referrals.csv",
    "allocations.csv",
    "assessments.csv",
    "contacts.csv",
    "events.csv",
    "accommodation.csv",
]


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, username="manager1", first_name="Mira")


@pytest.fixture
def example_navigator(make_user):
    """The worker the example files name."""
    return make_user(Role.NAVIGATOR, username="navigator", first_name="Nadia")


@pytest.fixture
def examples(tmp_path, shipped_schemes, example_navigator):
    """A copy of docs/examples to change."""
    for name in [*CSV_FILES, "records.xlsx"]:
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def manager_client(client_for, manager):
    return client_for(manager)
