package model

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/manifest"
)

// Outbound traffic policies (MeshConfig.outboundTrafficPolicy.mode, and a
// Sidecar's own).
const (
	AllowAny     = "ALLOW_ANY"
	RegistryOnly = "REGISTRY_ONLY"
)

// meshConfig is the part of Istio's MeshConfig meshlint reads.
type meshConfig struct {
	TrustDomain           string `yaml:"trustDomain"`
	RootNamespace         string `yaml:"rootNamespace"`
	OutboundTrafficPolicy struct {
		Mode string `yaml:"mode"`
	} `yaml:"outboundTrafficPolicy"`
	from string // the object it was read from
}

// readMeshConfig finds the mesh configuration the set carries: the
// ConfigMap istiod reads (`istio`, or `istio-<revision>`, its data.mesh
// holding MeshConfig as YAML), else an IstioOperator's spec.meshConfig, from
// which the install renders that ConfigMap. The ConfigMap in the istiod
// namespace wins over one elsewhere; the first of a kind in load order wins.
func readMeshConfig(objects []*manifest.Object, istiodNS string) *meshConfig {
	var fromMap, fromMapElsewhere, fromOperator *meshConfig
	for _, o := range objects {
		switch {
		case o.Kind == "ConfigMap" && o.APIVersion == "v1" && (o.Name == "istio" || strings.HasPrefix(o.Name, "istio-")):
			data := manifest.ScalarString(o.Lookup("data.mesh"))
			if data == "" {
				continue
			}
			mc := &meshConfig{from: "ConfigMap " + o.Namespace + "/" + o.Name}
			if yaml.Unmarshal([]byte(data), mc) != nil {
				continue // not MeshConfig; istiod would refuse it too
			}
			switch {
			case o.Namespace == istiodNS && fromMap == nil:
				fromMap = mc
			case fromMapElsewhere == nil:
				fromMapElsewhere = mc
			}
		case o.Kind == "IstioOperator" && o.Group() == "install.istio.io" && fromOperator == nil:
			n := o.Lookup("spec.meshConfig")
			if n == nil {
				continue
			}
			mc := &meshConfig{from: "IstioOperator " + o.Namespace + "/" + o.Name}
			mc.TrustDomain = manifest.ScalarString(manifest.MapGet(n, "trustDomain"))
			mc.RootNamespace = manifest.ScalarString(manifest.MapGet(n, "rootNamespace"))
			mc.OutboundTrafficPolicy.Mode = manifest.ScalarString(manifest.MapGet(manifest.MapGet(n, "outboundTrafficPolicy"), "mode"))
			fromOperator = mc
		}
	}
	for _, mc := range []*meshConfig{fromMap, fromMapElsewhere, fromOperator} {
		if mc != nil {
			return mc
		}
	}
	return nil
}

// applyMeshConfig fills the settings no flag or config file gave from the
// mesh configuration of the set, then from Istio's defaults.
func applyMeshConfig(res *loader.Result, s *Settings) {
	def := DefaultSettings()
	if s.IstiodNamespace == "" {
		s.IstiodNamespace = def.IstiodNamespace
	}
	if mc := readMeshConfig(res.Objects, s.IstiodNamespace); mc != nil {
		used := false
		for _, f := range []struct {
			dst *string
			v   string
		}{
			{&s.TrustDomain, mc.TrustDomain},
			{&s.RootNamespace, mc.RootNamespace},
			{&s.OutboundTrafficPolicy, normalOutbound(mc.OutboundTrafficPolicy.Mode)},
		} {
			if *f.dst == "" && f.v != "" {
				*f.dst = f.v
				used = true
			}
		}
		if used {
			s.MeshConfigFrom = mc.from
		}
	}
	for _, f := range []struct {
		dst *string
		v   string
	}{
		{&s.DefaultNamespace, def.DefaultNamespace},
		{&s.TrustDomain, def.TrustDomain},
		{&s.RootNamespace, def.RootNamespace},
		{&s.OutboundTrafficPolicy, def.OutboundTrafficPolicy},
	} {
		if *f.dst == "" {
			*f.dst = f.v
		}
	}
}

// normalOutbound maps a mode to what meshlint distinguishes:
// ALLOW_ANY_DYNAMIC_DNS passes unknown traffic on as ALLOW_ANY does
// (pilot/pkg/networking/core/listener_builder.go,
// buildOutboundCatchAllNetworkFilterChains).
func normalOutbound(mode string) string {
	switch strings.ToUpper(mode) {
	case RegistryOnly:
		return RegistryOnly
	case AllowAny, "ALLOW_ANY_DYNAMIC_DNS":
		return AllowAny
	}
	return ""
}
