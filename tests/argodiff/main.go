// Command argodiff judges drift with Argo CD's own diff code: github.com/argoproj/gitops-engine's pkg/diff,
// at the commit Argo CD v3.2.0 builds with. It reads pairs of a rendered object (what Git holds) and the
// live object read back from the API server, and says whether Argo CD would show the object OutOfSync.
//
// Two of Argo CD's comparisons are judged:
//
//	legacy  the default: diff.Diff with no sync options. A three-way diff against the live object's
//	        kubectl.kubernetes.io/last-applied-configuration when it has one (client-side apply), else a
//	        two-way diff; both after remarshalling through the Kubernetes scheme (quantities, empty values).
//	ssa     the ServerSideApply=true sync option: diff.Diff with structured-merge-diff, the API server's
//	        own merge, typed by the server's OpenAPI v2 document and merged as the given field manager.
//
// Usage:
//
//	argodiff -openapi openapi-v2.json -manager argocd-controller < pairs.json
//
// pairs.json is a JSON array of {"mode": "legacy"|"ssa", "config": {...}, "live": {...}}. The answer is a
// JSON array of {"modified": bool, "normalizedLive": {...}, "predictedLive": {...}} or {"error": "..."}:
// Argo CD shows OutOfSync exactly when predictedLive (live with Git's config applied, as Argo CD predicts
// it) differs from normalizedLive.
//
// Built by scripts/build-kube.sh into build/bin/argodiff.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/kube-openapi/pkg/util/proto"

	"github.com/argoproj/gitops-engine/pkg/diff"
)

type pair struct {
	Mode   string         `json:"mode"`
	Config map[string]any `json:"config"`
	Live   map[string]any `json:"live"`
}

type verdict struct {
	Modified       bool            `json:"modified"`
	NormalizedLive json.RawMessage `json:"normalizedLive,omitempty"`
	PredictedLive  json.RawMessage `json:"predictedLive,omitempty"`
	Error          string          `json:"error,omitempty"`
}

func gvkParser(path string) (*managedfields.GvkParser, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	document, err := openapi_v2.ParseDocument(data)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	models, err := proto.NewOpenAPIData(document)
	if err != nil {
		return nil, fmt.Errorf("reading models of %s: %w", path, err)
	}
	return managedfields.NewGVKParser(models, false)
}

func judge(p pair, parser *managedfields.GvkParser, manager string) verdict {
	config := &unstructured.Unstructured{Object: p.Config}
	live := &unstructured.Unstructured{Object: p.Live}
	options := []diff.Option{diff.WithNormalizer(diff.GetNoopNormalizer()), diff.IgnoreAggregatedRoles(false)}
	switch p.Mode {
	case "legacy":
	case "ssa":
		if parser == nil {
			return verdict{Error: "mode ssa needs -openapi"}
		}
		options = append(options, diff.WithStructuredMergeDiff(true), diff.WithGVKParser(parser),
			diff.WithManager(manager))
	default:
		return verdict{Error: fmt.Sprintf("unknown mode %q", p.Mode)}
	}
	result, err := diff.Diff(config, live, options...)
	if err != nil {
		return verdict{Error: err.Error()}
	}
	return verdict{Modified: result.Modified, NormalizedLive: result.NormalizedLive,
		PredictedLive: result.PredictedLive}
}

func main() {
	openapiPath := flag.String("openapi", "", "the API server's /openapi/v2 document (JSON), for mode ssa")
	manager := flag.String("manager", "argocd-controller", "the field manager of the server-side apply")
	flag.Parse()
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "argodiff:", err)
		os.Exit(2)
	}
	var pairs []pair
	if err := json.Unmarshal(input, &pairs); err != nil {
		fmt.Fprintln(os.Stderr, "argodiff: want a JSON array of pairs:", err)
		os.Exit(2)
	}
	var parser *managedfields.GvkParser
	if *openapiPath != "" {
		if parser, err = gvkParser(*openapiPath); err != nil {
			fmt.Fprintln(os.Stderr, "argodiff:", err)
			os.Exit(2)
		}
	}
	verdicts := make([]verdict, len(pairs))
	for i, p := range pairs {
		verdicts[i] = judge(p, parser, *manager)
	}
	if err := json.NewEncoder(os.Stdout).Encode(verdicts); err != nil {
		fmt.Fprintln(os.Stderr, "argodiff:", err)
		os.Exit(2)
	}
}
