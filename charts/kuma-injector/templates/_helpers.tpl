{{- define "kuma-injector.name" -}}kuma-injector{{- end -}}

{{- define "kuma-injector.labels" -}}
app.kubernetes.io/name: kuma-injector
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "kuma-injector.selector" -}}
app.kubernetes.io/name: kuma-injector
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kuma-injector.systemNamespace" -}}{{ .Values.systemNamespace | default .Release.Namespace }}{{- end -}}

{{- define "kuma-injector.tlsSecret" -}}
{{- if eq .Values.tls.mode "secret" }}{{ required "tls.secretName is required when tls.mode is secret" .Values.tls.secretName }}{{ else }}kuma-injector-tls{{ end -}}
{{- end -}}

{{/* Values the injector treats as "inject": selectors and code must agree. */}}
{{- define "kuma-injector.enabledValues" -}}[enabled, "true", "yes"]{{- end -}}

{{- define "kuma-injector.namespaceExclusions" -}}
- {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, {{ .Release.Namespace }}]}
{{- with .Values.webhook.namespaceAllowList }}
- {key: kubernetes.io/metadata.name, operator: In, values: {{ toJson . }}}
{{- end }}
{{- end -}}
