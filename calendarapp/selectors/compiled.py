"""Querysets built and compiled by Django once per connection, sent with each call's keys.

Building a queryset has Django clone it, resolve every lookup and expression, and compile
the SELECT anew on each call. For the reads at nearly every update (a person's list page,
their count, one of their events by id) that was most of the read's CPU, more than the
round trip (bench/rows.py prints the two side by side). Here a query is written as the
ORM query it is, built once with stand-in keys and compiled by Django's own compiler, so
the statement is exactly the one the ORM sends; each call sends it with its own keys, and
builds the instances with `Model.from_db` and the related rows with Django's own
populators, after the backend's and the fields' converters (dates on SQLite, JSON), as a
queryset would.

Only integer keys are parameters (ids); anything else that shapes the query (a filter
present or not, a page's size) makes a statement of its own. A key outside its column's
range finds nothing, as the ORM answers, instead of the database refusing the statement.

The compiled statement is kept per connection object (Django's are per thread, or per
context on a thread with a running event loop): its converters are that connection's.
"""

import weakref
from collections.abc import Callable

from django.db import connections, router
from django.db.models import Field, IntegerField, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

# Stand-ins for the keys while Django compiles: values no real id takes, each its own.
_STAND_IN = -7_391_000_000_000_000


class _Statement:
    def __init__(self, queryset: QuerySet, stand_ins: dict[int, str], alias: str):
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise ValueError("a compiled query reads one SELECT's rows only")
        query = queryset.query
        if query.low_mark or query.high_mark is not None:
            raise ValueError("slice the compiled query, not the queryset it is built from")
        compiler = query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql(with_limits=False)
        self.connection = compiler.connection
        self.slots: list[str | None] = []
        self.constants = list(params)
        for value in params:
            # On PostgreSQL an integer parameter comes wrapped (psycopg's Int8 and kin).
            is_key = isinstance(value, int) and not isinstance(value, bool)
            self.slots.append(stand_ins.get(int(value)) if is_key else None)
        missing = set(stand_ins.values()) - set(self.slots)
        if missing:
            raise ValueError(f"keys not in the statement: {sorted(missing)}")
        select = compiler.select
        self.converters = compiler.get_converters([column[0] for column in select])
        self.apply_converters = compiler.apply_converters
        klass_info = compiler.klass_info
        # values() querysets have a klass_info too: what they iterate with tells them apart.
        self.model = klass_info["model"] if queryset._iterable_class is ModelIterable else None
        if self.model is not None:
            fields = klass_info["select_fields"]
            self.start, self.end = fields[0], fields[-1] + 1
            self.names = [column[0].target.attname for column in select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, select, alias)
            self.annotations = list(compiler.annotation_col_map.items())
        self.alias = alias

    def rows(self, values: dict, low: int, high: int | None) -> list:
        params = [
            self.constants[n] if name is None else values[name] for n, name in enumerate(self.slots)
        ]
        sql = self.sql
        if low or high is not None:
            if high is not None and high <= low:
                return []
            # Django's own LIMIT/OFFSET clause, as a sliced queryset gets it.
            sql = f"{sql} {self.connection.ops.limit_offset_sql(low, high)}"
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = list(self.apply_converters(rows, self.converters))
        if self.model is None:
            return [tuple(row) for row in rows]
        found = []
        for row in rows:
            instance = self.model.from_db(self.alias, self.names, tuple(row[self.start : self.end]))
            for populator in self.populators:
                populator.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found


class Compiled:
    """An ORM query with integer keys, compiled once per connection.

        own = Compiled(lambda owner: Event.objects.filter(owner_id=owner), owner=Event.owner)
        own.rows(owner=42)           # [Event, ...]
        own.bound(owner=42)[10:20]   # sliced in the database, as a queryset is

    `build` returns the queryset for the keys it is given by name; each key names the
    field whose column it is compared with (its range is checked). A model queryset gives
    instances (select_related included); a values() one gives tuples in the SELECT's
    order: the values() fields, then the annotations.
    """

    def __init__(self, build: Callable[..., QuerySet], **keys: Field):
        self.build = build
        self.keys = {name: getattr(field, "field", field) for name, field in keys.items()}
        self.stand_ins = {name: _STAND_IN - n for n, name in enumerate(self.keys)}
        self.model = None  # the queryset's, known at the first call (models load first)
        self._statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _statement(self) -> _Statement:
        if self.model is None:
            self.model = self.build(**self.stand_ins).model
        alias = router.db_for_read(self.model)
        wrapper = connections[alias]
        statement = self._statements.get(wrapper)
        if statement is None:
            queryset = self.build(**self.stand_ins).using(alias)
            names = {value: name for name, value in self.stand_ins.items()}
            statement = self._statements[wrapper] = _Statement(queryset, names, alias)
        return statement

    def _prepared(self, statement: _Statement, values: dict) -> dict | None:
        """The keys as the column takes them, or None when one cannot be in it."""
        prepared = {}
        for name, field in self.keys.items():
            target = field.target_field if field.is_relation else field
            value = target.get_db_prep_value(values[name], statement.connection)
            if isinstance(target, IntegerField):
                low, high = statement.connection.ops.integer_field_range(target.get_internal_type())
                if (low is not None and value < low) or (high is not None and value > high):
                    return None
            prepared[name] = value
        return prepared

    def rows(self, *, low: int = 0, high: int | None = None, **values) -> list:
        statement = self._statement()
        prepared = self._prepared(statement, values)
        return [] if prepared is None else statement.rows(prepared, low, high)

    def first(self, **values):
        """The first row, or None."""
        found = self.rows(high=1, **values)
        return found[0] if found else None

    def bound(self, **values) -> "Bound":
        return Bound(self, values)


class Bound:
    """A compiled query with its keys: sliceable like the queryset it stands for."""

    def __init__(self, compiled: Compiled, values: dict):
        self.compiled, self.values = compiled, values

    def __getitem__(self, window: slice) -> list:
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("a compiled query is read by slices without a step")
        low, high = window.start or 0, window.stop
        if low < 0 or (high is not None and high < 0):
            raise ValueError("negative indexing is not supported")
        return self.compiled.rows(low=low, high=high, **self.values)

    def __iter__(self):
        return iter(self.compiled.rows(**self.values))
