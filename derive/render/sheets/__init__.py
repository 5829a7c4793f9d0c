"""Fact sheets: one page per estimate, entity and source, and an index, in
HTML or Markdown, rendered from the knowledge base with jinja2 templates.
Context builders turn the model and the estimate reports into plain dicts;
templates only lay them out. ``site.build`` writes them."""
