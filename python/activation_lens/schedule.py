"""When to probe: the rule of src/analysis/probe-schedule.ts. With a fixed `every` every K steps;
otherwise by budget: a probe is due when the probe time spent so far, plus this probe and one
reserved for the end of the run, stays within the overhead budget (default 3%) of the measured
training time. The first probe (step 0 where the probe set is complete by then) and the end of
the run always probe."""
from __future__ import annotations

import math
from typing import Optional


class ProbeSchedule:
    def __init__(self, fixed_every: Optional[int], overhead_budget: float) -> None:
        self.fixed_every = fixed_every if fixed_every and fixed_every > 0 else None
        self.overhead_budget = overhead_budget
        self.steps = 0
        self.train_seconds = 0.0
        self.probe_seconds = 0.0
        self.last_probe = 0.0

    def record_step(self, seconds: float) -> None:
        self.steps += 1
        self.train_seconds += max(0.0, seconds)

    def record_probe(self, seconds: float) -> None:
        self.probe_seconds += seconds
        self.last_probe = seconds

    def due(self, since_last: int) -> bool:
        """Whether a probe is due `since_last` steps after the previous one."""
        if self.fixed_every:
            return since_last >= self.fixed_every
        # The first steps are slow (allocator warm-up, kernel selection): wait before trusting them.
        if self.steps < 3:
            return False
        return self.probe_seconds + 2 * self.last_probe <= self.overhead_budget * self.train_seconds

    def steps_until_due(self) -> int:
        """How many more steps until `due` would hold at the current step time — what ranks of a
        distributed run agree on at each probe (they cannot each decide from their own clocks, or
        one would enter the statistics' all-reduce alone)."""
        if self.fixed_every:
            return self.fixed_every
        if self.steps < 3 or self.train_seconds <= 0:
            return 3
        per_step = self.train_seconds / self.steps
        short = self.probe_seconds + 2 * self.last_probe - self.overhead_budget * self.train_seconds
        if short <= 0:
            return 1
        return max(1, math.ceil(short / (self.overhead_budget * per_step)))
