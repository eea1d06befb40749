"""Webhook endpoints: `POST /hooks/sms/{gateway}` and `POST /hooks/telegram`.

Each gateway is a small adapter: check the caller (signature or shared secret), read the
provider's message id, sender and text, then the common path stores and processes it.
Adding a gateway is one function in `ADAPTERS`. Answers: 2xx once stored (also for a
retry, also when processing failed), 403 for a bad signature or secret, 413 for a huge
body, 400 for a body that is not the gateway's format. Never 500 for what a caller sends.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pollguard.fieldreports.channels import do_store_message, process_safely
from pollguard.fieldreports.choices import Channel


@dataclass(frozen=True)
class Inbound:
    provider_id: str
    sender: str
    text: str
    raw: dict[str, Any]


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 of the URL plus each POST parameter, sorted."""
    data = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _twilio(request: HttpRequest) -> Inbound:
    token = settings.POLLGUARD_TWILIO_AUTH_TOKEN
    if not token or not settings.POLLGUARD_PUBLIC_URL:
        raise Refused(403, "Twilio is not configured.")
    params = {k: request.POST.get(k, "") for k in request.POST}
    url = settings.POLLGUARD_PUBLIC_URL + request.get_full_path()
    expected = twilio_signature(url, params, token)
    if not hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "")):
        raise Refused(403, "Bad signature.")
    if not params.get("From") or "Body" not in params:
        raise Refused(400, "From and Body are required.")
    return Inbound(params.get("MessageSid", ""), params["From"], params["Body"], params)


def _rapidpro(request: HttpRequest) -> Inbound:
    """RapidPro / Kannel style: a shared secret in `X-Pollguard-Secret`, JSON or form body
    with `id`, `from` and `text`."""
    secret = settings.POLLGUARD_RAPIDPRO_SECRET
    given = request.headers.get("X-Pollguard-Secret", "")
    if not secret or not hmac.compare_digest(secret.encode(), given.encode()):
        raise Refused(403, "Bad secret.")
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except ValueError as error:
            raise Refused(400, "The body is not JSON.") from error
        if not isinstance(data, dict):
            raise Refused(400, "The body is not a JSON object.")
    else:
        data = {k: request.POST.get(k, "") for k in request.POST}
    sender, text = data.get("from"), data.get("text")
    if not isinstance(sender, str) or not sender or not isinstance(text, str):
        raise Refused(400, "from and text are required.")
    return Inbound(str(data.get("id") or ""), sender, text, data)


ADAPTERS: dict[str, Callable[[HttpRequest], Inbound]] = {"twilio": _twilio, "rapidpro": _rapidpro}


def _too_big(request: HttpRequest) -> bool:
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return True
    return length > settings.POLLGUARD_WEBHOOK_MAX_BYTES


@csrf_exempt
@require_POST
def sms(request: HttpRequest, gateway: str) -> HttpResponse:
    adapter = ADAPTERS.get(gateway)
    if adapter is None:
        return JsonResponse({"detail": "Unknown gateway.", "code": "unknown_gateway"}, status=404)
    if _too_big(request):
        return JsonResponse({"detail": "Body too large.", "code": "too_large"}, status=413)
    try:
        inbound = adapter(request)
    except Refused as refused:
        return JsonResponse({"detail": refused.detail, "code": "refused"}, status=refused.status)
    message, created = do_store_message(
        Channel.SMS,
        gateway=gateway,
        provider_id=inbound.provider_id,
        sender=inbound.sender,
        text=inbound.text,
        raw=inbound.raw,
    )
    reply = process_safely(message)
    if gateway == "twilio":
        body = (
            f"<Response><Message>{escape(reply)}</Message></Response>" if reply else "<Response/>"
        )
        return HttpResponse(body, content_type="application/xml")
    return JsonResponse({"id": str(message.uuid), "duplicate": not created, "reply": reply})


@csrf_exempt
@require_POST
def telegram(request: HttpRequest) -> HttpResponse:
    secret = settings.POLLGUARD_TELEGRAM_SECRET
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(secret.encode(), given.encode()):
        return JsonResponse({"detail": "Bad secret.", "code": "refused"}, status=403)
    if _too_big(request):
        return JsonResponse({"detail": "Body too large.", "code": "too_large"}, status=413)
    try:
        update = json.loads(request.body)
    except ValueError:
        return JsonResponse({"detail": "The body is not JSON.", "code": "malformed"}, status=400)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return JsonResponse({"detail": "No update_id.", "code": "malformed"}, status=400)
    message = update.get("message")
    if not isinstance(message, dict):
        # Edits, joins and the like: acknowledged so Telegram does not retry, not stored.
        return JsonResponse({"ok": True, "ignored": True})
    chat: dict[str, Any] = message["chat"] if isinstance(message.get("chat"), dict) else {}
    text: str = message["text"] if isinstance(message.get("text"), str) else ""
    stored, created = do_store_message(
        Channel.TELEGRAM,
        gateway="telegram",
        provider_id=str(update["update_id"]),
        sender=str(chat.get("id", "")),
        text=text,
        raw=update,
    )
    process_safely(stored)
    return JsonResponse({"ok": True, "duplicate": not created})
