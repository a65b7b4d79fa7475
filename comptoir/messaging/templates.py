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
}


def render(template_name: str, language: str, variables: dict[str, object]) -> tuple[str, str]:
    """Subject and body in `language` (falling back to English), only whitelisted variables passed."""
    by_language = DEFAULTS[template_name]
    template = by_language.get(language) or by_language["en"]
    allowed = {k: v for k, v in variables.items() if k in template.variables}
    subject = _environment.from_string(template.subject).render(allowed)
    body = _environment.from_string(template.body).render(allowed)
    return subject, body
