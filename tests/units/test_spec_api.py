"""The input API of SPEC section 2, called in process: the whole object read strictly, integers as YAML 1.2
writes them, the managed service's presets and names, near misses, and every object once in the stream."""

from __future__ import annotations

import json

import pytest
import yaml

from nats_kplugin import pipeline
from nats_kplugin.codes import Code
from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.entrypoints import krm
from nats_kplugin.problems import Problem
from nats_kplugin.spec import model as spec
from nats_kplugin.spec.presets import RESOURCE_PRESETS
from nats_kplugin.spec.reading import NATS_OBJECTS

KEY = pipeline.RenderOptions(render_key=b"spec-api-test-key")


def nats(name: str = "x", spec_text: str = "{}", metadata: str = "") -> str:
    head = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n"
    return f"{head}  name: {name}\n{metadata}spec: {spec_text}\n"


def render(text: str, options: pipeline.RenderOptions = KEY) -> pipeline.RenderResult:
    documents, problems = parse_stream(text.encode(), NATS_OBJECTS, "input.yaml")
    assert problems == []
    return pipeline.render(documents, options)


def errors(result: pipeline.RenderResult) -> list[Problem]:
    return [p for p in result.problems if p.is_error]


# -- presets -----------------------------------------------------------------------------------------------


def test_the_schema_enum_is_the_preset_table() -> None:
    enum = spec.schema()["properties"]["spec"]["properties"]["resourcesPreset"]["enum"]
    assert enum == list(RESOURCE_PRESETS)
    assert (
        len(enum) == 47
        and spec.schema()["properties"]["spec"]["properties"]["resourcesPreset"]["default"] in enum
    )


@pytest.mark.parametrize(
    ("preset", "cpu", "memory"),
    [
        ("t1.nano", "250m", "128Mi"),
        ("t1.micro", "500m", "256Mi"),
        ("c1.small", "1", "1Gi"),
        ("s1.medium", "2", "4Gi"),
        ("u1.large", "4", "16Gi"),
        ("m1.xlarge", "8", "64Gi"),
        ("u1.2xlarge", "16", "64Gi"),
        ("m1.4xlarge", "32", "256Gi"),
        ("nano", "250m", "128Mi"),
        ("micro", "500m", "256Mi"),
        ("small", "1", "512Mi"),
        ("medium", "1", "1Gi"),
        ("large", "2", "2Gi"),
        ("xlarge", "4", "4Gi"),
        ("2xlarge", "8", "8Gi"),
    ],
)
def test_preset_numbers_are_the_managed_services(preset: str, cpu: str, memory: str) -> None:
    assert RESOURCE_PRESETS[preset] == (cpu, memory)


def test_every_instance_type_follows_its_memory_per_cpu() -> None:
    per_cpu = {"t1": 0.5, "c1": 1, "s1": 2, "u1": 4, "m1": 8}
    cpus = {"nano": 0.25, "micro": 0.5, "small": 1, "medium": 2, "large": 4, "xlarge": 8, "2xlarge": 16}
    cpus["4xlarge"] = 32
    for family, gib in per_cpu.items():
        for size, count in cpus.items():
            cpu, memory = RESOURCE_PRESETS[f"{family}.{size}"]
            assert float(cpu.removesuffix("m")) / (1000 if cpu.endswith("m") else 1) == count
            mib = int(memory[:-2]) * (1024 if memory.endswith("Gi") else 1)
            assert mib == count * gib * 1024, (family, size)


def test_every_preset_validates_with_requests_as_the_managed_service_derives_them() -> None:
    for preset, (cpu, memory) in RESOURCE_PRESETS.items():
        nats_spec, problems = spec.validate(yaml.safe_load(nats(spec_text=f"{{resourcesPreset: {preset}}}")))
        assert problems == [] and nats_spec is not None, preset
        assert (nats_spec.resources.cpu_limit, nats_spec.resources.memory_limit) == (cpu, memory)
    resources = spec.validate(yaml.safe_load(nats(spec_text="{resourcesPreset: m1.4xlarge}")))[0]
    assert resources is not None and resources.resources.cpu_request == "3200m"  # a tenth; memory equal


# -- names -------------------------------------------------------------------------------------------------

# The pods' controller-revision-hash label is <StatefulSet name>-<hash of 10 characters>, and a label value
# holds 63: a longer StatefulSet name leaves its pods uncreatable (kubernetes/kubernetes#64023).
REVISION_HASH = 10
LABEL_VALUE = 63


def test_the_name_limit_is_the_revision_hash_label() -> None:
    longest = "a" * 47
    assert len(f"nats-{longest}") + 1 + REVISION_HASH == LABEL_VALUE  # the binding limit
    assert len(f"nats-{longest}-headless") <= 63  # the Service name, not binding (49 would fit)
    assert spec.validate(yaml.safe_load(nats(longest)))[1] == []
    _, problems = spec.validate(yaml.safe_load(nats(longest + "a")))
    assert [(p.code, p.path) for p in problems] == [(Code.OUT_OF_RANGE, ("metadata", "name"))]
    assert "controller-revision-hash" in problems[0].message and "63" in problems[0].message  # says why


# -- the whole object, strictly ----------------------------------------------------------------------------

EXPORTED = """\
apiVersion: apps.cozystack.io/v1alpha1
kind: NATS
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"apps.cozystack.io/v1alpha1","kind":"NATS","metadata":{"name":"events"}}
  creationTimestamp: "2026-11-30T10:00:00Z"
  finalizers: [helm.toolkit.fluxcd.io]
  generation: 3
  managedFields:
  - manager: kubectl-client-side-apply
    operation: Update
  name: events
  namespace: tenant-root
  ownerReferences: []
  resourceVersion: "123456"
  selfLink: /apis/apps.cozystack.io/v1alpha1/namespaces/tenant-root/nats/events
  uid: 0d3c3b52-8c1e-4a4e-9a57-3c2d1f0e9b11
spec:
  external: false
  replicas: 2
  storageClass: ""
  tls: {}
  users: {}
  jetstream: {enabled: true, size: 10Gi}
  config: {merge: {}, resolver: {}}
  resources: {}
  resourcesPreset: t1.nano
status:
  conditions: [{type: Ready, status: "True"}]
  version: 0.1.0
"""


def test_an_object_exported_from_a_cluster_validates() -> None:
    nats_spec, problems = spec.validate(yaml.safe_load(EXPORTED))
    assert problems == [] and nats_spec is not None
    assert nats_spec.resources.cpu_limit == "250m" and nats_spec.namespace == "tenant-root"


@pytest.mark.parametrize(
    ("text", "path", "hint"),
    [
        (nats(metadata="  replicas: 3\n"), ("metadata", "replicas"), "did you mean spec.replicas?"),
        (nats() + "jetstream: {enabled: false}\n", ("jetstream",), "did you mean spec.jetstream?"),
        (nats(metadata="  generateName: x-\n"), ("metadata", "generateName"), "valid fields here"),
        (nats(metadata="  lables: {}\n"), ("metadata", "lables"), "did you mean labels?"),
        (nats() + "specs: {}\n", ("specs",), "did you mean spec?"),
    ],
)
def test_unknown_fields_at_the_top_and_in_metadata_are_errors(
    text: str, path: tuple[str, ...], hint: str
) -> None:
    _, problems = spec.validate(yaml.safe_load(text))
    assert [(p.code, p.path) for p in problems] == [(Code.UNKNOWN_FIELD, path)]
    assert hint in problems[0].message
    assert "uid" not in problems[0].message, "ignored fields are not suggested"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("3.0", Code.WRONG_TYPE),  # a float
        ("0b11", Code.AMBIGUOUS_INTEGER),
        ("0x3", Code.AMBIGUOUS_INTEGER),
        ("0o3", Code.WRONG_TYPE),  # a string in YAML 1.1
        ("1:30", Code.AMBIGUOUS_INTEGER),
        ("1_0", Code.AMBIGUOUS_INTEGER),
        ("010", Code.AMBIGUOUS_INTEGER),
        ("+03", Code.AMBIGUOUS_INTEGER),
    ],
)
def test_integers_are_yaml_1_2_integers(written: str, code: Code) -> None:
    result = render(nats(spec_text=f"{{replicas: {written}}}"))
    assert [(p.code, p.field) for p in errors(result)] == [(code, "spec.replicas")], written
    assert errors(result)[0].location.line == 5


def test_a_string_for_an_integer_gets_the_yaml_hint_only_when_it_looks_like_one() -> None:
    [plain] = errors(render(nats(spec_text="{replicas: three}")))
    assert plain.code is Code.WRONG_TYPE and plain.message == "must be an integer, not a string"


def test_yaml_1_2_integers_and_quoted_strings_are_fine() -> None:
    texts = [
        "{replicas: 3}",
        "{replicas: +3}",
        "{jetstream: {size: 1048576}}",
        "{users: {a: {password: '010'}}}",
    ]
    for spec_text in texts:
        assert not errors(render(nats(spec_text=spec_text))), spec_text


def test_integers_in_config_merge_are_read_the_same_way() -> None:
    result = render(nats(spec_text="{config: {merge: {max_payload: 1_048_576}}}"))
    found = [(p.code, p.field) for p in errors(result)]
    assert found == [(Code.AMBIGUOUS_INTEGER, "spec.config.merge.max_payload")]


def test_the_krm_function_reads_the_function_config_through_the_same_path() -> None:
    function_config = nats(spec_text="{replicas: 010}").replace("\n", "\n  ")
    head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n"
    stdin = f"{head}functionConfig:\n  {function_config}"
    resource_list, problems = krm.read_resource_list(stdin.encode())
    assert problems == [] and resource_list is not None
    output, problems = krm.run_function(resource_list, KEY)
    found = [(p.code, p.field, p.location.line) for p in problems]
    assert found == [(Code.AMBIGUOUS_INTEGER, "spec.replicas", 9)]
    assert "leading zero" in problems[0].message
    assert output["results"][0]["field"] == {"path": "spec.replicas"}
    assert output["results"][0]["tags"] == {"code": "ambiguous-integer"}


@pytest.mark.parametrize(
    "spec_text",
    [
        '{storageClass: "fast\\n"}',
        '{jetstream: {size: "1Gi\\n"}}',
        '{users: {"a\\n": {}}}',
        '{resourcesPreset: "t1.nano\\n"}',
    ],
)
def test_strings_ending_in_a_newline_are_refused(spec_text: str) -> None:
    [problem] = errors(render(nats(spec_text=spec_text)))
    assert problem.code in (Code.INVALID_FORMAT, Code.INVALID_QUANTITY, Code.UNKNOWN_PRESET), problem


def test_names_and_labels_ending_in_a_newline_are_refused() -> None:
    assert [p.field for p in errors(render(nats('"x\\n"')))] == ["metadata.name"]
    labelled = nats(metadata='  labels: {team: "a\\n"}\n')
    assert [p.field for p in errors(render(labelled))] == ["metadata.labels.team"]
    assert "ends in a newline" in errors(render(labelled))[0].message


# -- near misses -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("apps.cozystack.io/v1", "NATS"),
        ("apps.cozystack.io/v1beta1", "NATS"),
        ("apps.cozystack.io/v1alpha1", "Nats"),
        ("apps.cozystack.io/v1alpha1", "nats"),
        ("Apps.Cozystack.io/v1alpha1", "NATS"),
        ("cozystack.io/v1alpha1", "NATS"),
        (None, "NATS"),
    ],
)
def test_near_misses_pass_through_with_a_warning(api_version: str | None, kind: str) -> None:
    text = f"apiVersion: {api_version}\n" if api_version else ""
    text += f"kind: {kind}\nmetadata: {{name: x}}\nspec: {{}}\n"
    result = render(text)
    assert result.ok and len(result.documents) == 1
    [problem] = result.problems
    assert not problem.is_error and problem.code is Code.NEAR_MISS_KIND
    assert problem.location.source == "input.yaml" and problem.location.document == 0
    assert not render(text, KEY._replace(strict=True)).ok


def test_other_kinds_of_nats_pass_through_silently() -> None:
    for api_version, kind in (("nats.io/v1alpha2", "NatsCluster"), ("nats.io/v1", "NATS"), ("v1", "Service")):
        assert render(f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n").problems == []


# -- every object once -------------------------------------------------------------------------------------

SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n{namespace}spec: {{}}\n"


def test_two_nats_objects_of_one_name_are_one_error_naming_both() -> None:
    result = render(nats() + "---\n" + nats())
    [problem] = errors(result)
    assert problem.code is Code.DUPLICATE_OBJECT and result.documents == []
    assert problem.location.document == 1 and problem.location.line == 10  # its name
    assert "is defined twice: also at input.yaml:1 (document 1)" in problem.message
    assert "StatefulSet nats-x" in problem.message


def test_a_nats_object_beside_its_headless_twin_collides() -> None:
    [problem] = errors(render(nats("x", "{}") + "---\n" + nats("x-headless", "{}")))
    assert problem.code is Code.DUPLICATE_OBJECT and problem.object_ref == "NATS/x-headless"
    assert problem.message.startswith(
        "Service nats-x-headless also comes from NATS/x at input.yaml:1 (document 1)"
    )


def test_a_passed_through_service_named_like_a_rendered_one_collides() -> None:
    [problem] = errors(render(nats() + "---\n" + SERVICE.format(name="nats-x", namespace="")))
    assert problem.code is Code.DUPLICATE_OBJECT
    assert problem.object_ref == "Service/nats-x" and problem.location.document == 1
    assert "Service nats-x also comes from NATS/x at input.yaml:1 (document 1)" in problem.message


def test_namespaces_as_they_land_in_the_cluster() -> None:
    in_apps = nats(metadata="  namespace: apps\n")
    elsewhere = SERVICE.format(name="nats-x", namespace="  namespace: other\n")
    assert not errors(render(in_apps + "---\n" + elsewhere))
    bare = SERVICE.format(name="nats-x", namespace="")
    assert not errors(render(in_apps + "---\n" + bare)), (
        "without a default, the Service's namespace is unknown"
    )
    with_default = KEY._replace(default_namespace="apps")
    [problem] = errors(render(in_apps + "---\n" + bare, with_default))
    assert "in namespace apps" in problem.message
    assert errors(
        render(
            nats() + "---\n" + SERVICE.format(name="nats-x", namespace="  namespace: apps\n"), with_default
        )
    )


def test_the_same_object_in_two_versions_of_its_group_collides() -> None:
    first = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
    assert errors(render(first + "---\n" + first.replace("apps/v1", "apps/v1beta2")))
    assert not errors(render(first + "---\n" + first.replace("Deployment", "StatefulSet")))


def test_output_fed_back_holds_every_object_once() -> None:
    result = render(nats(spec_text="{replicas: 3}") + "---\n" + nats("y", "{replicas: 3}"))
    assert result.ok
    stream = "".join("---\n" + json.dumps(d) + "\n" for d in result.documents)
    assert render(stream).problems == []
