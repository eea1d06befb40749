"""Celery tasks of field reports: the missing-report alarms (beat) and the reply sender.

Registered on the shared Celery app (`pollguard.jobs.queue.app`); the beat schedule there
names the alarm task. `now` may be given (ISO time) so that tests drive the clock.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from pollguard.fieldreports.choices import Channel, ReplyState
from pollguard.fieldreports.models import OutboundReply
from pollguard.jobs.queue import app, configure

log = logging.getLogger(__name__)


@app.task(name="pollguard.fieldreports.alarms", ignore_result=True)  # type: ignore[untyped-decorator]
def raise_alarms(now: str | None = None) -> int:
    from pollguard.fieldreports.actions import do_raise_missing_alarms

    return do_raise_missing_alarms(now=datetime.fromisoformat(now) if now else None)


@app.task(name="pollguard.fieldreports.reply", ignore_result=True)  # type: ignore[untyped-decorator]
def send_reply(reply_id: int) -> None:
    """Send one reply once; without a Telegram bot token, record what would be sent."""
    reply = OutboundReply.objects.filter(pk=reply_id, state=ReplyState.QUEUED).first()
    if reply is None:
        return
    state = ReplyState.RECORDED
    if reply.channel == Channel.TELEGRAM and settings.POLLGUARD_TELEGRAM_BOT_TOKEN:
        url = f"https://api.telegram.org/bot{settings.POLLGUARD_TELEGRAM_BOT_TOKEN}/sendMessage"
        body = json.dumps({"chat_id": reply.recipient, "text": reply.text}).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - fixed https URL
                state = ReplyState.SENT
        except OSError as error:
            log.warning("telegram reply %s failed: %s", reply_id, error)
            state = ReplyState.FAILED
    # SMS replies go back in the gateway's HTTP answer (TwiML) or through its own API;
    # the row records them either way.
    OutboundReply.objects.filter(pk=reply_id, state=ReplyState.QUEUED).update(
        state=state, sent_at=timezone.now()
    )


def queue_reply(reply_id: int) -> None:
    """After commit: put the reply job on the queue; a broker that is down leaves it queued."""
    try:
        configure().send_task(
            "pollguard.fieldreports.reply",
            args=[reply_id],
            queue=settings.POLLGUARD_QUEUE,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        )
    except Exception as error:  # the row stays queued and is visible on the triage page
        log.warning("reply %s: the task queue cannot be reached: %s", reply_id, error)
