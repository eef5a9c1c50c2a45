"""Plugins: the installed commands as their tools run them (Argo CD, kustomize, KRM, image), their options."""
