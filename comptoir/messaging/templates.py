"""Default e-mail templates per language, rendered in a Jinja2 sandbox with whitelisted variables."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

SHIPPED_LANGUAGES = ("en", "fr", "de", "es", "ru")

_environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class Template:
    subject: str
    body: str
    variables: frozenset[str]


_USAGE_VARIABLES = frozenset({"domain", "resource", "kind", "used_mb", "threshold_mb", "suspended", "day"})

DEFAULTS: dict[str, dict[str, Template]] = {
    "password_reset": {
        "en": Template(
            "Reset your password",
            "Hello {{ name }},\n\nSomeone asked to reset the password of the account \"{{ username }}\".\n"
            "To choose a new password, open this link within {{ minutes }} minutes:\n\n{{ link }}\n\n"
            "If you did not ask for this, ignore this message: your password stays as it is.\n",
            frozenset({"name", "username", "link", "minutes"}),
        ),
        "fr": Template(
            "Réinitialisez votre mot de passe",
            "Bonjour {{ name }},\n\nUne réinitialisation du mot de passe du compte « {{ username }} » a été "
            "demandée.\nPour choisir un nouveau mot de passe, ouvrez ce lien dans les {{ minutes }} minutes :"
            "\n\n{{ link }}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n",
            frozenset({"name", "username", "link", "minutes"}),
        ),
        "de": Template(
            "Passwort zurücksetzen",
            "Hallo {{ name }},\n\nfür das Konto „{{ username }}“ wurde das Zurücksetzen des Passworts "
            "angefordert.\nÖffnen Sie diesen Link innerhalb von {{ minutes }} Minuten:\n\n{{ link }}\n\n"
            "Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht.\n",
            frozenset({"name", "username", "link", "minutes"}),
        ),
        "es": Template(
            "Restablezca su contraseña",
            "Hola {{ name }}:\n\nSe ha solicitado restablecer la contraseña de la cuenta «{{ username }}».\n"
            "Abra este enlace antes de {{ minutes }} minutos:\n\n{{ link }}\n\n"
            "Si no lo ha solicitado, ignore este mensaje.\n",
            frozenset({"name", "username", "link", "minutes"}),
        ),
        "ru": Template(
            "Сброс пароля",
            "Здравствуйте, {{ name }}!\n\nЗапрошен сброс пароля учётной записи «{{ username }}».\n"
            "Откройте эту ссылку в течение {{ minutes }} минут:\n\n{{ link }}\n\n"
            "Если вы не запрашивали сброс, просто проигнорируйте это письмо.\n",
            frozenset({"name", "username", "link", "minutes"}),
        ),
    },
    "usage_overuse": {
        # resource: "disk" or "traffic"; kind: "limit" (exceeded) or "soft" ("notify when usage reaches").
        "en": Template(
            "{{ domain }}: {% if resource == 'disk' %}disk space{% else %}traffic{% endif %} "
            "{% if kind == 'limit' %}over its limit{% else %}reached {{ threshold_mb }} MB{% endif %}",
            "Hello,\n\nOn {{ day }} the subscription {{ domain }} used {{ used_mb }} MB of "
            "{% if resource == 'disk' %}disk space{% else %}traffic this month{% endif %}"
            "{% if kind == 'limit' %}, over its limit of {{ threshold_mb }} MB{% else %}: the notice threshold "
            "is {{ threshold_mb }} MB{% endif %}.\n"
            "{% if suspended %}The subscription has been suspended, as its plan requires.\n{% endif %}",
            _USAGE_VARIABLES,
        ),
        "fr": Template(
            "{{ domain }} : {% if resource == 'disk' %}espace disque{% else %}trafic{% endif %} "
            "{% if kind == 'limit' %}au-delà de sa limite{% else %}a atteint {{ threshold_mb }} Mo{% endif %}",
            "Bonjour,\n\nLe {{ day }}, l'abonnement {{ domain }} a utilisé {{ used_mb }} Mo "
            "{% if resource == 'disk' %}d'espace disque{% else %}de trafic ce mois-ci{% endif %}"
            "{% if kind == 'limit' %}, au-delà de sa limite de {{ threshold_mb }} Mo{% else %} ; le seuil "
            "d'avertissement est de {{ threshold_mb }} Mo{% endif %}.\n"
            "{% if suspended %}L'abonnement a été suspendu, comme son offre le prévoit.\n{% endif %}",
            _USAGE_VARIABLES,
        ),
        "de": Template(
            "{{ domain }}: {% if resource == 'disk' %}Speicherplatz{% else %}Datenverkehr{% endif %} "
            "{% if kind == 'limit' %}über dem Limit{% else %}hat {{ threshold_mb }} MB erreicht{% endif %}",
            "Hallo,\n\nam {{ day }} hat das Abonnement {{ domain }} {{ used_mb }} MB "
            "{% if resource == 'disk' %}Speicherplatz{% else %}Datenverkehr in diesem Monat{% endif %} belegt"
            "{% if kind == 'limit' %}, mehr als sein Limit von {{ threshold_mb }} MB{% else %}; die "
            "Benachrichtigungsschwelle liegt bei {{ threshold_mb }} MB{% endif %}.\n"
            "{% if suspended %}Das Abonnement wurde gemäß seinem Tarif gesperrt.\n{% endif %}",
            _USAGE_VARIABLES,
        ),
        "es": Template(
            "{{ domain }}: {% if resource == 'disk' %}espacio en disco{% else %}tráfico{% endif %} "
            "{% if kind == 'limit' %}por encima del límite{% else %}ha alcanzado {{ threshold_mb }} MB{% endif %}",
            "Hola:\n\nEl {{ day }} la suscripción {{ domain }} usó {{ used_mb }} MB "
            "{% if resource == 'disk' %}de espacio en disco{% else %}de tráfico este mes{% endif %}"
            "{% if kind == 'limit' %}, por encima de su límite de {{ threshold_mb }} MB{% else %}; el umbral "
            "de aviso es {{ threshold_mb }} MB{% endif %}.\n"
            "{% if suspended %}La suscripción se ha suspendido, como exige su plan.\n{% endif %}",
            _USAGE_VARIABLES,
        ),
        "ru": Template(
            "{{ domain }}: {% if resource == 'disk' %}дисковое пространство{% else %}трафик{% endif %} "
            "{% if kind == 'limit' %}сверх лимита{% else %}достиг {{ threshold_mb }} МБ{% endif %}",
            "Здравствуйте!\n\n{{ day }} подписка {{ domain }} использовала {{ used_mb }} МБ "
            "{% if resource == 'disk' %}дискового пространства{% else %}трафика за этот месяц{% endif %}"
            "{% if kind == 'limit' %}, сверх лимита {{ threshold_mb }} МБ{% else %}; порог уведомления — "
            "{{ threshold_mb }} МБ{% endif %}.\n"
            "{% if suspended %}Подписка приостановлена, как предусмотрено её тарифом.\n{% endif %}",
            _USAGE_VARIABLES,
        ),
    },
    # Domains and certificates (SPEC §7, §11): what became of a customer's domain or certificate order.
    "domain_status": {
        "en": Template(
            "{{ domain }}: {{ status }}",
            "Hello {{ name }},\n\n{% if status == 'active' %}The domain {{ domain }} is yours"
            "{% if expires_on %} until {{ expires_on }}{% endif %}.{% else %}We could not {{ action }} the domain "
            "{{ domain }}: {{ reason }}\nOur team has been told and will get back to you.{% endif %}\n",
            frozenset({"name", "domain", "status", "action", "reason", "expires_on"}),
        ),
    },
    "certificate_status": {
        "en": Template(
            "Your SSL certificate for {{ common_name }}: {{ state }}",
            "Hello {{ name }},\n\n{% if state == 'user_input_required' %}The certificate authority needs more "
            "information to issue the certificate for {{ common_name }}: {{ requested }}.\nPlease give it in your "
            "control panel.{% elif state == 'issued' %}The certificate for {{ common_name }} is issued"
            "{% if expires_on %}; it is valid until {{ expires_on }}{% endif %}.{% else %}The certificate for "
            "{{ common_name }} could not be issued: {{ reason }}{% endif %}\n",
            frozenset({"name", "common_name", "state", "requested", "reason", "expires_on"}),
        ),
    },
}


def render(template_name: str, language: str, variables: dict[str, object]) -> tuple[str, str]:
    """Subject and body in `language` (falling back to English), only whitelisted variables passed."""
    by_language = DEFAULTS[template_name]
    template = by_language.get(language) or by_language["en"]
    allowed = {k: v for k, v in variables.items() if k in template.variables}
    subject = _environment.from_string(template.subject).render(allowed)
    body = _environment.from_string(template.body).render(allowed)
    return subject, body
