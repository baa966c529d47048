{{/*
Database settings of both WordPress containers. The official image's wp-config.php reads these with
getenv() on every request, so wp-cli must see exactly what Apache sees.
*/}}
{{- define "ecommerce-store.wordpress.dbEnv" -}}
- name: WORDPRESS_DB_HOST
  value: {{ printf "%s-mariadb:3306" (include "ecommerce-store.fullname" .) | quote }}
- name: WORDPRESS_DB_NAME
  value: wordpress
- name: WORDPRESS_DB_USER
  value: wordpress
{{ include "ecommerce-store.secretEnv" (dict "ctx" . "name" "WORDPRESS_DB_PASSWORD" "key" "database-password") }}
{{- end -}}
