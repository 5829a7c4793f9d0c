"""Talking to other triple stores over HTTP: writing graphs through the SPARQL
1.1 Graph Store HTTP Protocol (``publish``) and running queries at any SPARQL
1.1 endpoint (``endpoint``), with authentication by header or netrc
(``http``). Every failure is a RemoteError naming the URL and the HTTP status."""
