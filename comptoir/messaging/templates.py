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
_INVOICE_VARIABLES = frozenset({"name", "number", "total", "amount_due", "issue_date", "due_date"})

DEFAULTS: dict[str, dict[str, Template]] = {
    "invoice_issued": {
        "en": Template(
            "Invoice {{ number }}",
            "Hello {{ name }},\n\nInvoice {{ number }} of {{ issue_date }} totals {{ total }}.\n"
            "{% if amount_due != total %}After your account credit and payments, {{ amount_due }} is left to pay.\n"
            "{% endif %}Please pay by {{ due_date }}.\n",
            _INVOICE_VARIABLES,
        ),
    },
    "payment_action_required": {
        "en": Template(
            "Your bank asks you to confirm a payment",
            "Hello {{ name }},\n\nYour bank wants you to confirm the payment of {{ amount }} before it goes through."
            "\nOpen this link to confirm it:\n\n{{ link }}\n\nUntil you do, the payment waits: we will not try "
            "your card again on our own.\n",
            frozenset({"name", "amount", "link"}),
        ),
    },
    "card_expiring": {
        "en": Template(
            "Your card ending in {{ last4 }} expires soon",
            "Hello {{ name }},\n\nThe {{ brand }} card ending in {{ last4 }} that you keep with us expires at the "
            "end of {{ expiry }}.\nTo keep your services paid without interruption, add a new card in your "
            "account.\n",
            frozenset({"name", "brand", "last4", "expiry"}),
        ),
    },
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
    "webhook_endpoint_disabled": {
        "en": Template(
            "Webhook endpoint disabled: {{ url }}",
            "Hello,\n\nThe last {{ failures }} events sent to {{ url }} could not be delivered, despite retries "
            "over about an hour each. The endpoint has been disabled: no more events are sent to it.\n\n"
            "Once the receiver works again, enable the endpoint (webhookEndpointUpdate) and resend the failed "
            "deliveries (webhookDeliveryResend).\n",
            frozenset({"url", "failures"}),
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
