"""Signing nanopublications with the user's RSA key, through the ``nanopub``
library (an optional extra: ``pip install 'derive[sign]'``). Signing gives
each nanopublication a trusty URI (``http://purl.org/np/RA…``, a hash of its
content); an estimate's provenance then points at the signed URIs of its
inputs, so inputs are signed first. Nothing is published: sending them to
the nanopublication network is left to the user."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import rdflib
from rdflib import XSD, ConjunctiveGraph, Literal, URIRef

from derive.errors import UsageError
from derive.export.nanopubs import DCT, PROV, Nanopub, parts

# The library's placeholder URI for a nanopublication before it is signed.
_TEMP = "http://purl.org/nanopub/temp/np#"


def read_key(path: Path) -> str:
    """The private key in ``path`` (PEM, or the nanopub tools' bare base64 DER)
    as the bare base64 the library expects."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UsageError(f"--sign {path}: cannot read the key: {exc.strerror}") from None
    _library()  # fail early, with the install hint, when the extra is missing
    from Crypto.PublicKey import RSA  # installed with nanopub

    try:
        key = RSA.import_key(text if "-----BEGIN" in text else base64.b64decode(text))
    except (ValueError, IndexError, TypeError):
        raise UsageError(f"--sign {path}: not an RSA private key (PEM or base64 DER)") from None
    if not key.has_private():
        raise UsageError(f"--sign {path}: this is a public key; sign with the private key")
    return base64.b64encode(key.export_key(format="DER")).decode("ascii")


def _library() -> Any:
    # The one optional import of derive: signing is an extra, not a dependency.
    normalize = rdflib.NORMALIZE_LITERALS
    try:
        import nanopub
    except ImportError:
        raise UsageError("signing needs the nanopub library: pip install 'derive[sign]'") from None
    finally:
        # importing nanopub turns rdflib's literal normalisation off for the whole
        # process; every other part of derive expects it as rdflib sets it
        rdflib.NORMALIZE_LITERALS = normalize
    return nanopub


def sign(nanopubs: list[Nanopub], key: str, orcid: str | None = None,
         now: datetime | None = None) -> list[Nanopub]:
    """``nanopubs`` signed, inputs before the estimates that use them, each
    reference to an unsigned URI replaced by its signed one."""
    lib = _library()
    created = Literal((now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                      datatype=XSD.dateTime)
    profile = lib.Profile(orcid_id=orcid or "", name="", private_key=key)
    conf = lib.NanopubConf(profile=profile)
    signed_uri: dict[URIRef, URIRef] = {}
    done: list[Nanopub] = []
    pending = list(nanopubs)
    while pending:
        ready = [n for n in pending if not (_inputs(n) - set(signed_uri)) & _uris(pending)]
        if not ready:  # estimates form a DAG, so this cannot happen
            raise UsageError("cannot order the nanopublications for signing: a cycle")
        for nanopub in ready:
            pending.remove(nanopub)
            graph = _temporary(nanopub, signed_uri, created, orcid)
            publication = lib.Nanopub(rdf=graph, conf=conf)
            publication.sign()
            result = _from_signed(publication)
            signed_uri[nanopub.uri] = result.uri
            done.append(result)
    return done


def _uris(nanopubs: list[Nanopub]) -> set[URIRef]:
    return {n.uri for n in nanopubs}


def _inputs(nanopub: Nanopub) -> set[URIRef]:
    return {o for o in nanopub.provenance.objects(None, PROV.wasDerivedFrom)
            if isinstance(o, URIRef)}


def _temporary(nanopub: Nanopub, signed: dict[URIRef, URIRef], created: Literal,
               orcid: str | None) -> ConjunctiveGraph:
    """The nanopublication under the library's placeholder URI, inputs renamed."""
    own = str(nanopub.uri)

    def rename(node: Any) -> Any:
        if isinstance(node, URIRef):
            if node in signed:
                return signed[node]
            if node == nanopub.uri or str(node).startswith(own + "#"):
                return URIRef(_TEMP + str(node)[len(own):].lstrip("#"))
        return node

    graph = ConjunctiveGraph()
    for name, part in parts(nanopub):
        context = graph.get_context(rename(name))
        for triple in part:
            context.add(tuple(rename(term) for term in triple))  # type: ignore[arg-type]
    pubinfo = graph.get_context(URIRef(_TEMP + "pubinfo"))
    pubinfo.add((URIRef(_TEMP), DCT.created, created))
    if orcid:
        pubinfo.add((URIRef(_TEMP), DCT.creator, URIRef(orcid)))
    return graph


def _from_signed(publication: Any) -> Nanopub:
    """Our ``Nanopub`` holding the library's signed graphs."""
    uri = URIRef(publication.source_uri)
    result = Nanopub(uri)
    for target, graph in ((result.assertion, publication.assertion),
                          (result.provenance, publication.provenance),
                          (result.pubinfo, publication.pubinfo)):
        for triple in graph:
            target.add(triple)
    if not re.search(r"/RA[\w-]{43}$", str(uri)):
        raise UsageError(f"signing gave {uri}, which is not a trusty URI")
    return result
