"""The entry points: thin process layers over the pipeline, imported by nothing below them.

cli.py            `nats-render` (arguments.py reads a well-formed command line, click_command.py the rest;
                  both hand one Arguments value to execute.py)
argocd.py         `nats-render-argocd`, the Argo CD config-management plugin (discover, generate)
kustomize.py      `nats-render-kustomize`, kustomize's exec generator plugin
krm.py            `nats-render-krm`, the KRM function (a ResourceList in, a ResourceList out)
options.py        the render options, once: flags, variables, Argo CD parameters, defaults, help
process.py        what they share as processes: the render key, the report, exit codes
"""
