"""Bad input is a 400, a 404 or a form error with a Chinese message, never a 500 — on every URL of the project.

The URLs are the walk of tests/test_tenant_isolation.py (every pattern, including those without arguments, less
the ones it skips by name and the admin), filled with school B's own objects and asked by B's widest user, so
each view gets past its permission checks and reads what it is sent.

Which parameters a view reads is recorded, not guessed: the names the project reads anywhere
(``request.GET.get("x")``, ``request.POST["x"]`` in the sources, the fields of every form built from
``request.GET`` or ``request.POST``) are sent once with an innocent value while ``QueryDict`` lookups and
``request.body`` are watched. The view then gets, in exactly the parameters it read:

* each hostile value in turn (``HOSTILE``: integers beyond 64 bits, negative, ``1e999``, ``²``, full-width
  digits, NUL bytes, far months …), all parameters at once, and lists where one value is expected;
* in its path arguments, an ``int`` above 2^63 and hostile strings (``9999-12`` for a month);
* if it reads the body, JSON of hostile shapes (``status: []``, ``late_minutes: 1e999``, a person id above 2^63);
* then a few examples drawn by hypothesis from the same kinds of values (``max_examples`` is small and there is
  no deadline: the fixed sweep holds every run to the known cases, the examples look further).
"""

import json
import re
from pathlib import Path

import pytest
from django import forms
from django.http import HttpRequest, QueryDict
from django.test import override_settings
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.url_walk import _PARAMETER, Cast, Unfillable, _skipped, build_path, walk

ROOT = Path(__file__).resolve().parent.parent
APPS = ("orgs", "members", "attendance", "scoring", "config")

#: Values that broke or could break a view: integers beyond 64 bits, negative, float spellings, digits that
#: ``str.isdigit`` accepts and ``int`` refuses (²), full-width and other-script digits, NUL bytes, far dates.
HOSTILE = [
    "99999999999999999999", str(2**63), str(-(2**63) - 1), "-1", "0", "1e999", "-1e999", "1.5", "NaN", "inf",
    "", " ", "\x00", "1\x00", "²", "１２", "٣", "abc", "[]", "{}", "null", "true", "9" * 400, "😀",
    "9999-12", "0000-00", "2026-13", "10000-01", "2026-1", "-2026-01", "9999-12-31", "0001-01-01",
]

_READS = re.compile(r"request\.(GET|POST)(?:\.get\(|\.getlist\(|\[)\s*[\"'](\w+)[\"']")
_FORM_OF = re.compile(r"(\w+Form)\(\s*(?:data=)?request\.(GET|POST)")


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path.read_text(encoding="utf-8")


def _form_classes(base=forms.BaseForm):
    for cls in base.__subclasses__():
        yield cls
        yield from _form_classes(cls)


def parameter_names() -> dict[str, set[str]]:
    """{"GET": names, "POST": names, "JSON": keys} read by the project's views."""
    import attendance.forms  # noqa: F401 - every form class must be loaded to be found by name
    import members.forms  # noqa: F401
    import orgs.forms  # noqa: F401
    import scoring.forms.entries  # noqa: F401
    import scoring.forms.rulebooks  # noqa: F401

    names = {"GET": {"page"}, "POST": set(), "JSON": set()}
    form_names: dict[str, set[str]] = {"GET": set(), "POST": set()}
    for source in _sources():
        for method, name in _READS.findall(source):
            names[method].add(name)
        for form, method in _FORM_OF.findall(source):
            form_names[method].add(form)
        if "json.loads" in source:  # the keys a JSON view reads: .get("x") and ["x"] in its module
            for a, b in re.findall(r"\.get\(\s*[\"'](\w+)[\"']|\[\s*[\"'](\w+)[\"']\s*\]", source):
                names["JSON"].add(a or b)
    classes = {cls.__name__: cls for cls in _form_classes()}
    for method, found in form_names.items():
        for form in found:
            assert form in classes, f"{form} (built from request.{method}) is not a loaded form class"
            names[method] |= set(classes[form].base_fields)
    names["JSON"].discard("")
    return names


NAMES = parameter_names()


def test_the_parameter_names_are_found():
    assert {"college", "school_class", "q", "page", "term", "department", "month", "organisation"} <= NAMES["GET"]
    assert {"reason", "grade"} <= NAMES["POST"]
    assert {"marks", "person"} <= NAMES["JSON"]  # status, late_minutes: read by the service (_mark below)


def test_the_names_are_read_from_the_sources():
    found = _READS.findall('a = request.GET.get("college")\nb = request.POST["reason"]\nc = request.GET.getlist("x")')
    assert found == [("GET", "college"), ("POST", "reason"), ("GET", "x")]


# --- the routes ---


def bad_input_routes():
    return [r for r in walk() if not _skipped(r) and not r.route.startswith("admin/")]


_value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
_query_value = st.one_of(_value, st.lists(_value, min_size=2, max_size=3))
_json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False), st.sampled_from([1e308, -1e308, 2**63, 2**64, -(2**63) - 1, 40000, -40000]),
    st.sampled_from(HOSTILE), st.text(max_size=8),
)
_json = st.recursive(
    _json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(sorted(NAMES["JSON"] | {"x"})), inner, max_size=4)),
    max_leaves=8,
)
_mark = st.fixed_dictionaries({}, optional={key: _json_scalar | st.lists(_json_scalar, max_size=2)
                                            for key in ("person", "status", "late_minutes", "version")})


def _ask(client, method, path, failures, **kwargs):
    try:
        response = getattr(client, method)(path, **kwargs)
    except Exception as error:  # noqa: BLE001 - a crash is the finding
        failures.append(f"{method.upper()} {path} {kwargs.get('data')!r:.200}: raised {error!r:.300}")
        return None
    if response.status_code >= 500:
        failures.append(f"{method.upper()} {path} {kwargs.get('data')!r:.200}: answered {response.status_code}")
    return response


def _hostile_paths(route, values):
    """The route with one argument at a time made hostile: an int above 2^63, or a hostile string."""
    converters = {}
    for level in route.levels:
        if isinstance(level, RoutePattern):
            converters.update({m["parameter"]: m["converter"] or "str" for m in _PARAMETER.finditer(str(level))})
    for kwarg, converter in converters.items():
        bad = [2**63, 2**64, 10**30] if converter == "int" else ["9999-12", "0000-01", "2026-00", "99999-12", "abc",
                                                                 "%00", "x%00y"]
        for value in bad:
            try:
                yield build_path(route, {**values, kwarg: value})
            except Unfillable:
                continue  # the value does not reach this pattern (another one answers it)


SETTINGS = settings(max_examples=6, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
JSON_BODIES = ('{"marks": [{"person": 1, "status": []}]}', '{"marks": [{"person": 1, "status": "late", "late_minutes": '
               '1e999}]}', '{"marks": [{"person": 99999999999999999999}]}', "\x00", "[", '{"marks": {}}',
               '{"marks": [[]]}', '{"marks": [{"person": 1, "status": "late", "late_minutes": 40000}]}')


def _recording(original, seen):
    def recording(self, key, *args, **kwargs):
        seen.append((id(self), key))
        return original(self, key, *args, **kwargs)

    return recording


def _reads(monkeypatch, client, method, path, failures, **kwargs):
    """Ask once, recording what the view reads: (response, query names, form names, whether it read the body)."""
    seen, body_read = [], []
    original_body = HttpRequest.body
    with monkeypatch.context() as patch:
        for name in ("__getitem__", "_getlist", "__contains__"):
            patch.setattr(QueryDict, name, _recording(getattr(QueryDict, name), seen))
        patch.setattr(HttpRequest, "body", property(lambda self: body_read.append(True) or original_body.fget(self)))
        response = _ask(client, method, path, failures, **kwargs)
    if response is None:
        return None, set(), set(), False
    request = response.wsgi_request
    return (response, {key for i, key in seen if i == id(request.GET)}, {key for i, key in seen
                                                                        if i == id(request.POST)}, bool(body_read))


def _anonymous_routes():
    """The pages without arguments plus the admin's login: what a visitor who is not logged in can send to."""
    return [r for r in walk() if not r.kwargs and not _skipped(r) and (not r.route.startswith("admin/")
                                                                        or r.name == "admin:login")]


@pytest.mark.parametrize("route", bad_input_routes(), ids=lambda r: r.label)
def test_bad_input_never_answers_500(client, monkeypatch, tenant_b, world_b, b_admin, route):
    _walk_one(client, monkeypatch, route, Cast(None, tenant_b, None, world_b), b_admin)


@pytest.mark.parametrize("route", _anonymous_routes(), ids=lambda r: r.label)
def test_bad_input_from_a_visitor_never_answers_500(client, monkeypatch, tenant_b, route):
    """The login forms (the site's and the admin's) read a school and a username before anyone is known."""
    _walk_one(client, monkeypatch, route, Cast(None, tenant_b, None, {}), None)


def _walk_one(client, monkeypatch, route, cast, user):
    try:
        values = {k: cast.value(k, "b") for k in route.kwargs}
        path = build_path(route, values)
    except Unfillable as error:
        pytest.fail(f"Cannot fill {route.label}: {error}")
    if user is not None:
        client.force_login(user)
    failures: list[str] = []
    with override_settings(DEBUG=False):
        for hostile in _hostile_paths(route, values):
            _ask(client, "get", hostile, failures)
        # what the view reads, with every name the project reads set to an innocent value
        first, query_names, _, _ = _reads(monkeypatch, client, "get", path, failures,
                                          data=dict.fromkeys(NAMES["GET"], "1"))
        takes_post = first is not None and (first.status_code == 405 or (
            not getattr(first, "streaming", False) and b'method="post"' in first.content))
        form_names, reads_body = set(), False
        if takes_post:
            _, _, form_names, reads_body = _reads(monkeypatch, client, "post", path, failures,
                                                  data=dict.fromkeys(NAMES["POST"], "1"))
        query_names, form_names = sorted(query_names), sorted(form_names)
        # the fixed sweep: every known hostile value, in every parameter the view reads at once
        if query_names:
            for value in HOSTILE:
                _ask(client, "get", path, failures, data=dict.fromkeys(query_names, value))
            _ask(client, "get", path, failures, data={name: HOSTILE[:3] for name in query_names})
        if form_names:
            for value in HOSTILE:
                _ask(client, "post", path, failures, data=dict.fromkeys(form_names, value))
        if reads_body:
            for value in HOSTILE[:12]:
                _ask(client, "post", path, failures, data=json.dumps({"marks": [
                    {"person": value, "status": value, "late_minutes": value}]}), content_type="application/json")
            for body in JSON_BODIES:
                _ask(client, "post", path, failures, data=body, content_type="application/json")

        @SETTINGS
        @given(query=st.dictionaries(st.sampled_from(query_names or ["x"]), _query_value, max_size=6),
               form=st.dictionaries(st.sampled_from(form_names or ["x"]), _query_value, max_size=6),
               body=st.one_of(_json, st.lists(_mark, min_size=1, max_size=3).map(lambda m: {"marks": m})))
        def probe(query, form, body):
            if query_names:
                _ask(client, "get", path, failures, data=query)
            if form_names:
                _ask(client, "post", path, failures, data=form)
            if reads_body:
                _ask(client, "post", path, failures, data=json.dumps(body), content_type="application/json")
            assert not failures, "\n".join(dict.fromkeys(failures))

        if not failures and (query_names or form_names or reads_body):
            probe()
    assert not failures, "\n".join(dict.fromkeys(failures))


# --- the one way to read an id or a month (orgs.pages) ---


@pytest.mark.parametrize(("value", "expected"), [
    ("42", 42), (42, 42), (str(2**63 - 1), 2**63 - 1), (str(2**63), None), ("99999999999999999999", None),
    ("0", None), ("-1", None), ("²", None), ("٣", None), ("１２", None), ("1.5", None), ("1e3", None), ("", None),
    (None, None), (["1"], None), (True, None), ("1\x00", None), (" 1", None),
])
def test_an_id_is_ascii_digits_within_64_bits(value, expected):
    from orgs.pages import id_of

    assert id_of(value) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11", (2026, 11)), ("9999-12", None), ("1999-12", None), ("2026-13", None), ("2026-00", None),
    ("２０２６-１１", None), ("2026-1", None), (None, None), (["2026-11"], None),
])
def test_a_month_is_a_plain_month_of_a_plausible_year(text, expected):
    from orgs.pages import month_of

    month = month_of(text)
    assert (month.year, month.month) == expected if expected else month is None


def test_the_reported_urls_answer_in_chinese(client, tenant_b, world_b, b_admin):
    """/people/?college=<20 digits> is a form error (the filter is not applied); a far month is a 404."""
    from django.urls import reverse

    from orgs.models import Organisation
    from orgs.tenancy import scopes_disabled

    client.force_login(b_admin)
    response = client.get(reverse("members:person_list"), {"college": "99999999999999999999"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    response = client.get(reverse("members:person_list"), {"college": "²"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    with scopes_disabled():
        organisation_id = world_b[Organisation].pk
    url = reverse("attendance:monthly_download", kwargs={
        "organisation_id": organisation_id, "month": "9999-12", "fmt": "xlsx"})
    assert client.get(url).status_code == 404
