module natsrender.test/k8syaml

go 1.24.0

// The version that k8s.io/kubernetes v1.34.4 (the API server of tests/kube) and its kubectl build with.
require sigs.k8s.io/yaml v1.6.0

require go.yaml.in/yaml/v2 v2.4.2 // indirect
