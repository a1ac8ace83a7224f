package model

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"
	typev1beta1 "istio.io/api/type/v1beta1"

	"github.com/meshlint/meshlint/manifest"
)

// The checks istiod's validating webhook makes, in its words where they
// help (pkg/config/validation/validation.go ValidateAuthorizationPolicy,
// ValidatePeerAuthentication; pkg/config/security/security.go). Decoding
// follows Istio's too: `from: []` decodes as no from at all (jsonpb leaves
// an empty list nil), so the webhook's "`from` must not be empty" never
// fires through the API server, and such a rule matches any source.

// validateAuthz reports every validation error of ap and whether it has none.
func (m *Model) validateAuthz(ap *AuthorizationPolicy) bool {
	before := len(m.SpecErrors)
	o, spec := ap.Object, ap.Spec
	m.checkDryRun(o, spec.GetAction().String())
	m.validateAttachment(o, spec.GetSelector(), spec.GetTargetRef(), spec.GetTargetRefs())
	action := spec.GetAction()
	switch {
	case action == securityv1beta1.AuthorizationPolicy_CUSTOM && spec.GetRules() == nil:
		m.addSpecError(o, "spec.action", "CUSTOM action without rules is meaningless as it will never be triggered: add an empty rule {} to trigger it for every request")
	case action == securityv1beta1.AuthorizationPolicy_CUSTOM && spec.GetProvider() == nil:
		m.addSpecError(o, "spec.action", "a CUSTOM policy needs spec.provider (provider.name must not be empty)")
	case action == securityv1beta1.AuthorizationPolicy_CUSTOM && spec.GetProvider().GetName() == "":
		m.addSpecError(o, "spec.provider", "provider.name must not be empty")
	case action == securityv1beta1.AuthorizationPolicy_DENY && spec.GetRules() == nil:
		m.addSpecError(o, "spec.action", "DENY action without rules is meaningless as it will never be triggered: add an empty rule {} to trigger it for every request")
	}
	if action != securityv1beta1.AuthorizationPolicy_CUSTOM && spec.GetProvider() != nil {
		m.addSpecError(o, "spec.provider", "provider is only allowed with action CUSTOM, not %s", action)
	}
	for i, r := range spec.GetRules() {
		m.validateRule(o, manifest.JoinIndex("spec.rules", i), r, action == securityv1beta1.AuthorizationPolicy_CUSTOM)
	}
	return len(m.SpecErrors) == before
}

// validateAttachment checks selector and targetRef(s): one of them at most,
// a selector without empty keys or wildcards, targetRefs to the kinds
// Istio attaches to, in the policy's own namespace.
func (m *Model) validateAttachment(o *manifest.Object, sel *typev1beta1.WorkloadSelector, ref *typev1beta1.PolicyTargetReference, refs []*typev1beta1.PolicyTargetReference) {
	set := 0
	for _, b := range []bool{sel != nil, ref != nil, len(refs) > 0} {
		if b {
			set++
		}
	}
	if set > 1 {
		path := "spec.targetRefs"
		if ref != nil {
			path = "spec.targetRef"
		}
		m.addSpecError(o, path, "only one of selector, targetRef or targetRefs can be set")
	}
	for k, v := range sel.GetMatchLabels() {
		path := manifest.JoinKey("spec.selector.matchLabels", k)
		switch {
		case k == "":
			m.addSpecError(o, "spec.selector.matchLabels", "empty key is not supported in selector")
		case strings.Contains(k, "*") || strings.Contains(v, "*"):
			m.addSpecError(o, path, "wildcard is not supported in selector: %q", k+"="+v)
		}
	}
	check := func(path string, r *typev1beta1.PolicyTargetReference) {
		if r.GetName() == "" {
			m.addSpecError(o, path, "targetRef name must be set")
		}
		if r.GetNamespace() != "" {
			m.addSpecError(o, path+".namespace", "targetRef namespace must not be set: cross namespace referencing is not supported")
		}
		group := r.GetGroup()
		if group == "" {
			group = "core"
		}
		switch group + "/" + r.GetKind() {
		case "core/Service", "networking.istio.io/ServiceEntry", "gateway.networking.k8s.io/Gateway", "gateway.networking.k8s.io/GatewayClass":
		default:
			m.addSpecError(o, path+".kind", "targetRef must be to a Service, ServiceEntry, Gateway or GatewayClass, not %s/%s", r.GetGroup(), r.GetKind())
		}
	}
	if ref != nil {
		check("spec.targetRef", ref)
	}
	for i, r := range refs {
		check(manifest.JoinIndex("spec.targetRefs", i), r)
	}
}

func (m *Model) validateRule(o *manifest.Object, path string, r *securityv1beta1.Rule, custom bool) {
	for j, f := range r.GetFrom() {
		fpath := manifest.JoinIndex(path+".from", j)
		s := f.GetSource()
		if s == nil {
			m.addSpecError(o, fpath, "from.source must not be nil")
			continue
		}
		m.validateSource(o, fpath+".source", s, custom)
	}
	for j, t := range r.GetTo() {
		tpath := manifest.JoinIndex(path+".to", j)
		op := t.GetOperation()
		if op == nil {
			m.addSpecError(o, tpath, "to.operation must not be nil")
			continue
		}
		m.validateOperation(o, tpath+".operation", op)
	}
	for j, c := range r.GetWhen() {
		wpath := manifest.JoinIndex(path+".when", j)
		key := c.GetKey()
		switch {
		case key == "":
			m.addSpecError(o, wpath, "when needs a key")
			continue
		case len(c.GetValues()) == 0 && len(c.GetNotValues()) == 0:
			m.addSpecError(o, wpath, "at least one of values or notValues must be set for key %s", key)
			continue
		}
		if err := validateAttribute(key, nil); err != nil {
			m.addSpecError(o, wpath+".key", "%v", err)
			continue
		}
		if err := validateAttribute(key, c.GetValues()); err != nil {
			m.addSpecError(o, wpath+".values", "invalid value for key %s: %v", key, err)
		}
		if err := validateAttribute(key, c.GetNotValues()); err != nil {
			m.addSpecError(o, wpath+".notValues", "invalid notValue for key %s: %v", key, err)
		}
		if custom && (strings.HasPrefix(key, "request.auth.") || key == "source.namespace" || key == "source.serviceAccount" || key == "source.trustDomain" || key == "source.principal") {
			m.addSpecError(o, wpath+".key", "%s is currently not supported with CUSTOM action", key)
		}
	}
}

type valueList struct {
	name   string
	values []string
	check  func([]string) error
}

func (m *Model) validateSource(o *manifest.Object, path string, s *securityv1beta1.Source, custom bool) {
	lists := []valueList{
		{"principals", s.GetPrincipals(), checkEmptyValues},
		{"notPrincipals", s.GetNotPrincipals(), checkEmptyValues},
		{"requestPrincipals", s.GetRequestPrincipals(), checkEmptyValues},
		{"notRequestPrincipals", s.GetNotRequestPrincipals(), checkEmptyValues},
		{"namespaces", s.GetNamespaces(), checkEmptyValues},
		{"notNamespaces", s.GetNotNamespaces(), checkEmptyValues},
		{"serviceAccounts", s.GetServiceAccounts(), checkServiceAccounts},
		{"notServiceAccounts", s.GetNotServiceAccounts(), checkServiceAccounts},
		{"trustDomains", s.GetTrustDomains(), checkTrustDomains},
		{"notTrustDomains", s.GetNotTrustDomains(), checkTrustDomains},
		{"ipBlocks", s.GetIpBlocks(), checkIPs},
		{"notIpBlocks", s.GetNotIpBlocks(), checkIPs},
		{"remoteIpBlocks", s.GetRemoteIpBlocks(), checkIPs},
		{"notRemoteIpBlocks", s.GetNotRemoteIpBlocks(), checkIPs},
	}
	total := 0
	for _, l := range lists {
		total += len(l.values)
		if err := l.check(l.values); err != nil {
			m.addSpecError(o, path+"."+l.name, "%s: %v", l.name, err)
		}
		if custom && len(l.values) > 0 && !strings.Contains(strings.ToLower(l.name), "ipblocks") {
			m.addSpecError(o, path+"."+l.name, "from.%s is currently not supported with CUSTOM action", l.name)
		}
	}
	if total == 0 {
		m.addSpecError(o, path, "from.source must not be empty: name at least one field with values")
	}
	if len(s.GetPrincipals())+len(s.GetNotPrincipals())+len(s.GetNamespaces())+len(s.GetNotNamespaces()) > 0 &&
		len(s.GetServiceAccounts())+len(s.GetNotServiceAccounts()) > 0 {
		m.addSpecError(o, path+".serviceAccounts", "cannot set serviceAccounts with namespaces or principals")
	}
}

func (m *Model) validateOperation(o *manifest.Object, path string, op *securityv1beta1.Operation) {
	lists := []valueList{
		{"ports", op.GetPorts(), checkPorts},
		{"notPorts", op.GetNotPorts(), checkPorts},
		{"methods", op.GetMethods(), checkEmptyValues},
		{"notMethods", op.GetNotMethods(), checkEmptyValues},
		{"paths", op.GetPaths(), checkPaths},
		{"notPaths", op.GetNotPaths(), checkPaths},
		{"hosts", op.GetHosts(), checkEmptyValues},
		{"notHosts", op.GetNotHosts(), checkEmptyValues},
	}
	total := 0
	for _, l := range lists {
		total += len(l.values)
		if err := l.check(l.values); err != nil {
			m.addSpecError(o, path+"."+l.name, "%s: %v", l.name, err)
		}
	}
	if total == 0 {
		m.addSpecError(o, path, "to.operation must not be empty: name at least one field with values")
	}
}

func checkEmptyValues(values []string) error {
	for _, v := range values {
		if v == "" {
			return fmt.Errorf("empty value not allowed")
		}
	}
	return nil
}

func checkPorts(values []string) error {
	for _, v := range values {
		if p, err := strconv.ParseUint(v, 10, 32); err != nil || p > 65535 {
			return fmt.Errorf("bad port %q: ports are numbers from 0 to 65535", v)
		}
	}
	return nil
}

func checkIPs(values []string) error {
	for _, v := range values {
		if strings.Contains(v, "/") {
			if _, err := netip.ParsePrefix(v); err != nil {
				return fmt.Errorf("bad CIDR range %q", v)
			}
		} else if _, err := netip.ParseAddr(v); err != nil {
			return fmt.Errorf("bad IP address %q", v)
		}
	}
	return nil
}

func checkWildcards(values []string) error {
	if err := checkEmptyValues(values); err != nil {
		return err
	}
	for _, v := range values {
		n := strings.Count(v, "*")
		if n > 1 {
			return fmt.Errorf("at most one wildcard is allowed, found %q", v)
		}
		if n == 1 && v != "*" && !strings.HasPrefix(v, "*") && !strings.HasSuffix(v, "*") {
			return fmt.Errorf("wildcard is only allowed at the start or end, found %q", v)
		}
	}
	return nil
}

func checkTrustDomains(values []string) error {
	if err := checkWildcards(values); err != nil {
		return err
	}
	for _, v := range values {
		if strings.Contains(v, "/") {
			return fmt.Errorf("trust domain must not contain '/', found %q", v)
		}
	}
	return nil
}

func checkServiceAccounts(values []string) error {
	if len(values) > 16 {
		return fmt.Errorf("may not have more than 16 values")
	}
	for _, v := range values {
		switch ns, sa, ok := strings.Cut(v, "/"); {
		case v == "":
			return fmt.Errorf("empty value not allowed")
		case strings.Contains(v, "*"):
			return fmt.Errorf("wildcard not allowed, found %q", v)
		case strings.Count(v, "/") > 1, ok && (ns == "" || sa == ""):
			return fmt.Errorf("expected 'serviceAccount' or 'namespace/serviceAccount', found %q", v)
		case len(v) > 320:
			return fmt.Errorf("value cannot exceed 320 characters, found %q", v)
		}
	}
	return nil
}

// checkPaths applies CheckValidPathTemplate: {*} and {**} only as whole
// segments, {**} last.
func checkPaths(values []string) error {
	if err := checkEmptyValues(values); err != nil {
		return err
	}
	for _, path := range values {
		template := strings.Contains(path, "{*}") || strings.Contains(path, "{**}")
		anyFound := false
		for _, glob := range strings.Split(strings.Trim(path, "/"), "/") {
			switch {
			case (glob == "{*}" || glob == "{**}") && anyFound:
				return fmt.Errorf("invalid path %q: {**} is not the last operator", path)
			case glob == "{**}":
				anyFound = true
				continue
			case glob == "{*}":
				continue
			case strings.ContainsAny(glob, "{}"):
				return fmt.Errorf("invalid path %q: '{' or '}' beyond a supported path template", path)
			case template && !validLiteral(glob):
				return fmt.Errorf("invalid path %q: segment %q is not a valid literal", path, glob)
			}
		}
	}
	return nil
}

func validLiteral(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("-._~%!$&'()+,;:@=", r):
		default:
			return false
		}
	}
	return true
}

// validateAttribute checks a when key and its values
// (pkg/config/security/security.go ValidateAttribute).
func validateAttribute(key string, values []string) error {
	if err := checkEmptyValues(values); err != nil {
		return err
	}
	mapKey := func() error {
		open := strings.Index(key, "[")
		if strings.HasSuffix(key, "]") && open > 0 && open < len(key)-2 {
			return nil
		}
		return fmt.Errorf("bad key %s: should have format a[b]", key)
	}
	switch {
	case strings.HasPrefix(key, "request.headers"), strings.HasPrefix(key, "request.auth.claims"), strings.HasPrefix(key, "experimental.envoy.filters."):
		return mapKey()
	case key == "source.ip", key == "remote.ip", key == "destination.ip":
		return checkIPs(values)
	case key == "source.serviceAccount":
		return checkServiceAccounts(values)
	case key == "source.trustDomain":
		return checkWildcards(values)
	case key == "destination.port":
		return checkPorts(values)
	case key == "source.namespace", key == "source.principal", key == "request.auth.principal",
		key == "request.auth.audiences", key == "request.auth.presenter", key == "connection.sni":
		return nil
	case key == "destination.namespace":
		return fmt.Errorf("attribute %s is replaced by the metadata.namespace", key)
	case strings.HasPrefix(key, "destination.labels"):
		return fmt.Errorf("attribute %s is replaced by the workload selector", key)
	case key == "destination.name", key == "destination.user":
		return fmt.Errorf("deprecated attribute %s: only supported in v1alpha1", key)
	}
	return fmt.Errorf("unknown attribute: %s", key)
}

// validatePeerAuthentication applies ValidatePeerAuthentication.
func (m *Model) validatePeerAuthentication(pa *PeerAuthentication) {
	o, spec := pa.Object, pa.Spec
	m.checkDryRun(o, "")
	m.validateAttachment(o, spec.GetSelector(), nil, nil)
	if len(spec.GetPortLevelMtls()) > 0 && pa.Selector == nil {
		m.addSpecError(o, "spec.portLevelMtls", "mesh/namespace peer authentication cannot have port level mTLS: portLevelMtls needs a workload selector")
	}
	for port := range spec.GetPortLevelMtls() {
		if port == 0 || port > 65535 {
			m.addSpecError(o, "spec.portLevelMtls["+strconv.Quote(strconv.Itoa(int(port)))+"]", "port must be in range 1..65535")
		}
	}
}

// dryRunAnnotation is the annotation that puts an AuthorizationPolicy in
// dry-run mode.
const dryRunAnnotation = "istio.io/dry-run"

// checkDryRun applies validation.go checkDryRunAnnotation: only an ALLOW or
// DENY AuthorizationPolicy may carry istio.io/dry-run, with a value
// strconv.ParseBool reads.
func (m *Model) checkDryRun(o *manifest.Object, action string) {
	v, ok := o.Annotations[dryRunAnnotation]
	if !ok {
		return
	}
	path := manifest.JoinKey("metadata.annotations", dryRunAnnotation)
	switch action {
	case "":
		m.addSpecError(o, path, "%s has unsupported annotation %s: only AuthorizationPolicy supports it", o.Kind, dryRunAnnotation)
	case "ALLOW", "DENY":
		if _, err := strconv.ParseBool(v); err != nil {
			m.addSpecError(o, path, "annotation %s has invalid value %q: use \"true\" or \"false\"", dryRunAnnotation, v)
		}
	default:
		m.addSpecError(o, path, "annotation %s only supports action ALLOW or DENY, not %s", dryRunAnnotation, action)
	}
}

// dryRun reads istio.io/dry-run as istiod does (strconv.ParseBool).
func dryRun(o *manifest.Object) bool {
	b, err := strconv.ParseBool(o.Annotations[dryRunAnnotation])
	return err == nil && b
}
