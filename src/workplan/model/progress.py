"""Computed progress of a report: attainment, completion rate, overdue tasks, late phases.

Formulas (ratios; 1.0 = 100 %):

* **Attainment of a target**, by its direction ``op``:

  - ``>=`` / ``>`` (rates to reach): ``actual / target``; may exceed 100 %. Met when
    ``actual >= target`` (``>``: strictly above). A target of 0 is attained (100 %) when met, else 0.
  - ``<=`` / ``<`` (counts to keep under, e.g. fatal fires): 100 % when met
    (``actual <= target``; ``<``: strictly below), otherwise ``target / actual``; with a target
    of 0 (or below) a miss attains 0 %.
  - ``=``: ``1 - |actual - target| / |target|`` (not below 0); a target of 0 is 100 % only when hit.

* **Target attainment (overall)**: the mean of the targets' attainment, each capped at 100 %
  (over-fulfilling one target does not make up for another).
* **Not yet due**: a target whose due date is after the report date is not judged: it shows its
  progress so far (attainment of the actual value reached) with the status "not yet due"
  (未到期) and stays out of the met count and the overall attainment.
* **Completion rate**: tasks done / tasks of the program (in progress counts as not done). Only
  the program's tasks count, not their sub-items: a task without a status of its own takes it
  from its items (done when all are done, on the last completion date; not started when none
  has started; else in progress). Sub-items inherit their task's units and deadline.
* **Overdue task**: not done and its deadline (a date) is before the report date.
* **Late phase**: its end date is before the report date and it is not completed, or it was
  completed after its end date.

Numbers are shown with :func:`format_pct` everywhere (text, tables, statistics), so what a
reader sees equals what was computed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .document import Document, Phase, Target, Task
from .report import (PhaseResult, Report, TargetResult, TaskStatus, program_phases, program_targets,
                     program_task_tree)


def attainment(op: str, target: float, actual: float) -> tuple[float, bool]:
    """(attainment ratio, met) of one target; see the module docstring for the formulas."""
    if op in (">=", ">"):
        met = actual >= target if op == ">=" else actual > target
        if target <= 0:
            return (1.0 if met else 0.0), met
        return actual / target, met
    if op in ("<=", "<"):
        met = actual <= target if op == "<=" else actual < target
        if met:
            return 1.0, True
        if target <= 0 or actual <= 0:
            return 0.0, False
        return target / actual, False
    # "="
    met = abs(actual - target) <= 1e-9 * max(1.0, abs(target))
    if target == 0:
        return (1.0 if met else 0.0), met
    return max(0.0, 1.0 - abs(actual - target) / abs(target)), met


def format_pct(ratio: float | None) -> str:
    """96.5 % style, one decimal: the only way attainment and rates are printed."""
    if ratio is None:
        return "—"
    return f"{ratio * 100:.1f}%"


@dataclass(frozen=True)
class TargetProgress:
    key: str                   # the target's id (or target<n>)
    target: Target
    result: TargetResult
    actual: float
    attainment: float
    met: bool
    due: bool = True           # False: due after the report date, not judged yet

    @property
    def state(self) -> str:
        """met | not_met | not_due"""
        if not self.due:
            return "not_due"
        return "met" if self.met else "not_met"


@dataclass(frozen=True)
class TaskProgress:
    key: str                   # the task's id (or task<number>)
    task: Task
    number: str                # 1, 2, 2.1 … as in the program's task matrix
    status: str                # done | in_progress | not_started
    completed: dt.date | None
    evidence: object | None    # Text
    deadline: dt.date | None   # a dated deadline, if the program gives one
    overdue: bool              # not done and the deadline has passed at the report date
    done_late: bool            # done after its deadline
    lead: tuple[str, ...] = ()   # lead units: the task's own, else inherited from its parent
    parent: str | None = None    # the key of the task a sub-item belongs to
    rolled_up: bool = False      # the status comes from the task's items


@dataclass(frozen=True)
class PhaseProgress:
    key: str                   # the phase's id (or phase<n>)
    phase: Phase
    result: PhaseResult | None
    state: str                 # done | done_late | late | in_progress | not_started | undated
    completed_on: dt.date | None

    @property
    def late(self) -> bool:
        return self.state in ("late", "done_late")

    @property
    def done(self) -> bool:
        return self.state in ("done", "done_late")


@dataclass
class Progress:
    report_date: dt.date
    targets: list[TargetProgress] = field(default_factory=list)
    tasks: list[TaskProgress] = field(default_factory=list)       # the program's tasks (counted)
    phases: list[PhaseProgress] = field(default_factory=list)
    subtasks: list[TaskProgress] = field(default_factory=list)    # sub-items with a status of their own (shown, not counted)

    @property
    def targets_due(self) -> list[TargetProgress]:
        """The targets judged at the report date (due by then, or without a due date)."""
        return [t for t in self.targets if t.due]

    @property
    def targets_not_due(self) -> list[TargetProgress]:
        return [t for t in self.targets if not t.due]

    @property
    def targets_met(self) -> int:
        return sum(t.met for t in self.targets_due)

    @property
    def target_attainment(self) -> float | None:
        """Mean attainment of the targets due, each capped at 100 %."""
        due = self.targets_due
        if not due:
            return None
        return sum(min(t.attainment, 1.0) for t in due) / len(due)

    @property
    def tasks_done(self) -> int:
        return sum(t.status == "done" for t in self.tasks)

    def tasks_in(self, status: str) -> int:
        return sum(t.status == status for t in self.tasks)

    @property
    def completion_rate(self) -> float | None:
        if not self.tasks:
            return None
        return self.tasks_done / len(self.tasks)

    @property
    def overdue_tasks(self) -> list[TaskProgress]:
        return [t for t in self.tasks if t.overdue]

    @property
    def late_phases(self) -> list[PhaseProgress]:
        return [p for p in self.phases if p.late]

    def summary(self) -> dict:
        """Plain numbers, for statistics pages and machine use."""
        return {
            "targets": len(self.targets), "targets_met": self.targets_met,
            "targets_not_due": [t.key for t in self.targets_not_due],
            "target_attainment": self.target_attainment,
            "tasks": len(self.tasks), "tasks_done": self.tasks_done,
            "tasks_in_progress": self.tasks_in("in_progress"), "tasks_not_started": self.tasks_in("not_started"),
            "completion_rate": self.completion_rate,
            "overdue_tasks": [t.key for t in self.overdue_tasks],
            "phases": len(self.phases), "late_phases": [p.key for p in self.late_phases],
        }


def compute_progress(report: Report, program: Document | None = None) -> Progress:
    """Everything derived from a (validated) report and its program."""
    program = program or report.program_doc
    day = report.date
    prog = Progress(report_date=day)

    results = {r.id: r for r in report.targets}
    for key, t in program_targets(program):
        r = results.get(key)
        if r is None or r.actual is None:
            continue
        ratio, met = attainment(t.op, t.target, r.actual)
        prog.targets.append(TargetProgress(key, t, r, r.actual, ratio, met, due=t.due is None or t.due <= day))

    statuses = {r.id: r for r in report.tasks}
    tree = program_task_tree(program)
    kids: dict[str, list[str]] = {}
    info: dict[str, tuple[str, Task, str | None]] = {}
    for key, number, task, parent in tree:
        info[key] = (number, task, parent)
        if parent is not None:
            kids.setdefault(parent, []).append(key)

    def status_of(key: str) -> tuple[str, dt.date | None, object | None, bool] | None:
        """(status, completed, evidence, rolled up) from the report, else from the items."""
        r: TaskStatus | None = statuses.get(key)
        if r is not None:
            return r.status, r.completed, r.evidence, False
        found = [status_of(k) for k in kids.get(key, [])]
        subs = [x for x in found if x is not None]
        if not subs or len(subs) < len(found):
            return None
        states = [x[0] for x in subs]
        if all(st == "done" for st in states):
            dates = [x[1] for x in subs if x[1] is not None]
            return "done", (max(dates) if dates else None), None, True
        if all(st == "not_started" for st in states):
            return "not_started", None, None, True
        return "in_progress", None, None, True

    def inherited(key: str, attr: str):
        number, task, parent = info[key]
        value = getattr(task, attr)
        if value or parent is None:
            return value
        return inherited(parent, attr)

    for key, number, task, parent in tree:
        got = status_of(key) if parent is None else (
            (statuses[key].status, statuses[key].completed, statuses[key].evidence, False) if key in statuses else None)
        if got is None:
            continue
        status, completed, evidence, rolled = got
        dl = inherited(key, "deadline")
        deadline = dl if isinstance(dl, dt.date) else None
        overdue = status != "done" and deadline is not None and deadline < day
        done_late = status == "done" and deadline is not None and completed is not None and completed > deadline
        tp = TaskProgress(key, task, number, status, completed, evidence, deadline, overdue, done_late,
                          lead=tuple(inherited(key, "lead") or ()), parent=parent, rolled_up=rolled)
        (prog.tasks if parent is None else prog.subtasks).append(tp)

    phase_results = {r.id: r for r in report.phases}
    for key, ph in program_phases(program):
        pr = phase_results.get(key)
        done = pr is not None and pr.done
        on = pr.completed_on if pr is not None else None
        if done:
            state = "done_late" if (on and ph.end and on > ph.end) else "done"
        elif ph.end and ph.end < day:
            state = "late"
        elif ph.start and ph.start > day:
            state = "not_started"
        elif ph.start or ph.end:
            state = "in_progress"
        else:
            state = "undated"
        prog.phases.append(PhaseProgress(key, ph, pr, state, on))
    return prog


__all__ = ["PhaseProgress", "Progress", "TargetProgress", "TaskProgress", "attainment", "compute_progress",
           "format_pct"]
