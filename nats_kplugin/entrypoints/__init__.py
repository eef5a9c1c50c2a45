"""The entry points: thin process layers over the pipeline, imported by nothing below them.

cli.py               `nats-render`: reads the command line, renders, or hands over to the other two below
arguments.py         a well-formed command line, read without click (the quick path)
click_command.py     everything else of the command line: --help, --version, usage errors
execute.py           renders what one Arguments value names
plan_command.py      `nats-render plan OLD NEW`: both sides rendered, the plan of the change, its exit code
plan_base.py         `plan --base GIT_REF`: OLD read from a Git revision of NEW's path
members_command.py   `nats-render members PATH...`: a supercluster's members, each rendered alone, checked
argocd.py            `nats-render-argocd`, the Argo CD config-management plugin (discover, generate)
argocd_kustomize.py  a source folder with a kustomization, built by kustomize with nats-render inside
kustomize.py         `nats-render-kustomize`, kustomize's exec generator plugin
krm.py               `nats-render-krm`, the KRM function (a ResourceList in, a ResourceList out)
options.py           the render options, once: flags, variables, Argo CD parameters, defaults, help
process.py           what they share as processes: the render key, the report, exit codes
"""

import gc

# An entry point's imports make objects that live as long as the process, so the collector stays off while
# they load (its collections walked them again and again: 7M instructions of a seed render, 3%);
# process.run turns it back on (process.collect_less) before anything else runs.
gc.disable()
