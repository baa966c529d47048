// Package kstatus checks, with the library Flux and `kubectl wait`-style tools use
// (sigs.k8s.io/cli-utils/pkg/kstatus), that every Store state the operator writes reads as the
// status a person expects. The Store objects are the Argo CD health cases' testdata, so the Lua
// health check, the Python summary (storefleet_operator.models.summarize) and kstatus are checked
// against the same objects.
package kstatus

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

const testdata = "../argocd/resource_customizations/storefleet.io/Store/testdata"

// What kstatus must conclude for each Store state (file name without .yaml).
var expected = map[string]status.Status{
	"ready":           status.CurrentStatus,
	"provisioning":    status.InProgressStatus,
	"failed-retrying": status.InProgressStatus, // a failure that will be retried is still Reconciling
	"stalled":         status.FailedStatus,
	"deleting":        status.TerminatingStatus,
	"spec-changed":    status.InProgressStatus, // generation ahead of observedGeneration
	// No status yet (the operator has not seen it): cli-utils has no observedGeneration or
	// condition to go by and calls any such object Current. Argo CD's health.lua says Progressing.
	"new": status.CurrentStatus,
	// spec.suspend: kstatus has no Suspended; a suspended Ready store keeps reading Current.
	"suspended": status.CurrentStatus,
}

func load(t *testing.T, path string) *unstructured.Unstructured {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Through JSON as the apiserver serves it: numbers become int64, as kstatus expects.
	asJSON, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(asJSON); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj
}

func TestEveryStoreStateHasTheExpectedKstatus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := []string{}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		seen = append(seen, name)
		t.Run(name, func(t *testing.T) {
			want, ok := expected[name]
			if !ok {
				t.Fatalf("%s has no expected kstatus: add it to the table", path)
			}
			result, err := status.Compute(load(t, path))
			if err != nil {
				t.Fatalf("kstatus could not compute %s: %v", path, err)
			}
			if result.Status != want {
				t.Errorf("kstatus says %s (%q), want %s", result.Status, result.Message, want)
			}
		})
	}
	sort.Strings(seen)
	for name := range expected {
		if i := sort.SearchStrings(seen, name); i == len(seen) || seen[i] != name {
			t.Errorf("no testdata/%s.yaml for an expected state", name)
		}
	}
}
