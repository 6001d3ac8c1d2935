{{/* CNI mode (cni.enabled): the install-cni DaemonSet and what it needs. */}}

{{- define "kuma-injector.cniName" -}}kuma-cni{{- end -}}

{{/* The pods' labels: `app` is what kuma-cp's taint controller matches. */}}
{{- define "kuma-injector.cniSelector" -}}
app: {{ .Values.cni.app }}
app.kubernetes.io/name: kuma-cni
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kuma-injector.cniLabels" -}}
{{ include "kuma-injector.cniSelector" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Verbs on pods: get for the plugin; the race repair watches the node's pods and deletes or labels them. */}}
{{- define "kuma-injector.cniPodVerbs" -}}
{{- $mode := .Values.cni.repair.mode -}}
{{- if eq $mode "delete" }}[get, list, watch, delete, patch]
{{- else if eq $mode "label" }}[get, list, watch, patch]
{{- else }}[get]
{{- end -}}
{{- end -}}
