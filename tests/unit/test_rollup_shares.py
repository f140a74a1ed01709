"""How a parallel full rebuild shares the years out among its sessions (etl.marts.rollup.split_years)."""

from __future__ import annotations

from etl.marts.rollup import split_years

DECADE = [(year, 872) for year in range(2015, 2026)]  # ten national years and the one after, 8.723 unit-years


def test_the_years_go_in_runs_of_consecutive_years_of_about_equal_size() -> None:
    shares = split_years(DECADE, 2)
    assert shares == [list(range(2015, 2020)), list(range(2020, 2026))]
    assert [y for share in shares for y in share] == list(range(2015, 2026))  # each year once, in order


def test_no_more_shares_than_sessions_or_years() -> None:
    assert [len(share) for share in split_years(DECADE, 4)] == [3, 2, 3, 3]
    assert split_years(DECADE[:3], 8) == [[2015], [2016], [2017]]


def test_a_year_heavier_than_the_others_gets_a_session_of_its_own() -> None:
    # The communes' years: 3.321 units from 2025, 696 districts before.
    counts = [(2023, 700), (2024, 700), (2025, 4_000), (2026, 3_400)]
    assert split_years(counts, 2) == [[2023, 2024, 2025], [2026]]
    assert split_years(counts, 3) == [[2023, 2024], [2025], [2026]]


def test_one_share_when_sessions_would_not_pay() -> None:
    assert split_years(DECADE, 1) == [list(range(2015, 2026))]
    assert split_years([(2024, 30), (2025, 30)], 2) == [[2024, 2025]]  # a province's two years
    assert split_years([(2024, 5_000)], 2) == [[2024]]  # one year
    assert split_years([], 2) == []
    assert split_years([(2024, 30), (2025, 30)], 2, min_unit_years=0) == [[2024], [2025]]
