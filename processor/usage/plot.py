"""The hourly profile of one period, for people: ``edi usage plot SERVICE_POINT [--period …] -o FILE.png``.

One bar per hour-ending value of the service point's net usage (what the 867's summary adds up), coloured
by where it came from: actual, or the estimation equation that filled it (tariff 8.L equations 10-13, or
the meter system's own E), so that an analyst sees a bad month at a glance: a flat line of equation 13
across a weekend, a week of load profile, a hole. Hours cut by the period's boundaries (they appear in two
867s) are hatched, and the spring-forward and fall-back days say how many hours they have.

matplotlib is imported here and only when a plot is drawn, with the Agg canvas (no display, no global
``pyplot`` state).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

from processor.usage.build import PeriodUsage
from processor.usage.estimate import DESCRIPTIONS, Method
from processor.usage.intervals import CENTRAL, HOUR, counts_by_day, hours_in_day, local_day_bounds

ACTUAL_COLOUR = "#4C72B0"
#: One colour per way an hour was estimated; an hour with several shows the first in this order (ours before E).
COLOURS = {
    Method.SAME_DAY: "#DD8452",
    Method.PRIOR_WEEK: "#C44E52",
    Method.LOAD_PROFILE: "#8172B3",
    Method.FLAT_LINE: "#937860",
    Method.FLAT_LINE_NEIGHBOURS: "#DA8BC3",
    Method.METER_SYSTEM: "#CCB974",
}


def _method(methods: frozenset[str]) -> Method | None:
    for method in COLOURS:
        if method.value in methods:
            return method
    return None


def plot_usage(usage: PeriodUsage, path: str | Path) -> None:
    """Draw ``usage``'s hourly net profile into the PNG file ``path``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    hours = usage.net_hours()
    if not hours:
        raise ValueError(f"service point {usage.service_point.service_point_id} has no hourly values to draw")
    figure = Figure(figsize=(14, 5.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    origin = hours[0].end - HOUR

    def x(moment: datetime) -> float:  # hours since the first hour's start: DST days stay 23 and 25 wide
        return (moment - origin) / HOUR

    starts = [x(h.end - HOUR) for h in hours]
    methods = [_method(h.methods) if h.estimated else None for h in hours]
    colours = [ACTUAL_COLOUR if m is None else COLOURS[m] for m in methods]
    bars = axes.bar(starts, [float(h.kwh) for h in hours], width=0.9, align="edge",
                    color=colours, linewidth=0)
    for bar, hour in zip(bars, hours, strict=True):
        if hour.partial:
            bar.set_hatch("///")
            bar.set_edgecolor("black")
    counts = counts_by_day(h.end for h in hours)
    top = max(float(h.kwh) for h in hours)
    for day, n in sorted(counts.items()):
        if hours_in_day(day) != 24:  # spring forward (23) or fall back (25): shade the day, say its count
            begin, end = local_day_bounds(day)
            axes.axvspan(x(begin), x(end), color="#eeeeee", zorder=0)
            axes.annotate(f"{day:%m-%d}: {n} h", xy=(x(begin), top), fontsize=8, va="bottom")
    used = Counter(m for m in methods)
    handles = [Patch(color=ACTUAL_COLOUR, label=f"actual ({used[None]} h)")]
    handles += [Patch(color=COLOURS[m], label=f"{DESCRIPTIONS[m]} ({used[m]} h)") for m in COLOURS if used[m]]
    if any(h.partial for h in hours):
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="///", label="hour cut by the period"))
    axes.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    days = sorted(counts)
    axes.set_xticks([x(local_day_bounds(day)[0]) for day in days], [f"{day:%m-%d}" for day in days],
                    rotation=90, fontsize=7)
    axes.set_ylabel("kWh, net (additive − subtractive), per hour")
    first, last = usage.start.astimezone(CENTRAL), usage.end.astimezone(CENTRAL)
    estimated = sum(1 for h in hours if h.estimated)
    axes.set_title(f"Service point {usage.service_point.service_point_id}: {first:%Y-%m-%d %H:%M} to "
                   f"{last:%Y-%m-%d %H:%M} CPT, net {usage.net} kWh, {estimated} of {len(hours)} hours estimated",
                   fontsize=10)
    axes.grid(axis="y", color="#dddddd")
    figure.tight_layout()
    figure.savefig(str(path), format="png")

