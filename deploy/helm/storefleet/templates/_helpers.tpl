{{/*
Labels and images shared by every template. Nothing here renders an object.

Object names are fixed (storefleet-operator, storefleet-gateway, storefleet-tenant...): the operator
binds the tenant ClusterRoles and the gateway impersonates the tenant ServiceAccount by those names.
*/}}

{{- define "storefleet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object; pass (dict "root" $ "component" "operator"). */}}
{{- define "storefleet.labels" -}}
helm.sh/chart: {{ include "storefleet.chart" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: storefleet
{{- with .component }}
app.kubernetes.io/name: storefleet-{{ . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component's Pods: stable across upgrades (selectors are immutable). */}}
{{- define "storefleet.selectorLabels" -}}
app.kubernetes.io/name: storefleet-{{ . }}
{{- end -}}

{{- define "storefleet.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The restricted Pod Security profile both processes meet. */}}
{{- define "storefleet.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: {drop: [ALL]}
{{- end -}}

{{/* The Secret holding the audit database URL, or nothing when there is no audit database. */}}
{{- define "storefleet.auditSecret" -}}
{{- if .Values.audit.database.existingSecret -}}
{{- .Values.audit.database.existingSecret -}}
{{- else if .Values.audit.postgresql.enabled -}}
storefleet-audit-postgresql
{{- end -}}
{{- end -}}

{{/* Environment for both processes: the audit database URL comes from its Secret, never from values. */}}
{{- define "storefleet.auditEnv" -}}
{{- with include "storefleet.auditSecret" .root }}
- name: {{ $.prefix }}AUDIT_DATABASE_URL
  valueFrom: {secretKeyRef: {name: {{ . }}, key: {{ if $.root.Values.audit.database.existingSecret }}{{ $.root.Values.audit.database.key }}{{ else }}url{{ end }}}}
{{- end }}
{{- end -}}

{{/* Refuse impossible values before anything is installed. */}}
{{- define "storefleet.validate" -}}
{{- if and .Values.gateway.podDisruptionBudget.enabled (lt (int .Values.gateway.replicas) 2) -}}
{{- fail "gateway.podDisruptionBudget needs gateway.replicas >= 2: with one replica every node drain would be blocked" -}}
{{- end -}}
{{- if and .Values.audit.database.existingSecret .Values.audit.postgresql.enabled -}}
{{- fail "audit: set audit.database.existingSecret (an external PostgreSQL) or audit.postgresql.enabled (the bundled one), not both" -}}
{{- end -}}
{{- end -}}
