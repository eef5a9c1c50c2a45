"""A plan as Markdown (short enough for a pull-request comment) and as JSON (a stable shape, docs/plan.md).

JSON, version 1:
    {"version": 1, "verdict": V, "gate": "pass" | "fail", "allowed": [V...],
     "clusters": [{"cluster": "NATS/ns/name" | null, "verdict": V,
                   "changes": [{"object": {"apiVersion", "kind", "namespace", "name"},
                                "action": "added" | "removed" | "changed", "fields": [path...],
                                "verdict": V, "reason": text, "also": [{"verdict": V, "reason": text}]}]}]}
V is one of the verdict words of verdicts.py. Fields are paths only: no value of any object is written,
so a password never reaches a pull-request comment.
"""

import json
from typing import Any

from .verdicts import ClusterPlan, Judged, Verdict, most_serious

JSON_VERSION = 1
MAX_FIELDS = 8  # fields listed per change in Markdown; JSON lists them all


def overall(clusters: list[ClusterPlan]) -> Verdict:
    return most_serious([c.verdict for c in clusters])


def to_json(clusters: list[ClusterPlan], gate_failed: bool, allowed: tuple[Verdict, ...]) -> str:
    document = {
        "version": JSON_VERSION,
        "verdict": overall(clusters).value,
        "gate": "fail" if gate_failed else "pass",
        "allowed": [v.value for v in allowed],
        "clusters": [
            {
                "cluster": plan.cluster,
                "verdict": plan.verdict.value,
                "changes": [_change_json(judged) for judged in plan.changes],
            }
            for plan in clusters
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _change_json(judged: Judged) -> dict[str, Any]:
    change = judged.change
    _, kind, namespace, name = change.identity
    return {
        "object": {"apiVersion": change.api_version, "kind": kind, "namespace": namespace, "name": name},
        "action": change.action,
        "fields": list(change.fields),
        "verdict": judged.verdict.value,
        "reason": judged.reason,
        "also": [{"verdict": f.verdict.value, "reason": f.reason} for f in judged.also],
    }


def to_markdown(clusters: list[ClusterPlan], gate_failed: bool, allowed: tuple[Verdict, ...]) -> str:
    verdict = overall(clusters)
    lines = [f"### nats-render plan: `{verdict.value}`", ""]
    if not any(plan.changes for plan in clusters):
        return "\n".join([*lines, "No object changes.", ""])
    if allowed:
        lines += [f"Allowed by the reviewer: {', '.join(f'`{v.value}`' for v in allowed)}.", ""]
    if gate_failed:
        lines += ["**This change is held back**: see the `blocked` and `data-risk` verdicts below.", ""]
    for plan in clusters:
        title = f"`{plan.cluster}`" if plan.cluster else "Other objects"
        lines += [f"#### {title}: `{plan.verdict.value}`", "", "| verdict | object | change | why |"]
        lines.append("|---|---|---|---|")
        for judged in plan.changes:
            lines.append(_row(judged))
            lines += [
                _row_also(judged.change.kind, finding.verdict.value, finding.reason)
                for finding in judged.also
            ]
        lines.append("")
    return "\n".join(lines)


def _row(judged: Judged) -> str:
    change = judged.change
    shown = [f"`{f}`" for f in change.fields[:MAX_FIELDS]]
    if len(change.fields) > MAX_FIELDS:
        shown.append(f"and {len(change.fields) - MAX_FIELDS} more")
    what = change.action if not shown else f"{change.action}: {', '.join(shown)}"
    verdict, reason = judged.verdict.value, _cell(judged.reason)
    return f"| `{verdict}` | {change.kind} `{change.name}` | {_cell(what)} | {reason} |"


def _row_also(kind: str, verdict: str, reason: str) -> str:
    return f"| also `{verdict}` | | | {_cell(reason)} |"


def _cell(text: str) -> str:
    """Text a Markdown table cell can hold: no pipe, no line break."""
    return text.replace("|", "\\|").replace("\n", " ")
