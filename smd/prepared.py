"""A query that is the same on every request but for one record's id, built and compiled once.

Building a queryset with many correlated subqueries and compiling it to SQL costs Django more
than the database takes to run it (docs/performance.md, ADR 0039). `PreparedQuery` builds the
queryset once per process with a marker id in place of the record's, compiles it with Django's
own compiler for the database it reads from, and finds the marker among the compiled
parameters. Each run then executes that SQL with the record's id where the marker was, and
reads the rows through the same converters the queryset itself would apply. No SQL is written
or edited by hand: the text is Django's, and only a parameter changes.

A `values()` query gives its rows as dicts (`rows`); any other gives model instances
(`objects`), made as Django's own iteration makes them: each row's fields on an instance of the
model, those of `select_related` objects on instances of theirs, annotations as attributes.

What the query reads must depend on nothing but that id: not the user, not the date, not a
setting that can change while the process lives. Access is the caller's: run it only for an
id the user's scoped query has already returned.

A query may take several ids (`ids=2`: a meeting and a person, say), each a marker of its own,
or none (`ids=0`: a short list the same for everyone, read afresh on every run). A query that
depends on the date is kept per day by its caller and built with that day.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models.query import ModelIterable, get_related_populators


def compiled(queryset, using):
    """(sql, params, converters, compiler) of `queryset` as Django compiles it for the database
    `using`: the statement, its parameters, and the converters (`SQLCompiler.get_converters`)
    that make its columns Python values as the queryset would, for `converted`."""
    compiler = queryset.query.get_compiler(using)
    sql, params = compiler.as_sql()
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    return sql, params, compiler.get_converters(columns), compiler


@dataclass(frozen=True)
class _Instances:
    """How `ModelIterable` makes a row into an instance, worked out once from the compiler."""

    model: Any
    start: int
    end: int
    init_list: list
    related: list
    annotations: dict

    @classmethod
    def of(cls, compiler, using):
        info = compiler.klass_info
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        return cls(
            info["model"],
            start,
            end,
            [column[0].target.attname for column in compiler.select[start:end]],
            get_related_populators(info, compiler.select, using),
            dict(compiler.annotation_col_map or {}),
        )

    def make(self, row, using):
        obj = self.model.from_db(using, self.init_list, row[self.start : self.end])
        for related in self.related:
            related.populate(row, obj)
        for name, position in self.annotations.items():
            setattr(obj, name, row[position])
        return obj


class PreparedQuery:
    """`build(id)` returns a queryset of `model` for one record's id (a UUID). `rows(id)` (for a
    `values()` queryset) and `objects(id)` (for any other) run it as compiled the first time for
    the database `model` is read from, and return its rows as dicts or model instances, as the
    queryset would. With `ids=n`, `build` takes n ids and each run gives n, in that order (a
    person and the ids of a page of their records, say)."""

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
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            # Run apart from the queryset, neither would be applied.
            raise ValueError(f"{self.build!r} prefetches or starts from a related manager")
        query = queryset.query
        sql, params, converters, compiler = compiled(queryset, using)
        # A UUID parameter is a UUID for PostgreSQL and its hex for a database without a UUID
        # type (SQLite); the id is given in the same form at each run.
        found = []
        for marker in markers:
            at = [n for n, p in enumerate(params) if p in (marker, marker.hex)]
            if not at:
                raise ValueError(f"{self.build!r} does not use the id as a parameter")
            found.append((at, isinstance(params[at[0]], str)))
        if issubclass(queryset._iterable_class, ModelIterable):
            shape = _Instances.of(compiler, using)
        else:
            shape = [*query.extra_select, *query.values_select, *query.annotation_select]
        return sql, list(params), found, shape, converters

    def statement(self, pk, using=None):
        """(sql, params, converters, alias) of the query for the record `pk` (a tuple of ids
        for a query of several, `()` for one of none): to run, or to read from as a derived
        table of a larger statement."""
        return self._statement(pk if isinstance(pk, tuple) else (pk,), using)

    def _statement(self, pks, using=None):
        if len(pks) != self.ids:
            raise TypeError(f"{self.build!r} takes {self.ids} ids, not {len(pks)}")
        using = using or router.db_for_read(self.model)
        done = self._compiled.get(using)
        if done is None:
            done = self._compiled[using] = self._compile(using)
        sql, params, found, _, converters = done
        params = list(params)
        for (at, as_hex), pk in zip(found, pks, strict=True):
            value = uuid.UUID(str(pk))
            for n in at:
                params[n] = value.hex if as_hex else value
        return sql, params, converters, using

    def _run(self, pks):
        sql, params, converters, using = self._statement(pks)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = converted(cursor.fetchall(), converters, connection)
        return rows, self._compiled[using][3], using

    def rows(self, *pks):
        """The rows of a `values()` query for the record `pk`, as dicts."""
        rows, names, _ = self._run(pks)
        if isinstance(names, _Instances):
            raise TypeError(f"{self.build!r} makes model instances: read them with objects()")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def objects(self, *pks):
        """The model instances of the query for the record `pk`, as a list."""
        rows, shape, using = self._run(pks)
        if not isinstance(shape, _Instances):
            raise TypeError(f"{self.build!r} is a values() query: read it with rows()")
        return [shape.make(row, using) for row in rows]


def as_prefetched(instance, name, objects):
    """Give `instance` the list `objects` as `prefetch_related(name)` would have (a reverse
    foreign key): `instance.<name>.all()` returns them without a query, each object's own
    foreign key back to `instance` set to it. For objects read by a PreparedQuery."""
    manager = getattr(instance, name)
    field = manager.field  # the foreign key on the objects' side (a reverse relation only)
    queryset = manager.get_queryset()  # the relation's own queryset, for anything chained on it
    queryset._result_cache = objects
    queryset._prefetch_done = True
    for obj in objects:  # as the prefetch sets it
        field.set_cached_value(obj, instance)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset


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
