"""Which clock a landed file's arrival is read from (etl.orchestration.landing.arrival)."""

from __future__ import annotations

from datetime import UTC, datetime

from etl.orchestration.landing import arrival

SENDER_MTIME = datetime(2024, 5, 14, 2, 0, tzinfo=UTC).timestamp()  # set by cp -p / touch -d
LANDED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_a_local_folder_reads_the_inode_change_time_not_the_modification_time() -> None:
    info = {"mtime": SENDER_MTIME, "created": LANDED.timestamp()}  # fsspec local: created is st_ctime
    assert arrival(info, "file") == (LANDED, "inode_change")


def test_an_object_store_reads_its_own_write_time() -> None:
    assert arrival({"LastModified": LANDED, "mtime": SENDER_MTIME}, "s3") == (LANDED, "object_store")
    assert arrival({"updated": "2026-11-26T09:00:00Z"}, "gcs") == (LANDED, "object_store")


def test_a_store_that_keeps_the_senders_time_only_gets_the_moment_of_reading() -> None:
    before = datetime.now(UTC)
    at, rule = arrival({"mtime": SENDER_MTIME}, "sftp")  # an SFTP server keeps the sender's mtime
    assert rule == "call" and at >= before
