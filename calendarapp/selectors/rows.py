"""One row by its primary key, the query compiled once per model and connection
(selectors/compiled.py), not per call.

A lookup such as `TgUser.objects.filter(pk=...).first()` has Django build the query anew
each time: clone the queryset, resolve the lookup, compile the SELECT, order it. For the
rows read at nearly every update (the sender's profile, the owner of a new event) that
was most of the lookup's CPU (bench/rows.py prints the two side by side).
"""

from calendarapp.selectors.compiled import Compiled

_by_model: dict = {}


def _lookup(model) -> Compiled:
    return Compiled(lambda pk: model._base_manager.filter(pk=pk).order_by(), pk=model._meta.pk)


def by_primary_key(model, pk):
    """The model's row with this primary key, or None: what
    `model.objects.filter(pk=pk).first()` returns, for less CPU."""
    compiled = _by_model.get(model)
    if compiled is None:
        compiled = _by_model[model] = _lookup(model)
    return compiled.first(pk=pk)
