"""Idempotent writes for the demo seed: make the database hold the planned rows, keyed by natural keys.

``sync_rows`` creates what is missing (in bulk), updates what differs and leaves every other row alone, so
running the seed twice gives the same rows and a re-run costs a handful of queries per table.
"""

from collections import Counter
from collections.abc import Iterable

from django.contrib.auth.hashers import check_password, make_password

from members.models import User


def _key_of(key_fields: tuple[str, ...], source, getter):
    values = tuple(getter(source, name) for name in key_fields)
    return values if len(values) > 1 else values[0]


def sync_rows(model, tenant, key, rows: Iterable[dict]) -> dict:
    """Make the active tenant's ``model`` rows include ``rows`` (dicts of attribute names, ``*_id`` for foreign
    keys), matched on the ``key`` attribute(s). Returns ``{key: instance}`` for the planned rows.

    Must run inside ``tenant_scope(tenant)``. ``bulk_create`` skips ``save()``, so rows carry the fields that
    ``save()`` would derive (``SchoolClass.college_id``, ``Room.building_id``).
    """
    key_fields = (key,) if isinstance(key, str) else tuple(key)
    rows = list(rows)
    existing = {_key_of(key_fields, obj, getattr): obj for obj in model.objects.all()}
    to_create, to_update, changed = [], [], set()
    for row in rows:
        obj = existing.get(_key_of(key_fields, row, dict.__getitem__))
        if obj is None:
            to_create.append(model(tenant=tenant, **row))
            continue
        diff = [name for name, value in row.items() if getattr(obj, name) != value]
        if diff:
            for name in diff:
                setattr(obj, name, row[name])
            to_update.append(obj)
            changed.update(diff)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)
        existing = {_key_of(key_fields, obj, getattr): obj for obj in model.objects.all()}
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed), batch_size=500)
    return {_key_of(key_fields, row, dict.__getitem__): existing[_key_of(key_fields, row, dict.__getitem__)]
            for row in rows}


class DemoPassword:
    """One hash of the demo password, shared by every demo account.

    Hashing costs about 0.4 s, so the seed hashes once per run at most: a re-run checks the hash the demo
    accounts already share (one check) and reuses it. Only the demo accounts of ``seed_demo`` get it.
    """

    def __init__(self, raw: str, usernames: Iterable[str]):
        self.raw = raw
        self.usernames = tuple(usernames)
        self._encoded = None

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            stored = Counter(
                User.objects.filter(username__in=self.usernames).values_list("password", flat=True)
            )
            for encoded, _count in stored.most_common():
                if encoded and not encoded.startswith("!") and check_password(self.raw, encoded):
                    self._encoded = encoded
                    break
            else:
                self._encoded = make_password(self.raw)
        return self._encoded


def sync_users(tenant, accounts: dict[str, dict], demo_password: DemoPassword) -> dict[str, User]:
    """Make the users named in ``accounts`` exist with the given attributes.

    ``accounts`` maps a username to ``{"person_id", "is_staff", "is_platform_admin", "demo"}``. Demo accounts
    get the demo password; every other account is created without a usable password (no hashing: the
    person activates the account through a link). Existing passwords of non-demo accounts are left alone.
    """
    existing = {user.username: user for user in User.objects.filter(username__in=list(accounts))}
    to_create, to_update, changed = [], [], set()
    for username, spec in accounts.items():
        wanted = {
            "tenant_id": getattr(tenant, "pk", None),
            "person_id": spec.get("person_id"),
            "is_staff": spec.get("is_staff", False),
            "is_platform_admin": spec.get("is_platform_admin", False),
            "is_active": True,
        }
        user = existing.get(username)
        if user is None:
            user = User(username=username, **wanted)
            if spec.get("demo"):
                user.password = demo_password.encoded
            else:
                user.set_unusable_password()
            to_create.append(user)
            continue
        diff = [name for name, value in wanted.items() if getattr(user, name) != value]
        if spec.get("demo") and user.password != demo_password.encoded:
            user.password = demo_password.encoded
            diff.append("password")
        if diff:
            for name in diff:
                if name != "password":
                    setattr(user, name, wanted[name])
            to_update.append(user)
            changed.update(diff)
    if to_create:
        User.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        User.objects.bulk_update(to_update, sorted(changed), batch_size=500)
    return {user.username: user for user in User.objects.filter(username__in=list(accounts))}
