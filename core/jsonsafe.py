"""The project's one way of turning Python values into JSON: for JSON columns, the audit trail and the API's
stored copies.

Decimals become JSON numbers (an int when integral: 25, not 25.0; else the float whose shortest repr is the
decimal, so 89.95 reads back as Decimal("89.95") with `parse_float=Decimal`); dates and times ISO 8601 (UTC with
"Z"), UUIDs strings, uploaded files their stored name; everything else as Django's DjangoJSONEncoder does.
"""
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile


class JSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        if isinstance(o, FieldFile):
            return o.name or ""
        return super().default(o)


def to_json_safe(data):
    """`data` as JSON would give it back: what a JSON column stores."""
    return json.loads(json.dumps(data, cls=JSONEncoder))


def decimal_json(data):
    """JSON data with its numbers back as exact Decimals (for the engine, which compares decimals)."""
    return json.loads(json.dumps(data, cls=JSONEncoder), parse_float=Decimal)
