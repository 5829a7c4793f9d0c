"""A table's mapping: W3C CSV on the Web metadata (``TABLE.csv-metadata.json``),
read with the ``csvw`` library, which also parses each cell by the column's
CSVW datatype (``double``, ``date``, ...) and ``null`` values.

CSVW's core says which columns exist (``titles``, ``name``), how cells parse
(``datatype``, ``null``, ``separator``), which column titles a row
(``rowTitles``: the entity the row is about) and what a column links to
(``propertyUrl``). What CSVW leaves to annotations is written as common
properties in derive's namespace (``https://w3id.org/derive/ns#``): a claim
column's ``metric``, ``unit`` and ``asOfColumn``; an entity column's
``entityClass`` and ``sameAs`` (cell text -> existing entity IRI); an evidence
column's ``titleColumn``. Columns are matched to the table by their titles,
so a mapping describes only the columns it uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import csvw

from derive.errors import LoadError
from derive.kb.namespaces import DV, PREFIXES

CITES = PREFIXES["cito"] + "citesAsEvidence"
# Prefixes a mapping may use in values (CSVW's own initial context has these too).
_VALUE_PREFIXES = {**PREFIXES, "dc": PREFIXES["dcterms"],
                   "dcat": "http://www.w3.org/ns/dcat#"}


@dataclass(frozen=True)
class ColumnMap:
    name: str
    title: str
    column: Any  # csvw.Column: parses a cell by its datatype
    metric: str | None = None
    unit: str | None = None
    as_of: str | None = None  # name of the column that dates the claim
    entity_class: str | None = None
    link: str | None = None  # propertyUrl: what the row's entity is to this column's entities
    same_as: tuple[tuple[str, str], ...] = ()
    title_column: str | None = None
    separator: str | None = None

    @property
    def is_claim(self) -> bool:
        return self.metric is not None

    @property
    def is_evidence(self) -> bool:
        return self.link == CITES


@dataclass(frozen=True)
class Mapping:
    path: Path
    shown: str
    table_url: str  # the CSV, relative to the mapping file
    dataset: str  # IRI of the dataset source
    title: str
    publisher: str
    license: str
    landing_page: str | None
    read_on: str | None
    comment: str | None
    delimiter: str
    encoding: str
    subject: ColumnMap
    columns: tuple[ColumnMap, ...]

    def by_name(self, name: str) -> ColumnMap:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def claim_columns(self) -> tuple[ColumnMap, ...]:
        return tuple(c for c in self.columns if c.is_claim)

    @property
    def table_id(self) -> str:
        return self.dataset.rstrip("/").rsplit("/", 1)[-1]


def expand(value: str) -> str:
    """``metric:training-compute`` -> its IRI; an IRI stays as it is."""
    prefix, sep, rest = value.partition(":")
    if sep and prefix in _VALUE_PREFIXES and not rest.startswith("//"):
        return _VALUE_PREFIXES[prefix] + rest
    return value


def _iri(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("@value")
    return expand(str(value)) if value not in (None, "") else None


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value not in (None, "") else None


def load_mapping(path: Path, shown: str) -> Mapping:
    """Read and check one mapping file; every problem is a ``LoadError`` naming it."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LoadError(shown, f"cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise LoadError(shown, f"is not valid JSON ({exc}); a mapping is CSVW metadata",
                        line) from None
    if not isinstance(raw, dict) or "tableSchema" not in raw:
        raise LoadError(shown, "has no tableSchema; a mapping describes one table "
                        "(CSVW metadata with url and tableSchema.columns)")
    try:
        table = csvw.Table.fromvalue(raw)
    except Exception as exc:  # csvw raises plain ValueError/TypeError/KeyError
        raise LoadError(shown, f"is not valid CSVW metadata ({exc})") from None
    props = table.common_props
    dataset = _iri(raw.get("@id"))
    if not dataset:
        raise LoadError(shown, "has no @id; give the dataset's IRI, e.g. "
                        '"@id": "https://w3id.org/derive/kb/source/my-table"')
    for key in ("dc:title", "dc:publisher", "dc:license"):
        if not props.get(key):
            raise LoadError(shown, f"has no {key}; the dataset's title, publisher and licence "
                            "travel with every claim imported from it")
    columns = tuple(_column(c, shown) for c in table.tableSchema.columns)
    names = {c.name for c in columns}
    for column in columns:
        for ref, what in ((column.as_of, "asOfColumn"), (column.title_column, "titleColumn")):
            if ref is not None and ref not in names:
                raise LoadError(shown, f"column {column.title!r}: {what} {ref!r} is not a "
                                "column name of this mapping; name one of its columns")
        if column.is_claim and (column.unit is None or column.as_of is None):
            raise LoadError(shown, f"column {column.title!r} has a metric but no "
                            f"{'unit' if column.unit is None else 'asOfColumn'}; a claim "
                            "needs its unit and the column that dates it")
    titles = list(table.tableSchema.rowTitles or [])
    if len(titles) != 1 or titles[0] not in names:
        raise LoadError(shown, "tableSchema.rowTitles must name the one column whose cell "
                        'names the row\'s entity, e.g. "rowTitles": ["model"]')
    subject = next(c for c in columns if c.name == titles[0])
    if subject.entity_class is None:
        raise LoadError(shown, f"column {subject.title!r} titles the rows but has no "
                        f"{DV}entityClass; say what the rows are (e.g. dv:AIModel)")
    dialect = raw.get("dialect") or {}
    return Mapping(
        path=path, shown=shown, table_url=str(raw.get("url") or ""), dataset=dataset,
        title=_text(props.get("dc:title")) or "", publisher=_text(props.get("dc:publisher")) or "",
        license=_iri(props.get("dc:license")) or "",
        landing_page=_iri(props.get("dcat:landingPage")),
        read_on=_text(props.get(DV + "readOn")), comment=_text(props.get("rdfs:comment")),
        delimiter=str(dialect.get("delimiter", ",")),
        encoding=str(dialect.get("encoding", "utf-8")),
        subject=subject, columns=columns,
    )


def _column(column: Any, shown: str) -> ColumnMap:
    props = column.common_props
    title = column.titles.getfirst() if column.titles else None
    if not title or not column.name:
        raise LoadError(shown, f"column {title or column.name!r} needs both titles (the "
                        "table's header) and name (how the mapping refers to it)")
    same_as = props.get(DV + "sameAs") or {}
    if not isinstance(same_as, dict):
        raise LoadError(shown, f"column {title!r}: sameAs must map cell text to entity IRIs")
    link = str(column.propertyUrl) if column.propertyUrl else None
    return ColumnMap(
        name=str(column.name), title=str(title), column=column,
        metric=_iri(props.get(DV + "metric")), unit=_iri(props.get(DV + "unit")),
        as_of=_text(props.get(DV + "asOfColumn")),
        entity_class=_iri(props.get(DV + "entityClass")),
        link=expand(link) if link else None,
        same_as=tuple(sorted((str(k), _iri(v) or "") for k, v in same_as.items())),
        title_column=_text(props.get(DV + "titleColumn")),
        separator=column.separator,
    )
