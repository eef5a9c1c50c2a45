"""The spec zone: the managed service's API, its schema, and what a NATS object means.

model.py       validate a NATS object into a `NatsSpec` (defaults, presets, resources)
schema.py      the JSON Schema (nats.schema.json, package data), loaded once, printable for editors
fast_check.py  the schema's quick yes for valid objects; the full validator words the rest
messages.py    the schema's errors in the API's words, with a "did you mean"
presets.py     the managed service's resource presets
quantities.py  Kubernetes quantities (`jetstream.size`, `resources`)
passwords.py   given or HMAC-derived passwords
digests.py     SHA-256 and HMAC-SHA256 without hashlib's import
reading.py     how the reader reads for this step: the NATS kind and the per-object limits
names.py       every rendered object's name, and the instance labels
"""
