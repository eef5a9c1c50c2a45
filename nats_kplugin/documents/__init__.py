"""The documents zone: YAML streams in and out, read strictly and written as kubectl reads them.

sources.py   the files and folders to read: walked in sorted order, confined, within the limits
reader.py    YAML streams into `Document` values, under the spec step's ReadingPolicy
positions.py where a document's values were written (lines, integers' text), kept without its nodes
loader.py    one stream loaded strictly and within the limits: duplicate keys, alias bombs, kubectl's types
yaml_v2.py   what kubectl and Argo CD make of a scalar (sigs.k8s.io/yaml), for reading and writing
writer.py    the one YAML stream of the output
spool.py     the output held until the input is known to be valid: in memory, or a temporary file
"""
