package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/diff"
	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/report/htmlreport"
)

func init() { diffHTML = writeDiffHTML }

// writeDiffHTML draws the diff as the HTML report's diff view: the
// connectivity before and after, changed cells marked. One page holds one
// pair of versions, so a diff of several environments needs --environment
// to say which one to draw.
func writeDiffHTML(w io.Writer, r *diff.Result, layer connectivity.Layer, showImplied bool) error {
	if len(r.Environments) > 1 {
		names := make([]string, len(r.Environments))
		for i, e := range r.Environments {
			names[i] = e.Name
		}
		return fmt.Errorf("--format html draws one environment, and this diff has %d (%s): choose one with --environment", len(names), strings.Join(names, ", "))
	}
	if len(r.Environments) == 0 {
		return fmt.Errorf("--format html: nothing to compare")
	}
	e := r.Environments[0]
	before, after := e.OldModel, e.NewModel
	// A version without the environment is an empty cluster on that side.
	if before == nil {
		before = model.Build(&loader.Result{}, after.Settings)
	}
	if after == nil {
		after = model.Build(&loader.Result{}, before.Settings)
	}
	page := htmlreport.DiffPage(before, after, [2]string{r.Old, r.New}, nil, htmlreport.Options{ShowImplied: showImplied})
	page.ToolVersion = toolVersion()
	page.Paths = []string{r.Old, r.New}
	page.Layer = layer
	return htmlreport.Write(w, page)
}
