"""Incremental = full: every mart object as rows, to compare an incremental refresh with a full
rebuild (tests/test_expected.py, tests/test_incremental_property.py); and the partitions of
mart.indicator_rollup a parallel rebuild leaves (tests/test_rollup.py, tests/test_roles.py)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from etl.marts.rollup import RollupResult, refresh

# When a row was computed, not what it says: differs between any two refreshes.
CLOCK_COLUMNS = frozenset({"as_of", "refreshed_at"})


def mart_objects(conn: Connection) -> dict[str, list[str]]:
    """Every table and view of schema mart, with its columns (clock columns left out)."""
    rows = conn.execute(text("""
        SELECT c.relname, a.attname
        FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = 'mart'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
        ORDER BY c.relname, a.attnum
    """)).all()
    objects: dict[str, list[str]] = {}
    for name, column in rows:
        if column not in CLOCK_COLUMNS:
            objects.setdefault(name, []).append(column)
    return objects


def mart_snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every mart table and view, sorted (row order is no part of a table)."""
    with engine.connect() as conn:
        snapshot = {}
        for name, columns in mart_objects(conn).items():
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(text(f'SELECT {listed} FROM mart."{name}"')).all()
            snapshot[name] = sorted((tuple(r) for r in rows), key=repr)
        return snapshot


def differences(incremental: dict[str, list[tuple]], full: dict[str, list[tuple]]) -> dict[str, dict[str, list]]:
    """Per object, the rows only the incremental refresh has and those only the full rebuild has."""
    out = {}
    for name in sorted(incremental.keys() | full.keys()):
        inc, ful = set(incremental.get(name, [])), set(full.get(name, []))
        if inc != ful or len(incremental.get(name, [])) != len(full.get(name, [])):
            out[name] = {"only_incremental": sorted(inc - ful, key=repr)[:5],
                         "only_full": sorted(ful - inc, key=repr)[:5],
                         "rows": [len(incremental.get(name, [])), len(full.get(name, []))]}
    return out


# The partial sums an incremental refresh stores (revision 0024), kept across the full rebuild that
# checks it (which empties them): the next refresh of a sequence then sums its provinces from them.
PARTIAL_TABLES = ("ops.rollup_partial_unit", "ops.rollup_partial")


def assert_incremental_equals_full(engine: Engine) -> RollupResult:
    """Refresh incrementally, snapshot the marts, rebuild in full and compare row for row. The
    full rebuild is left in place: when both agree it is the same state (clock columns aside), for
    which the incremental refresh's partial sums hold: they are put back. It runs in two sessions when
    the scope has two years or more, as a national rebuild does: the mart's partitions are then the
    ones a parallel rebuild makes (revision 0025), which the next refreshes of a sequence write into."""
    result = refresh(engine)
    incremental = mart_snapshot(engine)
    with engine.connect() as conn:
        partial = {t: conn.execute(text(f"SELECT * FROM {t}")).mappings().all() for t in PARTIAL_TABLES}
    refresh(engine, full=True, sessions=2)
    diff = differences(incremental, mart_snapshot(engine))
    assert not diff, f"incremental ({result.mode}) != full: {diff}"
    with engine.begin() as conn:
        for table, rows in partial.items():
            if rows:
                columns = list(rows[0].keys())
                conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) "
                                  f"VALUES ({', '.join(':' + c for c in columns)})"), [dict(r) for r in rows])
    return result


def partitions(db: Engine) -> list[tuple[str, str, int, str, bool]]:
    """The partitions of mart.indicator_rollup: name, bounds, rows, owner, whether it has the mart's key
    (its index attached to the mart's)."""
    with db.connect() as conn:
        found = conn.execute(text("""
            SELECT c.oid::regclass::text, pg_get_expr(c.relpartbound, c.oid), pg_get_userbyid(c.relowner),
                   EXISTS (SELECT FROM pg_inherits AS ix JOIN pg_index AS x ON x.indexrelid = ix.inhrelid
                           WHERE x.indrelid = c.oid
                             AND ix.inhparent = 'mart.indicator_rollup_pkey'::regclass)
            FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'mart.indicator_rollup'::regclass ORDER BY 1""")).all()
        return [(name, bound, conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one(), owner, keyed)
                for name, bound, owner, keyed in found]


def build_tables(db: Engine) -> list[str]:
    """Tables a session of a parallel rebuild wrote and no rebuild attached (yet)."""
    with db.connect() as conn:
        return conn.execute(text("SELECT relname::text FROM pg_class WHERE relnamespace = 'ops'::regnamespace "
                                 "AND relname LIKE 'indicator\\_rollup\\_build\\_%' AND relkind = 'r' ORDER BY 1")
                            ).scalars().all()
