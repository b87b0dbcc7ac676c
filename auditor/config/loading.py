"""The YAML config: schema, loading, secret references, and conversion to the estate.

One file holds the estate (organization, accounts, domains, launches, change windows), policy,
sources (company records), platforms (API credentials and base URLs), storage, mail, schedules and
named profiles. It is read with PyYAML's safe loader (libyaml's when present) and validated with pydantic; unknown fields are
errors (a misspelling must not silently disable a check). Secrets are written as ``${ENV_NAME}``
and held in ``SecretStr``; they are resolved from the environment only where a part that uses
them runs (:meth:`AppConfig.with_secrets`: collectors, the mailer, ``doctor``), never printed.
A command that only reads the store needs none of them. Until then a secret field holds an
:class:`UnresolvedSecret`, which refuses to give a value (a part that forgot to resolve fails
closed, it never sends the reference text as a credential). A ``${ENV_NAME}`` in a field that is
not a secret is read at load.

Any problem raises :class:`~auditor.core.errors.ConfigError` with one line: the file, the field path
and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, SecretStr, ValidationError

from auditor.config.mutes_file import MuteRule, load_mute_rules
from auditor.config.schema import (
    AccountCredentialsModel,
    AccountModel,
    AgencyModel,
    AttestationModel,
    BusinessModel,
    ChangeWindowModel,
    ConfigModel,
    DirectorySource,
    DomainModel,
    LaunchModel,
    MailModel,
    NetworkModel,
    OrganizationModel,
    PlatformModel,
    PolicyModel,
    ProfileModel,
    RegisterSource,
    ScheduleModel,
    SmtpModel,
    SourcesModel,
    StorageModel,
    VaultSource,
    WhoisModel,
)
from auditor.core import estate as est
from auditor.core.errors import ConfigError

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, the C one when libyaml is available (about 4x faster)."""

__all__ = [
    "PLATFORMS",
    "SAFE_LOADER",
    "AccountCredentialsModel",
    "AccountModel",
    "AgencyModel",
    "AppConfig",
    "AttestationModel",
    "BusinessModel",
    "ChangeWindowModel",
    "ConfigModel",
    "DirectorySource",
    "DomainModel",
    "LaunchModel",
    "MailModel",
    "MuteRule",
    "NetworkModel",
    "OrganizationModel",
    "PlatformModel",
    "PolicyModel",
    "ProfileModel",
    "RegisterSource",
    "ScheduleModel",
    "SecretReference",
    "SmtpModel",
    "SourcesModel",
    "StorageModel",
    "UnresolvedSecret",
    "VaultSource",
    "WhoisModel",
    "load_config",
]

ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
PLATFORMS = ("x", "meta", "instagram", "linkedin", "youtube", "github", "mastodon", "bluesky")


class UnresolvedSecret(SecretStr):
    """A secret field's ``${ENV_NAME}`` reference before :meth:`AppConfig.with_secrets`: it
    masks like any secret and refuses to give a value."""

    def __init__(self, variable: str) -> None:
        super().__init__(f"${{{variable}}}")
        self.variable = variable

    def get_secret_value(self) -> str:
        raise ConfigError(
            f"secret ${{{self.variable}}} was used before the environment was read"
            " (a bug: report it)"
        )


@dataclass(frozen=True)
class SecretReference:
    """One ``${ENV_NAME}`` written in a secret field of the config."""

    field: str
    """Where: the dotted field path (``platforms.x.token``)."""
    variable: str
    """The environment variable named."""


class AppConfig:
    """A validated config: the pydantic model, where it came from, and the estate it declares.

    Secret fields hold :class:`UnresolvedSecret` until :meth:`with_secrets` reads them."""

    def __init__(
        self,
        model: ConfigModel,
        path: Path,
        environ: Mapping[str, str] | None = None,
        mute_rules: tuple[MuteRule, ...] = (),
    ) -> None:
        self.model = model
        self.path = path
        self.base_dir = path.parent
        self.environ = environ
        """The environment secrets are read from (None: ``os.environ`` when they are read)."""
        self.mute_rules = mute_rules
        """The accepted risks of the mutes file (``mutes:``), in file order."""
        self.estate = _estate(model)
        self.policy = _policy(model.policy)

    def with_model(self, model: ConfigModel) -> AppConfig:
        """The same config (file, environment, mutes file) with another model."""
        return AppConfig(model, self.path, self.environ, self.mute_rules)

    def secret_references(self) -> list[SecretReference]:
        """Every ``${ENV_NAME}`` still unresolved in a secret field, in file order."""
        found: list[SecretReference] = []

        def note(where: str, ref: UnresolvedSecret) -> UnresolvedSecret:
            found.append(SecretReference(where, ref.variable))
            return ref

        _map_secrets(self.model, (), note)
        return found

    def with_secrets(self, *fields: str) -> AppConfig:
        """A copy whose secret references are read from the environment (all of them, or those
        under the dotted prefixes ``fields``, e.g. ``mail``); :class:`ConfigError` naming every
        variable that is unset or empty."""
        env = os.environ if self.environ is None else self.environ
        missing: list[str] = []

        def value(where: str, ref: UnresolvedSecret) -> SecretStr:
            if fields and not any(where == f or where.startswith(f + ".") for f in fields):
                return ref
            text = env.get(ref.variable)
            if not text:
                missing.append(f"{_unusable(ref.variable, text)} ({where})")
            return SecretStr(text or "")

        model = _map_secrets(self.model, (), value)
        if missing:
            raise ConfigError("; ".join(missing), file=str(self.path))
        return self.with_model(model)

    def resolve(self, relative: Path) -> Path:
        """A path from the config, relative to the config file's folder."""
        return relative if relative.is_absolute() else self.base_dir / relative

    def digest(self) -> str:
        """SHA-256 of the canonical config, secrets masked (pydantic dumps SecretStr as ****),
        the same whether or not they have been read."""
        masked = _map_secrets(self.model, (), lambda _where, _ref: SecretStr("masked"))
        dumped = masked.model_dump(mode="json", by_alias=True)
        return hashlib.sha256(json.dumps(dumped, sort_keys=True).encode()).hexdigest()

    def with_endpoints(
        self,
        base_urls: Mapping[str, str],
        whois_server: str | None = None,
        *,
        allow_private: bool = False,
    ) -> AppConfig:
        """A copy whose APIs use ``base_urls`` (keyed by config platform name) and whose WHOIS
        queries go to ``whois_server`` (``host:port``): for the sandbox and enterprise gateways.
        ``allow_private`` lets the HTTP layer reach loopback/private addresses (the sandbox)."""
        platforms: dict[str, PlatformModel] = {k: v for k, v in self.model.platforms.items()}
        for name, url in base_urls.items():
            platforms[name] = (platforms.get(name) or PlatformModel()).model_copy(
                update={"base_url": url}
            )
        whois = self.model.whois
        if whois_server:
            whois = whois.model_copy(update={"server": whois_server})
        network = self.model.network.model_copy(
            update={"allow_private": allow_private or self.model.network.allow_private}
        )
        model = self.model.model_copy(
            update={"platforms": platforms, "whois": whois, "network": network}
        )
        return self.with_model(model)


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> AppConfig:
    """Read and validate; ``${ENV}`` references in secret fields stay references until
    :meth:`AppConfig.with_secrets` (read from ``environ``, default ``os.environ``), others are
    read now; :class:`ConfigError` on any problem."""
    env = os.environ if environ is None else environ
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", file=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read file ({exc.__class__.__name__})", file=name) from None
    root: yaml.Node | None = None
    loader = SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        _check_expanded_size(root, name)
        raw = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise ConfigError(_yaml_problem(text, exc), file=name, field=where) from None
    except RecursionError:
        raise ConfigError("is not valid YAML: nesting is too deep", file=name) from None
    except ValueError as exc:  # PyYAML's int() and date() on out-of-range scalars
        reason = str(exc).split(":")[0][:80]
        raise ConfigError(
            f"is not valid YAML: a number or date is out of range ({reason})",
            file=name,
            field=_unreadable_scalar(root),
        ) from None
    finally:
        loader.dispose()
    if not isinstance(raw, dict):
        raise ConfigError("expected a mapping at the top level", file=name)
    resolved = _resolve_env(raw, ConfigModel, env, name, ())
    try:
        model = ConfigModel.model_validate(resolved)
    except ValidationError as exc:
        raise _one_line(exc, name) from None
    config = AppConfig(model, path, environ)
    _cross_check(config, name)
    if model.mutes is None:
        return config
    rules = load_mute_rules(
        config.resolve(model.mutes),
        max_days=model.policy.max_mute_days,
        today=datetime.now(UTC).date(),
    )
    return AppConfig(model, path, environ, rules)


UNQUOTED_FLOW_REF = re.compile(r"[{\[,]\s*(?:[\w.-]+\s*:\s*)?\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""``${NAME}`` unquoted inside a ``{...}`` or ``[...]``, where YAML reads the braces as syntax."""


def _yaml_problem(text: str, exc: yaml.YAMLError) -> str:
    """What is wrong, with the fix for the one mistake the ``${ENV}`` syntax invites."""
    marks = [getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)]
    lines = text.splitlines()
    for mark in marks:
        if mark is None or mark.line >= len(lines):
            continue
        found = UNQUOTED_FLOW_REF.search(lines[mark.line])
        if found:
            name = found.group(1)
            return (
                f"is not valid YAML: inside {{...}} or [...] quote the reference, as"
                f' "${{{name}}}" (braces there are YAML syntax)'
            )
    return "is not valid YAML"


MAX_YAML_NODES = 500_000
"""Nodes a config may have once its aliases are expanded (refuses "billion laughs" files)."""


def _check_expanded_size(root: yaml.Node | None, file: str) -> None:
    """Refuse a document whose aliases expand past :data:`MAX_YAML_NODES` (counted on the
    composed node graph, where an alias is a shared node, in linear time)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is None:
            known = 1
            if isinstance(node, yaml.SequenceNode):
                known += sum(size(child) for child in node.value)
            elif isinstance(node, yaml.MappingNode):
                known += sum(size(key) + size(value) for key, value in node.value)
            sizes[id(node)] = known = min(known, MAX_YAML_NODES + 1)
        return known

    if root is not None and size(root) > MAX_YAML_NODES:
        raise ConfigError(
            f"expected at most {MAX_YAML_NODES} values once aliases (*name) are expanded",
            file=file,
        )


def _unreadable_scalar(root: yaml.Node | None) -> str | None:
    """``line N`` of the first scalar PyYAML cannot construct (a 13th month, a huge int)."""
    loader = yaml.SafeLoader("")
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node)
            except ValueError:
                return f"line {node.start_mark.line + 1}"
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))
    return None


def _resolve_env(
    node: Any, annotation: Any, env: Mapping[str, str], file: str, where: tuple[str, ...]
) -> Any:
    """The raw YAML with each ``${NAME}``: an :class:`UnresolvedSecret` where the schema
    (``annotation``) expects a secret, else the variable's value (unset or empty: an error)."""
    if isinstance(node, dict):
        return {
            k: _resolve_env(v, _child_annotation(annotation, k), env, file, (*where, str(k)))
            for k, v in node.items()
        }
    if isinstance(node, list):
        item = _child_annotation(annotation, None)
        return [_resolve_env(v, item, env, file, (*where, str(i))) for i, v in enumerate(node)]
    if isinstance(node, str):
        match = ENV_REF.match(node.strip())
        if match:
            if _expects(annotation, SecretStr):
                return UnresolvedSecret(match.group(1))
            value = env.get(match.group(1))
            if not value:
                message = _unusable(match.group(1), value)
                raise ConfigError(message, file=file, field=".".join(where))
            return value
        if "${" in node and _expects(annotation, SecretStr):
            raise ConfigError(
                "expected a secret as the whole value ${ENV_NAME}, got text around it",
                file=file,
                field=".".join(where),
            )
    return node


def _unusable(variable: str, value: str | None) -> str:
    """Why an environment variable cannot give a value: unset, or empty (an empty secret is a
    mistake, never a credential)."""
    return f"environment variable {variable} {'is empty' if value == '' else 'is not set'}"


def _members(annotation: Any) -> tuple[Any, ...]:
    """The types an annotation admits (the members of a union, or itself)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(m for arg in get_args(annotation) for m in _members(arg))
    return (annotation,)


def _expects(annotation: Any, kind: type) -> bool:
    return any(isinstance(m, type) and issubclass(m, kind) for m in _members(annotation))


def _child_annotation(annotation: Any, key: object) -> Any:
    """What the schema expects under ``key`` of a mapping (``None``: an item of a list)."""
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel) and key is not None:
            for name, field in member.model_fields.items():
                if key in (name, field.alias):
                    return field.annotation
        args = get_args(member)
        if get_origin(member) is dict and len(args) == 2 and key is not None:
            return args[1]
        if get_origin(member) in (list, tuple) and args and key is None:
            return args[0]
    return None


def _map_secrets(node: Any, where: tuple[str, ...], visit: Any) -> Any:
    """``node`` with each :class:`UnresolvedSecret` replaced by ``visit(path, secret)``'s
    result (pydantic models copied, never changed in place)."""
    if isinstance(node, UnresolvedSecret):
        return visit(".".join(where), node)
    if isinstance(node, BaseModel):
        changes = {}
        for name in type(node).model_fields:
            value = getattr(node, name)
            field = type(node).model_fields[name]
            mapped = _map_secrets(value, (*where, field.alias or name), visit)
            if mapped is not value:
                changes[name] = mapped
        return node.model_copy(update=changes) if changes else node
    if isinstance(node, dict):
        mapped_items = {k: _map_secrets(v, (*where, str(k)), visit) for k, v in node.items()}
        changed = any(mapped_items[k] is not v for k, v in node.items())
        return mapped_items if changed else node
    if isinstance(node, list):
        mapped_list = [_map_secrets(v, (*where, str(i)), visit) for i, v in enumerate(node)]
        return (
            mapped_list if any(a is not b for a, b in zip(mapped_list, node, strict=True)) else node
        )
    return node


def _shown_key(part: object) -> str:
    """A location part as printable text: control characters escaped, long keys cut (a key is
    the user's text and goes to a terminal)."""
    text = str(part)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= 60 else text[:57] + "..."


class ConfigProblems(ConfigError):
    """Several problems in one config: the message is the first (the most telling) with a
    count of the others; ``problems`` holds every one (``validate`` prints them all)."""

    def __init__(self, problems: list[ConfigError]) -> None:
        first = problems[0]
        more = len(problems) - 1
        suffix = f" (+{more} more problem{'s' if more > 1 else ''}: 'brand-audit validate'"
        suffix += " lists them)" if more else ""
        super().__init__(
            first.message + (suffix if more else ""), file=first.file, field=first.field
        )
        self.problems = tuple(problems)
        """Every problem found, the most telling first."""


def _one_line(exc: ValidationError, file: str) -> ConfigError:
    """Every problem, the most telling first: a misspelled key is both an unknown field and a
    missing one, and the unknown field is the one the user must fix."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    problems: list[ConfigError] = []
    for error in errors:
        loc = ".".join(_shown_key(p) for p in error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            message = "unknown field (check the spelling)"
        elif kind == "missing":
            message = "required field is missing"
        else:
            expected = error["msg"].removeprefix("Value error, ")
            message = f"expected: {expected}"
        problems.append(ConfigError(message, file=file, field=loc or None))
    return problems[0] if len(problems) == 1 else ConfigProblems(problems)


def _cross_check(config: AppConfig, file: str) -> None:
    model = config.model
    problems: list[ConfigError] = []
    keys = [f"{a.platform}:{a.handle.lower()}" for a in model.accounts]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            problems.append(
                ConfigError(f"duplicate account {key}", file=file, field=f"accounts.{index}")
            )
    _check_businesses(model, file)
    for index, window in enumerate(model.change_windows):
        if window.account.lower() not in keys:
            problems.append(
                ConfigError(
                    f"expected platform:handle of an account in 'accounts', got {window.account!r}",
                    file=file,
                    field=f"change_windows.{index}.account",
                )
            )
    for index, schedule in enumerate(model.schedules):
        if schedule.profile and schedule.profile not in model.profiles:
            problems.append(
                ConfigError(
                    f"expected a profile defined under 'profiles', got {schedule.profile!r}",
                    file=file,
                    field=f"schedules.{index}.profile",
                )
            )
    if problems:
        raise problems[0] if len(problems) == 1 else ConfigProblems(problems)


def _check_businesses(model: ConfigModel, file: str) -> None:
    """Business handles are unique, every ``accounts[].business`` names one, and the policy's
    admin bounds leave room for a pass."""
    names = [b.handle.lower() for b in model.businesses]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise ConfigError(
                f"duplicate business {name!r}", file=file, field=f"businesses.{index}.handle"
            )
    for index, account in enumerate(model.accounts):
        if account.business is not None and account.business.lower() not in names:
            raise ConfigError(
                f"expected the handle of an entry in 'businesses', got {account.business!r}",
                file=file,
                field=f"accounts.{index}.business",
            )
    policy = model.policy
    if policy.min_full_admins > policy.max_full_admins:
        raise ConfigError(
            f"expected at most max_full_admins ({policy.max_full_admins}), "
            f"got {policy.min_full_admins}",
            file=file,
            field="policy.min_full_admins",
        )


def _aware(value: datetime, zone: str) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))


def _estate(model: ConfigModel) -> est.Estate:
    org = model.organization
    organization = est.Organization(
        name=org.name,
        email_domains=tuple(d.lower() for d in org.email_domains),
        agencies=tuple(
            est.Agency(a.name, tuple(d.lower() for d in a.domains)) for a in org.agencies
        ),
        public_emails=tuple(e.lower() for e in org.public_emails),
        public_phones=tuple(org.public_phones),
        default_region=org.default_region,
        legal_names=tuple(org.legal_names),
        brand_names=tuple(org.brand_names),
    )
    businesses = tuple(_inventory_entry(b, {}) for b in model.businesses)
    held_by = {b.handle.lower(): b.asset.key for b in businesses}
    accounts = tuple(_inventory_entry(a, held_by) for a in model.accounts)
    return est.Estate(
        organization=organization,
        accounts=businesses + accounts,
        domains=tuple(est.DomainSpec(d.name.lower(), d.lookalikes) for d in model.domains),
        launches=tuple(
            est.Launch(x.name, tuple(x.terms), _aware(x.embargo_until, x.timezone))
            for x in model.launches
        ),
        change_windows=tuple(
            est.ChangeWindow(
                account_key="account:" + w.account.lower(),
                starts=_aware(w.starts, w.timezone),
                ends=_aware(w.ends, w.timezone),
                fields=tuple(w.fields),
                reason=w.reason,
            )
            for w in model.change_windows
        ),
        **_brand_handles(model.brand_handles),
    )


def _inventory_entry(
    entry: AccountModel | BusinessModel, held_by: Mapping[str, str]
) -> est.AccountSpec:
    """One inventory account or business as the estate records it (a business is an asset
    of its own, on its business platform); ``held_by`` maps a business handle to its key."""
    account = entry if isinstance(entry, AccountModel) else None
    return est.AccountSpec(
        platform=entry.platform,
        handle=entry.handle,
        id=entry.id,
        owner=account.owner if account else est.OwnerKind.COMPANY,
        owner_name=account.owner_name if account else None,
        registered_email=entry.registered_email.lower() if entry.registered_email else None,
        vault_item=entry.vault_item,
        two_factor=est.Attestation(
            entry.two_factor.method, entry.two_factor.attested_on, entry.two_factor.attested_by
        )
        if entry.two_factor
        else None,
        expected_admins=tuple(x.lower() for x in entry.expected_admins),
        last_access_review=entry.last_access_review,
        approved_apps=tuple(entry.approved_apps),
        tags=tuple(entry.tags),
        business=held_by.get(account.business.lower()) if account and account.business else None,
        credentials=account.credentials.names() if account and account.credentials else (),
        credential_holders=tuple(x.strip().lower() for x in entry.credential_holders),
    )


def _brand_handles(handles: list[str] | Mapping[Any, list[str]]) -> dict[str, Any]:
    """``brand_handles`` as the estate keeps it: one list for every platform, or handles per
    platform (and their union for the uses that are not per platform)."""
    if isinstance(handles, list):
        return {"brand_handles": tuple(handles)}
    every = tuple(dict.fromkeys(h for names in handles.values() for h in names))
    return {
        "brand_handles": every,
        "platform_handles": {p: tuple(names) for p, names in handles.items()},
    }


def _policy(model: PolicyModel) -> est.Policy:
    defaults = est.Policy()
    return est.Policy(
        max_full_admins=model.max_full_admins,
        min_full_admins=model.min_full_admins,
        access_review_max_days=model.access_review_max_days,
        attestation_max_days=model.attestation_max_days,
        password_min_score=model.password_min_score,
        password_min_length=model.password_min_length,
        password_max_age_days=model.password_max_age_days,
        domain_expiry_days=model.domain_expiry_days,
        posting_burst_factor=model.posting_burst_factor,
        posting_window_hours=model.posting_window_hours,
        content_window_days=model.content_window_days,
        lookalike_cap=model.lookalike_cap,
        free_mail_domains=tuple(model.free_mail_domains or defaults.free_mail_domains),
        approved_apps=tuple(model.approved_apps),
        approved_registrars=tuple(model.approved_registrars),
        allowed_link_domains=tuple(d.lower() for d in model.allowed_link_domains),
        shorteners=tuple(model.shorteners or defaults.shorteners),
        claim_platforms=tuple(model.claim_platforms),
        severity_overrides=dict(model.severity),
    )
