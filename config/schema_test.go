package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"
)

const schemaPath = "../docs/config.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	abs, err := filepath.Abs(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(abs)
	if err != nil {
		t.Fatalf("%s does not compile: %v", schemaPath, err)
	}
	return sch
}

// validate checks YAML text against the schema, as an editor would.
func validate(sch *jsonschema.Schema, data []byte) error {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return err
	}
	// Through JSON, so that the instance holds only JSON's types.
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// readmeExample is the config file the README shows.
func readmeExample(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(# \\.meshlint\\.yaml\n.*?)```").FindSubmatch(data)
	if m == nil {
		t.Fatal("README.md shows no ```yaml block starting with `# .meshlint.yaml`")
	}
	return m[1]
}

// Every example (and the README's) is valid for both the schema and Load.
func TestExamplesAgainstSchema(t *testing.T) {
	sch := compileSchema(t)
	examples := map[string][]byte{"README.md": readmeExample(t)}
	files, err := filepath.Glob("testdata/examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples in testdata/examples: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		examples[f] = data
	}
	for name, data := range examples {
		t.Run(name, func(t *testing.T) {
			if err := validate(sch, data); err != nil {
				t.Errorf("schema rejects %s: %v", name, err)
			}
			if _, err := Parse("/repo/.meshlint.yaml", name, data); err != nil {
				t.Errorf("Load rejects %s: %v", name, err)
			}
		})
	}
}

// What Load rejects, the schema rejects too, so an editor flags it first.
func TestSchemaRejectsWhatLoadRejects(t *testing.T) {
	sch := compileSchema(t)
	for _, data := range []string{
		"failOn: error\n",
		"fail-on: warn\n",
		"enable: MSH101\n",
		"disable: [\"\"]\n",
		"severity: {MSH101: none}\n",
		"severity: {MSH101: [error]}\n",
		"root-namespace: Istio_System\n",
		"namespace: " + strings.Repeat("a", 64) + "\n",
		"trust-domain: a/b\n",
		"cluster-services: {coredns: false}\n",
		"cluster-services: {istiod: maybe}\n",
		"cluster-services: true\n",
		"policies: [\"  \"]\n",
		"environments: {prod: [deploy/prod]}\n",
		"policy-timeout: soon\n",
		"policy-namespace: [\"\"]\n",
		"environments: [{name: prod}]\n",
		"environments: [{name: prod, paths: []}]\n",
		"environments: [{paths: [deploy/prod]}]\n",
		"environments: [{name: prod, paths: [deploy/prod], path: x}]\n",
		"helm: [charts/shop]\n",
		"helm: {charts/shop: values.yaml}\n",
		"helm: {charts/shop: []}\n",
		"helm: {charts/shop: [{name: prod}]}\n",
		"helm: {charts/shop: [{values: [a.yaml], sets: [x=1]}]}\n",
		"helm: {charts/shop: [{set: [replicas]}]}\n",
		"helm: {charts/shop: [\"\"]}\n",
		"- MSH101\n",
		"diff: {fail-on: warning}\n",
		"diff: {failOn: added}\n",
		"diff: added\n",
	} {
		if _, err := Parse("/repo/.meshlint.yaml", ".meshlint.yaml", []byte(data)); err == nil {
			t.Errorf("Load accepts %q", data)
		}
		if err := validate(sch, []byte(data)); err == nil {
			t.Errorf("schema accepts %q", data)
		}
	}
}

// The schema and the Config struct name the same keys, at every level.
func TestSchemaMatchesStruct(t *testing.T) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	compare(t, "", schema, reflect.TypeOf(Config{}))
}

func compare(t *testing.T, where string, schema map[string]any, typ reflect.Type) {
	t.Helper()
	if schema["additionalProperties"] != false {
		t.Errorf("schema%s: additionalProperties is not false, so unknown keys pass the schema but not Load", where)
	}
	props, _ := schema["properties"].(map[string]any)
	var inSchema []string
	for k := range props {
		inSchema = append(inSchema, k)
	}
	sort.Strings(inSchema)
	inStruct := keys(typ)
	sort.Strings(inStruct)
	if !reflect.DeepEqual(inSchema, inStruct) {
		t.Errorf("keys%s differ:\n schema: %v\n struct: %v", where, inSchema, inStruct)
	}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		key := yamlKey(f)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		sub, _ := props[key].(map[string]any)
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && sub != nil {
			// A list of objects: its items are described under "items".
			sub, _ = sub["items"].(map[string]any)
			ft = ft.Elem()
		}
		if key == "" || sub == nil || ft.Kind() != reflect.Struct {
			continue
		}
		compare(t, where+"."+key, sub, ft)
	}
}
