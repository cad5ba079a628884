"""867 Monthly Usage: meter data in, one 867MU per service point and billing period out.

FAQ, service point: "EDI 867MU transactions are produced one per service point". The modules, in the order
the data flows:

- :mod:`.meter_csv`: ``edi usage CSV…`` loads interval reads, register reads, read events and load profiles
  (pandas only inside :func:`processor.load.read_table`); one bad row and nothing of the file is loaded.
- :mod:`.periods`: which read event ends which period, for which supplier, and whether it is the last.
- :mod:`.gather`: the period's values from the store, missing intervals estimated by :mod:`.estimate`
  (tariff 8.L equations 10-13).
- :mod:`.intervals`: UTC interval arithmetic: shares of a cut interval, hour-ending sums, hours per day.
- :mod:`.build`: the checked usage of a period and its :class:`edi.messages.UsageReport`.
- :mod:`.produce`: :func:`produce_usage`, which the batch calls once per run before it flushes the outbox.
- :mod:`.plot` and :mod:`.cli`: ``edi usage plot`` and the ``usage`` click group
  (``main.add_command(usage)`` with ``from processor.usage.cli import usage``).

Decisions (each module's docstring gives the tariff or FAQ sentence behind it):

1. **Who gets an 867.** The supplier just before the read that ends the period, when it is a RES (a DUNS,
   not ``BGS``/``RTP``/``HSS``), from the supply history (switch instants: an off-cycle switch at 23:59:59
   CPT, an on-cycle one at that day's read event) and, without history, the master data's ``supplier``.
   The last 867 to a RES carries BPT07 ``F``: when the supplier at the read itself is another (a drop; a
   switch to another RES, which drops the old one) or when the account is final and this is the point's last
   read event. A period of utility supply, or of a point without meters (unmetered lighting: its usage is
   not metered data), is recorded as needing no 867; the utility's own 867s are not this gateway's.
2. **Periods.** A read event ends the period that began at the later of the point's previous read event and
   the supplier's switch instant. The first read event the gateway ever sees for a point has neither: the
   period then starts where the data does (the first stored interval, at most 45 days back, or the last
   register read before the read day), so go-live needs no made-up read event. An 867 is produced by the
   first run after the read's local day is over (the day's switches are effective by then, tariff
   10.B(3)); data that cannot make one yet (a register read not in, a gap no equation fills) holds it back
   to the next run.
3. **Off-cycle switch at 23:59:59.** Tariff 10.B(3) "as of the very end of the day (i.e. 23:59:59)": the read
   event at 23:59:59 CPT ends one RES's period and starts the next RES's, and DTM*150/151 say ``235959``
   as the 814 did; the meter data is cut at the following midnight, so the day stays whole in the first
   period and no one-second sliver of an hour goes to the second.
4. **Split hours.** FAQ, interval data: "a billing period can end in-between hours … showing that hour
   twice". Both 867s carry the hour under its hour-ending label, each with its part; the part before a
   boundary that falls inside a meter interval is the interval's share by time, rounded, and the part
   after is the rest, so the two parts add up to the meter's hour exactly.
5. **Rounding.** kWh to 0.001 (1 Wh), as the sample 867s. Each meter interval is rounded once, after the
   multiplier; hours, meter totals and the summary are exact sums of those. Scalar usage is the exact
   difference of the register readings times the multiplier.
6. **Meter multiplier.** Interval ``kwh`` and ``register_kwh`` are the meter's own values; the 867 sends usage
   times the multiplier, the readings (MEA05/MEA06) as read, and REF*4P when the multiplier is not 1.
7. **Estimated values.** An hour with any estimated interval is ``QTY*KA``; so is the summary when any value
   behind it is estimated, and a scalar meter's usage when either reading is estimated: an estimate is never
   sent as an actual. Quality ``E`` (estimated by the meter data system) is kept as given and sent as KA;
   ``M`` (missing) and an interval with no row at all are estimated here, gap by gap, by equation 10 (same
   weekday, holidays apart), 11 (prior week, same day type), 12 (dynamic load profile, when one is loaded
   for the point's REF*LO), 13 (flat line between register reads) and, last, a flat line between the
   intervals bordering the gap; a gap none of them fills waits for manual calculation (equation 14).
8. **Dynamic load profile.** Loaded with ``edi usage`` from a ``load_profile,interval_end,kwh`` file of hourly
   kWh per profile name; a service point uses the profile named by its ``load_profile``.
9. **Corrections.** Re-loading a read replaces it. The next run works out again every 867 still standing
   whose period the new data touches; when it comes out different, the RES gets a cancel of the old one
   (``BPT01 01``, its content repeated) and then a new original (spec Q17).
"""

from __future__ import annotations

from processor.usage.build import PeriodUsage, UsageError
from processor.usage.meter_csv import UsageLoad, load_meter_csv
from processor.usage.plot import plot_usage
from processor.usage.produce import produce_usage, usage_key

# Not the click group (``processor.usage.cli.usage``): it reaches the composition root, which imports the batch,
# which imports ``produce_usage`` from here.
__all__ = ["PeriodUsage", "UsageError", "UsageLoad", "load_meter_csv", "plot_usage", "produce_usage", "usage_key"]
