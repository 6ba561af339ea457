"""Start-up: what a resolver loads is frozen out of the cycle collector's sight, once, with no garbage."""
import gc
import weakref

from entityres.gazetteer.loader import gc_paused


class Node:
    pass


def _watched(objects: list) -> list[bool]:
    """Whether each object is still in a generation the collector walks (frozen ones are not).
    Membership, not gc.get_freeze_count(): frozen objects of earlier tests may be freed meanwhile."""
    ids = {id(o) for o in gc.get_objects()}
    return [id(o) in ids for o in objects]


def _garbage_cycle() -> weakref.ref:
    node = Node()
    node.self = node
    return weakref.ref(node)


def test_settle_collects_what_came_before_and_freezes_what_was_built():
    assert gc.isenabled()
    earlier = _garbage_cycle()
    with gc_paused(settle=True):
        assert not gc.isenabled()
        built = [Node() for _ in range(1000)]
    assert gc.isenabled() and earlier() is None  # collected before the freeze, not frozen with it
    assert not any(_watched(built))


def test_an_outer_pause_settles_and_an_inner_one_does_not():
    with gc_paused(settle=True):
        with gc_paused(settle=True):
            inner = [Node() for _ in range(100)]
        assert not gc.isenabled() and all(_watched(inner))  # still paused: nothing frozen yet
    assert gc.isenabled() and not any(_watched(inner))


def test_a_failed_load_is_not_frozen():
    try:
        with gc_paused(settle=True):
            lost = [Node() for _ in range(100)]
            raise ValueError("a broken file")
    except ValueError:
        pass
    assert gc.isenabled() and all(_watched(lost))


def test_a_built_gazetteer_is_frozen_and_a_cached_one_makes_its_entries_when_used(tmp_path, monkeypatch):
    from entityres.gazetteer.loader import load_gazetteer

    monkeypatch.setenv("ENTITYRES_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "mine.yaml"
    path.write_text("entries:\n  - id: person:a\n    type: person\n    name: Abbas Araghchi\n"
                    "    names: {fa: [عباس عراقچی]}\n", encoding="utf-8")
    built = load_gazetteer([path], bundled=False)  # built and cached
    built.index
    held = list(built._entries.held())  # as held until asked for (StoredEntry)
    assert held and not any(_watched(held))  # the index's collection does not walk them again
    entries = list(built)
    cached = load_gazetteer([path], bundled=False)
    assert cached._entries._made == [None]  # nothing to freeze: made (and kept) when first used
    assert list(cached) == entries
