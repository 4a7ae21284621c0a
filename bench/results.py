"""Benchmark results: samples per metric and server, their summary, and the Markdown report.

A ``Metric`` holds the raw samples of both servers (and of a floor, where there is one). The
report shows the median with the spread (min–max) of each, the ratio Gatehouse/upstream of the
medians, and says which server is ahead; within 5 % it calls it even.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

SERVERS = ("gatehouse", "upstream")


@dataclass
class Metric:
    name: str
    unit: str
    better: str  # "lower" or "higher"
    samples: dict = field(default_factory=lambda: {s: [] for s in SERVERS})
    floor: list = field(default_factory=list)
    note: str = ""

    def add(self, server: str, value) -> None:
        if value is not None:
            self.samples[server].append(float(value))

    def median(self, server: str):
        v = self.samples[server]
        return statistics.median(v) if v else None

    def ratio(self):
        g, u = self.median("gatehouse"), self.median("upstream")
        if g is None or u is None:
            return None
        if u == 0:
            return 1.0 if g == 0 else None
        return g / u

    def verdict(self) -> str:
        r = self.ratio()
        if r is None:
            return "n/a"
        if 0.95 <= r <= 1.05:
            return "even"
        ahead = r < 1 if self.better == "lower" else r > 1
        return "Gatehouse ahead" if ahead else "**Gatehouse behind**"

    def complete(self) -> bool:
        return all(self.samples[s] for s in SERVERS)

    def to_json(self) -> dict:
        return {"name": self.name, "unit": self.unit, "better": self.better,
                "samples": self.samples, "floor": self.floor, "note": self.note}


def fmt(v) -> str:
    if v is None:
        return "–"
    a = abs(v)
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def cell(samples: list) -> str:
    if not samples:
        return "–"
    med = statistics.median(samples)
    if len(samples) == 1:
        return fmt(med)
    return f"{fmt(med)} ({fmt(min(samples))}–{fmt(max(samples))})"


class Results:
    """Every measure's metrics, in the order they were measured."""

    def __init__(self):
        self.measures: dict[str, list[Metric]] = {}
        self.notes: dict[str, list[str]] = {}

    def metric(self, measure: str, name: str, unit: str, better: str, note: str = "") -> Metric:
        for m in self.measures.setdefault(measure, []):
            if m.name == name:
                return m
        m = Metric(name, unit, better, note=note)
        self.measures[measure].append(m)
        return m

    def note(self, measure: str, text: str) -> None:
        self.notes.setdefault(measure, []).append(text)

    def incomplete(self) -> list[str]:
        return [f"{k}: {m.name}" for k, ms in self.measures.items() for m in ms if not m.complete()]

    def table(self, measure: str) -> str:
        ms = self.measures.get(measure, [])
        has_floor = any(m.floor for m in ms)
        head = "| metric | Gatehouse | upstream | ratio G/U | |"
        sep = "| --- | --- | --- | --- | --- |"
        if has_floor:
            head = "| metric | floor (no gateway) | Gatehouse | upstream | ratio G/U | |"
            sep = "| --- | --- | --- | --- | --- | --- |"
        rows = [head, sep]
        for m in ms:
            label = f"{m.name} ({m.unit}, {m.better} is better)"
            if m.note:
                label += f" — {m.note}"
            cells = [label]
            if has_floor:
                cells.append(cell(m.floor))
            r = m.ratio()
            cells += [cell(m.samples["gatehouse"]), cell(m.samples["upstream"]),
                      "–" if r is None else f"{r:.2f}", m.verdict()]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows)

    def to_json(self) -> dict:
        return {"measures": {k: [m.to_json() for m in v] for k, v in self.measures.items()},
                "notes": self.notes}
