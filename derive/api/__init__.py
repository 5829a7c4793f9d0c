"""The use cases front ends call (the command line, and the server): one module
per family, so that a command imports only what it needs (a warm ``derive
estimate`` must not pay for pySHACL or Jinja). Nothing here prints; front ends
never import the layers below this one."""
