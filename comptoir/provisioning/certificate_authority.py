"""Certificate authorities: what issues SSL certificates for a seller's certificate plans (SPEC §7).

Buying a certificate is a conversation: each `submit` hands the authority everything the customer has
answered so far; it answers with what it still needs (`requested`), or that it validates, issued or
rejected. A provider account (driver + typed settings, secrets sealed) builds one with `authority_for`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from pydantic import BaseModel


class CaStatus(enum.Enum):
    USER_INPUT_REQUIRED = "user_input_required"
    PENDING_VALIDATION = "pending_validation"
    ISSUED = "issued"
    REJECTED = "rejected"


@dataclass(frozen=True)
class CertificateRequest:
    product: str
    common_name: str
    answers: Mapping[str, str]  # csr, dcv_method, contact_email, organisation_phone, dcv_email, …
    reference: str = ""  # the authority's order reference, once it gave one


@dataclass(frozen=True)
class CaAnswer:
    status: CaStatus
    reference: str
    requested: tuple[str, ...] = ()
    certificate_pem: str = ""
    expires_on: date | None = None
    message: str = ""


class CertificateAuthority(Protocol):
    products: tuple[str, ...]

    def submit(self, request: CertificateRequest) -> CaAnswer: ...


@dataclass(frozen=True)
class AuthoritySpec:
    settings_model: type[BaseModel]
    factory: Callable[[BaseModel, bool], CertificateAuthority]
    secret_fields: tuple[str, ...] = ()


_authorities: dict[str, AuthoritySpec] = {}


def register_authority(name: str, spec: AuthoritySpec) -> None:
    _authorities[name] = spec


def authority_names() -> list[str]:
    return sorted(_authorities)


def authority_spec(name: str) -> AuthoritySpec:
    if name not in _authorities:
        raise KeyError(name)
    return _authorities[name]


def authority_for(name: str, settings: Mapping[str, Any], *, test_mode: bool) -> CertificateAuthority:
    spec = authority_spec(name)
    return spec.factory(spec.settings_model.model_validate(dict(settings)), test_mode)
