"""Hooks and helpers for `manage.py seed_scale`: a large, realistic data set for benchmarks.

Like `clinic.demo`, the core never imports the apps built on it. The command makes
the core's rows (patients, chairs, clinicians) and decides each patient's journey;
every app registers a seeder in its AppConfig.ready() that adds its own rows from
that journey. Seeders run in registration order (intake, scheduling, follow-ups)
and may leave things for later ones in `context.shared`.

Rows are written with `bulk_create` in batches, with ids reserved up front so
that related rows can be built before anything is written, and with their
change-history rows (django-simple-history) dated when the change happened.
"""

import datetime
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models.base import ModelState

_seeders = []


def register_scale_seeder(func):
    _seeders.append(func)
    return func


def run_scale_seeders(context):
    for seeder in _seeders:
        # One transaction each: foreign keys are checked at commit, so rows may come in any order.
        with transaction.atomic():
            seeder(context)


class Stage:
    """How far a patient has come; the apps add the rows each stage implies."""

    REFERRED = "referred"  # no intake yet, perhaps a link out
    INTAKE = "intake"  # filling in the intake form
    REVIEW = "review"  # intake submitted, waiting for a provider
    NOT_ELIGIBLE = "not_eligible"
    CLEARED = "cleared"  # cleared, a series ordered but not booked yet
    TREATED = "treated"  # has had (or has booked) a series of sessions


@dataclass
class Journey:
    """One patient's path through the clinic, decided once by the core for every app."""

    patient_id: int
    stage: str
    referred_on: datetime.date
    route: str | None = None  # the route of the series, once cleared
    start_on: datetime.date | None = None  # the first session's target day
    baseline_phq9: int = 0
    baseline_gad7: int = 0
    response: float = 0.0  # share of the PHQ-9 gone by the end of the series
    maintenance: int = 0  # booster sessions after the series
    drops_out: bool = False  # stops after part of the series


@dataclass
class ScaleContext:
    seed: int
    now: datetime.datetime
    today: datetime.date
    zone: datetime.tzinfo
    first_day: datetime.date
    last_day: datetime.date
    journeys: list
    patients: dict  # pk -> Patient (unsaved changes are not written back)
    clinician_ids: list
    provider_ids: list
    room_ids: list
    staff_ids: dict  # demo role -> user pk, e.g. "frontdesk"
    capacity: int
    stdout: object
    batch_size: int = 5000
    shared: dict = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def rng(self, name):
        """A generator of its own per seeder, so adding rows in one app never shifts another."""
        return random.Random(f"{self.seed}:{name}")

    def progress(self, message):
        self.stdout.write(f"[{time.monotonic() - self.started:6.1f}s] {message}")
        self.stdout.flush()

    def at(self, day, hour, minute=0):
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.zone)


def answers_for(rng, total, *, items, scored=None, self_harm=0):
    """Item answers (0-3 each) adding up to `total`, spread at random over the scored items.

    PHQ-9 item 9 (self-harm) is left out of the spread and set to `self_harm`.
    """
    scored = scored or items
    answers = [0] * items
    total = max(0, min(total - self_harm, 3 * scored))
    order = list(range(scored))
    while total:
        rng.shuffle(order)
        for index in order:
            if total and answers[index] < 3:
                answers[index] += 1
                total -= 1
    if items > scored:
        answers[scored] = self_harm
    return answers


def reserve_ids(model, count):
    """`count` consecutive primary keys nobody else will be given, as a range."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        else:
            cursor.execute(f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}")  # noqa: S608
            first = cursor.fetchone()[0]
    return iter(range(first, first + count))


class IdAllocator:
    """Primary keys handed out one at a time from blocks reserved with reserve_ids()."""

    def __init__(self, block=5000):
        self.block = block
        self.free = {}

    def next(self, model):
        try:
            return next(self.free[model])
        except (KeyError, StopIteration):
            self.free[model] = reserve_ids(model, self.block)
            return next(self.free[model])


@contextmanager
def keep_timestamps(*models):
    """Let bulk_create keep the created_at/updated_at we set instead of stamping now()."""
    changed = []
    for model in models:
        for model_field in model._meta.concrete_fields:
            for flag in ("auto_now", "auto_now_add"):
                if getattr(model_field, flag, False):
                    setattr(model_field, flag, False)
                    changed.append((model_field, flag))
    try:
        yield
    finally:
        for model_field, flag in changed:
            setattr(model_field, flag, True)


class BulkWriter:
    """Collects rows per model and writes them, with their history rows, in batches.

    `add(obj, history=[...])` takes the row in its final state and its changes as
    (when, user id, type, {field: value before/after}) tuples: "+" for the
    creation, "~" for each change, the dict giving the fields that differed then.
    """

    def __init__(self, context):
        self.context = context
        self.rows = defaultdict(list)
        self.history = defaultdict(list)
        self.written = defaultdict(int)
        self._tracked = {}

    def add(self, obj, history=()):
        model = type(obj)
        self.rows[model].append(obj)
        if history:
            self.history[model].append((obj, history))
        if len(self.rows[model]) >= self.context.batch_size:
            self.flush(model)
        return obj

    def add_history(self, obj, history):
        """History rows for a row written earlier (a patient whose status changed)."""
        model = type(obj)
        self.history[model].append((obj, history))
        if len(self.history[model]) >= self.context.batch_size:
            self.flush(model)

    def _history_rows(self, model):
        history_model = model.history.model
        if model not in self._tracked:
            tracked = [f.attname for f in history_model.tracked_fields]
            rest = {
                f.attname: None
                for f in history_model._meta.concrete_fields
                if f.attname not in tracked
            }
            self._tracked[model] = tracked, rest
        tracked, rest = self._tracked[model]
        rows = []
        for obj, changes in self.history.pop(model, ()):
            values = {name: getattr(obj, name) for name in tracked}
            for when, user_id, kind, overrides in changes:
                row = history_model.__new__(history_model)
                # Model.__init__ is most of the cost of a row; every field is set here anyway.
                state = row.__dict__
                state.update(rest)
                state.update(values)
                state.update(overrides)
                state["history_date"], state["history_user_id"] = when, user_id
                state["history_type"], state["_state"] = kind, ModelState()
                rows.append(row)
        return history_model, rows

    def flush(self, model=None):
        models = [model] if model else list({*self.rows, *self.history})
        for each in models:
            objs = self.rows.pop(each, [])
            if objs:
                with keep_timestamps(each):
                    each.objects.bulk_create(objs, batch_size=self.context.batch_size)
                self.written[each] += len(objs)
            if self.history.get(each):
                history_model, rows = self._history_rows(each)
                history_model.objects.bulk_create(rows, batch_size=self.context.batch_size)
                self.written[history_model] += len(rows)

    def close(self):
        self.flush()
        for model, count in sorted(self.written.items(), key=lambda item: item[0].__name__):
            self.context.progress(f"  {model._meta.label}: {count:,} rows")
        self.written.clear()
