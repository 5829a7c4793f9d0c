"""Rows to claims. Every non-empty cell of a claim column becomes one claim
about the row's entity, dated by the row's as-of cell; a cell that does not
parse by its column's datatype, or a row that cannot be dated, is skipped and
reported with table, row, column and value, never guessed. An empty cell
(CSVW ``null``) is no claim, never a zero."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from derive.ingest.mapping import ColumnMap, Mapping
from derive.ingest.slugs import short_hash, slug
from derive.ingest.table import Record, Table
from derive.kb.namespaces import PREFIXES

ENT = PREFIXES["ent"]
CLAIM = PREFIXES["claim"]
SRC = PREFIXES["src"]
_URL = re.compile(r"https?://[^\s,;<>\"]+")
_MAX_REF_SLUG = 80


@dataclass(frozen=True)
class SkippedCell:
    table: str
    row: int
    column: str
    value: str
    reason: str

    def line(self) -> str:
        return (f"{self.table}: row {self.row}, column {self.column!r}: {self.value!r}: "
                f"{self.reason}")


@dataclass(frozen=True)
class Claim:
    iri: str
    label: str
    subject: str
    metric: str
    unit: str
    value: float
    as_of: str
    as_of_type: str  # xsd local name: date, gYearMonth, gYear
    row: int
    column: str
    exact: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Entity:
    iri: str
    cls: str | None  # None: an entity described elsewhere (a sameAs target)
    label: str


@dataclass(frozen=True)
class Reference:
    iri: str
    url: str | None
    label: str


@dataclass
class Built:
    rows: int = 0
    claims: list[Claim] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    links: set[tuple[str, str, str]] = field(default_factory=set)
    references: dict[str, Reference] = field(default_factory=dict)
    skipped: list[SkippedCell] = field(default_factory=list)


Progress = Callable[[int, int], None]


def build(mapping: Mapping, table: Table, progress: Progress | None = None) -> Built:
    index = table.column_index()
    columns = {c.name: index[c.title] for c in mapping.columns}
    built = Built(rows=len(table.records))
    seen: dict[str, tuple[str, int]] = {}  # subject slug -> (name, row)
    total = len(table.records)
    for n, record in enumerate(table.records, 1):
        _row(mapping, table, record, columns, built, seen)
        if progress is not None and (n % 50 == 0 or n == total):
            progress(n, total)
    return built


def _row(mapping: Mapping, table: Table, record: Record, columns: dict[str, int],
         built: Built, seen: dict[str, tuple[str, int]]) -> None:
    def cell(column: ColumnMap) -> str:
        return record.cells[columns[column.name]]

    def skip(column: ColumnMap, reason: str) -> None:
        built.skipped.append(SkippedCell(table.shown, record.row, column.title, cell(column),
                                         reason))

    name = cell(mapping.subject).strip()
    claim_columns = [c for c in mapping.claim_columns if not _is_null(c, cell(c))]
    if not name:
        for column in claim_columns:
            skip(column, f"the row has no {mapping.subject.title!r}, so the claim would be "
                 "about nothing")
        return
    key = slug(name)
    if key in seen and seen[key][0] == name:
        for column in claim_columns:
            skip(column, f"{mapping.subject.title} {name!r} is also row {seen[key][1]}; "
                 "only the first row of a name is imported")
        return
    if key in seen:
        key = f"{key}-{short_hash(name, 6)}"
    seen[key] = (name, record.row)
    subject = _entity(mapping.subject, name, built, key)

    for column in mapping.columns:
        if column.link and not column.is_evidence and column.entity_class:
            for value in _values(column, cell(column)):
                target = _entity(column, value, built)
                if target:
                    built.links.add((subject, column.link, target))
    evidence = _evidence(mapping, record, columns, built)

    dates: dict[str, tuple[str, str] | str] = {}
    for column in claim_columns:
        text = cell(column)
        assert column.as_of is not None and column.metric and column.unit
        if column.as_of not in dates:
            dates[column.as_of] = _as_of(mapping.by_name(column.as_of),
                                         record.cells[columns[column.as_of]])
            if isinstance(dates[column.as_of], str) and record.cells[columns[column.as_of]].strip():
                skip(mapping.by_name(column.as_of), str(dates[column.as_of]))
        value = _number(column, text)
        if isinstance(value, str):
            skip(column, value)
            continue
        when = dates[column.as_of]
        if isinstance(when, str):
            skip(column, f"not imported: the row's {mapping.by_name(column.as_of).title!r} "
                 f"{'is empty' if not record.cells[columns[column.as_of]].strip() else 'is bad'}"
                 ", so the claim cannot be dated")
            continue
        built.claims.append(Claim(
            iri=f"{CLAIM}{mapping.table_id}--{key}--{slug(column.name)}",
            label=f"{name}: {column.title}", subject=subject, metric=column.metric,
            unit=column.unit, value=value, as_of=when[0], as_of_type=when[1], row=record.row,
            column=column.title, exact=text, evidence=evidence,
        ))


def _is_null(column: ColumnMap, text: str) -> bool:
    nulls = column.column.null or [""]
    return text.strip() in nulls


def _values(column: ColumnMap, text: str) -> list[str]:
    parts = text.split(column.separator) if column.separator else [text]
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if part and not _is_null(column, part) and part not in out:
            out.append(part)
    return out


def _entity(column: ColumnMap, name: str, built: Built, key: str | None = None) -> str:
    """The IRI of the entity ``name`` names: a sameAs target, else ``ent:`` + its slug."""
    same = dict(column.same_as)
    if name in same:
        iri = same[name]
        if iri and iri not in built.entities:
            built.entities[iri] = Entity(iri, None, name)
        return iri
    iri = ENT + (key or slug(name))
    if iri not in built.entities:
        built.entities[iri] = Entity(iri, column.entity_class, name)
    return iri


def _evidence(mapping: Mapping, record: Record, columns: dict[str, int],
              built: Built) -> tuple[str, ...]:
    cited: list[str] = []
    for column in mapping.columns:
        if not column.is_evidence:
            continue
        text = record.cells[columns[column.name]]
        title = ""
        if column.title_column:
            title = record.cells[columns[column.title_column]].strip()
        urls = [u.rstrip(".)") for u in _URL.findall(text)]
        urls = list(dict.fromkeys(urls))
        if not urls and title:
            iri = f"{SRC}ref-{slug(title)[:_MAX_REF_SLUG]}-{short_hash(title, 6)}"
            built.references.setdefault(iri, Reference(iri, None, title))
            cited.append(iri)
        for url in urls:
            iri = _reference_iri(url)
            label = title if title and len(urls) == 1 else url
            built.references.setdefault(iri, Reference(iri, url, label))
            cited.append(iri)
    return tuple(sorted(set(cited)))


def _reference_iri(url: str) -> str:
    """``https://arxiv.org/abs/2303.08774`` -> ``src:ref-arxiv-org-abs-2303-08774``."""
    bare = re.sub(r"^https?://(www\.)?", "", url)
    name = slug(bare)
    if len(name) > _MAX_REF_SLUG:
        name = f"{name[:_MAX_REF_SLUG].rstrip('-')}-{short_hash(url, 8)}"
    return f"{SRC}ref-{name}"


def _as_of(column: ColumnMap, text: str) -> tuple[str, str] | str:
    if _is_null(column, text):
        return f"{column.title!r} is empty"
    parsed = _read(column, text)
    if isinstance(parsed, str):
        return parsed
    base = column.column.datatype.base if column.column.datatype else "string"
    if isinstance(parsed, datetime | date) and base in ("date", "datetime", "dateTime"):
        return (parsed.strftime("%Y-%m-%d"), "date")
    if base in ("gYear", "gYearMonth"):
        return (text.strip(), base)
    return (f"{text!r} is not a date (the column's datatype is {base}; use date, gYearMonth "
            "or gYear)")


def _number(column: ColumnMap, text: str) -> float | str:
    parsed = _read(column, text)
    if isinstance(parsed, str):
        return parsed
    try:
        value = float(parsed)
    except (TypeError, ValueError):
        return f"is not a number (datatype {column.column.datatype.base})"
    if not math.isfinite(value):
        return "is not a finite number"
    return value


def _read(column: ColumnMap, text: str) -> Any:
    """The cell parsed by its CSVW datatype, or the reason it does not parse."""
    try:
        return column.column.read(text.strip())
    except (ValueError, TypeError, ArithmeticError) as exc:
        base = column.column.datatype.base if column.column.datatype else "string"
        return f"does not parse as {base}: {exc}"
