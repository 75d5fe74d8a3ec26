from google.cloud import storage


def test_emulator_round_trip(bucket: storage.Bucket) -> None:
    blob = bucket.blob("hello.txt")
    blob.upload_from_string(b"hi", if_generation_match=0)
    assert bucket.blob("hello.txt").download_as_bytes() == b"hi"
