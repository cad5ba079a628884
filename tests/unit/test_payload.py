"""The outbox payload: one JSON list of a set's segments, made a chunk at a time from any iterable."""

from __future__ import annotations

import json

from edi.segments import Segment
from processor.batch import _PAYLOAD_CHUNK, _payload, _segments


def test_a_payload_is_the_json_of_its_segments_whatever_it_is_made_from() -> None:
    for count in (0, 1, _PAYLOAD_CHUNK, _PAYLOAD_CHUNK * 2 + 3):
        body = [Segment("AK2", ("814", f"{n:04d}")) for n in range(count)]
        expected = json.dumps([[s.id, *s.elements] for s in body], separators=(",", ":"))
        assert _payload(body) == expected
        assert _payload(iter(body)) == expected  # a generator, read a chunk at a time
        assert list(_segments(expected)) == body
