package diff

import (
	"encoding/json"
	"io"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
)

// The JSON document of `meshlint diff --format json`: every layer of every
// environment.
type jsonDiff struct {
	Version      int       `json:"version"`
	Tool         jsonTool  `json:"tool"`
	Old          string    `json:"old"`
	New          string    `json:"new"`
	Environments []jsonEnv `json:"environments"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonEnv struct {
	Name string `json:"name"`
	// Only is "old" or "new" for an environment one version lacks.
	Only      string                            `json:"only,omitempty"`
	Workloads jsonWorkloads                     `json:"workloads"`
	Layers    map[connectivity.Layer]*jsonLayer `json:"layers"`
}

type jsonWorkloads struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

type jsonLayer struct {
	Counts  Counts       `json:"counts"`
	Changes []jsonChange `json:"changes"`
}

type jsonChange struct {
	Type              connectivity.ChangeType `json:"type"`
	Effect            string                  `json:"effect"`
	Src               string                  `json:"src"`
	Dst               string                  `json:"dst"`
	Old               jsonConn                `json:"old"`
	New               jsonConn                `json:"new"`
	WorkloadsDiffInfo string                  `json:"workloadsDiffInfo,omitempty"`
	Causes            []jsonCause             `json:"causes"`
}

// jsonConn is one side's connection: conn and l7 as in graph JSON, text as
// the txt lines print it.
type jsonConn struct {
	Conn string                `json:"conn"`
	L7   []connectivity.JSONL7 `json:"l7,omitempty"`
	Text string                `json:"text"`
}

type jsonCause struct {
	Object   manifest.Ref       `json:"object"`
	Path     string             `json:"path,omitempty"`
	Location jsonLocation       `json:"location"`
	Version  string             `json:"version"`
	Effect   string             `json:"effect"`
	Detail   string             `json:"detail,omitempty"`
	Layer    connectivity.Layer `json:"layer,omitempty"`
}

type jsonLocation struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func conn(v *connectivity.Verdict) jsonConn {
	if v == nil {
		return jsonConn{Conn: "No Connections", Text: "No Connections"}
	}
	l := &connectivity.Listing{Connections: []connectivity.Connection{{
		Src: &connectivity.Node{}, Dst: &connectivity.Node{}, Ports: v.Ports, L7: v.L7}}}
	jc := l.JSONConnections()[0]
	return jsonConn{Conn: jc.Conn, L7: jc.L7, Text: connectivity.ConnText(v)}
}

// WriteJSON prints the whole diff as JSON.
func WriteJSON(w io.Writer, r *Result, toolVersion string) error {
	out := jsonDiff{Version: 1, Tool: jsonTool{Name: "meshlint", Version: toolVersion}, Old: r.Old, New: r.New, Environments: []jsonEnv{}}
	for _, e := range r.Environments {
		je := jsonEnv{Name: e.Name, Only: e.Only, Layers: map[connectivity.Layer]*jsonLayer{},
			Workloads: jsonWorkloads{Added: nonNil(e.WorkloadsAdded), Removed: nonNil(e.WorkloadsRemoved)}}
		for _, ld := range e.Layers {
			jl := &jsonLayer{Counts: ld.Counts, Changes: []jsonChange{}}
			for _, c := range ld.Changes {
				jc := jsonChange{Type: c.Type, Effect: c.Effect, Src: c.Src, Dst: c.Dst, Old: conn(c.Old), New: conn(c.New),
					WorkloadsDiffInfo: c.WorkloadsDiffInfo, Causes: []jsonCause{}}
				for _, cause := range c.Causes {
					jc.Causes = append(jc.Causes, jsonCause{Object: cause.Object, Path: cause.Path,
						Location: jsonLocation{cause.Location.File, cause.Location.Line, cause.Location.Column},
						Version:  cause.Version, Effect: cause.Effect, Detail: cause.Detail, Layer: cause.Layer})
				}
				jl.Changes = append(jl.Changes, jc)
			}
			je.Layers[ld.Layer] = jl
		}
		out.Environments = append(out.Environments, je)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
