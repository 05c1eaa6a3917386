{{/* Names and labels shared by every object of the release. */}}

{{- define "cv.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cv.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "cv.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cv.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cv.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "cv.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "cv.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cv.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "cv.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Where the pod mounts what the flags point at. */}}
{{- define "cv.configDir" -}}/etc/channel-verifier/config{{- end -}}
{{- define "cv.tlsDir" -}}/etc/channel-verifier/tls{{- end -}}
{{- define "cv.clientCaDir" -}}/etc/channel-verifier/client-ca{{- end -}}
{{- define "cv.oauthDir" -}}/etc/channel-verifier/oauth{{- end -}}

{{/* Fails the install on settings that the schema cannot express. */}}
{{- define "cv.validate" -}}
{{- $l := .Values.lifecycle -}}
{{- $needMs := add $l.shutdownDelayMs $l.shutdownGraceMs 2000 -}}
{{- if gt (int $needMs) (int (mul $l.terminationGracePeriodSeconds 1000)) -}}
{{- fail (printf "lifecycle: shutdownDelayMs (%v) + shutdownGraceMs (%v) + 2000 ms to exit must fit in terminationGracePeriodSeconds (%v s), or the kubelet kills calls in flight" $l.shutdownDelayMs $l.shutdownGraceMs $l.terminationGracePeriodSeconds) -}}
{{- end -}}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) -}}
{{- fail "tls.enabled needs tls.secretName (a kubernetes.io/tls Secret)" -}}
{{- end -}}
{{- if and .Values.tls.clientCA.enabled (not .Values.tls.enabled) -}}
{{- fail "tls.clientCA.enabled (mutual TLS) needs tls.enabled" -}}
{{- end -}}
{{- if and .Values.tls.clientCA.enabled (not .Values.tls.clientCA.secretName) -}}
{{- fail "tls.clientCA.enabled needs tls.clientCA.secretName" -}}
{{- end -}}
{{- range $provider := list "google" "microsoft" -}}
{{- $o := index $.Values.oauth $provider -}}
{{- if and $o.clientId (not $o.existingSecret) -}}
{{- fail (printf "oauth.%s.clientId needs oauth.%s.existingSecret (the Secret with the client secret)" $provider $provider) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) -}}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled" -}}
{{- end -}}
{{- end -}}
