"""One row by its primary key, the query built once per model and connection, not per call.

A lookup such as `TgUser.objects.filter(pk=...).first()` has Django build the query anew
each time: clone the queryset, resolve the lookup, compile the SELECT, order it. For the
rows read at nearly every update (the sender's profile, the owner of a new event) that
was most of the lookup's CPU (bench/rows.py prints the two side by side). Here the
SELECT is compiled once by Django's own compiler, so it is exactly the statement the ORM
sends, and each call runs it with the new key and builds the instance with
`Model.from_db`, the ORM's own constructor for loaded rows, after the backend's and the
fields' converters (dates on SQLite, JSON), as a queryset would.

The compiled statement is kept per connection object (Django's are per thread, or per
context on a thread with a running event loop): its converters are that connection's.
"""

import weakref

from django.db import connections, router
from django.db.models import IntegerField

_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> model -> it


class _Compiled:
    def __init__(self, model, alias: str):
        # pk=0 only stands for the key: the statement is sent with each call's own.
        queryset = model._base_manager.using(alias).filter(pk=0).order_by()[:1]
        self.compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = self.compiler.as_sql()
        if len(params) != 1:
            raise ValueError(f"{model.__name__}: expected one parameter, got {params!r}")
        self.converters = self.compiler.get_converters([s[0] for s in self.compiler.select])
        self.names = [field.attname for field in model._meta.concrete_fields]
        if len(self.names) != len(self.compiler.select):
            raise ValueError(f"{model.__name__}: the SELECT does not list each column once")
        self.connection = self.compiler.connection
        self.model, self.alias = model, alias
        self.key_field = key = model._meta.pk
        # The ORM answers "no such row" for a key the column cannot hold (a forged huge
        # id); sent as it is, the database would refuse the statement instead.
        self.key_range = (
            self.connection.ops.integer_field_range(key.get_internal_type())
            if isinstance(key, IntegerField)
            else (None, None)
        )

    def get(self, pk):
        value = self.key_field.get_db_prep_value(pk, self.connection)
        low, high = self.key_range
        if (low is not None and value < low) or (high is not None and value > high):
            return None
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [value])
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = next(self.compiler.apply_converters([row], self.converters))
        return self.model.from_db(self.alias, self.names, tuple(row))


def by_primary_key(model, pk):
    """The model's row with this primary key, or None: what
    `model.objects.filter(pk=pk).first()` returns, for less CPU."""
    alias = router.db_for_read(model)
    wrapper = connections[alias]
    models = _compiled.get(wrapper)
    if models is None:
        models = _compiled[wrapper] = {}
    compiled = models.get(model)
    if compiled is None:
        compiled = models[model] = _Compiled(model, alias)
    return compiled.get(pk)
