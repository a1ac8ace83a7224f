package report

import "testing"

// The escapes of @actions/core's workflow commands.
func TestGitHubEscapes(t *testing.T) {
	for _, tc := range []struct {
		in, data, property string
	}{
		{"plain", "plain", "plain"},
		{"50%", "50%25", "50%25"},
		{"%0A is not a newline", "%250A is not a newline", "%250A is not a newline"},
		{"a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"},
		{"deploy/a,b.yaml", "deploy/a,b.yaml", "deploy/a%2Cb.yaml"},
		{"MSH101 x: y", "MSH101 x: y", "MSH101 x%3A y"},
		{"::error::", "::error::", "%3A%3Aerror%3A%3A"},
	} {
		if got := escapeData(tc.in); got != tc.data {
			t.Errorf("escapeData(%q) = %q, want %q", tc.in, got, tc.data)
		}
		if got := escapeProperty(tc.in); got != tc.property {
			t.Errorf("escapeProperty(%q) = %q, want %q", tc.in, got, tc.property)
		}
	}
}
