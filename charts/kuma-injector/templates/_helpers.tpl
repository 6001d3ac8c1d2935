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

{{/* The release namespace must be Kuma's: kuma-cp's CA Secret is mounted from it. */}}
{{- define "kuma-injector.systemNamespace" -}}
{{- if eq .Release.Namespace "default" -}}
{{- fail "kuma-injector is installed into Kuma's system namespace, not \"default\": run helm with -n kuma-system (where kuma-cp runs)" -}}
{{- end -}}
{{ .Values.systemNamespace | default .Release.Namespace }}
{{- end -}}

{{/* helm (or its former name, generate), certmanager, self-managed or secret. */}}
{{- define "kuma-injector.tlsMode" -}}
{{- if eq .Values.tls.mode "generate" }}helm{{ else }}{{ .Values.tls.mode }}{{ end -}}
{{- end -}}

{{- define "kuma-injector.tlsSecret" -}}
{{- if eq .Values.tls.mode "secret" }}{{ required "tls.secretName is required when tls.mode is secret" .Values.tls.secretName }}{{ else }}kuma-injector-tls{{ end -}}
{{- end -}}

{{- define "kuma-injector.serviceHost" -}}{{ printf "%s.%s.svc" (include "kuma-injector.name" .) .Release.Namespace }}{{- end -}}

{{/* Sorts before kuma-cp's configuration, so that this injector is called first (values.yaml, kumaControlPlane). */}}
{{- define "kuma-injector.webhookConfigurationName" -}}
{{- $name := .Values.webhook.configurationName | default (printf "kuma-admission-injector-%s" .Release.Namespace) -}}
{{- $kuma := .Values.kumaControlPlane.webhookConfigurationName -}}
{{- if not (lt $name $kuma) -}}
{{- fail (printf "webhook.configurationName %q must sort before kuma-cp's MutatingWebhookConfiguration %q: the API server calls configurations in name order, and this injector must come first" $name $kuma) -}}
{{- end -}}
{{ $name }}
{{- end -}}

{{/*
tls.mode=helm: the CA, certificate and key (base64), from the existing Secret
when `lookup` finds a complete one, else generated. Kept in .Values for the
rest of this render, so that the Secret, the caBundle and the Deployment's
checksum all see the same pair.
*/}}
{{- define "kuma-injector.helmTls" -}}
{{- if not (hasKey .Values "generatedTls") -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "kuma-injector.tlsSecret" .) -}}
{{- $data := dig "data" (dict) $existing -}}
{{- if and (index $data "ca.crt") (index $data "tls.crt") (index $data "tls.key") -}}
{{- $_ := set .Values "generatedTls" (dict "ca" (index $data "ca.crt") "cert" (index $data "tls.crt") "key" (index $data "tls.key")) -}}
{{- else -}}
{{- $service := include "kuma-injector.serviceHost" . -}}
{{- $ca := genCA "kuma-injector-ca" 3650 -}}
{{- $cert := genSignedCert $service nil (list $service (printf "%s.cluster.local" $service)) 825 $ca -}}
{{- $_ := set .Values "generatedTls" (dict "ca" ($ca.Cert | b64enc) "cert" ($cert.Cert | b64enc) "key" ($cert.Key | b64enc)) -}}
{{- end -}}
{{- end -}}
{{ toJson .Values.generatedTls }}
{{- end -}}

{{/* Images of the injected containers, with injectorConfig's own settings winning. */}}
{{- define "kuma-injector.injectorConfig" -}}
{{- $images := dict
  "sidecarContainer" (dict "image" (printf "%s:%s" .Values.sidecarImage.repository .Values.sidecarImage.tag))
  "initContainer" (dict "image" (printf "%s:%s" .Values.initImage.repository (.Values.initImage.tag | default .Chart.AppVersion))) -}}
{{- $config := mustMergeOverwrite $images (deepCopy .Values.injectorConfig) -}}
{{- /* cni.enabled turns on the injector's CNI mode (kuma-validation instead of kuma-init). */}}
{{- if .Values.cni.enabled }}{{- $_ := set $config "cniEnabled" true }}{{- end }}
{{ toYaml $config }}
{{- end -}}

{{/* Values the injector treats as "inject": selectors and code must agree. */}}
{{- define "kuma-injector.enabledValues" -}}[enabled, "true", "yes"]{{- end -}}

{{- define "kuma-injector.namespaceExclusions" -}}
- {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, {{ .Release.Namespace }}]}
{{- with .Values.webhook.namespaceAllowList }}
- {key: kubernetes.io/metadata.name, operator: In, values: {{ toJson . }}}
{{- end }}
{{- end -}}
