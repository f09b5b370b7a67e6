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
or none (`ids=0`: a short list the same for everyone, read afresh on every run), or as many as
each run gives (`ids=None`: a team and the ids of a page of its records), compiled once for each
number. A query scoped to a team takes the team's id among them, so the scope is in the compiled
SQL (ADR 0046). A query that depends on the date is kept per day by its caller and built with
that day.

`ScopedQuery` does the same for a query scoped to the user (`visible_to(user)`, the user's own
records): compiled once per process, day and kind of user, with the user's ids (their own,
their team's, their organisation's) and the records' ids as the parameters filled in; the rows
come through Django's own result iterables, as model instances or values (ADR 0043).
"""

import functools
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model
from django.db.models.query import ModelIterable, get_related_populators
from django.utils import timezone


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
    person and the ids of a page of their records, say); with `ids=None`, any number."""

    def __init__(self, model, build, ids=1):
        self.model = model
        self.build = build
        self.ids = ids
        self._compiled = {}

    def clear(self):
        """Compile again at the next run (after what `build` reads from has changed)."""
        self._compiled.clear()

    def _compile(self, using, count):
        markers = [uuid.uuid4() for _ in range(count)]
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
        elif query.selected:  # values() names its columns in the order it was given them
            shape = list(query.selected)
        else:
            shape = [*query.extra_select, *query.values_select, *query.annotation_select]
        return sql, list(params), found, shape, converters

    def statement(self, pk, using=None):
        """(sql, params, converters, alias) of the query for the record `pk` (a tuple of ids
        for a query of several, `()` for one of none): to run, or to read from as a derived
        table of a larger statement."""
        return self._statement(pk if isinstance(pk, tuple) else (pk,), using)

    def _statement(self, pks, using=None):
        if self.ids is not None and len(pks) != self.ids:
            raise TypeError(f"{self.build!r} takes {self.ids} ids, not {len(pks)}")
        using = using or router.db_for_read(self.model)
        key = (using, len(pks))
        done = self._compiled.get(key)
        if done is None:
            done = self._compiled[key] = self._compile(using, len(pks))
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
        return rows, self._compiled[using, len(pks)][3], using

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


# --- a query scoped to the user, compiled once for each way its scope can be ------------------


class ScopeError(ValueError):
    """A query given to `ScopedQuery` depends on the user, the moment or the database in a way
    its compiled SQL could not follow: it is refused, never kept."""


class _Unread:
    """A user's attribute that a scoped query may not read: its key does not hold it, so a query
    that read it could be served to a user with another value. Any use raises."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<the user's {self.name}, not part of a scoped query's key>"

    def _refuse(self, *args, **kwargs):
        raise ScopeError(
            f"a scoped query read the user's {self.name}: only their role, whether they are "
            "active, staff or superuser, and their own, their team's and their organisation's "
            "ids may shape it (ADR 0043)"
        )

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = __bool__ = _refuse
    __str__ = __format__ = __len__ = __iter__ = __contains__ = __getitem__ = _refuse
    __int__ = __float__ = __index__ = __getattr__ = _refuse


# What a scoped query may branch on: the user's fields that every `visible_to` and permission
# reads (smd.access.Permission: the role, active, staff; `in_team` also whether there is a
# team). They are the compiled query's key. The ids are markers, filled in at each run; whether
# each is set is part of the key too. Any other field of the user is unreadable while the query
# is built.
_KEY_FIELDS = ("role", "is_active", "is_staff", "is_superuser")
_ID_FIELDS = ("id", "team_id", "organisation_id")


def _access_key(user):
    if user is None:
        return None
    return (
        *(getattr(user, name) for name in _KEY_FIELDS),
        *(getattr(user, name) is None for name in _ID_FIELDS),
    )


def _stand_in(user, markers):
    """An unsaved copy of `user` with marker ids and every field outside the key unreadable."""
    model = user._meta.model  # the user's model, also through a request's lazy user
    values = {}
    for field in model._meta.concrete_fields:
        name = field.attname
        if name in _KEY_FIELDS:
            values[name] = getattr(user, name)
        elif name in _ID_FIELDS:
            values[name] = markers.get(name)
        else:
            values[name] = _Unread(name)
    stand_in = model(**values)
    stand_in._state.adding = False
    stand_in._state.db = user._state.db
    return stand_in


@contextmanager
def _no_queries():
    """Refuse any query while a scoped query is built and compiled: what it read would be kept
    in the SQL (a user's team read through `user.team`, a list evaluated in a `visible_to`)."""

    def refuse(execute, sql, params, many, context):
        raise ScopeError("a scoped query ran a query while it was built: " + sql[:200])

    with ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(refuse))
        yield


_EMPTY = object()  # the scope is nobody (`none()`): no SQL, no rows


class _RunQuery:
    """The built query as Django's result iterables read it, with the compiler of this run."""

    def __init__(self, query, compiler):
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


class _Run:
    """What Django's result iterables (`ModelIterable`, `ValuesIterable`, ...) read of a
    queryset: its model, database, query and fields."""

    def __init__(self, queryset, compiler):
        self.model = queryset.model
        self.db = compiler.using
        self.query = _RunQuery(queryset.query, compiler)
        self._fields = queryset._fields
        self._known_related_objects = {}


@functools.cache
def _compiler_of_a_run(compiler_class):
    """`compiler_class` whose SQL is the one compiled before, with this run's parameters."""

    def as_sql(self, with_limits=True, with_col_aliases=False):
        return self.prepared_sql, self.prepared_params

    return type(f"Prepared{compiler_class.__name__}", (compiler_class,), {"as_sql": as_sql})


def _compile(queryset, using):
    if queryset._prefetch_related_lookups or queryset._known_related_objects:
        raise ScopeError("a scoped query must read its rows in one query, from no instance")
    compiler = queryset.query.get_compiler(using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _EMPTY
    return sql, tuple(params), compiler


def _slot(value, markers):
    """Which marker `value` is (a UUID, or its hex on a database without a UUID type), with
    whether it is the hex, or None."""
    for name, marker in markers.items():
        if isinstance(value, uuid.UUID) and value == marker:
            return name, False
        if isinstance(value, str) and value == marker.hex:
            return name, True
    return None


class ScopedQuery:
    """A query scoped to the user (through `visible_to` and the user's own id), built and compiled
    once per process for each key, and run with the user's ids and the records' ids filled in.

    `build(user, *ids, **options)` returns a queryset of `model` (instances, `values()` or
    `values_list()`), the same as it would for the request. `rows(user, *ids, **options)` gives
    its rows as the queryset would, as a list. The key is the database, the day, the user's
    role, active, staff and superuser flags and which of their ids are set, the number of ids
    and the options (each a constant of the query's shape, such as a filter's choice).

    When compiled, the query is built twice, each time for a stand-in user with other random
    marker ids (their own, their team's, their organisation's) and other marker record ids, with
    every other field of the user unreadable and no query allowed. The two must compile to the
    same SQL with the same parameters except where the markers are; anything else (the user's
    name, the time, something read from the database) is refused with ScopeError. Each run
    fills the markers' places with the user's and the records' ids. Only the SQL is kept, never
    rows. `user` None: a query the same for anyone (no user's ids), with record ids. ADR 0043.
    """

    def __init__(self, model, build):
        self.model = model
        self.build = build
        self._compiled = {}
        self._day = None

    def clear(self):
        """Build and compile again at the next run (after what `build` reads has changed)."""
        self._compiled.clear()

    def rows(self, user, *ids, **options):
        if user is not None and not (isinstance(user, Model) and user.pk is not None):
            return list(self.build(user, *ids, **options))  # nobody signed in: no key
        using = router.db_for_read(self.model)
        day = timezone.localdate()
        if day != self._day:
            self._compiled.clear()
            self._day = day
        key = (using, day, _access_key(user), len(ids), tuple(sorted(options.items())))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(user, len(ids), options, using)
            if timezone.localdate() != day:  # built on the next day: keep it for no one
                return list(self.build(user, *ids, **options))
            self._compiled[key] = compiled
        if compiled is _EMPTY:
            return []
        sql, params, slots, queryset, compiler = compiled
        values = {} if user is None else {name: getattr(user, name) for name in _ID_FIELDS}
        values.update(enumerate(ids))
        params = list(params)
        for position, name, as_hex in slots:
            value = uuid.UUID(str(values[name]))
            params[position] = value.hex if as_hex else value
        run = object.__new__(_compiler_of_a_run(type(compiler)))
        run.__dict__.update(compiler.__dict__)
        run.connection = connections[using]
        run.prepared_sql, run.prepared_params = sql, params
        return list(queryset._iterable_class(_Run(queryset, run)))

    def _compile(self, user, count, options, using):
        """(sql, params, slots, queryset, compiler) for the key, or _EMPTY."""
        markers, builds = [], []
        for _ in range(2):
            ids = [uuid.uuid4() for _ in range(count)]
            mine = dict(enumerate(ids))
            stand_in = None
            if user is not None:
                given = {
                    name: uuid.uuid4() for name in _ID_FIELDS if getattr(user, name) is not None
                }
                stand_in = _stand_in(user, given)
                mine.update(given)
            markers.append(mine)
            builds.append((stand_in, ids))
        # SQLite is asked with a query, once per connection, whether it has JSON functions, when a
        # query first needs to know: asked before, so that question is not taken for the build's.
        connections[using].features.supports_json_field  # noqa: B018 - read for its probe
        with _no_queries():
            querysets = [self.build(stand_in, *ids, **options) for stand_in, ids in builds]
            compiled = [_compile(queryset, using) for queryset in querysets]
        first, second = compiled
        if first is _EMPTY or second is _EMPTY:
            if first is not second:
                raise ScopeError(f"{self.build!r} is empty for one stand-in user only")
            return _EMPTY
        if querysets[0].model is not self.model:
            raise ScopeError(f"{self.build!r} reads {querysets[0].model}, not {self.model}")
        (sql, params, compiler), (other_sql, other_params, _) = first, second
        if sql != other_sql or len(params) != len(other_params):
            raise ScopeError(f"{self.build!r}: its SQL changes with the user's ids or the moment")
        slots = []
        for position, (value, other) in enumerate(zip(params, other_params, strict=True)):
            slot, other_slot = _slot(value, markers[0]), _slot(other, markers[1])
            if (
                slot is None
                and other_slot is None
                and type(value) is type(other)
                and value == other
            ):
                continue
            if slot is None or slot != other_slot:
                raise ScopeError(
                    f"{self.build!r}: parameter {position} is neither the same for every user "
                    f"nor one of the ids ({value!r}, {other!r})"
                )
            slots.append((position, *slot))
        return sql, params, slots, querysets[0], compiler
