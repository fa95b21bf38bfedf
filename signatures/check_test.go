package signatures

import (
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestEmbeddedPassesCheck(t *testing.T) {
	if _, problems := Check(os.DirFS(".")); len(problems) > 0 {
		t.Errorf("make signatures-check would fail:\n%s", strings.Join(problems, "\n"))
	}
}

func TestCheckFindsProblems(t *testing.T) {
	svc := func(id, name, domain, exe string) string {
		return "  - {id: " + id + ", name: " + name + ", category: chat_assistant, domains: [" + domain + "], processes: [{exe: " + exe + "}], sources: {domains: https://x.example/, processes: https://x.example/}}\n"
	}
	tree := fstest.MapFS{
		"VERSION":        {Data: []byte("1\n")},
		"vendors/a.yaml": {Data: []byte("vendor: A\nservices:\n" + svc("a", "Alpha", "alpha.example", "alpha"))},
		"vendors/b.yaml": {Data: []byte("vendor: B\nservices:\n" + svc("b", "Beta", "api.alpha.example", "alpha"))},
		"vendors/c.yaml": {Data: []byte("vendor: A\nservices:\n" + svc("c", "alpha", "gamma.example", "gamma"))},
	}
	_, problems := Check(tree)
	all := strings.Join(problems, "\n")
	for _, want := range []string{"lies inside alpha.example", "same process pattern", "share the name", "declared by vendors/a.yaml and vendors/c.yaml"} {
		if !strings.Contains(all, want) {
			t.Errorf("Check did not report %q; got:\n%s", want, all)
		}
	}
}

// TestSchemaMatchesStructs keeps schema.json (for editors and reviewers)
// in step with the fields the loader accepts.
func TestSchemaMatchesStructs(t *testing.T) {
	b, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		schema map[string]any
		typ    any
	}{
		{"vendor file", schema.Properties, vendorFile{}},
		{"service", schema.Defs["service"].Properties, Service{}},
		{"process", schema.Defs["process"].Properties, ProcessPattern{}},
		{"attributes", schema.Defs["attributes"].Properties, Attributes{}},
	} {
		want := yamlFields(reflect.TypeOf(tc.typ))
		got := slices.Sorted(maps.Keys(tc.schema))
		if !slices.Equal(got, want) {
			t.Errorf("schema.json %s properties %v, loader fields %v", tc.name, got, want)
		}
	}
}

func yamlFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	slices.Sort(out)
	return out
}
