"""Shared ideas have one home: every brand table points at a user the same way, and the list of
languages is spelled out once (a second copy is how the two drifted apart before)."""

import ast
import pathlib

from django.apps import apps
from django.conf import settings
from django.db import models

from tenants.fields import user_ref
from tenants.languages import LANGUAGE_CODES, LANGUAGES

ROOT = pathlib.Path(__file__).resolve().parents[2]
BRAND_APPS = ["incidents", "content", "surveys", "reports"]


def _brand_models():
    for label in BRAND_APPS:
        yield from apps.get_app_config(label).get_models()


def test_every_brand_table_points_at_users_through_user_ref():
    reference = user_ref()
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    checked = 0
    for model in _brand_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is user_model:
                checked += 1
                where = f"{model._meta.label}.{field.name}"
                assert field.db_constraint is False, where
                assert field.remote_field.on_delete is reference.remote_field.on_delete, where
                assert field.null, where
            elif isinstance(field, models.IntegerField) and (
                field.name.endswith("_by_id") or field.name in ("actor_id", "user_id")
            ):
                raise AssertionError(f"{model._meta.label}.{field.name} is a bare user id, not a user_ref")
    assert checked >= 20  # the check did walk the brand models' user references


def _code(elt: ast.AST):
    """ "en" itself, or the code of a choice pair ("en", "English"); None for anything else (a
    demo's ("en", "a sentence") is not a choice)."""
    if isinstance(elt, ast.Constant):
        return elt.value
    if isinstance(elt, ast.Tuple) and len(elt.elts) == 2 and isinstance(elt.elts[0], ast.Constant):
        label = elt.elts[1]
        if isinstance(label, ast.Call) or (isinstance(label, ast.Constant) and len(str(label.value)) < 25):
            return elt.elts[0].value
    return None


def _literal_language_lists(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            codes = [_code(elt) for elt in node.elts]
            if set(LANGUAGE_CODES) <= set(codes) and len(set(codes)) == len(codes) <= len(LANGUAGE_CODES) + 1:
                yield node.lineno


def test_the_language_list_is_spelled_out_once():
    assert LANGUAGE_CODES == tuple(code for code, _name in LANGUAGES)
    found = []
    for app in ["tenants", "incidents", "content", "surveys", "reports", "platform"]:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "languages.py":
                continue
            for line in _literal_language_lists(ast.parse(path.read_text())):
                found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == [], "use tenants.languages instead of spelling the list out: " + ", ".join(found)
