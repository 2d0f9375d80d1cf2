"""Users see the source document's clauses (第五条 1(9), 第七条 细则 1), never our requirement ids (SC-4, AT-2,
"SPEC") or issue numbers (议题 4).

Three places are read: every page of the project as rendered for the widest user of a school (the URL walk of
tests/test_tenant_isolation.py, with that school's own objects, plus the pages without arguments); the strings
marked for translation in the Python and template sources; and the translation catalogues (``locale/*/*.po``) as
they are (they are regenerated from the sources, so an id removed from a source leaves them at the next
``make translations``).
"""

import ast
import html
import re
from pathlib import Path

import pytest
from django.test import override_settings

from tests.url_walk import Cast, Unfillable, _skipped, build_path, walk

ROOT = Path(__file__).resolve().parent.parent

#: Our ids: SPEC itself, a requirement id (OR-6, AT-2, SC-14, …), an issue's item (议题 4).
INTERNAL_ID = re.compile(r"SPEC|(?<![A-Za-z])(?:OR|AT|SC|PN|DL|SU|CM|DS)-\d|议题 *\d")

_TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]+>", re.DOTALL | re.IGNORECASE)


def visible_text(page: str) -> str:
    """The text a user reads, plus the attributes they can see (titles, placeholders, labels, values of options
    are not read: an option's value is not shown)."""
    shown = re.findall(r'\b(?:title|placeholder|aria-label|alt|data-label)="([^"]*)"', page)
    return html.unescape(_TAG.sub(" ", page) + " " + " ".join(shown))


def test_the_pattern_catches_what_it_should():
    for text in ("第五条 1(9) · SC-4", "按 SPEC 默认细则建立", "SPEC AT-2 / 000", "议题 4 第 3 项", "（SC-13）",
                 "议题4"):
        assert INTERNAL_ID.search(text), text
    for text in ("第五条 1(9)", "第七条 细则 1", "BASIC-1", "DESC-2", "2026-11", "SCORE"):
        assert not INTERNAL_ID.search(text), text


# --- rendered pages ---


def page_routes():
    """Every URL pattern the walk knows except those skipped by name and the admin (Django's own pages)."""
    return [r for r in walk() if not _skipped(r) and not r.route.startswith("admin/")]


@pytest.mark.parametrize("route", page_routes(), ids=lambda r: r.label)
def test_no_page_shows_an_internal_id(client, tenant_b, world_b, b_admin, route):
    cast = Cast(None, tenant_b, None, world_b)
    try:
        path = build_path(route, {k: cast.value(k, "b") for k in route.kwargs})
    except Unfillable as error:
        pytest.fail(f"Cannot fill {route.label}: {error}")
    client.force_login(b_admin)
    with override_settings(DEBUG=False):
        response = client.get(path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return  # a POST-only view, a redirect, a download or JSON: not a page
    found = INTERNAL_ID.findall(visible_text(response.content.decode()))
    assert not found, f"{path} shows {found}"


@pytest.mark.django_db
def test_the_rulebook_and_a_score_show_clauses_not_ids(client, tenant_b, world_b, b_admin):
    """The pages that carried ids, with the default rulebook and a ledger line of a default rule."""
    from django.urls import reverse

    from orgs.models import Organisation
    from orgs.tenancy import tenant_scope
    from scoring.models import LedgerEntry, Rule, Rulebook

    organisation, entry = world_b[Organisation], world_b[LedgerEntry]
    with tenant_scope(tenant_b):
        Rulebook.objects.filter(organisation=organisation).update(note="")
        rule = Rule.objects.get(pk=entry.rule_id)
        assert rule.code.startswith("SC-")  # the factory's rule has an internal code: it must stay hidden
    client.force_login(b_admin)
    for path in (reverse("scoring:rulebook", args=[organisation.pk]),
                 reverse("scoring:rulebook_edit", args=[organisation.pk]),
                 reverse("scoring:person_score", args=[entry.organisation_id, entry.person_id])):
        text = visible_text(client.get(path).content.decode())
        assert not INTERNAL_ID.findall(text), path
    assert rule.clause in text


def test_no_policy_shows_an_internal_id():
    from orgs import policies

    found = {key: f"{p.label} / {p.source}" for key, p in policies.REGISTRY.items()
             if INTERNAL_ID.search(f"{p.label} {p.source} {p.unit or ''}")}
    assert not found, found


# --- the strings users can be shown: translation sources and catalogues ---

_GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "gettext_noop"}
_TEMPLATE_STRING = re.compile(
    r"{%\s*(?:translate|trans)\s+(['\"])(.*?)\1|{%\s*blocktranslate\b[^%]*%}(.*?){%\s*endblocktranslate\s*%}"
    r"|{%\s*blocktrans\b[^%]*%}(.*?){%\s*endblocktrans\s*%}|_\((['\"])(.*?)\5\)",
    re.DOTALL,
)
_SKIPPED_DIRS = {".venv", "node_modules", ".git", "var", "migrations", "tests"}


def _sources(pattern: str):
    for path in sorted(ROOT.rglob(pattern)):
        if not _SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


def python_messages(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal passed to a gettext function."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in _GETTEXT:
                found += [(arg.lineno, arg.value) for arg in node.args
                          if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return found


def template_messages(source: str) -> list[tuple[int, str]]:
    return [(source.count("\n", 0, m.start()) + 1, next(g for g in m.groups() if g and g not in "'\""))
            for m in _TEMPLATE_STRING.finditer(source) if any(g and g not in "'\"" for g in m.groups())]


def test_no_translatable_string_carries_an_internal_id():
    found = []
    for path in _sources("*.py"):
        found += [f"{path.relative_to(ROOT)}:{line}: {text}" for line, text in python_messages(path.read_text())
                  if INTERNAL_ID.search(text)]
    for path in _sources("*.html"):
        found += [f"{path.relative_to(ROOT)}:{line}: {text}" for line, text in template_messages(path.read_text())
                  if INTERNAL_ID.search(text)]
    assert not found, "\n".join(found)


def test_the_message_readers_find_strings():
    assert python_messages('x = _("按 SPEC 默认")\ny = gettext_lazy("a")') == [(1, "按 SPEC 默认"), (2, "a")]
    assert [t for _, t in template_messages('{% translate "处分（SC-1）" %}\n{% blocktranslate with a=b %}x {{ a }}'
                                            "{% endblocktranslate %}")] == ["处分（SC-1）", "x {{ a }}"]


def po_entries(text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every entry of a .po file that is not obsolete (``#~``), continuation lines joined."""
    entries, current, key = [], {}, None
    for line in text.splitlines() + [""]:
        line = line.strip()
        if line.startswith("msgid ") or not line:
            if current.get("msgid"):
                entries.append((current.get("msgid", ""), current.get("msgstr", "")))
            current, key = {}, None
        match = re.match(r'(msgid|msgstr|msgid_plural|msgstr\[\d+\])\s+"(.*)"$', line)
        if match:
            key = "msgstr" if match[1].startswith("msgstr") else "msgid"
            current[key] = current.get(key, "") + match[2]
        elif line.startswith('"') and key:
            current[key] = current.get(key, "") + line[1:-1]
    return entries


def test_no_translation_carries_an_internal_id():
    catalogues = sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po"))
    assert catalogues, "no translation catalogue found"
    found = [f"{po.relative_to(ROOT)}: {msgid!r} → {msgstr!r}"
             for po in catalogues for msgid, msgstr in po_entries(po.read_text(encoding="utf-8"))
             if (INTERNAL_ID.search(msgid) or INTERNAL_ID.search(msgstr))]
    assert not found, "\n".join(found)


def test_the_po_reader_joins_lines_and_skips_obsolete_entries():
    po = 'msgid ""\nmsgstr "x"\n\nmsgid "a"\n"b"\nmsgstr "c"\n\n#~ msgid "SPEC"\n#~ msgstr "SPEC"\n'
    assert po_entries(po) == [("ab", "c")]
