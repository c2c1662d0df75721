"""A before/after picture of the database, for the permission matrices: a refused request must change nothing,
an allowed write must change something.

Every row of every table of the project's apps (and of auth and authtoken: users, their groups, tokens) is
read, ordered by primary key, and hashed per table; the snapshot is {table: (row count, sha256 of the rows)}.
Sessions and the admin log are left out: logging in and out changes them and they are not domain data.
"""
import hashlib

from django.apps import apps

APPS = ("athletes", "training", "progression", "core", "auth", "authtoken")


def snapshot() -> dict[str, tuple[int, str]]:
    picture = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in APPS or model._meta.proxy:
            continue
        columns = [field.attname for field in model._meta.concrete_fields]
        rows = list(model._base_manager.order_by("pk").values_list(*columns))
        picture[model._meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return picture


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))
