package policy

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// The input is built straight from the YAML nodes into OPA's own values,
// once per model: no JSON round trip, no map[string]any in between, and
// every rule evaluates against the same value (rego.EvalParsedInput).

// Input returns input for meshlint-native rules, computed once per model:
//
//	{"objects": [...], "workloads": [...], "namespaces": [...],
//	 "connectivity": {...}, "settings": {...}}
//
// docs/rego.md documents every field.
//
// layers says which layers input.connectivity holds: listing them is costly
// on large clusters, so only the layers policies read are built.
func Input(m *model.Model, layers Layers) ast.Value {
	key := fmt.Sprintf("policy/input%+v", layers)
	return m.Derived(key, func() any {
		conn := ast.ObjectTerm()
		if layers.any() {
			conn = connectivityTerm(m, layers)
		}
		return ast.NewObject(
			ast.Item(ast.InternedTerm("objects"), ast.ArrayTerm(nativeObjects(m)...)),
			ast.Item(ast.InternedTerm("workloads"), workloadsTerm(m)),
			ast.Item(ast.InternedTerm("namespaces"), namespacesTerm(m)),
			ast.Item(ast.InternedTerm("connectivity"), conn),
			ast.Item(ast.InternedTerm("settings"), ast.ObjectTerm(
				ast.Item(ast.InternedTerm("defaultNamespace"), ast.StringTerm(m.Settings.DefaultNamespace)),
				ast.Item(ast.InternedTerm("trustDomain"), ast.StringTerm(m.Settings.TrustDomain)),
				ast.Item(ast.InternedTerm("rootNamespace"), ast.StringTerm(m.Settings.RootNamespace)),
				ast.Item(ast.InternedTerm("istiodNamespace"), ast.StringTerm(m.Settings.IstiodNamespace)),
			)),
		)
	}).(ast.Value)
}

// connectivityTerm returns input.connectivity: the allowed connections of
// each layer ("network", "mesh", "effective"), each a list shaped as in
// `meshlint graph --format json` ({"src", "dst", "conn", "l7"}). The terms
// are built directly, node names shared, since a large cluster's mesh layer
// lists hundreds of thousands of connections.
func connectivityTerm(m *model.Model, layers Layers) *ast.Term {
	c := &converter{strings: map[string]*ast.Term{}}
	opts := connectivity.Options{}
	ml := connectivity.Mesh(m)
	layer := func(l *connectivity.Listing) *ast.Term {
		conns := l.JSONConnections()
		items := make([]*ast.Term, len(conns))
		for i, jc := range conns {
			obj := ast.NewObjectWithCapacity(4)
			obj.Insert(c.str("src"), c.str(jc.Src))
			obj.Insert(c.str("dst"), c.str(jc.Dst))
			obj.Insert(c.str("conn"), c.str(jc.Conn))
			if len(jc.L7) > 0 {
				l7 := make([]*ast.Term, len(jc.L7))
				for k, e := range jc.L7 {
					entry := ast.NewObjectWithCapacity(5)
					entry.Insert(c.str("ports"), c.str(e.Ports))
					for _, f := range []struct {
						key    string
						values []string
					}{{"methods", e.Methods}, {"paths", e.Paths}, {"hosts", e.Hosts}, {"conditions", e.Conditions}} {
						if len(f.values) == 0 {
							continue
						}
						vs := make([]*ast.Term, len(f.values))
						for j, v := range f.values {
							vs[j] = c.str(v)
						}
						entry.Insert(c.str(f.key), ast.ArrayTerm(vs...))
					}
					l7[k] = ast.NewTerm(entry)
				}
				obj.Insert(c.str("l7"), ast.ArrayTerm(l7...))
			}
			items[i] = ast.NewTerm(obj)
		}
		return ast.ArrayTerm(items...)
	}
	obj := ast.NewObject()
	if layers.Network {
		obj.Insert(c.str("network"), layer(connectivity.Network(m).Listing(opts)))
	}
	if layers.Mesh {
		obj.Insert(c.str("mesh"), layer(ml.Listing(opts)))
	}
	if layers.Effective {
		obj.Insert(c.str("effective"), layer(ml.Effective(opts)))
	}
	return ast.NewTerm(obj)
}

// nativeObjects converts every object as native rules see it: as written,
// with metadata.namespace filled in and "_meshlint" saying where it is.
// Computed once per model, in parallel.
func nativeObjects(m *model.Model) []*ast.Term {
	return m.Derived("policy/native-objects", func() any {
		return convertAll(len(m.Objects), func(c *converter, i int) *ast.Term { return c.native(m.Objects[i]) })
	}).([]*ast.Term)
}

// Objects returns every object of m exactly as written, aligned with
// m.Objects: the input of conftest rules. Computed once per model, from the
// native values, whose terms it shares.
func Objects(m *model.Model) []*ast.Term {
	return m.Derived("policy/objects", func() any {
		native := nativeObjects(m)
		return convertAll(len(m.Objects), func(c *converter, i int) *ast.Term { return c.raw(m.Objects[i], native[i]) })
	}).([]*ast.Term)
}

// convertAll runs convert for 0..n-1 on every core.
func convertAll(n int, convert func(*converter, int) *ast.Term) []*ast.Term {
	out := make([]*ast.Term, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), 1+n/256) {
		wg.Go(func() {
			c := converter{strings: map[string]*ast.Term{}}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(out) {
					return
				}
				out[i] = convert(&c, i)
			}
		})
	}
	wg.Wait()
	return out
}

func workloadsTerm(m *model.Model) *ast.Term {
	terms := make([]*ast.Term, 0, len(m.Workloads))
	for _, w := range m.Workloads {
		identity := ast.InternedNullTerm
		if w.Identity != "" {
			identity = ast.StringTerm(w.Identity)
		}
		ports := make([]*ast.Term, 0, len(w.Ports))
		for _, p := range w.Ports {
			ports = append(ports, ast.ObjectTerm(
				ast.Item(ast.InternedTerm("name"), ast.StringTerm(p.Name)),
				ast.Item(ast.InternedTerm("port"), ast.InternedTerm(int(p.Port))),
				ast.Item(ast.InternedTerm("protocol"), ast.StringTerm(p.Protocol)),
			))
		}
		object := ast.InternedNullTerm
		switch {
		case w.Object != nil:
			object = refTerm(w.Object.Ref())
		case w.Implied:
			// No manifest stands behind it, but a rule may pass it on as
			// any workload's: results that name it are not reported.
			object = refTerm(manifest.Ref{APIVersion: "apps/v1", Kind: w.Kind, Namespace: w.Namespace, Name: w.Name})
		}
		terms = append(terms, ast.ObjectTerm(
			ast.Item(ast.InternedTerm("id"), ast.StringTerm(w.ID())),
			ast.Item(ast.InternedTerm("kind"), ast.StringTerm(w.Kind)),
			ast.Item(ast.InternedTerm("namespace"), ast.StringTerm(w.Namespace)),
			ast.Item(ast.InternedTerm("name"), ast.StringTerm(w.Name)),
			ast.Item(ast.InternedTerm("labels"), labelsTerm(w.Labels)),
			ast.Item(ast.InternedTerm("serviceAccount"), ast.StringTerm(w.ServiceAccount)),
			ast.Item(ast.InternedTerm("identity"), identity),
			ast.Item(ast.InternedTerm("mesh"), ast.StringTerm(string(w.Mesh))),
			ast.Item(ast.InternedTerm("ports"), ast.ArrayTerm(ports...)),
			ast.Item(ast.InternedTerm("implied"), ast.InternedTerm(w.Implied)),
			ast.Item(ast.InternedTerm("object"), object),
		))
	}
	return ast.ArrayTerm(terms...)
}

func namespacesTerm(m *model.Model) *ast.Term {
	terms := make([]*ast.Term, 0, len(m.Namespaces))
	for _, ns := range m.Namespaces {
		terms = append(terms, ast.ObjectTerm(
			ast.Item(ast.InternedTerm("name"), ast.StringTerm(ns.Name)),
			ast.Item(ast.InternedTerm("labels"), labelsTerm(ns.Labels)),
			ast.Item(ast.InternedTerm("implied"), ast.InternedTerm(ns.Implied)),
		))
	}
	return ast.ArrayTerm(terms...)
}

func refTerm(r manifest.Ref) *ast.Term {
	return ast.ObjectTerm(
		ast.Item(ast.InternedTerm("apiVersion"), ast.StringTerm(r.APIVersion)),
		ast.Item(ast.InternedTerm("kind"), ast.StringTerm(r.Kind)),
		ast.Item(ast.InternedTerm("namespace"), ast.StringTerm(r.Namespace)),
		ast.Item(ast.InternedTerm("name"), ast.StringTerm(r.Name)),
	)
}

func labelsTerm(ls map[string]string) *ast.Term {
	keys := make([]string, 0, len(ls))
	for k := range ls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	obj := ast.NewObjectWithCapacity(len(keys))
	for _, k := range keys {
		obj.Insert(ast.StringTerm(k), ast.StringTerm(ls[k]))
	}
	return ast.NewTerm(obj)
}

// converter turns YAML nodes into OPA terms. It reuses one term per
// string: manifests repeat the same keys and many of the same values
// (kinds, protocols, label values) thousands of times.
type converter struct {
	strings map[string]*ast.Term
}

func (c *converter) str(s string) *ast.Term {
	t, ok := c.strings[s]
	if !ok {
		t = ast.StringTerm(s)
		c.strings[s] = t
	}
	return t
}

// fillsNamespace reports whether o's metadata.namespace is the default
// namespace rather than what the manifest says.
func fillsNamespace(o *manifest.Object) bool {
	return !o.NamespaceSet && o.Namespace != ""
}

// native converts o for native rules in one pass: the namespace goes into
// the metadata object as it is built, so no object is copied.
func (c *converter) native(o *manifest.Object) *ast.Term {
	root := o.Node
	var obj ast.Object
	if root != nil && root.Kind == manifest.MappingNode && !hasMergeKey(root) {
		obj = ast.NewObjectWithCapacity(len(root.Content())/2 + 1)
		for i := 0; i+1 < len(root.Content()); i += 2 {
			k, v := root.Content()[i].Value(), c.term(root.Content()[i+1])
			if meta, ok := v.Value.(ast.Object); ok && k == "metadata" && fillsNamespace(o) {
				meta.Insert(c.str("namespace"), c.str(o.Namespace))
			}
			obj.Insert(c.str(k), v)
		}
	} else {
		// Rare shapes (a merge key at the top): convert, then copy.
		src, ok := c.term(root).Value.(ast.Object)
		if !ok {
			return ast.NewTerm(ast.NewObject())
		}
		obj = ast.NewObjectWithCapacity(src.Len() + 1)
		src.Foreach(func(k, v *ast.Term) {
			if meta, ok := v.Value.(ast.Object); ok && k.Value.Compare(ast.String("metadata")) == 0 && fillsNamespace(o) {
				filled := meta.Copy()
				filled.Insert(c.str("namespace"), c.str(o.Namespace))
				v = ast.NewTerm(filled)
			}
			obj.Insert(k, v)
		})
	}
	line, col := 0, 0
	if root != nil {
		line, col = int(root.Line), int(root.Column)
	}
	obj.Insert(c.str("_meshlint"), ast.ObjectTerm(
		ast.Item(c.str("file"), c.str(o.File)),
		ast.Item(c.str("line"), ast.InternedTerm(line)),
		ast.Item(c.str("column"), ast.InternedTerm(col)),
	))
	return ast.NewTerm(obj)
}

// raw is o exactly as written, for conftest rules: the native value without
// "_meshlint", sharing its terms; an object whose namespace native filled in
// is converted again, so that its metadata is what the file says.
func (c *converter) raw(o *manifest.Object, native *ast.Term) *ast.Term {
	if fillsNamespace(o) {
		return c.term(o.Node)
	}
	src, ok := native.Value.(ast.Object)
	if !ok {
		return native
	}
	obj := ast.NewObjectWithCapacity(src.Len())
	src.Foreach(func(k, v *ast.Term) {
		if k.Value.Compare(ast.String("_meshlint")) != 0 {
			obj.Insert(k, v)
		}
	})
	return ast.NewTerm(obj)
}

func hasMergeKey(n *manifest.Node) bool {
	for i := 0; i+1 < len(n.Content()); i += 2 {
		if k := n.Content()[i]; k.Kind == manifest.ScalarNode && k.ShortTag() == "!!merge" {
			return true
		}
	}
	return false
}

// term converts n. The loader has already refused documents whose aliases
// expand too far, and an alias shares its anchor's node.
func (c *converter) term(n *manifest.Node) *ast.Term {
	if n == nil {
		return ast.InternedNullTerm
	}
	switch n.Kind {
	case manifest.MappingNode:
		if hasMergeKey(n) {
			// Merge keys are rare in manifests: let the generic reader
			// apply YAML's precedence rules.
			return c.generic(n)
		}
		obj := ast.NewObjectWithCapacity(len(n.Content()) / 2)
		for i := 0; i+1 < len(n.Content()); i += 2 {
			obj.Insert(c.str(n.Content()[i].Value()), c.term(n.Content()[i+1]))
		}
		return ast.NewTerm(obj)
	case manifest.SequenceNode:
		items := make([]*ast.Term, len(n.Content()))
		for i, item := range n.Content() {
			items[i] = c.term(item)
		}
		return ast.ArrayTerm(items...)
	case manifest.ScalarNode:
		if n.ShortTag() == "!!str" {
			return c.str(n.Value())
		}
		return scalarTerm(n)
	}
	return ast.InternedNullTerm
}

func (c *converter) generic(n *manifest.Node) *ast.Term {
	v, err := manifest.NodeValue(n)
	if err != nil {
		return ast.InternedNullTerm
	}
	val, err := ast.InterfaceToValue(normalize(v))
	if err != nil {
		return ast.InternedNullTerm
	}
	return ast.NewTerm(val)
}

// normalize replaces the floats JSON cannot hold (NaN, ±Inf) by strings.
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	}
	return v
}

func scalarTerm(n *manifest.Node) *ast.Term {
	switch v := manifest.ScalarValue(n).(type) {
	case nil:
		return ast.InternedNullTerm
	case bool:
		return ast.InternedTerm(v)
	case int64:
		return ast.InternedTerm(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			// JSON has no NaN or infinity; keep what the user wrote.
			return ast.StringTerm(n.Value())
		}
		return ast.FloatNumberTerm(v)
	case string:
		return ast.StringTerm(v)
	}
	return ast.StringTerm(n.Value())
}
