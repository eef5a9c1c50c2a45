"""The seed render beside `helm template` of the upstream NATS chart, paired on one machine:

    .venv/bin/python bench/helm.py --helm PATH/TO/helm --chart PATH/TO/helm/charts/nats   # about a minute

What the managed service's seed example asks for (bench/inputs.py: three servers, JetStream on a 20Gi
volume, two users) is rendered both ways: by nats-render as the console script runs it (run.py), and by
`helm template` with the chart's values for the same (VALUES below). The runs are interleaved, after one
unmeasured run of each, so drift on a shared machine hits both alike; the figure is the ratio of the
medians (wall time, and peak RSS through processes.py's launcher). Neither helm nor the chart is a
dependency of the project: docs/performance.md says which versions were measured and how to get them.
Results go to bench/results/helm-*.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import inputs
from processes import interleaved
from run import RENDER, RESULTS, machine

# The seed example in the chart's values: a three-server cluster with JetStream on a 20Gi file store, two
# users with passwords (the chart has no derivation), the same merged setting.
VALUES = """\
config:
  cluster:
    enabled: true
    replicas: 3
  jetstream:
    enabled: true
    fileStore:
      pvc:
        size: 20Gi
        storageClassName: replicated
  merge:
    jetstream:
      max_memory_store: 2Gi
    accounts:
      A:
        users:
          - {user: user1, password: strongpassword}
          - {user: user2, password: another}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--helm", required=True, help="the helm binary")
    parser.add_argument("--chart", required=True, help="the chart's folder (helm/charts/nats of nats-io/k8s)")
    parser.add_argument("--runs", type=int, default=21, help="interleaved runs of each")
    options = parser.parse_args()
    version = subprocess.run([options.helm, "version", "--short"], capture_output=True, text=True, check=True)
    chart = Path(options.chart).resolve()
    chart_version = next(
        line.split(":", 1)[1].strip()
        for line in (chart / "Chart.yaml").read_text().splitlines()
        if line.startswith("version:")
    )
    with tempfile.TemporaryDirectory(prefix="nats-render-helm-") as folder:
        cwd = Path(folder)
        files = inputs.write_all(cwd, {})
        values = cwd / "values.yaml"
        values.write_text(VALUES)
        helm = [options.helm, "template", "nats", str(chart), "--values", str(values)]
        subprocess.run(helm, capture_output=True, check=True)  # the chart renders, or nothing is measured
        cases = {"nats_render": ([*RENDER, str(files["seed"])], None), "helm_template": (helm, None)}
        figures = interleaved(cases, options.runs, cwd)
    ours, theirs = figures["nats_render"], figures["helm_template"]
    report = {
        "machine": machine(),
        "helm": version.stdout.strip(),
        "chart": chart_version,
        "figures": figures,
        "wall_ratio": ours["wall_ms"] / theirs["wall_ms"],
        "rss_ratio": ours["rss_mib"] / theirs["rss_mib"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"helm-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"helm {report['helm']}, chart nats {chart_version}, medians of {options.runs} interleaved runs")
    for name, figure in figures.items():
        print(f"{name:<16}{figure['wall_ms']:9.1f} ms{figure['rss_mib']:9.1f} MiB")
    print(f"{'ratio':<16}{report['wall_ratio']:9.2f} x {report['rss_ratio']:8.2f} x\n\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
