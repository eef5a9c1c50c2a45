"""The nats-server zone: everything that knows nats-server's configuration language.

vocabulary.py nats-server's options as data (blocks, spellings, kinds); config.merge read through it
config.py     generate the renderer's configuration, merge config.merge into it, normalise, describe
checks.py     combinations nats-server refuses or accepts but cannot run in the pod
listeners.py  where the merged configuration listens, so the pod and Services can follow it
encoder.py    the one writer of nats.conf text
"""
