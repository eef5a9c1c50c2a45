"""`nats-render plan`: what a change of the input does to the running clusters, said before it is merged
(SPEC section 13, docs/plan.md). It renders both sides through the pipeline and nothing in the render path
imports it; the command line (entrypoints/plan_command.py) sits on top.

sides.py       both sides rendered (pipeline.render_each), objects attributed to their NATS object
changes.py     the object-level diff of two rendered streams, with the changed field paths
immutables.py  what the API server refuses to change in place (held to a real kube-apiserver)
verdicts.py    one verdict per change with its reason (none, reload, rolling-restart, blocked, data-risk,
               access)
compare.py     the plan: each cluster's changes judged, and the CI gate
report.py      Markdown for a pull request, JSON in a stable shape
"""
