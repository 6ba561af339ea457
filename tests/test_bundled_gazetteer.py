"""The bundled gazetteer: it validates, it has what the issue promises, and nothing dangles."""
import collections

import pytest

from entityres.gazetteer import load_gazetteer


@pytest.fixture(scope="module")
def gz():
    return load_gazetteer(strict=True)


def test_bundled_data_has_no_errors(gz):
    assert gz.errors() == []


def test_people_and_places_counts(gz):
    kinds = collections.Counter(e.kind if e.type == "place" else "person" for e in gz)
    assert kinds["person"] >= 300
    assert kinds["country"] >= 190
    assert kinds["city"] >= 500


def test_all_34_afghan_provinces(gz):
    provinces = [e for e in gz if e.kind == "province" and e.parent == "place:afghanistan"]
    assert len(provinces) == 34
    assert all(e.names.get("fa") or e.names.get("prs") for e in provinces)


def test_countries_have_persian_and_arabic_names(gz):
    countries = [e for e in gz if e.kind == "country"]
    missing = [e.id for e in countries if not (e.names.get("fa") and e.names.get("ar"))]
    assert len(missing) <= len(countries) // 50


def test_every_id_is_unique_and_typed(gz):
    assert all(e.id.startswith(e.type + ":") for e in gz)
