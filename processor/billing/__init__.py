"""Bill-ready UCB/POR: the RES's 810 invoices judged against state, put on the utility's bill, or refused.

FAQ, service point: "If an account is being billed utilizing the Bill Ready UCB/POR billing option, then the
RES must return an EDI 810 transaction to Ameren for each service point." Tariff 3.C(3): under UCB/POR the
"Customer will receive a single bill from the Company which contains electric Delivery Services charges from
the Company as well as electric supply charges from the RES". Tariff 13: disputed RES charges go to the RES,
which corrects them — here, by a cancel and a new invoice. The modules, in the order the data flows:

- :mod:`.gather` reads the facts (:mod:`.facts`) about one 810; :mod:`.rules` judges them (pure) into a
  verdict (:mod:`.verdict`): ``Billed``, ``Reversed`` or ``Refused``; :mod:`.policy` holds the window.
- :mod:`.handler` records the invoice, adds its bill lines (:mod:`.lines`) or answers with an 824
  (:mod:`.advice`); :mod:`.enrollment` keeps each enrollment's REF*BLT/REF*PC for later 810s.
- :mod:`.statement` and :mod:`.cli` (``edi bill show ACCOUNT``) print the RES charges of an account's bills.

Decisions (each function's docstring gives the sentence behind it):

1. **The bill-ready window** is :attr:`BillReadyPolicy.window_business_days` business days (default
   **5**) after the Central date the 867 was sent (``usage_reports.created_at``). The 810 is on time when
   :meth:`Calendar.received_date` of its receipt (the 6:45 p.m. CPT cut-off, weekends and holidays to the
   next business day) is no later than the last day. Spec 2.8 names the window but not its length ("IL
   window rule not verified"), so it is configuration: ``edi.toml`` ``[billing] window_business_days``,
   given to :func:`invoice_handler` by the composition root; :data:`handle_invoice` is the default's.
2. **"The service period matches an 867 we sent"**: the 810's DTM*150 and DTM*151, taken as Central dates
   (a DTM with a time is read as the instant and then dated), equal the Central dates of the start and end of
   a standing 867 (``usage_reports`` status ``sent``, BPT01 00) sent *to this RES* for the 810's REF*LU
   service point — i.e. exactly the DTM*150/151 dates that 867 carried (the read dates; for an interval
   point cut at a read time, that time's date). A cancelled 867 matches nothing; its replacement does. A
   mismatch is ``API`` "SERVICE PERIOD DOES NOT MATCH 867", as spec 5.5's example answers it, with the
   nearest 867's dates in the text.
3. **Codes** (TED01, spec 2.9; text in TED02, upper case, at most 60 characters; the full sentence is kept
   on the invoice row): ``UND`` unknown RES DUNS or another utility's DUNS; ``ABN`` invoice number already
   received (a refused number may be reused, and a cancel may repeat the number it cancels), a cancel of
   an invoice already cancelled, or a second invoice for a period already billed; ``API`` no REF*LU, no
   DTM*150/151, no charge or allowance, a cancel without REF*OI, a period that matches no 867; ``A76``
   account not found, service point not on the account; ``008`` account inactive (a *final* account still
   gets its final bill); ``A13`` with its reason for the rest: total not Σ charges − allowances, DS3B/DS4 on
   the account, no bill-ready agreement, a service point of another RES (or of utility supply), an
   enrollment that asked for another billing option, a late invoice, a cancel whose original is
   unknown/refused or for another account, point or period. Order: UND, ABN, API, A76, 008, then the A13
   checks (see :mod:`.rules`). An 810 the format layer cannot read (no REF*12, no TDS, no BIG08) never
   reaches the rules: its 997 rejects it.
4. **Enrolled bill-ready**: the RES's own enrollment of the point (accepted or effective, dated on or before
   the period's start) decides: REF*BLT ``LDC`` with REF*PC ``DUAL`` (spec 2.0; no REF*BLT is dual
   billing). A point supplied without an enrollment on record (the initial master data, a utility-initiated
   enrollment) has no billing option in the store, so it is taken as billed the way the RES's agreement
   allows, which the agreement check has found to include bill-ready. The option is kept in its own table
   (``enrollment_billing``, keyed by the switch request) rather than in new ``switch_requests`` columns, so
   the switching store and its records stay as they are.
5. **Who may bill the point**: the 867 of the period is the proof — the one with the 810's dates must have
   gone to this RES. If another RES got it (or no 867 ever went to this RES and the point's supplier at the
   period's start is another), it is ``A13``; the 824 never names the other RES.
6. **The account's next consolidated bill** is the first of the account's bills that has not gone out when
   the line is accepted. A bill waits for the RES's charges until the bill-ready window of its 867s closes
   (spec 2.8: the window exists so that the bill carries them; "If the 810 is late, the bill goes out
   without RES charges"). So an accepted original is printed on the bill of the read that ended its 867's
   period (dated the Central date of that read, the 867's DTM*151), which is still waiting. A cancel is
   printed on the original's bill while that one still waits; else on the bill of the account's latest
   read whose 867 window is still open; else on the bill of the next scheduled read of the account's bill
   group after the day the cancel counts as received (no date, "next bill", when none is scheduled).
7. **A cancel reverses** by adding, on its bill, the negation of every line of the original invoice (each
   pointing at the line it reverses); the original's lines are never changed or removed and the original is
   marked ``cancelled``. Its amounts come from what was billed, not from what the cancel repeats, so a
   reversal always nets the original to zero. A re-bill is a new original for the same period, judged like
   any other (inside the window of the 867), accepted once the earlier invoice is cancelled.
8. **Amounts** are dollars with two decimals (SAC05, TDS01 implied N2); a charge adds, an allowance
   subtracts, an information line (SAC01 N) is printed and never added (spec 2.8). TXI taxes are not read.
"""

from __future__ import annotations

# The handler registry (processor.handlers) imports this package's handler, and the handler imports the
# registry's base module: loading the registry first keeps either import order working.
import processor.handlers  # noqa: F401  (import order, see above)
from processor.billing.enrollment import record_billing_option
from processor.billing.facts import InvoiceFacts, SentUsage
from processor.billing.handler import handle_invoice, invoice_handler
from processor.billing.policy import DEFAULT_WINDOW_BUSINESS_DAYS, BillReadyPolicy
from processor.billing.rules import judge_invoice
from processor.billing.verdict import Billed, InvoiceVerdict, Refused, Reversed

# Not the click group (``processor.billing.cli.bill``): it reaches the composition root, which imports the
# batch, which imports the handler registry.
__all__ = [
    "DEFAULT_WINDOW_BUSINESS_DAYS",
    "BillReadyPolicy",
    "Billed",
    "InvoiceFacts",
    "InvoiceVerdict",
    "Refused",
    "Reversed",
    "SentUsage",
    "handle_invoice",
    "invoice_handler",
    "judge_invoice",
    "record_billing_option",
]
