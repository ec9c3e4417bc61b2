"""Days map by calendar date between a park round and the county round, whatever their starts and lengths."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from api.county.scenario import map_days
from api.models import PlanningRound


@given(values=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=30),
       shift=st.integers(min_value=-40, max_value=40), horizon=st.integers(min_value=1, max_value=40))
def test_a_county_day_takes_the_park_value_of_the_same_date(values: list[int], shift: int, horizon: int) -> None:
    park_start = dt.date(2026, 12, 7)
    county = PlanningRound(start_date=park_start + dt.timedelta(days=shift), horizon_days=horizon)
    mapped = map_days(values, park_start.isoformat(), county)
    assert len(mapped) == horizon
    for d, value in enumerate(mapped):
        date = county.start_date + dt.timedelta(days=d)
        park_day = (date - park_start).days
        assert value == (values[park_day] if 0 <= park_day < len(values) else 0)
