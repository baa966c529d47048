{{/*
Environment of every container running the Medusa image (init containers included, so migrations and
seeding see the same database and secrets as the server).
*/}}
{{- define "ecommerce-store.medusa.env" -}}
{{ include "ecommerce-store.secretEnv" (dict "ctx" . "name" "DATABASE_PASSWORD" "key" "database-password") }}
# Kubernetes expands $(DATABASE_PASSWORD) itself: the password is never rendered here.
- name: DATABASE_URL
  value: {{ printf "postgres://medusa:$(DATABASE_PASSWORD)@%s-postgres:5432/medusa" (include "ecommerce-store.fullname" .) | quote }}
{{ include "ecommerce-store.secretEnv" (dict "ctx" . "name" "JWT_SECRET" "key" "jwt-secret") }}
{{ include "ecommerce-store.secretEnv" (dict "ctx" . "name" "COOKIE_SECRET" "key" "cookie-secret") }}
- name: STORE_CORS
  value: {{ include "ecommerce-store.medusa.storeCors" . | quote }}
- name: ADMIN_CORS
  value: {{ include "ecommerce-store.medusa.adminCors" . | quote }}
- name: MEDUSA_DISABLE_TELEMETRY
  value: "true"
- name: NODE_ENV
  value: production
{{- end -}}
