{{/*
Naming, labels, images, URLs and credential references shared by every template.
Nothing here renders an object; the templates beside it do.
*/}}

{{/* The chart name, for the app.kubernetes.io/name label. */}}
{{- define "ecommerce-store.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Base name of every object: the release name (one release per store namespace, so it needs no chart
suffix). Cut to 40 characters: "<fullname>-storefront" and the StatefulSet's "<fullname>-postgres" plus
the 11 characters Kubernetes appends in its controller-revision-hash label must stay within 63.
*/}}
{{- define "ecommerce-store.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "ecommerce-store.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The store's name: store.name, or the release name. */}}
{{- define "ecommerce-store.storeName" -}}
{{- default .Release.Name .Values.store.name -}}
{{- end -}}

{{- define "ecommerce-store.displayName" -}}
{{- default (include "ecommerce-store.storeName" .) .Values.store.displayName -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "ecommerce-store.labels" -}}
helm.sh/chart: {{ include "ecommerce-store.chart" . }}
app.kubernetes.io/name: {{ include "ecommerce-store.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: storefleet
storefleet.io/store: {{ include "ecommerce-store.storeName" . }}
storefleet.io/engine: {{ .Values.engine }}
{{- with .Values.store.tenant }}
storefleet.io/tenant: {{ . }}
{{- end }}
{{- with .Values.store.namespace }}
storefleet.io/store-namespace: {{ . }}
{{- end }}
{{- with .Values.store.uid }}
storefleet.io/store-uid: {{ . | quote }}
{{- end }}
{{- end -}}

{{/*
Selector labels of one component; call with (dict "ctx" $ "component" "wordpress").
The component is always part of the selector, so a database pod can never be taken for the app pod
(predecessor bug B6: its Postgres pod matched the Medusa selector).
*/}}
{{- define "ecommerce-store.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ecommerce-store.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels of one component's objects and pods; same arguments as selectorLabels. */}}
{{- define "ecommerce-store.componentLabels" -}}
{{ include "ecommerce-store.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* "repository:tag", behind global.imageRegistry when set; call with (dict "ctx" $ "image" .image). */}}
{{- define "ecommerce-store.image" -}}
{{- if eq .image.tag "latest" -}}
{{- fail (printf "image %s:latest is not pinned: give every image a version tag, so an upgrade changes what runs only when values change" .image.repository) -}}
{{- end -}}
{{- $registry := .ctx.Values.global.imageRegistry | trimSuffix "/" -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry .image.repository .image.tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository .image.tag -}}
{{- end -}}
{{- end -}}

{{/* image + imagePullPolicy lines of a container; same arguments as ecommerce-store.image. */}}
{{- define "ecommerce-store.containerImage" -}}
image: {{ include "ecommerce-store.image" . | quote }}
imagePullPolicy: {{ .image.pullPolicy }}
{{- end -}}

{{/* Pod-level settings every store pod shares, including the engine's scheduling (nodeSelector,
tolerations, affinity). */}}
{{- define "ecommerce-store.podDefaults" -}}
# No store pod talks to the Kubernetes API; the operator execs into them instead.
automountServiceAccountToken: false
# Service links would inject <SVC>_PORT variables that images may misread as their own settings.
enableServiceLinks: false
{{- with (index .Values .Values.engine).scheduling }}
{{- /* Per engine, so one cluster can place WooCommerce and Medusa pods on different nodes. */}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ if kindIs "string" . }}{{ . }}{{ else }}{{ .name }}{{ end }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* storageClassName line of a PVC spec, or nothing: the engine's storageClass, else
global.storageClass; "" = the default class. */}}
{{- define "ecommerce-store.storageClass" -}}
{{- $class := (index .Values .Values.engine).storageClass | default .Values.global.storageClass -}}
{{- if eq $class "-" -}}
storageClassName: ""
{{- else if $class -}}
storageClassName: {{ $class | quote }}
{{- end -}}
{{- end -}}

{{/* The credentials Secret's name; installing without one fails here with what to do. */}}
{{- define "ecommerce-store.credentialsSecret" -}}
{{- required "credentials.existingSecret is required: name an existing Secret in the release namespace holding the store's credentials (the chart never generates passwords)" .Values.credentials.existingSecret -}}
{{- end -}}

{{/* One env var read from the credentials Secret; call with (dict "ctx" $ "name" "X" "key" "y"). */}}
{{- define "ecommerce-store.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "ecommerce-store.credentialsSecret" .ctx }}
      key: {{ .key }}
{{- end -}}

{{/* The store's host: ingress.host, or <store.name><ingress.hostSuffix>; empty when neither is set. */}}
{{- define "ecommerce-store.host" -}}
{{- if .Values.ingress.host -}}
{{- .Values.ingress.host -}}
{{- else if .Values.ingress.hostSuffix -}}
{{- printf "%s%s" (include "ecommerce-store.storeName" .) .Values.ingress.hostSuffix -}}
{{- end -}}
{{- end -}}

{{/* The store's public URL (https when TLS is on); empty when there is no host. */}}
{{- define "ecommerce-store.url" -}}
{{- $host := include "ecommerce-store.host" . -}}
{{- if $host -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) $host -}}
{{- end -}}
{{- end -}}

{{/* TLS Secret name: never empty, so cert-manager's ingress-shim always has a Certificate to issue. */}}
{{- define "ecommerce-store.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "ecommerce-store.fullname" .)) .Values.ingress.tls.secretName -}}
{{- end -}}

{{/* Medusa's CORS origins: the value given, else the store's own origin. */}}
{{- define "ecommerce-store.medusa.storeCors" -}}
{{- default (include "ecommerce-store.url" .) .Values.medusa.storeCors -}}
{{- end -}}

{{- define "ecommerce-store.medusa.adminCors" -}}
{{- default (include "ecommerce-store.url" .) .Values.medusa.adminCors -}}
{{- end -}}
