package model

import "strings"

// ParsePrincipal splits "<trust-domain>/ns/<ns>/sa/<sa>" (with or without
// spiffe://) into namespace and service account.
func ParsePrincipal(p string) (ns, sa string, ok bool) {
	p = strings.TrimPrefix(p, "spiffe://")
	parts := strings.Split(p, "/")
	for i := 0; i+3 < len(parts); i++ {
		if parts[i] == "ns" && parts[i+2] == "sa" && i+4 == len(parts) {
			return parts[i+1], parts[i+3], true
		}
	}
	return "", "", false
}

// MatchString applies Istio's string matching: exact, "*" for anything
// non-empty, "prefix*" and "*suffix".
func MatchString(pattern, s string) bool {
	switch {
	case pattern == "*":
		return s != ""
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(s, pattern[1:])
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(s, pattern[:len(pattern)-1])
	}
	return pattern == s
}

// ServicesMatching returns the Services of ns (every namespace when ns is "")
// that a legacy services entry names, by short name or FQDN.
func ServicesMatching(m *Model, ns, pattern string) []*Service {
	var out []*Service
	for _, svc := range m.Services {
		o := svc.Object
		if ns != "" && o.Namespace != ns {
			continue
		}
		fqdn := o.Name + "." + o.Namespace + ".svc.cluster.local"
		if MatchString(pattern, o.Name) || MatchString(pattern, fqdn) {
			out = append(out, svc)
		}
	}
	return out
}
