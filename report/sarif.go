package report

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/internal/version"
	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/ruledoc"
)

func init() { Register("sarif", WriteSARIF) }

const (
	// InformationURI is the project's home, SARIF's tool.driver.informationUri.
	InformationURI = "https://github.com/meshlint/meshlint"
	// srcRoot is the uriBaseId of every location: the repository root, which
	// GitHub code scanning resolves to the checkout.
	srcRoot = "%SRCROOT%"
	// FingerprintKey names meshlint's own key in partialFingerprints. The
	// version lets a change of the key's recipe start afresh instead of
	// matching old alerts wrongly: v2 no longer hashes the message.
	FingerprintKey = "meshlintFingerprint/v2"
)

// SARIFLevel maps a severity to a SARIF level (SPEC.md).
func SARIFLevel(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return "error"
	case analyzer.Warning:
		return "warning"
	case analyzer.Note:
		return "note"
	}
	return "none"
}

// SecuritySeverity is the CVSS-like score GitHub code scanning ranks alerts
// by (SPEC.md). GitHub reads it as a string.
func SecuritySeverity(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return "8.0"
	case analyzer.Warning:
		return "5.5"
	}
	return "2.0"
}

// AutomationID is SARIF's runAutomationDetails.id: "<category>/". GitHub
// keeps the alerts of each category apart, so that two uploads for one
// commit (say, the production and staging overlays) do not close each
// other's alerts. The category is --sarif-category when given, else
// "meshlint/" and the linted paths.
func AutomationID(run *Run) string {
	cat := run.Category
	if cat == "" {
		paths := make([]string, 0, len(run.Paths))
		for _, p := range run.Paths {
			if p == "-" {
				p = "stdin"
			} else {
				// An absolute path or one that ends with / gives no
				// empty segment (a double slash) to the id.
				p = strings.Trim(path.Clean(filepath.ToSlash(p)), "/")
				if p == "" {
					p = "root"
				}
			}
			paths = append(paths, p)
		}
		slices.Sort(paths)
		paths = slices.Compact(paths)
		cat = "meshlint/" + strings.Join(paths, ",")
	}
	// One slash between segments and one at the end, whatever the
	// category given holds.
	segments := strings.FieldsFunc(cat, func(r rune) bool { return r == '/' })
	return strings.Join(segments, "/") + "/"
}

// WriteSARIF writes a SARIF 2.1.0 log that GitHub code scanning accepts:
// every rule that ran with its help, every finding with a region, a stable
// fingerprint, and suppressed findings marked as such rather than dropped.
func WriteSARIF(w io.Writer, run *Run) error {
	log, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	driver := sarif.NewVersionedDriver("meshlint", version.Numeric(run.ToolVersion)).WithInformationURI(InformationURI)
	if v, ok := semver(run.ToolVersion); ok {
		driver.SemanticVersion = &v
	}
	sr := sarif.NewRun(*sarif.NewTool(driver))
	// YAML columns count characters, not UTF-16 code units (SARIF's default).
	sr.WithColumnKind("unicodeCodePoints")
	sr.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID(AutomationID(run)))

	index := map[string]int{}
	addRule := func(r *analyzer.Rule) {
		if _, ok := index[r.ID]; ok {
			return
		}
		index[r.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule(run, r))
	}
	for _, r := range run.Rules {
		addRule(r)
	}

	loc := newLocator(run)
	keys := findingKeys(run.Findings)
	for i, f := range run.Findings {
		addRule(f.Rule) // a finding of a rule not listed as run still needs its descriptor
		primary := sarifLocation(loc, f.Pos)
		res := sarif.NewRuleResult(f.Rule.ID).
			WithRuleIndex(index[f.Rule.ID]).
			WithLevel(SARIFLevel(f.Severity)).
			WithMessage(sarif.NewTextMessage(sentence(f.Message))).
			WithLocations([]*sarif.Location{primary}).
			WithPartialFingerPrints(map[string]any{FingerprintKey: keys[i]})
		for j, rel := range f.Related {
			res.AddRelatedLocation(sarifLocation(loc, rel.Pos).WithId(j + 1).WithMessage(sarif.NewTextMessage(sentence(rel.Message))))
		}
		if f.Suppressed != nil {
			res.AddSuppression(sarifSuppression(f.Suppressed, keys[i], primary))
		}
		if len(f.Environments) > 0 {
			res.Properties = sarif.Properties{"environments": f.Environments}
		}
		sr.AddResult(res)
	}
	log.AddRun(sr)

	var buf bytes.Buffer
	if err := log.PrettyWrite(&buf); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return err
}

func sarifRule(run *Run, r *analyzer.Rule) *sarif.ReportingDescriptor {
	page := ruledoc.Page(r)
	desc := sarif.NewRule(r.ID).
		WithName(r.Name).
		WithShortDescription(sarif.NewMultiformatMessageString(sentence(cmp.Or(r.Summary, r.Name, r.ID)))).
		WithFullDescription(sarif.NewMultiformatMessageString(sentence(fullDescription(r)))).
		WithTextHelp(page).
		WithMarkdownHelp(page).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(SARIFLevel(r.Severity)))
	if u := helpLink(run, r); u != "" {
		desc.WithHelpURI(u)
	}
	tags := []string{"security"}
	for _, t := range r.Tags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	desc.WithProperties(sarif.Properties{
		"tags":              tags,
		"security-severity": SecuritySeverity(r.Severity),
	})
	return desc
}

// helpLink is the absolute URL of a rule's page, or "" when there is none:
// SARIF wants an absolute helpUri (a bare page name makes the log invalid),
// and a user's policy rule has no page under meshlint's docs unless it
// names one itself.
func helpLink(run *Run, r *analyzer.Rule) string {
	if r.Custom && r.HelpURI == "" {
		return ""
	}
	if u, err := url.Parse(run.HelpURI(r)); err == nil && u.IsAbs() {
		return u.String()
	}
	return ""
}

// fullDescription is the rule's description as plain paragraphs: the summary
// alone when the rule has no description.
func fullDescription(r *analyzer.Rule) string {
	if d := strings.TrimSpace(r.Description); d != "" {
		return d
	}
	return cmp.Or(r.Summary, r.Name, r.ID)
}

func sarifLocation(loc *locator, pos manifest.Position) *sarif.Location {
	s := loc.span(pos)
	region := sarif.NewRegion().
		WithStartLine(s.StartLine).
		WithStartColumn(s.StartColumn).
		WithEndLine(s.EndLine).
		WithEndColumn(s.EndColumn)
	return sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(artifactLocation(loc, pos.File)).
		WithRegion(region))
}

// artifactLocation names a file: relative to the repository root (the
// checkout code scanning resolves %SRCROOT% to); a file outside it by its
// absolute file:// URI, with no base; stdin as "stdin", which names no file
// of the checkout either.
func artifactLocation(loc *locator, file string) *sarif.ArtifactLocation {
	if file == loader.StdinName {
		return sarif.NewArtifactLocation().WithUri("stdin")
	}
	p := loc.repoPath(file)
	if filepath.IsAbs(filepath.FromSlash(p)) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive: file:///C:/...
		}
		return sarif.NewArtifactLocation().WithUri((&url.URL{Scheme: "file", Path: p}).String())
	}
	return sarif.NewArtifactLocation().WithUri(uriReference(p)).WithUriBaseId(srcRoot)
}

// uriReference escapes each segment of a slash-separated path, so that file
// names with spaces, '#' or '%' (or "<stdin>") stay valid URI references.
func uriReference(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// sarifSuppression records why a finding is silenced. go-sarif writes every
// field of a suppression (nulls included), and the schema wants objects and
// a GUID there, so all are filled: the location is the finding's own and
// the GUID is derived from the finding's key, to keep the log reproducible.
func sarifSuppression(s *analyzer.Suppression, key string, at *sarif.Location) *sarif.Suppression {
	kind := s.Kind
	if kind != "inSource" {
		kind = "external"
	}
	return sarif.NewSuppression(kind).
		WithStatus("accepted").
		WithJustifcation(cmp.Or(s.Reason, "no reason given")).
		WithGuid(stableGUID("suppression\x00" + key)).
		WithLocation(at)
}

// stableGUID formats a hash of s as a version-5-style UUID.
func stableGUID(s string) string {
	h := sha256.Sum256([]byte(s))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b)
	return fmt.Sprintf("%s-%s-%s-%s-%s", x[0:8], x[8:12], x[12:16], x[16:20], x[20:32])
}

// sentence ends s with a period: SARIF consumers show messages as
// sentences, and the SARIF validator's SARIF2001 asks for it.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// semver returns v without its leading "v" when it is a semantic version
// (such as a tag or a Go pseudo-version), for tool.driver.semanticVersion.
func semver(v string) (string, bool) {
	v = strings.TrimPrefix(v, "v")
	core, _, _ := strings.Cut(strings.SplitN(v, "+", 2)[0], "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return "", false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" || (len(p) > 1 && p[0] == '0') {
			return "", false
		}
	}
	return v, true
}
