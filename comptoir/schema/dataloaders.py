"""DataLoaders, one per access path, created per operation on the context (Context.loaders).

A page of N objects costs one query per relation selected, not N: each field asks its loader for one key,
the loader answers the keys asked in the same turn of the event loop with one query. Batches run on the
operation's AsyncSession through Context.run, which holds the context's lock: the session is never used
by two coroutines at once. Loaders cache for the operation; a write on the session drops them
(Context.forget_loaded), so a mutation's payload never shows what was read before the change.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Callable, Generator, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, undefer
from strawberry.dataloader import DataLoader

from comptoir.errors import DomainError
from comptoir.hosting import allocation_usage, inspection, plans, rules
from comptoir.hosting.errors import HostingErrorCode
from comptoir.hosting.models import BackgroundJob as JobModel
from comptoir.hosting.models import IpPoolEntry, ServicePlan, Site, SubscriptionAddon
from comptoir.hosting.models import Subscription as SubscriptionModel
from comptoir.tenancy.models import Customer as CustomerModel
from comptoir.tenancy.models import Seller as SellerModel

if TYPE_CHECKING:
    from comptoir.schema.context import Context
    from comptoir.schema.customers import Customer
    from comptoir.schema.hosting import EffectivePhpDirective, EffectiveValue, Plan
    from comptoir.schema.resellers import ResellerAllocation

K = TypeVar("K")
V = TypeVar("V")


def ready(loader: DataLoader[Any, Any], key: Any) -> Any:
    """The value for `key` when the loader already holds it, else an awaitable of it."""
    future = loader.cache_map.get(key)
    if future is not None and future.done():
        return future.result()
    return loader.load(key)


class Later:
    """The value of one key, loaded when awaited (and only then): what a plain field holds for a relation
    its loader does not hold yet. graphql-core awaits it if the client selected the field; otherwise
    nothing is loaded."""

    __slots__ = ("loader", "key", "then")

    def __init__(self, loader: DataLoader[Any, Any], key: Any, then: Callable[[Any], Any] | None) -> None:
        self.loader, self.key, self.then = loader, key, then

    def __await__(self) -> Generator[Any, None, Any]:
        value = yield from self.loader.load(self.key).__await__()
        return self.then(value) if self.then else value


def value_or_later(loader: DataLoader[Any, Any], key: Any, then: Callable[[Any], Any] | None = None) -> Any:
    """For plain (sync) fields: the value when loaded (a connection warms its loaders first), else a Later.

    Plain fields skip Strawberry's resolver machinery: on the 50-subscription page, five resolver
    fields per item cost more than the whole of the SQL (measured with cProfile).
    """
    future = loader.cache_map.get(key)
    if future is not None and future.done():
        value = future.result()
        return then(value) if then else value
    return Later(loader, key, then)


class Warmable:
    """A loader that a connection can fill for a page before building its objects."""

    async def warm(self: Any, keys: Iterable[Any]) -> None:
        """Load the keys not held yet with one batch, and hold their values.

        Unlike load_many, no future is awaited per key (that costs ~10 µs a key in asyncio callbacks,
        measured: a third of a 50-subscription page's loading).
        """
        missing = [key for key in keys if self.cache_map.get(key) is None]
        if missing:
            values = await self.load_fn(missing)
            self.prime_many({k: v for k, v in zip(missing, values, strict=True) if not isinstance(v, BaseException)})


class Loader(Warmable, DataLoader[K, V], Generic[K, V]):
    """A DataLoader whose batch is one synchronous function run on the operation's session."""

    def __init__(self, context: Context, **options: Any) -> None:
        self.context = context
        super().__init__(load_fn=self._batch, **options)

    async def _batch(self, keys: list[K]) -> Sequence[V | BaseException]:
        return await self.context.run(lambda session: self.fetch(session, keys))

    def fetch(self, session: Session, keys: list[K]) -> Sequence[V | BaseException]:
        raise NotImplementedError


def _by_id(session: Session, model: Any, keys: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(keys)))}


class PlansByIdLoader(Loader[uuid.UUID, "Plan | None"]):
    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[Plan | None]:
        from comptoir.schema.hosting import Plan

        found = _by_id(session, ServicePlan, keys)
        return [Plan.from_model(found[k]) if k in found else None for k in keys]


class PlanUsageLoader(Loader[uuid.UUID, int]):
    """How many subscriptions use each plan or add-on."""

    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[int]:
        counts = plans.usage_counts(session, keys)
        return [counts[k] for k in keys]


class AddonsBySubscriptionIdLoader(Loader[uuid.UUID, "list[Plan]"]):
    """Add-ons of each subscription in the order they were added, in one joined query; the plans loader
    is primed with them (effective values and PHP settings need them too)."""

    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[list[Plan]]:
        from comptoir.schema.hosting import Plan

        rows = session.execute(
            select(SubscriptionAddon.subscription_id, ServicePlan)
            .join(ServicePlan, ServicePlan.id == SubscriptionAddon.addon_id)
            .where(SubscriptionAddon.subscription_id.in_(keys)).order_by(SubscriptionAddon.created_at))
        built: dict[uuid.UUID, Plan] = {}
        addons: dict[uuid.UUID, list[Plan]] = defaultdict(list)
        for subscription_id, plan in rows:
            if plan.id not in built:
                built[plan.id] = Plan.from_model(plan)
            addons[subscription_id].append(built[plan.id])
        self.context.loaders.plans.prime_many(built)
        return [addons.get(k, []) for k in keys]


class CustomerByIdLoader(Loader[uuid.UUID, "Customer | None"]):
    """Customers as Core rows (Customer.from_model reads their columns): a page names up to 50 of them,
    and ORM objects cost twice the CPU for nothing kept (measured)."""

    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[Customer | None]:
        from comptoir.schema.customers import Customer

        table = CustomerModel.__table__
        found = {row.id: row for row in session.execute(select(table).where(table.c.id.in_(keys)))}
        return [Customer.from_model(found[k]) if k in found else None for k in keys]  # type: ignore[arg-type]


class PoolAddressByIdLoader(Loader[uuid.UUID, "str | None"]):
    """The address of each IP pool entry (what a subscription is hosted on)."""

    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[str | None]:
        found = dict(session.execute(select(IpPoolEntry.id, IpPoolEntry.address).where(
            IpPoolEntry.id.in_(keys))).all())
        return [str(found[k]) if k in found else None for k in keys]


class ResellerAllocationLoader(Loader[uuid.UUID, "ResellerAllocation | None"]):
    """Each reseller's allocation with what it uses of it, in one query."""

    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[ResellerAllocation | None]:
        from comptoir.schema.resellers import ResellerAllocation

        reports = allocation_usage.reports_for(session, keys)
        return [ResellerAllocation.from_report(reports[k]) if k in reports else None for k in keys]


class SitesBySubscriptionIdLoader(Loader[uuid.UUID, list[Site]]):
    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[list[Site]]:
        sites: dict[uuid.UUID, list[Site]] = defaultdict(list)
        for site in session.scalars(select(Site).where(Site.subscription_id.in_(keys)).order_by(Site.created_at)):
            sites[site.subscription_id].append(site)
        return [sites.get(k, []) for k in keys]


# The JSON documents of a subscription row: a page that shows none of them defers them (their decoding
# was most of the ORM's cost for 50 rows), and a field that needs them loads them for the whole page.
DOCUMENTS = ("values", "customization", "conflicts")


def documents_deferred() -> list[Any]:
    return [defer(getattr(SubscriptionModel, name)) for name in DOCUMENTS]


class SubscriptionDocumentsLoader(Loader[uuid.UUID, None]):
    """Loads the deferred documents into the rows already in the session (SQLAlchemy fills their unloaded
    attributes)."""

    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[None]:
        list(session.scalars(select(SubscriptionModel).where(SubscriptionModel.id.in_(keys))
                             .options(*[undefer(getattr(SubscriptionModel, name)) for name in DOCUMENTS])))
        return [None] * len(keys)


def has_documents(row: SubscriptionModel) -> bool:
    return DOCUMENTS[0] not in sa_inspect(row).unloaded


async def with_documents(context: Context, rows: Sequence[SubscriptionModel]) -> None:
    missing = [row.id for row in rows if not has_documents(row)]
    if missing:
        await context.loaders.documents.load_many(missing)


class SubscriptionByIdLoader(Loader[uuid.UUID, SubscriptionModel | None]):
    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[SubscriptionModel | None]:
        found = _by_id(session, SubscriptionModel, keys)
        return [found.get(k) for k in keys]


class SellerByIdLoader(Loader[uuid.UUID, SellerModel | None]):
    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[SellerModel | None]:
        found = _by_id(session, SellerModel, keys)
        return [found.get(k) for k in keys]


class RowsByIdLoader(Loader[uuid.UUID, Any]):
    """Rows of one mapped class by primary key (None where row security hides it or it does not exist):
    what node(id) fetches and what a list's relation to that table reads (Loaders.rows)."""

    def __init__(self, context: Context, model: Any) -> None:
        self.model = model
        super().__init__(context)

    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[Any]:
        found = _by_id(session, self.model, keys)
        return [found.get(k) for k in keys]


class JobByIdLoader(Loader[uuid.UUID, JobModel | None]):
    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[JobModel | None]:
        found = _by_id(session, JobModel, keys)
        return [found.get(k) for k in keys]


def _row_id(key: Any) -> Hashable:
    return key.id


def _inputs(row: SubscriptionModel, plan: ServicePlan | None, addons: Sequence[ServicePlan],
            *extra: Any) -> Hashable:
    """What a subscription's effective values (or PHP settings) follow from: subscriptions of a page that
    share it share the result (on a page most share their plan, add-ons and values)."""
    return (plan.id if plan else None, tuple(a.id for a in addons),
            msgspec.json.encode(row.customization, order="sorted"), msgspec.json.encode(row.values, order="sorted"),
            *extra)


class EffectiveValuesLoader(Warmable, DataLoader[SubscriptionModel, "list[EffectiveValue]"]):
    """Effective values of subscriptions (keyed by the row), from their plans and add-ons, which the
    plans and add-ons loaders fetch for the whole batch; computed once per distinct inputs."""

    def __init__(self, context: Context) -> None:
        self.context = context
        super().__init__(load_fn=self._batch, cache_key_fn=_row_id)

    async def _batch(self, rows: list[SubscriptionModel]) -> list[list[EffectiveValue]]:
        from comptoir.schema.hosting import EffectiveValue, json_text

        await with_documents(self.context, rows)
        plan_of, addons_of = await _plans_and_addons(self.context, rows)
        computed: dict[Hashable, list[EffectiveValue]] = {}
        results = []
        for row in rows:
            plan, addons = plan_of.get(row.id), addons_of[row.id]
            key = _inputs(row, plan, addons)
            if key not in computed:
                computed[key] = [EffectiveValue(property=e.name, value=json_text(e.value), origin=e.origin,
                                                source_name=e.source_name)
                                 for e in inspection.effective_values_of(row, plan, addons)]
            results.append(computed[key])
        return results


PhpKey = tuple[SubscriptionModel, "uuid.UUID | None"]


class PhpSettingsLoader(Warmable, DataLoader[PhpKey, "list[EffectivePhpDirective]"]):
    """Effective PHP directives of (subscription row, site id or None): the sites asked for in one query;
    computed once per distinct inputs."""

    def __init__(self, context: Context) -> None:
        self.context = context
        super().__init__(load_fn=self._batch, cache_key_fn=lambda key: (key[0].id, key[1]))

    async def _batch(self, keys: list[PhpKey]) -> list[list[EffectivePhpDirective] | BaseException]:
        rows = list({row.id: row for row, _ in keys}.values())
        await with_documents(self.context, rows)
        plan_of, addons_of = await _plans_and_addons(self.context, rows)
        site_ids = [site_id for _, site_id in keys if site_id is not None]
        sites = await self.context.run(lambda s: _by_id(s, Site, site_ids)) if site_ids else {}
        computed: dict[Hashable, list[EffectivePhpDirective]] = {}
        results: list[list[EffectivePhpDirective] | BaseException] = []
        for row, site_id in keys:
            site = sites.get(site_id) if site_id is not None else None
            if site_id is not None and (site is None or site.subscription_id != row.id):
                results.append(DomainError(HostingErrorCode.NOT_FOUND, "No such site in this subscription.",
                                           field="siteId"))
                continue
            plan = plan_of.get(row.id)
            addons = addons_of[row.id] if plan else []
            # A site's level depends on the site and on the subscription's own values.
            key = _inputs(row, plan, addons, row.domain_name, site_id)
            if key not in computed:
                computed[key] = _php_directives(inspection.php_levels_of(row, plan, addons, site))
            results.append(computed[key])
        return results


def _php_directives(levels: list[rules.PhpLevel]) -> list[EffectivePhpDirective]:
    from comptoir.schema.hosting import EffectivePhpDirective

    found = rules.effective_php(levels)
    return [EffectivePhpDirective(directive=e.directive, value=e.value, level=e.level, level_name=e.level_name,
                                  runtime_changeable=e.runtime_changeable) for e in (found[n] for n in sorted(found))]


async def _plans_and_addons(context: Context, rows: Sequence[SubscriptionModel]
                            ) -> tuple[dict[uuid.UUID, ServicePlan], dict[uuid.UUID, list[ServicePlan]]]:
    """Plan and add-on rows of subscriptions, through the plans and add-ons loaders."""
    loaders = context.loaders
    with_plan = [row for row in rows if row.plan_id]
    found, addons = await asyncio.gather(loaders.plans.load_many([row.plan_id for row in with_plan]),
                                         loaders.addons.load_many([row.id for row in rows]))
    plan_of = {row.id: plan.model for row, plan in zip(with_plan, found, strict=True) if plan is not None}
    addons_of = {row.id: [a.model for a in listed] for row, listed in zip(rows, addons, strict=True)}
    return plan_of, addons_of


class Loaders:
    """The operation's loaders, one per access path."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._extra: dict[str, DataLoader[Any, Any]] = {}
        self.plans = PlansByIdLoader(context)
        self.plan_usage = PlanUsageLoader(context)
        self.addons = AddonsBySubscriptionIdLoader(context)
        self.customers = CustomerByIdLoader(context)
        self.pool_addresses = PoolAddressByIdLoader(context)
        self.reseller_allocations = ResellerAllocationLoader(context)
        self.sites = SitesBySubscriptionIdLoader(context)
        self.subscriptions = SubscriptionByIdLoader(context)
        self.documents = SubscriptionDocumentsLoader(context)
        self.jobs = JobByIdLoader(context)
        self.sellers = SellerByIdLoader(context)
        self.effective_values = EffectiveValuesLoader(context)
        self.php_settings = PhpSettingsLoader(context)

    def rows(self, model: Any) -> RowsByIdLoader:
        """The loader of `model`'s rows by id, made on first use."""
        return self.extra(f"rows:{model.__tablename__}", lambda context: RowsByIdLoader(context, model))  # type: ignore[return-value]

    def extra(self, name: str, make: Callable[[Context], DataLoader[Any, Any]]) -> DataLoader[Any, Any]:
        """A loader defined beside the resolvers it builds objects with, made on first use."""
        if name not in self._extra:
            self._extra[name] = make(self._context)
        return self._extra[name]
