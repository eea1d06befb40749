"""A request body or query the API's schemas refuse, in the user's words (design.md section 5).

django-ninja hands over pydantic's errors: a type, a location and an English message. The
API answers every refusal in one shape, `{"detail": [...], "code": ...}`, in the user's
language: here each error becomes "field: what is wrong", the same form as the actions'
own refusals (`InvalidInput`), and pydantic's list stays beside it under `errors` for
programs that want the location and the type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The refusals that carry no detail of their own: (code, message) by HTTP status, shared
# by the API's exception handlers and `web.middleware.ApiErrorShapeMiddleware`.
REFUSALS = {
    400: ("bad_request", gettext_noop("The request could not be read.")),
    401: ("unauthorized", gettext_noop("Sign in, or send a valid API token.")),
    403: ("forbidden", gettext_noop("You may not change this.")),
    404: ("not_found", gettext_noop("Not found.")),
    405: ("method_not_allowed", gettext_noop("This address does not take this method.")),
    413: ("too_large", gettext_noop("The request is too large.")),
}


def plain_refusal(status: int) -> dict[str, str]:
    """`{"detail", "code"}` for a refusal by its status, in the active language."""
    code, message = REFUSALS[status]
    return {"detail": _(message), "code": code}


# Where a value came from; not part of the field's name.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def field_name(loc: Sequence[Any]) -> str:
    """`["body", "body", "seals", 0]` → `seals.0`; the whole body → `body`."""
    parts = [str(p) for p in loc]
    while parts and parts[0] in _SOURCES:
        parts.pop(0)
    return ".".join(parts) or "body"


def _ctx(error: Mapping[str, Any], key: str) -> str:
    return str((error.get("ctx") or {}).get(key, ""))


def explain(error: Mapping[str, Any]) -> str:
    """One pydantic error as "field: message" in the active language."""
    kind = str(error.get("type", ""))
    field = field_name(error.get("loc") or ())
    if kind == "value_error":
        # Our own validators speak "field: message" already (see the apps' schemas).
        text = _ctx(error, "error") or str(error.get("msg", ""))
        return text.removeprefix("Value error, ")
    messages = {
        "missing": _("this field is required"),
        "extra_forbidden": _("unknown field"),
        "json_invalid": _("the body is not valid JSON"),
        "int_type": _("must be a whole number"),
        "int_parsing": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "float_type": _("must be a number"),
        "float_parsing": _("must be a number"),
        "finite_number": _("must be a finite number"),
        "bool_type": _("must be true or false"),
        "bool_parsing": _("must be true or false"),
        "string_type": _("must be text"),
        "uuid_type": _("must be a UUID"),
        "uuid_parsing": _("must be a UUID"),
        "datetime_type": _("must be a date and time (ISO 8601 with a time zone)"),
        "datetime_parsing": _("must be a date and time (ISO 8601 with a time zone)"),
        "datetime_from_date_parsing": _("must be a date and time (ISO 8601 with a time zone)"),
        "date_type": _("must be a date (YYYY-MM-DD)"),
        "date_parsing": _("must be a date (YYYY-MM-DD)"),
        "date_from_datetime_parsing": _("must be a date (YYYY-MM-DD)"),
        "list_type": _("must be a list"),
        "dict_type": _("must be an object"),
        "model_type": _("must be an object"),
        "model_attributes_type": _("must be an object"),
        "string_too_long": _("at most %(n)s characters") % {"n": _ctx(error, "max_length")},
        "string_too_short": _("at least %(n)s characters") % {"n": _ctx(error, "min_length")},
        "too_long": _("at most %(n)s items") % {"n": _ctx(error, "max_length")},
        "too_short": _("at least %(n)s items") % {"n": _ctx(error, "min_length")},
        "greater_than_equal": _("must be at least %(n)s") % {"n": _ctx(error, "ge")},
        "greater_than": _("must be more than %(n)s") % {"n": _ctx(error, "gt")},
        "less_than_equal": _("must be at most %(n)s") % {"n": _ctx(error, "le")},
        "less_than": _("must be less than %(n)s") % {"n": _ctx(error, "lt")},
        "enum": _("must be one of: %(values)s") % {"values": _ctx(error, "expected")},
        "literal_error": _("must be one of: %(values)s") % {"values": _ctx(error, "expected")},
        "string_pattern_mismatch": _("is not in the expected form"),
    }
    message = messages.get(kind, str(error.get("msg", "")))
    return f"{field}: {message}"


def refusal_body(errors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The 422 body for a request the schemas refuse."""
    return {
        "detail": [explain(error) for error in errors],
        "code": "invalid_request",
        "errors": [
            {"loc": list(e.get("loc") or ()), "type": e.get("type", ""), "msg": e.get("msg", "")}
            for e in errors
        ],
    }


def unreadable_body() -> dict[str, Any]:
    """The 422 body for a request body that is not JSON at all."""
    return {"detail": [f"body: {_('the body is not valid JSON')}"], "code": "invalid_request"}
