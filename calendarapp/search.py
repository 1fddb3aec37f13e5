"""Case-insensitive text search that works for every alphabet on both databases.

SQLite's LIKE and UPPER() fold ASCII letters only, so `icontains` finds "Bob" for "bob" but not
"Боба" for "боба". On SQLite each connection gets a `casefold` SQL function (Python's
str.casefold, full Unicode folding) and `ufold_contains` compares folded text; PostgreSQL's
UPPER() already folds every alphabet, so there the lookup is plain `icontains`.
"""

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField
from django.db.models.lookups import IContains


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def add_casefold_function(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("casefold", 1, _casefold, deterministic=True)


class UnicodeIContains(IContains):
    lookup_name = "ufold_contains"

    def as_sql(self, compiler, connection):
        return IContains(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # The pattern's % and _ and the escape character fold to themselves.
        return f"casefold({lhs}) LIKE casefold({rhs}) ESCAPE '\\'", (*lhs_params, *rhs_params)


def install() -> None:
    connection_created.connect(add_casefold_function, dispatch_uid="calendarapp-casefold")
    CharField.register_lookup(UnicodeIContains)
    TextField.register_lookup(UnicodeIContains)
