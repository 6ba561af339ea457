"""Start-up: what a resolver loads is frozen out of the cycle collector's sight, once, with no garbage."""
import gc
import weakref

from entityres.gazetteer.loader import gc_paused


class Node:
    pass


def _garbage_cycle() -> weakref.ref:
    node = Node()
    node.self = node
    return weakref.ref(node)


def test_settle_collects_what_came_before_and_freezes_what_was_built():
    assert gc.isenabled()
    earlier = _garbage_cycle()
    frozen = gc.get_freeze_count()
    with gc_paused(settle=True):
        assert not gc.isenabled()
        built = [Node() for _ in range(1000)]
    assert gc.isenabled() and earlier() is None  # collected before the freeze, not frozen with it
    assert gc.get_freeze_count() >= frozen + len(built)
    watched = {id(o) for o in gc.get_objects()}  # the generations a collection walks
    assert not any(id(n) in watched for n in built)


def test_an_outer_pause_settles_and_an_inner_one_does_not():
    frozen = gc.get_freeze_count()
    with gc_paused(settle=True):
        with gc_paused(settle=True):
            inner = [Node() for _ in range(100)]
        assert not gc.isenabled() and gc.get_freeze_count() == frozen  # still paused: nothing frozen yet
    assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(inner)


def test_a_failed_load_is_not_frozen():
    frozen = gc.get_freeze_count()
    try:
        with gc_paused(settle=True):
            lost = [Node() for _ in range(100)]
            raise ValueError("a broken file")
    except ValueError:
        pass
    assert gc.isenabled() and gc.get_freeze_count() == frozen and lost
