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

A query may take several ids (`build(*ids)`, `rows(*ids)`): each is a marker of its own, and
the SQL is compiled once for each number of ids it is run with. A query scoped to a team
takes the team's id among them, so the scope is in the compiled SQL (ADR 0046).
"""

import uuid

from django.db import connections, router


class PreparedQuery:
    """`build(*ids)` returns a `values()` queryset of `model` for one record's id (a UUID), or for
    several. `rows(*ids)` runs it as compiled the first time for the database `model` is read
    from and that number of ids, and returns its rows as dicts, as the queryset would."""

    def __init__(self, model, build):
        self.model = model
        self.build = build
        self._compiled = {}

    def clear(self):
        """Compile again at the next run (after what `build` reads from has changed)."""
        self._compiled.clear()

    def _compile(self, using, count):
        markers = [uuid.uuid4() for _ in range(count)]
        queryset = self.build(*markers)
        query = queryset.query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        # A UUID parameter is a UUID for PostgreSQL and its hex for a database without a UUID
        # type (SQLite); each id is given in the same form at each run. `found` holds, for each
        # parameter that is a marker, its position and which id goes there.
        found = [
            (n, which)
            for n, p in enumerate(params)
            for which, marker in enumerate(markers)
            if p == marker or p == marker.hex
        ]
        if not found or {which for _, which in found} != set(range(count)):
            raise ValueError(f"{self.build!r} does not use the id as a parameter")
        as_hex = isinstance(params[found[0][0]], str)
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        return sql, list(params), found, as_hex, names, converters

    def _statement(self, pks, using):
        using = using or router.db_for_read(self.model)
        key = (using, len(pks))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using, len(pks))
        sql, params, found, as_hex, names, converters = compiled
        values = [uuid.UUID(str(pk)) for pk in pks]
        params = list(params)
        for n, which in found:
            params[n] = values[which].hex if as_hex else values[which]
        return sql, params, converters, using, names

    def statement(self, pk, using=None):
        """(sql, params, converters, alias) of the query for the record `pk`: to run, or to read
        from as a derived table of a larger statement."""
        return self._statement([pk], using)[:4]

    def rows(self, *pks):
        sql, params, converters, using, names = self._statement(pks, None)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = converted(cursor.fetchall(), converters, connection)
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
