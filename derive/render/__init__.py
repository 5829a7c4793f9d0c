"""Presentation: estimates and their trails as text, Markdown and JSON, audit
findings, listings, and the fact sheets. Renderers take computed values and
return text; they compute nothing themselves."""
