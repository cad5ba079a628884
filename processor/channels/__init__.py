"""Drop folders (inbox, outbox, archive, quarantine): a local directory or an ``sftp://`` URL, one protocol.

The batch sees only :class:`Folder`; :func:`open_folder` picks the adapter from the configured string.
paramiko is imported only when an ``sftp://`` folder is opened, so local runs do not pay for it.
"""

from __future__ import annotations

from processor.channels.base import (
    CLAIM_PREFIX,
    TEMP_PREFIX,
    ChannelError,
    ClaimConflict,
    Folder,
    check_name,
    claimed_name,
    original_name,
)
from processor.channels.local import LocalFolder
from processor.config import Sftp

__all__ = [
    "CLAIM_PREFIX",
    "TEMP_PREFIX",
    "ChannelError",
    "ClaimConflict",
    "Folder",
    "LocalFolder",
    "check_name",
    "claimed_name",
    "open_folder",
    "original_name",
]


def open_folder(url_or_path: str, sftp_settings: Sftp | None = None, *, timeout: float = 30.0) -> Folder:
    """A local directory (created 0o700 if missing) or an ``sftp://user@host:port/dir`` folder.

    ``sftp_settings`` gives known_hosts and the key file (defaults: ``~/.ssh``); ``timeout`` bounds the
    connection and every SFTP request, so a hung server fails the run instead of hanging cron.
    Any other ``scheme://`` is refused rather than taken for a local directory of that name.
    """
    scheme, sep, _ = url_or_path.partition("://")
    if not sep:
        return LocalFolder(url_or_path)
    if scheme.lower() != "sftp":
        raise ChannelError(f"{scheme}://…: unsupported folder URL scheme; use a local path or sftp://")
    from processor.channels.sftp import SftpFolder, parse_sftp_url

    settings = sftp_settings or Sftp()
    return SftpFolder.connect(parse_sftp_url(url_or_path), settings.known_hosts, settings.key_file, timeout=timeout)
