"""The entry points: thin process layers over the pipeline, imported by nothing below them.

    cli.py            `nats-render` (arguments.py reads a well-formed command line, click_command.py the rest)
    argocd.py         `nats-render-argocd`, the Argo CD config-management plugin (discover, generate)
    kustomize.py      `nats-render-kustomize`, kustomize's exec generator plugin
    krm.py            `nats-render-krm`, the KRM function (a ResourceList in, a ResourceList out)
    invocation.py     what they share as processes: the render key, the report, exit codes
"""
