"""Keeping customers' data out of logs, run reports and error files.

Inbound files carry customers' names, service addresses, phone numbers and account numbers. The files
themselves stay where they belong (archive, quarantine: folders with mode 0o700, files 0o600), but
nothing derived from them for people to read (a log line, a run report, a quarantine ``.error.json``)
may repeat that data. Two mechanisms, both applied to every log line by :func:`mask_sensitive`:

* **by key**: a value logged under a key that names private data is replaced whole (names,
  addresses, phone numbers, e-mail addresses: ``[masked]``; secrets: ``[secret]``) or, for account,
  service point, meter and similar numbers, keeps only its last four characters (``******0094``);
* **by pattern**, in every other text (messages, reasons, exception texts, nested values): the X12
  segments that carry a customer's data (``N1*8R``/``BT``/... names, ``N2``, ``N3``, ``N4``, ``PER``)
  keep their id and qualifier only, phone numbers and e-mail addresses are replaced, and every run of
  ten or more digits (account numbers, service point ids) keeps only its last four digits.

Control numbers (ISA13 and GS06 are at most nine digits), DUNS numbers (nine), dates and times, file
names without long digit runs and the run id pass unchanged, so a log line still says which interchange
of which partner it is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from functools import lru_cache
from typing import Any

MASK = "[masked]"
SECRET = "[secret]"

#: keys whose whole value is private (compared lower-case, ``-`` read as ``_``)
PRIVATE_KEYS = frozenset({
    "name", "customer", "customer_name", "contact", "contact_name", "person", "bill_to", "bill_to_name",
    "address", "street", "street_address", "service_address", "mailing_address", "address1", "address2",
    "address_line", "city", "zip", "zip_code", "postal_code", "phone", "phone_number", "telephone", "fax",
    "email", "e_mail", "communication_number",
})
#: keys whose value is an identifier that may be shown by its last four characters only
IDENTIFIER_KEYS = frozenset({
    "account", "account_number", "accounts", "ldc_account", "utility_account", "esp_account", "res_account",
    "supplier_account", "old_account", "new_account", "service_point", "service_point_id", "esi_id", "premise",
    "meter", "meter_number", "ssn", "tax_id",
})
#: keys whose value is a secret: never shown at all
SECRET_KEYS = frozenset({
    "password", "passphrase", "secret", "token", "api_key", "private_key", "key_data", "authorization",
    "credentials", "pkey",
})
#: keys that are ours and technical: left exactly as they are (no pattern scrubbing); outbound file names are
#: built by us from a partner's id (DUNS or DUNS+4) and control numbers
TECHNICAL_KEYS = frozenset({"timestamp", "level", "run_id", "sha256", "digest", "logger", "isa13", "gs06", "st02",
                            "outbound", "outbound_files"})

#: qualifiers of N1 (98) whose N102 is a person or a customer, not a market participant
_CUSTOMER_N1 = "8R|BT|BS|ST|PR|EN|DK|ZZ|HH|80|AI|QD|PE|RI"
_SEPARATORS = r"[*|!^~:\x1c\x1d\x1e\x1f+]"
#: N1 of a customer: keep ``N1*8R*``, mask the name (and ids after it) up to the segment's end
_N1 = re.compile(rf"\b(N1(?P<sep>{_SEPARATORS})(?:{_CUSTOMER_N1}))(?P=sep)[^\r\n~'\x1c]*")
#: N2 (more name), N3 (street), N4 (city, state, ZIP), PER (contact name and numbers): mask every element
_ADDRESS = re.compile(rf"\b(N2|N3|N4|PER)(?P<sep>{_SEPARATORS})[^\r\n~'\x1c]*")
#: an e-mail address, but not the ``user@host`` of a URL (``sftp://edi@sftp.example.net``: ours, and needed)
_EMAIL = re.compile(r"(?<![\w.%+/-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
#: a phone number written with separators: (217) 555-0100, 217-555-0100, 217.555.0100, +1 217 555 0100
_PHONE = re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])")
#: ten or more digits in a row: an account, service point or similar number (or a bare phone number)
_LONG_DIGITS = re.compile(r"\d{10,}")
#: the password of a URL (``postgresql://user:PASSWORD@host/db``, ``sftp://user:PASSWORD@host``)
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@")


def mask_identifier(value: object) -> str:
    """``2000000094`` -> ``******0094``: all but the last four characters of an identifier hidden."""
    text = str(value)
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


def redact_secrets(text: str) -> str:
    """``text`` with the password of every URL in it shown as ``***`` (what an error message may print)."""
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}***@", text)


@lru_cache(maxsize=4096)
def scrub(text: str) -> str:
    """``text`` with customer data found by pattern masked, and URL passwords (see the module docstring).

    Cached: a batch logs the same few texts (events, file names, kinds, results) for every transaction set,
    and six patterns over each were a tenth of handling an 814 (batch profile, README)."""
    if not text:
        return text
    text = redact_secrets(text)
    text = _N1.sub(lambda m: f"{m.group(1)}{m.group('sep')}{MASK}", text)
    text = _ADDRESS.sub(lambda m: f"{m.group(1)}{m.group('sep')}{MASK}", text)
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[phone]", text)
    return _LONG_DIGITS.sub(lambda m: mask_identifier(m.group(0)), text)


@lru_cache(maxsize=1024)
def _kind(key: object) -> str:
    """Which of the key sets ``key`` belongs to ("" for none): the same few keys are asked for every log line."""
    k = str(key).lower().replace("-", "_")
    for kind, keys in (("secret", SECRET_KEYS), ("private", PRIVATE_KEYS), ("identifier", IDENTIFIER_KEYS),
                       ("technical", TECHNICAL_KEYS)):
        if k in keys:
            return kind
    return ""


def mask_value(key: object, value: Any) -> Any:
    """``value`` as it may be shown under ``key``: masked by key, else scrubbed (recursively)."""
    if value is None or isinstance(value, bool):
        return value
    kind = _kind(key)
    if kind == "secret":
        return SECRET
    if kind == "private":
        return MASK
    if kind == "identifier":
        if isinstance(value, list | tuple | set | frozenset):
            return [mask_identifier(v) for v in value]
        return mask_identifier(value)
    if kind == "technical":
        return value
    return _scrub_any(value)


def _scrub_any(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {k: mask_value(k, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_any(v) for v in value]
    if isinstance(value, int | float):
        text = str(value)
        return scrub(text) if _LONG_DIGITS.search(text) else value
    if isinstance(value, BaseException):
        return scrub(f"{type(value).__name__}: {value}")
    return value


def mask_sensitive(logger: object, method_name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: every value of the event masked or scrubbed. Put it last before the renderer
    (after ``format_exc_info``, so a formatted traceback is scrubbed too)."""
    for key in list(event_dict):
        event_dict[key] = mask_value(key, event_dict[key])
    return event_dict


#: segments whose values are a customer's data (a finding's ``value`` there is masked whole)
PRIVATE_SEGMENTS = frozenset({"N1", "N2", "N3", "N4", "PER"})
#: segments whose values after the qualifier are identifiers (REF*12 account, REF*MG meter, ...): last four shown
IDENTIFIER_SEGMENTS = frozenset({"REF"})


def mask_finding(finding: Mapping[str, Any]) -> dict[str, Any]:
    """A finding's JSON (``Finding.to_json()``) fit for an error file or a report: its ``value`` masked when
    it comes from a segment that carries customer data (whole, or but the last four characters of a
    reference), and the message with it; every text scrubbed."""
    segment = str(finding.get("segment_id", ""))
    value = finding.get("value")
    shown: str | None = None
    if isinstance(value, str) and value.strip():
        if segment in PRIVATE_SEGMENTS:
            shown = MASK
        elif segment in IDENTIFIER_SEGMENTS and finding.get("element") != 1:  # REF01 is a qualifier code
            shown = mask_identifier(value)
    out = {k: mask_value(k, _without(v, value, shown) if k == "message" else v)
           for k, v in finding.items() if k != "value"}
    if "value" in finding:
        out["value"] = shown if shown is not None else _scrub_any(value)
    return out


def _without(text: Any, value: Any, shown: str | None) -> Any:
    """``text`` with every occurrence of a private ``value`` (as the messages quote it) shown as ``shown``."""
    if shown is not None and isinstance(text, str) and isinstance(value, str):
        return text.replace(value, shown)
    return text


def mask_report(document: Mapping[str, Any]) -> dict[str, Any]:
    """A run report's JSON (or any JSON for people) with every value masked by key or scrubbed."""
    return {k: mask_value(k, v) for k, v in document.items()}
