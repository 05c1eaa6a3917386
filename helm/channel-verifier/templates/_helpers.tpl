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
{{- define "cv.stateKeyDir" -}}/etc/channel-verifier/state-key{{- end -}}
{{- define "cv.storePasswordDir" -}}/etc/channel-verifier/state-store-password{{- end -}}
{{- define "cv.storeCaDir" -}}/etc/channel-verifier/state-store-ca{{- end -}}

{{/* The state store. */}}

{{- define "cv.redis.enabled" -}}
{{- if eq .Values.stateStore.mode "bundled" -}}true{{- end -}}
{{- end -}}

{{/* A Redis store (bundled or external): needs the shared HMAC key. */}}
{{- define "cv.store.shared" -}}
{{- if has .Values.stateStore.mode (list "bundled" "redis") -}}true{{- end -}}
{{- end -}}

{{/* The bundled Redis: its own app.kubernetes.io/name, so that the verifier's selectors (its
Service, PodDisruptionBudget, NetworkPolicy) never pick its pod. */}}
{{- define "cv.redis.fullname" -}}
{{- printf "%s-redis" (include "cv.fullname" . | trunc 57 | trimSuffix "-") -}}
{{- end -}}

{{- define "cv.redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cv.name" . | trunc 57 | trimSuffix "-" }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cv.redis.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "cv.redis.selectorLabels" . }}
app.kubernetes.io/component: state-store
app.kubernetes.io/part-of: {{ include "cv.name" . }}
app.kubernetes.io/version: {{ .Values.stateStore.bundled.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "cv.redis.image" -}}
{{- $i := .Values.stateStore.bundled.image -}}
{{- if $i.digest -}}
{{- printf "%s@%s" $i.repository $i.digest -}}
{{- else -}}
{{- printf "%s:%s" $i.repository $i.tag -}}
{{- end -}}
{{- end -}}

{{/* The Secret (name, key) with the bundled Redis password: the user's or the chart's. */}}
{{- define "cv.redis.passwordSecret" -}}
{{- default (printf "%s-password" (include "cv.redis.fullname" .)) .Values.stateStore.bundled.password.existingSecret -}}
{{- end -}}

{{- define "cv.stateKeySecret" -}}
{{- default (printf "%s-state-key" (include "cv.fullname" .)) .Values.stateStore.key.existingSecret -}}
{{- end -}}

{{/* The value of --state_store. */}}
{{- define "cv.store.url" -}}
{{- $s := .Values.stateStore -}}
{{- if eq $s.mode "bundled" -}}
{{- printf "redis://%s:6379" (include "cv.redis.fullname" .) -}}
{{- else if eq $s.mode "redis" -}}
{{- printf "%s://%s" (ternary "rediss" "redis" $s.redis.tls.enabled) $s.redis.address -}}
{{- else -}}
memory
{{- end -}}
{{- end -}}

{{/* The port of stateStore.redis.address (HOST:PORT[/DB]), for the egress rule. */}}
{{- define "cv.store.port" -}}
{{- regexReplaceAll "^.*:([0-9]+)(/[0-9]*)?$" .Values.stateStore.redis.address "${1}" -}}
{{- end -}}

{{/* A Secret value that stays what it is across `helm upgrade`: the value in the cluster when
there is one (lookup), else a new random one. `helm template` and lint see no cluster and get a
new one each time. */}}
{{- define "cv.stableRandom" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .name -}}
{{- if and $existing $existing.data (hasKey $existing.data .key) -}}
{{- index $existing.data .key -}}
{{- else -}}
{{- randAlphaNum .length | b64enc -}}
{{- end -}}
{{- end -}}

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
{{- $s := .Values.stateStore -}}
{{- if and (eq $s.mode "memory") (or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1)) -}}
{{- fail (printf "stateStore.mode=memory keeps the AUTH budget, rejected passwords and SendTest dedup inside each pod, so replicas would not share them: set stateStore.mode=bundled (a Redis in this chart) or redis (stateStore.redis.address), or run one replica (replicaCount: 1, autoscaling.enabled: false); now replicaCount=%v, autoscaling.enabled=%v" .Values.replicaCount .Values.autoscaling.enabled) -}}
{{- end -}}
{{- if eq $s.mode "redis" -}}
{{- if not $s.redis.address -}}
{{- fail "stateStore.mode=redis needs stateStore.redis.address (HOST:PORT or HOST:PORT/DB)" -}}
{{- end -}}
{{- if and $s.redis.tls.caSecret (not $s.redis.tls.enabled) -}}
{{- fail "stateStore.redis.tls.caSecret needs stateStore.redis.tls.enabled (the CA verifies a rediss:// store)" -}}
{{- end -}}
{{- end -}}
{{- end -}}
