// Command k8syaml reads YAML streams the way kubectl and Argo CD do and prints what they see, as JSON.
//
// Both split a stream into documents with k8s.io/apimachinery/pkg/util/yaml's YAMLReader (Argo CD through
// gitops-engine's kube.SplitYAML and NewYAMLOrJSONDecoder) and decode each document with
// sigs.k8s.io/yaml, whose YAMLToJSON reads YAML 1.1 with yaml.v2 (go.yaml.in/yaml/v2, the fork it ships
// with since v1.5). The splitting is written out below, with the YAMLReader's rules (this program was first
// built from Debian's packages, which lack apimachinery, and keeps the behaviour its tests hold it to):
// a document ends at a line that begins with "---"; after the "---" only spaces and a comment may follow,
// anything else ("--- {}", "--- &id001") is an error that ends the stream. Splitting with yaml.v2's own
// decoder instead would accept streams that kubectl refuses, which is exactly what this program must find.
//
// Usage:
//
//	k8syaml < stream.yaml          one line per document: {"json": ...} or {"error": "..."}
//	k8syaml -batch < streams.json  a JSON array of streams in, a JSON array of such lists out
//
// A Go module (go.mod pins sigs.k8s.io/yaml at the version k8s.io/kubernetes 1.34 builds kubectl with),
// built by scripts/build-kube.sh into build/bin/k8syaml.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// result is what one document reads as: its JSON, or the error kubectl would report.
type result struct {
	JSON  json.RawMessage `json:"json,omitempty"`
	Error string          `json:"error,omitempty"`
}

const separator = "---"

// splitDocuments follows apimachinery's YAMLReader.Read: lines are gathered until a separator line;
// empty documents (nothing between two separators) are not returned.
func splitDocuments(stream []byte) ([][]byte, error) {
	reader := bufio.NewReader(bytes.NewReader(stream))
	var documents [][]byte
	var buffer bytes.Buffer
	for {
		line, err := reader.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return documents, err
		}
		if err == io.EOF && len(line) > 0 {
			line = append(line, '\n') // LineReader ends every line, the last one too
		}
		if bytes.HasPrefix(line, []byte(separator)) {
			rest := strings.TrimSpace(string(line[len(separator):]))
			if len(rest) > 0 && rest[0] != '#' {
				return documents, fmt.Errorf("invalid Yaml document separator: %s", rest)
			}
			if buffer.Len() != 0 {
				documents = append(documents, append([]byte(nil), buffer.Bytes()...))
				buffer.Reset()
			}
		} else {
			buffer.Write(line)
		}
		if err == io.EOF {
			if buffer.Len() != 0 {
				documents = append(documents, append([]byte(nil), buffer.Bytes()...))
			}
			return documents, nil
		}
	}
}

func read(stream []byte) []result {
	documents, splitErr := splitDocuments(stream)
	results := make([]result, 0, len(documents)+1)
	for _, document := range documents {
		converted, err := yaml.YAMLToJSON(document)
		if err != nil {
			results = append(results, result{Error: err.Error()})
		} else {
			results = append(results, result{JSON: converted})
		}
	}
	if splitErr != nil {
		results = append(results, result{Error: splitErr.Error()})
	}
	return results
}

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8syaml:", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	encoder := json.NewEncoder(out)
	if len(os.Args) > 1 && os.Args[1] == "-batch" {
		var streams []string
		if err := json.Unmarshal(input, &streams); err != nil {
			fmt.Fprintln(os.Stderr, "k8syaml: -batch wants a JSON array of strings:", err)
			os.Exit(2)
		}
		all := make([][]result, len(streams))
		for i, stream := range streams {
			all[i] = read([]byte(stream))
		}
		if err := encoder.Encode(all); err != nil {
			fmt.Fprintln(os.Stderr, "k8syaml:", err)
			os.Exit(2)
		}
		return
	}
	for _, r := range read(input) {
		if err := encoder.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "k8syaml:", err)
			os.Exit(2)
		}
	}
}
