"""The nightly batch: every inbound file claimed, validated, processed, answered, archived or quarantined.

Exactly once, by construction:

- a file is claimed by an atomic rename before it is read, so two runs never read the same file;
  a claimed file a crashed run left behind is picked up first by the next run;
- each interchange is claimed in the ingest ledger by sender + ISA13 + the hash of its segments:
  one seen and finished before is a duplicate and is skipped; one that never finished resumes;
- each transaction set is handled in the database transaction that also records the set as done
  and enqueues its responses (the outbox), so a crash loses or repeats nothing; sets are committed
  :data:`SETS_PER_TRANSACTION` at a time, and a crash rolls back the unfinished group whole;
- outbound files are staged in the database with their control numbers before they are written,
  written under a temporary name and renamed; a crash between writing and marking them sent
  rewrites the same bytes under the same name, never a second file.

Several workers (``edi batch --workers N``, PostgreSQL): the run queues the inbox in the database
(:mod:`processor.store.batch_queue`) and forks N workers (:mod:`processor.workers`). Each claims the
next queued file (``FOR UPDATE SKIP LOCKED``), reads and validates it in parallel with the others, and
applies it to the database in the queue's order, so N workers decide what one would; a worker that dies
is noticed (its advisory lock goes with its connection) and its file taken over. The run writes the
outbox once every file is applied, so the outbound files are the same as one process's.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import itertools
import json
import re
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO

import structlog

from edi.acks import acknowledge
from edi.canonical import ParseError, parse, render, render_stream, transaction_set_id
from edi.classify import Kind, classify
from edi.envelope import Envelope, InterchangeSummary, SetSummary
from edi.findings import Finding, Level
from edi.guide import GuideValidator
from edi.messages import SourceRef
from edi.reader import X12Reader
from edi.segments import Segment, Separators
from edi.validate import validate_reader
from edi.writer import Party, Profile, Transaction, interchange, write
from processor.calendar import Calendar
from processor.channels import ChannelError, Folder, claimed_name, original_name
from processor.clock import CENTRAL
from processor.config import Utility
from processor.handlers import Context, Handler, Outcome, effectuate_pending
from processor.privacy import mask_finding, mask_report, scrub
from processor.store import Store
from processor.store.batch_queue import APPLIED, APPLY_LOCK, Presence, QueuedFile, WorkQueue, turn_payload
from processor.store.records import Claim, ClaimStatus, LedgerOutcome, NewOutboxMessage, OutboundFile
from processor.store.unit_of_work import UnitOfWork
from processor.usage import produce_usage, usage_key
from processor.workers import check_workers, run_workers

log = structlog.get_logger("edi.batch")

#: Transaction sets handled per database transaction (:meth:`Batch._handle_sets`): a commit waits for the
#: disk, and once per set it was the batch's largest single cost.
SETS_PER_TRANSACTION = 500

#: Seconds a worker waits for its turn before looking again (a notification usually wakes it sooner).
_TURN_POLL = 0.2


@dataclass(frozen=True, slots=True)
class Channels:
    inbox: Folder
    outbox: Folder
    archive: Folder
    quarantine: Folder


@dataclass
class Report:
    """What a run did; decides the exit code and is saved as JSON."""

    run_id: str
    started_at: str
    as_of: str
    files: Counter[str] = field(default_factory=Counter)
    interchanges: Counter[str] = field(default_factory=Counter)
    transaction_sets: dict[str, Counter[str]] = field(default_factory=dict)
    rejections: Counter[str] = field(default_factory=Counter)
    outbound_files: list[str] = field(default_factory=list)
    quarantined: list[dict[str, str]] = field(default_factory=list)

    def merge(self, other: Mapping[str, Any]) -> None:
        """Add the counts of a worker's report (its :meth:`to_json`) to this one."""
        self.files.update(other["files"])
        self.interchanges.update(other["interchanges"])
        for kind, outcomes in other["transaction_sets"].items():
            self.transaction_sets.setdefault(kind, Counter()).update(outcomes)
        self.rejections.update(other["rejections"])
        self.outbound_files.extend(other["outbound_files"])
        self.quarantined = sorted([*self.quarantined, *other["quarantined"]], key=lambda q: (q["file"], q["reason"]))

    def count_set(self, kind: str, result: str) -> None:
        self.transaction_sets.setdefault(kind, Counter())[result] += 1

    @property
    def exit_code(self) -> int:
        return 1 if self.files["quarantined"] else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "started_at": self.started_at, "as_of": self.as_of,
            "files": dict(sorted(self.files.items())),
            "interchanges": dict(sorted(self.interchanges.items())),
            "transaction_sets": {k: dict(sorted(v.items())) for k, v in sorted(self.transaction_sets.items())},
            "rejections": dict(sorted(self.rejections.items())),
            "outbound_files": sorted(self.outbound_files),
            "quarantined": self.quarantined,
            "exit_code": self.exit_code,
        }

    def summary_lines(self) -> list[str]:
        f = self.files
        lines = [f"run {self.run_id} as of {self.as_of}",
                 f"files: {f['seen']} seen, {f['claimed']} claimed ({f['resumed']} resumed), "
                 f"{f['archived']} archived, {f['quarantined']} quarantined, {f['duplicates']} duplicates"]
        i = self.interchanges
        lines.append(f"interchanges: {i['processed']} processed, {i['duplicate']} duplicate, "
                     f"{i['resumed']} resumed, {i['control_number_reused']} with a reused ISA13")
        for kind, outcomes in sorted(self.transaction_sets.items()):
            lines.append(f"  {kind}: " + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())))
        if self.rejections:
            lines.append("rejections: " + ", ".join(f"{c} x{n}" for c, n in sorted(self.rejections.items())))
        lines.append(f"outbound files: {len(self.outbound_files)}")
        lines.extend(f"  {name}" for name in sorted(self.outbound_files))
        for q in self.quarantined:
            lines.append(f"quarantined {q['file']}: {q['reason']}")
        return lines


@dataclass
class _Prepared:
    """A file read and validated (the part workers do in parallel), waiting for its turn in the database."""

    claimed: str
    name: str
    digest: str
    hashes: list[str]
    interchanges: list[InterchangeSummary]
    findings: list[Finding]
    unreadable: bool
    received_at: datetime  #: when the file counts as received (cut-off rules): see :meth:`Batch._received`


@dataclass
class Batch:
    """One run. Built by the composition root; ``run()`` does the night's work."""

    store: Store
    channels: Channels
    guide: GuideValidator
    calendar: Calendar
    utility: Utility
    handlers: Mapping[Kind, Handler]
    now: datetime
    progress: Callable[[int, int, str], None] | None = None  #: (done, total, file) after each file: a terminal's bar
    workers: int = 1  #: processes working on the inbox (more than one needs PostgreSQL: :mod:`processor.workers`)
    #: opens the drop folders anew in a forked worker (an SFTP connection cannot cross a fork)
    reopen_channels: Callable[[], Channels] | None = None
    report: Report = field(init=False)

    def __post_init__(self) -> None:
        self.report = Report(run_id=uuid.uuid4().hex[:12], started_at=self.now.isoformat(),
                             as_of=self.now.isoformat())

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> Report:
        _big_buffers_unmapped()
        structlog.contextvars.bind_contextvars(run_id=self.report.run_id)
        try:
            self.effectuate()
            if self.process_inbox():
                self.produce_usage()
                self.flush_outbox()
        finally:
            structlog.contextvars.unbind_contextvars("run_id")
        return self.report

    def produce_usage(self) -> None:
        """867s for the read events that ended billing periods and for corrected meter data (processor.usage)."""
        with self.store.unit_of_work(lock="usage") as uow:
            for out in produce_usage(uow, self.calendar, self.now, self.utility):
                uow.outbox.enqueue(NewOutboxMessage(
                    idempotency_key=usage_key(out), receiver=out.receiver, st01=transaction_set_id(out.message),
                    kind=type(out.message).__name__, payload=_payload(render(out.message)), created_at=self.now))
            uow.commit()

    def effectuate(self) -> None:
        """Switches whose date has passed take effect first; one process at a time (the second finds nothing due)."""
        with self.store.unit_of_work(lock=APPLY_LOCK) as uow:
            effectuate_pending(uow, self.calendar, self.now, self.utility)
            uow.commit()

    def process_inbox(self) -> bool:
        """Queue the inbox and work through it: in this process, or in ``workers`` forked processes.

        When another machine's run is open on the same database, this one joins it (its files are queued
        behind that run's, and its workers share that run's queue and order) and leaves the outbox to it.
        Returns whether this process closed the run, and so writes the outbox.
        """
        check_workers(self.store.shared, self.workers)
        queue = self.store.batch_queue()
        inbox = self.channels.inbox
        with self.store.presence() as me:
            leftovers = [original_name(name) for name in inbox.claimed()]
            run_id, ours, queued = queue.open_run(self.report.run_id, key=me.key, workers=self.workers,
                                                  at=self.now, leftovers=leftovers, fresh=inbox.list())
            self.report.files["seen"] += queued
            if not ours:
                log.info("joined the open run of another process", joined=run_id, files=queued)
            if self.workers > 1:
                run_workers(self, self.workers, run_id)
            self.work(queue, me, run_id, queued)  # alone: everything; after workers: what a dead one left behind
            while ours or not queue.owner_alive(run_id):  # the run's owner (or, if it died, anyone) closes it
                if queue.close_run(run_id, at=self.now):
                    return True
                self.work(queue, me, run_id)  # files of workers that died meanwhile
                me.wait(_TURN_POLL)  # files still held by live workers, this machine's or a joiner's
            return False

    def work(self, queue: WorkQueue, me: Presence, run_id: str, total: int = 0) -> None:
        """Take the run's queued files (then files of dead workers) until none is left."""
        done = 0
        while True:
            item = queue.claim_next(run_id, key=me.key, at=self.now) or self._orphan(queue, me, run_id)
            if item is None:
                return
            self._work_on(item, queue, me)
            done += 1
            self._tick(done, max(total, done), item.name)

    def _orphan(self, queue: WorkQueue, me: Presence, run_id: str) -> QueuedFile | None:
        for item in queue.orphans(run_id):
            taken = queue.take_over(item, key=me.key, at=self.now)
            if taken is not None:
                log.warning("took over the file of a worker that died", file=item.name)
                return taken
        return None

    def _tick(self, done: int, total: int, name: str) -> None:
        if self.progress is not None:
            self.progress(done, total, name)

    # -- one inbound file --------------------------------------------------------------------
    def _take(self, name: str) -> tuple[str, bool] | None:
        """The file's claimed name, and whether it was claimed before (by a run or worker that died)."""
        inbox = self.channels.inbox
        claimed = claimed_name(name)
        if inbox.exists(claimed):
            return claimed, True
        got = inbox.claim(name)
        return None if got is None else (got, False)

    def _work_on(self, item: QueuedFile, queue: WorkQueue, me: Presence) -> None:
        """Claim, read and validate the file; wait for its turn; apply it; archive or quarantine it.

        A file already applied (its worker died before archiving it) needs no turn: its repeat is
        answered from the ledger. A leftover ``.claimed.NAME`` and a new NAME beside it are both done.
        """
        structlog.contextvars.bind_contextvars(file=item.name)
        try:
            applied = item.state == APPLIED
            taken = self._take(item.name)
            while taken is not None:
                claimed, resumed = taken
                self.report.files["claimed"] += 1
                if resumed:
                    self.report.files["resumed"] += 1
                prepared = self._prepare(claimed, item.name)
                if not applied:
                    self._wait_turn(item, queue, me)
                with me.applying():
                    self._apply(prepared)
                    if not applied:
                        queue.mark_applied(item, key=me.key)
                        applied = True
                self._finish(prepared)
                fresh = self.channels.inbox.claim(item.name) if resumed else None  # NAME re-sent beside the leftover
                taken = None if fresh is None else (fresh, False)
            queue.remove(item, key=me.key)
        finally:
            structlog.contextvars.unbind_contextvars("file")

    def _wait_turn(self, item: QueuedFile, queue: WorkQueue, me: Presence) -> None:
        """Until every file before this one in the run is applied.

        Files are applied in order, so the turn comes when the file just before is applied: its worker's
        notification wakes this one. If none comes for a while, the file holding things up may be
        nobody's any more (its worker died, or died claiming it): then it is done here first.
        """
        stalled = False
        while True:
            lowest = queue.lowest_unapplied(item.run_id)
            if lowest is None or lowest.seq >= item.seq:
                return
            if stalled:
                taken = queue.take_over(lowest, key=me.key, at=self.now)
                if taken is not None:
                    log.warning("took over a file before this one", before=taken.name)
                    self._work_on(taken, queue, me)
                    structlog.contextvars.bind_contextvars(file=item.name)
                    continue
            stalled = not me.wait(_TURN_POLL, for_payload=turn_payload(item.run_id, item.seq - 1))

    def _prepare(self, claimed: str, name: str) -> _Prepared:
        """Read, hash and validate: no database, so workers do this side by side."""
        received_at = self._received(claimed)
        with self.channels.inbox.open(claimed) as stream:
            read = _Digesting(stream)
            validation = validate_reader(X12Reader(read, name), self.guide, digests=True)
        hashes = [isa.digest for isa in validation.interchanges if isa.digest is not None]
        assert len(hashes) == len(validation.interchanges)  # every ISA begins a digest
        unaddressable = _unaddressable(validation.interchanges, name)  # a partner's id never becomes a file name
        unreadable = validation.unreadable or not validation.interchanges or bool(unaddressable)
        return _Prepared(claimed=claimed, name=name, digest=read.hexdigest(), hashes=hashes,
                         interchanges=list(validation.interchanges), findings=[*validation.findings, *unaddressable],
                         unreadable=unreadable, received_at=received_at)

    def _received(self, claimed: str) -> datetime:
        """When the file counts as received: when it arrived in the inbox, never later than the run's clock.

        The tariff's cut-off is on receipt ("received by Ameren no later than 6:45 p.m. CPT"): a file a RES
        dropped at 5 p.m. and the 2 a.m. batch reads was received that afternoon, not at 2 a.m. Its arrival
        is the inbox file's modification time (a claim, a rename, keeps it); ``received_time = "run"`` in
        ``[utility]`` uses the run's clock instead, for drop folders whose partners can set file times.
        """
        if self.utility.received_time == "run":
            return self.now
        return min(datetime.fromtimestamp(self.channels.inbox.modified(claimed), UTC), self.now)

    def _apply(self, file: _Prepared) -> None:
        """The file's database work, in the run's order: ledger, handlers, acknowledgments, ledger outcome."""
        if file.unreadable:
            return
        name, findings = file.name, file.findings
        claims = self._claim_interchanges(file.interchanges, file.hashes, name)
        findings.extend(self._handle_sets(file, claims))
        self._acknowledge(file.interchanges, claims, file.hashes)
        for isa, claim in zip(file.interchanges, claims, strict=True):
            if claim.status is ClaimStatus.CONTROL_NUMBER_REUSED:
                findings.append(Finding(
                    name, isa.position, "ISA", "batch.isa13-reused",
                    f"ISA13 {isa.isa13} from sender {isa.sender[1]} was already used by other content "
                    f"(first in {claim.entry.file_name})", level=Level.INTERCHANGE, element=13, ta1="025"))
        outcome = LedgerOutcome.QUARANTINED if findings else LedgerOutcome.PROCESSED
        with self.store.unit_of_work() as uow:
            for claim in claims:
                if _processing(claim):
                    uow.ledger.finish(claim.entry.id, outcome, at=self.now)
            uow.commit()

    def _finish(self, file: _Prepared) -> None:
        """Archive the file, or quarantine it with its findings."""
        if file.unreadable:
            reason = file.findings[0].message if file.findings else "no interchange in the file"
            self._quarantine(file, reason)
        elif file.findings:
            self._quarantine(file, file.findings[0].message)
        else:
            self._archive(file)

    def _claim_interchanges(self, interchanges: Sequence[InterchangeSummary], hashes: Sequence[str],
                            name: str) -> list[Claim]:
        """Claim every interchange of the file in the ingest ledger: new, resumed, duplicate or reused ISA13."""
        claims: list[Claim] = []
        with self.store.unit_of_work() as uow:
            for isa, digest in zip(interchanges, hashes, strict=True):
                claim = uow.ledger.claim(sender=isa.sender[1], isa13=isa.isa13, sha256=digest, file_name=name,
                                         at=self.now)
                claims.append(claim)
                self.report.interchanges["processed" if claim.status is ClaimStatus.NEW else str(claim.status)] += 1
                if not _processing(claim):
                    log.info("interchange not processed again", isa13=isa.isa13, status=str(claim.status),
                             first_seen=claim.entry.file_name)
            uow.commit()
        if all(c.status is ClaimStatus.DUPLICATE for c in claims):
            self.report.files["duplicates"] += 1
        return claims

    def _handle_sets(self, file: _Prepared, claims: Sequence[Claim]) -> list[Finding]:
        """Second pass: hand every valid set of a claimed interchange to its handler.

        Sets are committed :data:`SETS_PER_TRANSACTION` at a time: each set's ledger record, state change
        and responses still commit together (in the same transaction), and a crash rolls back the whole
        group, which the rerun redoes from the ledger. One commit per set cost more than its handling.
        The file is read again, as a stream (never held whole: peak memory); its summaries come in the same
        order as its sets.
        """
        name, interchanges, hashes = file.name, file.interchanges, file.hashes
        summaries = (s for isa in interchanges for g in isa.groups for s in g.sets)
        index_of = {isa.position: i for i, isa in enumerate(interchanges)}
        problems: list[Finding] = []
        with self.channels.inbox.open(file.claimed) as stream, self.store.unit_of_work() as uow:
            read = _Digesting(stream)
            uncommitted = 0
            for ts in Envelope(X12Reader(read, name)):
                i = index_of[ts.interchange.position]
                summary = next(summaries, None)
                if summary is None or summary.position != ts.summary.position:  # not the file the first pass read
                    raise self._changed(file)
                if not _processing(claims[i]) or not summary.accepted:
                    continue
                source = SourceRef(file=name, isa13=ts.interchange.isa13, gs06=ts.group.gs06, st02=ts.summary.st02)
                problem = self._handle_set(uow, ts.segments, ts.separators, source, claims[i].entry.id, hashes[i],
                                           ts.interchange.sender[1], summary, file.received_at)
                if problem is not None:
                    problems.append(problem)
                uncommitted += 1
                if uncommitted == SETS_PER_TRANSACTION:
                    uow.commit()
                    uncommitted = 0
            if read.hexdigest() != file.digest:  # someone wrote to the claimed file: stop, and say so
                raise self._changed(file)
            uow.commit()
        return problems

    def _handle_set(self, uow: UnitOfWork, segments: list[Segment], separators: Separators, source: SourceRef,
                    ledger_id: int, digest: str, sender: str, summary: SetSummary,
                    received_at: datetime) -> Finding | None:
        """One set in ``uow``'s transaction: recorded in the ledger, handled, its responses enqueued."""
        kind = classify(segments)
        if kind is None:
            return self._set_problem(summary, segments[0], source, "batch.unclassified",
                                     "the transaction set is not one this gateway handles (check ST01/BGN/ASI/REF*1P)")
        try:
            message = parse(segments, source, separators.component, kind=kind)
        except ParseError as exc:
            at = next((s for s in segments if s.pos == exc.position), segments[0])
            return self._set_problem(summary, at, source, "batch.unparseable", str(exc))
        if not uow.ledger.record_set(ledger_id, gs06=source.gs06, st02=source.st02, st01=summary.st01, at=self.now):
            return None  # done by an earlier run that did not finish the file
        handler = self.handlers.get(kind)
        outcome = (Outcome("answered by 997 only") if handler is None else
                   handler(message, Context(uow, self.calendar, self.now, received_at, self.utility, source, sender)))
        for n, out in enumerate(outcome.outbound):
            uow.outbox.enqueue(NewOutboxMessage(
                idempotency_key=f"{digest}:{source.gs06}:{source.st02}:{n}", receiver=out.receiver,
                st01=transaction_set_id(out.message), kind=type(out.message).__name__,
                payload=_payload(render(out.message)), created_at=self.now, ledger_id=ledger_id,
                source_gs06=source.gs06, source_st02=source.st02))
        self.report.count_set(str(kind), outcome.result)
        if outcome.code:
            self.report.rejections[outcome.code] += 1
        # a rejection is news; an acceptance is counted in the report and kept in the database (--log-level debug)
        (log.info if outcome.code else log.debug)(
            "transaction set handled", kind=str(kind), result=outcome.result, code=outcome.code, isa13=source.isa13,
            gs06=source.gs06, st02=source.st02)
        return None

    def _set_problem(self, summary: SetSummary, at: Segment, source: SourceRef, rule: str, message: str) -> Finding:
        """A set that passed the guide but cannot be handled: rejected in its 997 (AK5 R 5), reported."""
        finding = Finding(source.file, at.pos, at.id, rule, message, set_position=at.pos - summary.position + 1,
                          isa13=source.isa13, gs06=source.gs06, st02=source.st02, ak3="8" if rule == "batch.unparseable"
                          else None, ak5="5")
        summary.add(finding)
        self.report.count_set(summary.st01, "rejected by 997")
        log.warning("transaction set not handled", rule=rule, reason=message, isa13=source.isa13, gs06=source.gs06,
                    st02=source.st02)
        return finding

    def _acknowledge(self, interchanges: Sequence[InterchangeSummary], claims: Sequence[Claim],
                     hashes: Sequence[str]) -> None:
        """One 997 per functional group, and a TA1 where the envelope was bad, to the sender."""
        with self.store.unit_of_work() as uow:
            for isa, claim, digest in zip(interchanges, claims, hashes, strict=True):
                if claim.status is ClaimStatus.DUPLICATE:
                    continue  # its acknowledgments went out the first time
                ta1, acks = acknowledge(isa, isa.separators)
                ledger_id: int | None = claim.entry.id
                if claim.status is ClaimStatus.CONTROL_NUMBER_REUSED:  # only a TA1 saying so
                    ta1, acks = Segment("TA1", (isa.isa13, isa.isa.get(9), isa.isa.get(10), "R", "025")), []
                    ledger_id = None
                for ack in acks:  # each made, rendered and turned into JSON a chunk of sets at a time (peak memory)
                    group_control, payload = ack.group_control, _payload(render_stream(ack))
                    uow.outbox.enqueue(NewOutboxMessage(
                        idempotency_key=f"{digest}:997:{group_control}", receiver=isa.sender[1], st01="997",
                        kind="FunctionalAck", payload=payload, created_at=self.now,
                        ledger_id=ledger_id, source_gs06=group_control))
                if ta1 is not None:
                    uow.outbox.enqueue(NewOutboxMessage(
                        idempotency_key=f"{digest}:TA1", receiver=isa.sender[1], st01="TA1", kind="TA1",
                        payload=_payload([ta1]), created_at=self.now, ledger_id=ledger_id))
            uow.commit()

    # -- archive and quarantine ---------------------------------------------------------------
    def _day(self) -> str:
        return self.now.astimezone(CENTRAL).date().isoformat()

    def _archive(self, file: _Prepared) -> None:
        target = f"{self._day()}/{file.name}"
        archive = self.channels.archive
        if archive.exists(target) and _digest_of(archive, target) != file.digest:
            target = f"{self._day()}/{file.digest[:12]}.{file.name}"
        self._copy(file, archive, target)
        self.channels.inbox.remove(file.claimed)
        self.report.files["archived"] += 1
        log.info("archived", to=f"{archive.url}/{target}")

    def _quarantine(self, file: _Prepared, reason: str) -> None:
        quarantine, name, findings = self.channels.quarantine, file.name, file.findings
        target = name
        if quarantine.exists(target) and _digest_of(quarantine, target) != file.digest:
            target = f"{file.digest[:12]}.{name}"
        shown = [mask_finding(f.to_json()) for f in findings]  # people read these: no customer data (SECURITY.md)
        reason = shown[0]["message"] if findings and reason == findings[0].message else scrub(reason)
        error = mask_report({"file": name, "reason": reason, "run_id": self.report.run_id,
                             "quarantined_at": self.now.isoformat(), "findings": shown})
        quarantine.write(target + ".error.json", (json.dumps(error, indent=2, sort_keys=True) + "\n").encode())
        self._copy(file, quarantine, target)
        self.channels.inbox.remove(file.claimed)
        self.report.files["quarantined"] += 1
        self.report.quarantined.append({"file": scrub(name), "reason": reason})
        log.warning("quarantined", to=f"{quarantine.url}/{target}", reason=reason, findings=len(findings))

    def _copy(self, file: _Prepared, folder: Folder, target: str) -> None:
        """The claimed file into ``folder`` as ``target``, streamed; the bytes checked against the file's digest
        before the inbox copy may be removed."""
        with self.channels.inbox.open(file.claimed) as stream:
            read = _Digesting(stream)
            folder.write_from(target, read)
        if read.hexdigest() != file.digest:
            raise self._changed(file)

    def _changed(self, file: _Prepared) -> ChannelError:
        """What a claimed file that changed between two of the batch's reads of it (someone wrote to it) gives."""
        return ChannelError(f"{self.channels.inbox.url}: {file.name} changed while it was processed")

    # -- outbound ------------------------------------------------------------------------------
    def flush_outbox(self) -> None:
        """Stage what is pending into files (numbers fixed first), then write every unwritten file.

        Staging runs under a lock (one stager at a time across processes); each file is written by the one
        process that holds its row, so two runs flushing together neither split nor double a file.
        """
        with self.store.unit_of_work(lock="outbox-staging") as uow:
            for receiver, st01, last in uow.outbox.unstaged_routes():
                pair = f"{self.utility.duns}>{receiver}"
                isa13 = uow.control_numbers.next(f"ISA:{pair}")
                gs06 = uow.control_numbers.next(f"GS:{pair}") if st01 != "TA1" else 0
                name = f"{receiver}_{st01}_{isa13:09d}.x12"
                uow.outbox.stage_file(OutboundFile(name=name, receiver=receiver, st01=st01, isa13=isa13, gs06=gs06,
                                                   created_at=self.now), last)
            uow.commit()
        while self._write_next_file():
            pass

    def _write_next_file(self) -> bool:
        """Render, check and write the next unwritten file; False when there is none. A method of its own so
        that one file's bytes are gone before the next is rendered (peak memory)."""
        with self.store.unit_of_work() as uow:
            file = uow.outbox.next_unwritten_file()
            if file is None:
                return False
            with tempfile.SpooledTemporaryFile(_SPOOL) as staged:
                self._render_file(file, uow.outbox.payloads_in(file.name), staged)
                staged.seek(0)
                self.channels.outbox.write_from(file.name, staged)
            uow.outbox.file_written(file.name, at=self.now)
            uow.commit()
        self.report.outbound_files.append(file.name)
        log.info("outbound file written", outbound=file.name)
        return True

    def _render_file(self, file: OutboundFile, payloads: Iterable[str], out: IO[bytes]) -> None:
        """The file's bytes into ``out``, then checked: a pure function of what was staged, so a rewrite gives
        the same bytes.

        Rendered as the payloads come from the database and written as rendered, to a spool that stays in
        memory while small, so neither the file's segments nor its bytes are ever held whole (the segments of
        100,000 814 responses took 600 MB, ``bench/results.md``)."""
        separators = Separators()
        profile = Profile(Party("01", self.utility.duns), Party(_qualifier(file.receiver), file.receiver),
                          separators, usage=self.utility.usage_indicator)
        bodies = (_segments(p) for p in payloads)
        numbers = _Fixed(file.isa13, file.gs06)
        at = file.created_at.astimezone(CENTRAL)
        if file.st01 == "TA1":
            segments = interchange(profile, [], numbers, at, ta1s=[next(b) for b in bodies])
        else:
            segments = interchange(profile, [(Transaction(file.st01, body) for body in bodies)], numbers, at)
        text = io.TextIOWrapper(out, encoding="utf-8", errors="surrogateescape", newline="")
        write(segments, separators, text)  # encoded as written: the text is never held whole beside the bytes
        text.flush()
        text.detach()  # ``out`` stays open for the check and the copy
        out.seek(0)
        self._self_check(file.name, out)

    def _self_check(self, name: str, stream: IO[bytes]) -> None:
        """Every outbound file is re-read and validated against our maps before it leaves."""
        result = validate_reader(X12Reader(stream, name), self.guide, keep_sets=False)  # only its findings matter
        if not result.valid:
            raise OutboundInvalid(name, result.findings)


class OutboundInvalid(Exception):
    """We produced a file our own maps reject: a bug, never sent."""

    def __init__(self, name: str, findings: Sequence[Finding]) -> None:
        super().__init__(f"outbound {name} fails our own maps: " + "; ".join(str(f) for f in findings[:3]))
        self.findings = list(findings)


@dataclass(frozen=True, slots=True)
class _Fixed:
    """The control numbers a staged file was given."""

    isa13: int
    gs06: int

    def next(self, scope: str) -> int:
        return self.isa13 if scope.startswith("ISA:") else self.gs06


def _big_buffers_unmapped() -> None:
    """glibc: buffers of 1 MB or more (the 997's payload, an outbound file's spool, the 1 MB chunks files are
    read in) get a mapping of their own, unmapped when freed. By default the threshold rises to the size of
    the last one freed, and the next ones stay resident in the heap after they are freed (4 MB more at the
    peak of a 100,000-set batch; it was ~40 MB when the batch still held whole files)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: its allocator has no such threshold
        ctypes.CDLL(None).mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD


class _Digesting:
    """A binary stream whose bytes are hashed as they are read: a file's SHA-256 without holding the file."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._sha256.update(data)
        return data

    def hexdigest(self) -> str:
        return self._sha256.hexdigest()


def _digest_of(folder: Folder, name: str) -> str:
    """The SHA-256 of a file in ``folder``, read as a stream."""
    with folder.open(name) as stream:
        read = _Digesting(stream)
        while read.read(1 << 20):
            pass
    return read.hexdigest()


def _processing(claim: Claim) -> bool:
    return claim.status in (ClaimStatus.NEW, ClaimStatus.RESUME)


#: an id an answer can be addressed to, and an outbound file named after (``<receiver>_<ST01>_<ISA13>.x12``)
_PARTNER_ID = re.compile(r"[A-Za-z0-9]{1,15}")


def _unaddressable(interchanges: Sequence[InterchangeSummary], name: str) -> list[Finding]:
    """A finding for each interchange whose sender (ISA06) no answer can be addressed to: its file is quarantined
    unhandled and unanswered, since an answer's receiver becomes part of a file name (``..``, ``/``, spaces)."""
    return [Finding(name, isa.position, "ISA", "batch.isa06-unaddressable",
                    f"ISA06 sender id {isa.sender[1]!r} is not 1 to 15 letters and digits: no answer can be addressed",
                    level=Level.INTERCHANGE, element=6, value=isa.sender[1], ta1="006")
            for isa in interchanges if not _PARTNER_ID.fullmatch(isa.sender[1])]


def _qualifier(duns: str) -> str:
    return "14" if len(duns) == 13 else "01"


#: segments turned into JSON at a time (:func:`_payload`)
_PAYLOAD_CHUNK = 4096


def _payload(body: Iterable[Segment]) -> str:
    """The JSON list of a set's segments, made a chunk at a time: the same text as one ``json.dumps``, without
    a list of the 200,000 segments of the 997 answering 100,000 sets (``body`` may be a generator)."""
    segments = iter(body)
    chunks = []
    while chunk := list(itertools.islice(segments, _PAYLOAD_CHUNK)):
        chunks.append(json.dumps([[s.id, *s.elements] for s in chunk], separators=(",", ":"))[1:-1])
    return "[" + ",".join(chunks) + "]"


#: bytes of an outbound file kept in memory while it is rendered and checked; a bigger one spills to a temp file
_SPOOL = 1 << 20
_DECODER = json.JSONDecoder()
_WHOLE_PAYLOAD = 1 << 16  #: characters of a payload decoded at once
_BETWEEN = re.compile(r"\s*,?\s*")  #: what may come between two segments' lists


def _segments(payload: str) -> Iterator[Segment]:
    """A :func:`_payload`'s segments one at a time: the 997 answering 100,000 sets is one payload of
    200,000 segments, never held as segments whole (a small payload, an 814's, is read in one go)."""
    if len(payload) <= _WHOLE_PAYLOAD:
        for raw in json.loads(payload):
            yield Segment(raw[0], tuple(raw[1:]))
        return
    decode, skip, i = _DECODER.raw_decode, _BETWEEN.match, payload.index("[") + 1
    while True:
        gap = skip(payload, i)
        assert gap is not None  # it matches the empty string
        i = gap.end()
        if i >= len(payload) or payload[i] == "]":
            return
        raw, i = decode(payload, i)
        yield Segment(raw[0], tuple(raw[1:]))
