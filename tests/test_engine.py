"""labsim/engine.py: the event queue, the RNG and the trace."""

import pytest

from labsim.engine import KINDS, Event, Simulator


def test_events_run_in_time_then_priority_then_insertion_order():
    """Events due at the same time run by priority, then in the order they were scheduled."""
    sim, seen = Simulator(), []
    sim.schedule(10, lambda: seen.append("late"))
    sim.schedule(5, lambda: seen.append("b"), priority=10)
    sim.schedule(5, lambda: seen.append("a"), priority=1)
    sim.schedule(5, lambda: seen.append("c"), priority=10)
    sim.run()
    assert seen == ["a", "b", "c", "late"]


def test_clock_advances_to_each_event():
    """The clock reads the time of the event being run."""
    sim, times = Simulator(), []
    sim.schedule(7, lambda: sim.schedule(3, lambda: times.append(sim.now)))
    sim.run()
    assert times == [10]


def test_scheduling_in_the_past_is_refused():
    """No event may be scheduled before now."""
    with pytest.raises(ValueError, match="past"):
        Simulator().schedule(-1, lambda: None)


def test_same_seed_same_random_stream():
    """One seeded RNG: the same seed gives the same bytes, another seed different ones."""
    assert Simulator(seed=3).randbytes(16) == Simulator(seed=3).randbytes(16)
    assert Simulator(seed=3).randbytes(16) != Simulator(seed=4).randbytes(16)


def test_records_are_frozen_and_typed():
    """A trace record cannot change, and its kind must be one of KINDS."""
    sim = Simulator()
    event = sim.record("spd", "host-a", "TCP", "BYPASS", "why", rule="SPD rule 1")
    with pytest.raises(AttributeError):
        event.kind = "drop"
    with pytest.raises(ValueError, match="unknown trace kind"):
        Event(0, 0, "h", "nonsense", "s", "d", "r")
    assert {"dns", "ike", "esp", "clear", "spd", "drop", "app"} <= set(KINDS)


def test_line_and_dict_show_the_decision_and_its_reason():
    """The text line and the JSON form carry time, host, kind, summary, decision, reason and rule."""
    sim = Simulator()
    sim.now = 1500
    event = sim.record("drop", "server-b", "TCP x", "discard", "clear packet matches PROTECT", rule="SPD rule 2")
    assert event.line() == "     1.500 ms  server-b    drop    TCP x  discard  clear packet matches PROTECT  [SPD rule 2]"
    d = event.to_dict()
    assert d["time_ms"] == 1.5 and d["decision"] == "discard" and d["rule"] == "SPD rule 2"
    assert "packet" not in d


def test_run_stops_at_the_time_limit():
    """Events beyond the limit are not run."""
    sim, seen = Simulator(limit_us=100), []
    sim.schedule(50, lambda: seen.append(1))
    sim.schedule(150, lambda: seen.append(2))
    sim.run()
    assert seen == [1]
