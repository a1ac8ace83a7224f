{{- define "partial.name" -}}
{{ .Values.name | default "x" }
{{- end }}
