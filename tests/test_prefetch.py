"""session.prefetch: a page's reads started at once on threads that carry the run's context; the page's own call of
the same read gets the prefetched value (computed once), a failing read fails where the page calls it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import threading
    import time

    import streamlit as st

    from dashboard.web.session import RESULTS, prefetch

    calls = st.session_state.setdefault("calls", [])

    @RESULTS(show_spinner=False)  # the cache the pages' reads use
    def slow_square(x: int) -> int:
        start = time.perf_counter()
        time.sleep(0.3)
        calls.append((x, threading.current_thread().name, start, time.perf_counter()))
        return x * x

    @RESULTS(show_spinner=False)
    def broken(x: int) -> int:
        raise ValueError(f"broken read {x}")

    slow_square.clear()
    broken.clear()
    prefetch(lambda: slow_square(3), lambda: slow_square(4), lambda: broken(1))
    st.session_state["returned"] = time.perf_counter()
    st.write(f"values {slow_square(3)} {slow_square(4)}")
    try:
        broken(1)
    except ValueError as exc:
        st.write(f"page saw: {exc}")


def test_prefetched_reads_run_at_once_and_the_page_gets_their_values():
    at = AppTest.from_function(_page, default_timeout=30)
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert texts[0] == "values 9 16"
    # each computed once, on a prefetch thread, never again on the page's thread
    calls = at.session_state["calls"]
    assert sorted(x for x, *_ in calls) == [3, 4]
    assert {name for _, name, *_ in calls} == {"dashboard-prefetch"}
    # prefetch returned before either read was done, and the two reads ran side by side (each began before the
    # other ended), not one after the other
    (_, _, start_a, end_a), (_, _, start_b, end_b) = calls
    assert at.session_state["returned"] < min(end_a, end_b)
    assert start_a < end_b and start_b < end_a
    assert texts[1] == "page saw: broken read 1"


def test_prefetch_outside_a_script_run_starts_nothing():
    import threading

    from dashboard.web.session import prefetch

    ran = []
    before = threading.active_count()
    prefetch(lambda: ran.append(1))
    assert threading.active_count() == before and ran == []


def _page_twice() -> None:
    import threading

    import streamlit as st

    from dashboard.web.session import RESULTS, Read, prefetch

    calls = st.session_state.setdefault("calls", [])

    @RESULTS(show_spinner=False)
    def cube(x: int) -> int:
        calls.append(threading.current_thread().name)
        return x**3

    cube.clear()
    prefetch(Read(cube, (2,)))
    st.write(f"first {cube(2)}")
    cube.clear()  # evicted: a read prefetched before is not started again, the page's own call computes it
    prefetch(Read(cube, (2,)))
    st.write(f"again {cube(2)}")


def test_a_read_prefetched_before_is_not_started_again():
    at = AppTest.from_function(_page_twice, default_timeout=30)
    at.run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["first 8", "again 8"]
    assert at.session_state["calls"] == ["dashboard-prefetch", "ScriptRunner.scriptThread"]
