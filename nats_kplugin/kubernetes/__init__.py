"""The Kubernetes zone: the objects one NATS object becomes.

objects.py         Secrets, Services, StatefulSet, PodDisruptionBudget; images; labels
certificates.py    cert-manager's Issuers and Certificate for TLS
metrics.py         the exporter sidecar and the PodMonitor
network_policy.py  the opt-in NetworkPolicy: which listener admits whom
sync.py            what Argo CD needs: the NATS object's sync annotations, waves, dry-run options
"""
