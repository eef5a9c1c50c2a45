# The Argo CD sidecar image of nats-render (README, "Argo CD"). argocd-repo-server starts it with
# /var/run/argocd/argocd-cmp-server as its command (deploy/argocd-repo-server-patch.yaml), which reads
# plugin.yaml from /home/argocd/cmp-server/config/ and runs nats-render-argocd from PATH.
FROM python:3.12.8-slim-bookworm

# Every path the RUN steps use is an ENV value, so tests/plugins/test_deploy.py can run those steps as plain
# commands in a fresh venv elsewhere and check they give a working nats-render.
ENV APP_SRC=/src \
    VIRTUAL_ENV=/opt/nats-render \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
ENV PATH=$VIRTUAL_ENV/bin:$PATH

COPY pyproject.toml README.md $APP_SRC/
COPY nats_kplugin $APP_SRC/nats_kplugin
RUN python -m venv "$VIRTUAL_ENV" && "$VIRTUAL_ENV/bin/pip" install --quiet "$APP_SRC[argocd]" && rm -rf "$APP_SRC"

COPY plugin.yaml /home/argocd/cmp-server/config/plugin.yaml

# Argo CD runs plugin sidecars as user 999 (its argocd user); no passwd entry is needed for that.
ENV HOME=/home/argocd
WORKDIR /home/argocd
USER 999:999
