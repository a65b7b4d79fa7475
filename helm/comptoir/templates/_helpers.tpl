{{/* Names, labels and the pieces every Comptoir container shares. */}}

{{- define "comptoir.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "comptoir.fullname" -}}
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

{{- define "comptoir.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "comptoir.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "comptoir.selectorLabels" -}}
app.kubernetes.io/name: {{ include "comptoir.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "comptoir.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "comptoir.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "comptoir.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "comptoir.secretName" -}}
{{- if .Values.secret.create -}}
{{- include "comptoir.fullname" . -}}
{{- else -}}
{{- required "secret.existingSecret is required when secret.create is false" .Values.secret.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* Environment of every container: the ConfigMap, the Secret, then extraEnv. */}}
{{- define "comptoir.envFrom" -}}
envFrom:
  - configMapRef:
      name: {{ include "comptoir.fullname" . }}
  - secretRef:
      name: {{ include "comptoir.secretName" . }}
env:
  - name: COMPTOIR_WEBSPACE_ROOT
    value: {{ .Values.webspaces.mountPath | quote }}
{{- with .Values.extraEnv }}
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Roll pods when their configuration changes. */}}
{{- define "comptoir.configChecksums" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/* The webspaces of the local hosting agent (API and workers). */}}
{{- define "comptoir.webspacesVolume" -}}
- name: webspaces
{{- if .Values.webspaces.volume }}
  {{- toYaml .Values.webspaces.volume | nindent 2 }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{- define "comptoir.webspacesMount" -}}
- name: webspaces
  mountPath: {{ .Values.webspaces.mountPath }}
{{- end -}}

{{/* Writable scratch space: the root filesystem is read-only. */}}
{{- define "comptoir.tmpVolume" -}}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "comptoir.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "comptoir.podSpecCommon" -}}
serviceAccountName: {{ include "comptoir.serviceAccountName" . }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}
