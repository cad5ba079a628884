"""A big drop folder made from the samples: every file its own interchange (new ISA13, GS06 and reference),
with some broken files and some exact re-sends mixed in, the way a busy night looks.

Small files on purpose: the tests and the bench measure the batch's coordination, not the parser.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.batch_env import inbound_samples
from tests.support import SAMPLES

BROKEN = ("bad_se01_count.x12", "bad_mixed.x12", "bad_empty.x12")
#: segments whose second element is the sender's own reference (request, invoice, report number)
_REFERENCES = {"BGN", "BIG", "BPT"}


def renumber(data: bytes, serial: int) -> bytes:
    """The same file as a new interchange: ISA13/IEA02, GS06/GE02 and the BGN/BIG/BPT reference made unique."""
    text = data.decode("latin-1")
    terminator = text[105]
    element = text[3]
    out = []
    isa = gs = 0
    for raw in text.split(terminator):
        head = raw.lstrip("\r\n")
        lead = raw[:len(raw) - len(head)]
        parts = head.split(element)
        tag = parts[0]
        if tag == "ISA":
            isa += 1
            parts[13] = f"{(serial * 4 + isa) % 1_000_000_000:09d}"
        elif tag == "IEA":
            parts[2] = f"{(serial * 4 + isa) % 1_000_000_000:09d}"
        elif tag == "GS":
            gs += 1
            parts[6] = str(serial * 4 + gs)
        elif tag == "GE":
            parts[2] = str(serial * 4 + gs)
        elif tag in _REFERENCES and len(parts) > 2 and len(parts[2]) > 6:
            parts[2] = parts[2][:-6] + f"{serial % 1_000_000:06d}"
        out.append(lead + element.join(parts))
    return terminator.join(out).encode("latin-1")


def fill_inbox(inbox: Path, files: int, *, broken_every: int = 97, resend_every: int = 89) -> list[str]:
    """Write ``files`` files into ``inbox``; their names. Deterministic: the same call gives the same bytes."""
    inbox.mkdir(parents=True, exist_ok=True)
    samples = [p for p in inbound_samples() if p.read_bytes().startswith(b"ISA")]
    names = []
    for i in range(files):
        if broken_every and i % broken_every == broken_every - 1:
            source = SAMPLES / "bad" / BROKEN[(i // broken_every) % len(BROKEN)]
            data = source.read_bytes() if source.name == "bad_empty.x12" else renumber(source.read_bytes(), i + 1)
        elif resend_every and i % resend_every == resend_every - 1:
            data = renumber(samples[(i - 1) % len(samples)].read_bytes(), i)  # the file before it, again
        else:
            data = renumber(samples[i % len(samples)].read_bytes(), i + 1)
        name = f"in-{i:05d}.x12"
        (inbox / name).write_bytes(data)
        names.append(name)
    return names
