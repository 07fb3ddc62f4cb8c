{{/* The name of one service's objects: <release>-<service>. */}}
{{- define "batchline.name" -}}
{{- printf "%s-%s" .root.Release.Name .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The labels that select one service's pods. */}}
{{- define "batchline.selector" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "batchline.labels" -}}
{{ include "batchline.selector" . }}
app.kubernetes.io/part-of: batchline
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* The Kafka client settings every service takes: bootstrap servers, topics, TLS and SASL. */}}
{{- define "batchline.kafkaConfig" -}}
SPRING_KAFKA_BOOTSTRAP_SERVERS: {{ .Values.kafka.bootstrapServers | quote }}
BATCHLINE_TOPICS_PREFIX: {{ .Values.topics.prefix | quote }}
BATCHLINE_TOPICS_PARTITIONS: {{ .Values.topics.partitions | quote }}
BATCHLINE_TOPICS_REPLICAS: {{ .Values.topics.replicas | quote }}
{{- if .Values.kafka.secured }}
SPRING_KAFKA_PROPERTIES_SECURITY_PROTOCOL: {{ .Values.kafka.securityProtocol | quote }}
SPRING_KAFKA_PROPERTIES_SASL_MECHANISM: {{ .Values.kafka.saslMechanism | quote }}
{{- if hasSuffix "SSL" .Values.kafka.securityProtocol }}
SPRING_KAFKA_SSL_TRUST_STORE_LOCATION: {{ printf "file:/etc/batchline/kafka-ca/%s" .Values.kafka.truststore.file | quote }}
SPRING_KAFKA_SSL_TRUST_STORE_TYPE: {{ .Values.kafka.truststore.type | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* A service's Kafka credentials (its own principal) and the truststore's password, as env. */}}
{{- define "batchline.kafkaEnv" -}}
{{- $kafka := .root.Values.kafka -}}
{{- if $kafka.secured }}
- name: SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ (index $kafka.users .user).secret }}
      key: {{ $kafka.jaasConfigKey }}
{{- if hasSuffix "SSL" $kafka.securityProtocol }}
- name: SPRING_KAFKA_SSL_TRUST_STORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $kafka.truststore.secret }}
      key: {{ $kafka.truststore.passwordKey }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The truststore's volume and mount, when Kafka is reached over TLS. */}}
{{- define "batchline.kafkaVolume" -}}
{{- if and .Values.kafka.secured (hasSuffix "SSL" .Values.kafka.securityProtocol) }}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.truststore.secret }}
    items:
      - key: {{ .Values.kafka.truststore.file }}
        path: {{ .Values.kafka.truststore.file }}
{{- end }}
{{- end -}}
{{- define "batchline.kafkaMount" -}}
{{- if and .Values.kafka.secured (hasSuffix "SSL" .Values.kafka.securityProtocol) }}
- name: kafka-ca
  mountPath: /etc/batchline/kafka-ca
  readOnly: true
{{- end }}
{{- end -}}

{{/* The PostgreSQL user and password, as env. */}}
{{- define "batchline.postgresEnv" -}}
- name: SPRING_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .Values.postgres.secret }}
      key: {{ .Values.postgres.usernameKey }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.postgres.secret }}
      key: {{ .Values.postgres.passwordKey }}
{{- end -}}

{{/* Probes on the service's own port: startup and liveness on /livez, readiness on /readyz. */}}
{{- define "batchline.probes" -}}
startupProbe:
  httpGet:
    path: /livez
    port: http
  periodSeconds: 5
  failureThreshold: {{ .startupFailures }}
livenessProbe:
  httpGet:
    path: /livez
    port: http
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}

{{- define "batchline.securityContext" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: false
  capabilities:
    drop: ["ALL"]
{{- end -}}
