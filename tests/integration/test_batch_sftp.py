"""The batch over an SFTP drop folder on a real OpenSSH server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.batch_env import BatchEnv, inbound_samples, make_env
from tests.integration.sshd import SshServer, running_sshd
from tests.support import SAMPLES

AS_OF = "2026-10-22T08:00:00"


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


def sftp_env(root: Path, server: SshServer, remote: Path, known_hosts: Path | None = None) -> BatchEnv:
    env = make_env(root)
    config = env.config.read_text()
    for name in ("inbox", "outbox"):
        config = config.replace(f'{name} = "{root / name}"', f'{name} = "{server.url(remote / name)}"')
    config += f'[sftp]\nknown_hosts = "{known_hosts or server.known_hosts}"\nkey_file = "{server.key_file}"\n'
    env.config.write_text(config)
    return env


def test_batch_reads_and_answers_through_sftp(tmp_path: Path, sshd: SshServer) -> None:
    remote = tmp_path / "remote"
    env = sftp_env(tmp_path / "site", sshd, remote)
    (remote / "inbox").mkdir(parents=True)
    inbound = inbound_samples()[:3]
    for path in [*inbound, SAMPLES / "bad" / "bad_se01_count.x12"]:
        (remote / "inbox" / path.name).write_bytes(path.read_bytes())
    done = env.edi("batch", "--as-of", AS_OF)
    assert done.returncode == 1, done.stderr
    assert list((remote / "inbox").iterdir()) == []
    outbound = sorted(p.name for p in (remote / "outbox").iterdir())
    assert outbound and all(name.endswith(".x12") and not name.startswith(".") for name in outbound)
    assert {Path(n).name for n in env.files("archive")} == {p.name for p in inbound}
    assert "bad_se01_count.x12" in env.files("quarantine")
    again = env.edi("batch", "--as-of", AS_OF)
    assert again.returncode == 0 and sorted(p.name for p in (remote / "outbox").iterdir()) == outbound


def test_an_unknown_host_key_stops_the_run_with_exit_3(tmp_path: Path, sshd: SshServer) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    env = sftp_env(tmp_path / "site", sshd, tmp_path / "remote", known_hosts=empty)
    (tmp_path / "remote" / "inbox").mkdir(parents=True)
    (tmp_path / "remote" / "inbox" / "a.x12").write_bytes(inbound_samples()[0].read_bytes())
    done = env.edi("batch", "--as-of", AS_OF)
    assert done.returncode == 3
    assert "127.0.0.1" in done.stderr and str(empty) in done.stderr
    assert (tmp_path / "remote" / "inbox" / "a.x12").exists()  # nothing was touched
