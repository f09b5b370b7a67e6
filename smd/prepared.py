"""A query that is the same on every request but for one record's id, built and compiled once.

Building a queryset with many correlated subqueries and compiling it to SQL costs Django more
than the database takes to run it (docs/performance.md, ADR 0039). `PreparedQuery` builds the
queryset once per process with a marker id in place of the record's, compiles it with Django's
own compiler for the database it reads from, and finds the marker among the compiled
parameters. Each run then executes that SQL with the record's id where the marker was, and
reads the rows through the same converters the queryset itself would apply. No SQL is written
or edited by hand: the text is Django's, and only a parameter changes.

What the query reads must depend on nothing but that id: not the user, not the date, not a
setting that can change while the process lives. Access is the caller's: run it only for an
id the user's scoped query has already returned.

A query may take several ids (`ids=2`: a meeting and a person, say), each a marker of its own,
or none (`ids=0`: a short list the same for everyone, read afresh on every run). A query that
depends on the date is kept per day by its caller and built with that day.
"""

import uuid

from django.db import connections, router


class PreparedQuery:
    """`build(*ids)` returns a `values()` queryset of `model` for `ids` records' ids (UUIDs; one
    unless told otherwise). `rows(*ids)` runs it as compiled the first time for the database
    `model` is read from, and returns its rows as dicts, as the queryset would."""

    def __init__(self, model, build, ids=1):
        self.model = model
        self.build = build
        self.ids = ids
        self._compiled = {}

    def clear(self):
        """Compile again at the next run (after what `build` reads from has changed)."""
        self._compiled.clear()

    def _compile(self, using):
        markers = [uuid.uuid4() for _ in range(self.ids)]
        queryset = self.build(*markers)
        query = queryset.query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        # A UUID parameter is a UUID for PostgreSQL and its hex for a database without a UUID
        # type (SQLite); the id is given in the same form at each run.
        found = []
        for marker in markers:
            at = [n for n, p in enumerate(params) if p == marker or p == marker.hex]
            if not at:
                raise ValueError(f"{self.build!r} does not use the id as a parameter")
            found.append((at, isinstance(params[at[0]], str)))
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        return sql, list(params), found, names, converters

    def statement(self, pk, using=None):
        """(sql, params, converters, alias) of the query for the record `pk` (a tuple of ids
        for a query of several, `()` for one of none): to run, or to read from as a derived
        table of a larger statement."""
        pks = pk if isinstance(pk, tuple) else (pk,)
        if len(pks) != self.ids:
            raise TypeError(f"{self.build!r} takes {self.ids} ids, not {len(pks)}")
        using = using or router.db_for_read(self.model)
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, params, found, _, converters = compiled
        params = list(params)
        for (at, as_hex), pk in zip(found, pks, strict=True):
            value = uuid.UUID(str(pk))
            for n in at:
                params[n] = value.hex if as_hex else value
        return sql, params, converters, using

    def rows(self, *pks):
        sql, params, converters, using = self.statement(pks)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = converted(cursor.fetchall(), converters, connection)
        names = self._compiled[using][3]
        return [dict(zip(names, row, strict=True)) for row in rows]


def converted(rows, converters, connection):
    """The rows as lists of Python values, read through the columns' converters (from
    `SQLCompiler.get_converters`) as SQLCompiler.apply_converters reads them, with this thread's
    connection rather than the one the query was compiled with."""
    rows = [list(row) for row in rows]
    for row in rows:
        for position, (functions, expression) in converters.items():
            for convert in functions:
                row[position] = convert(row[position], expression, connection)
    return rows
