"""The collector's thresholds while batches are ingested (etl.warehouse.ingest._batch_collections)."""

from __future__ import annotations

import gc
import threading

from etl.warehouse.ingest import BATCH_GC_THRESHOLDS, _batch_collections


def test_a_batch_raises_the_thresholds_and_the_last_one_to_end_restores_them() -> None:
    before = gc.get_threshold()
    assert before != BATCH_GC_THRESHOLDS
    with _batch_collections():
        assert gc.get_threshold() == BATCH_GC_THRESHOLDS
        with _batch_collections():  # a second batch of the process, at once
            assert gc.get_threshold() == BATCH_GC_THRESHOLDS
        assert gc.get_threshold() == BATCH_GC_THRESHOLDS  # the first one still runs
    assert gc.get_threshold() == before


def test_batches_in_threads_restore_the_thresholds_once_all_have_ended() -> None:
    before = gc.get_threshold()
    inside, release = threading.Barrier(3), threading.Event()

    def batch() -> None:
        with _batch_collections():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=batch) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert gc.get_threshold() == BATCH_GC_THRESHOLDS
    release.set()
    for t in threads:
        t.join()
    assert gc.get_threshold() == before


def test_a_failed_batch_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    try:
        with _batch_collections():
            raise RuntimeError("the batch failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
