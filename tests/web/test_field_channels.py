"""SMS (Twilio, RapidPro) and Telegram webhooks: stored once, parsed, replied, triaged."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from pollguard.core.fieldgrammar import Parsed, ParseError, parse, station_code
from pollguard.fieldreports.actions import do_generate_expected_checkins
from pollguard.fieldreports.channels import do_store_message
from pollguard.fieldreports.choices import Channel
from pollguard.fieldreports.hooks import twilio_signature
from pollguard.fieldreports.incidents import file_incident
from pollguard.fieldreports.models import (
    Checkin,
    InboundMessage,
    OutboundReply,
    ReporterPhone,
    TriageItem,
)
from pollguard.operations.models import Incident
from pollguard.registry.models import Election, Station

from .personas import Personas

PUBLIC = "https://pollguard.example.org"
TOKEN = "twilio-test-token"
SECRET = "rapidpro-shared-secret"
TG_SECRET = "telegram-secret-token"
PHONE = "+9647801234567"

pytestmark = pytest.mark.usefixtures("hooks_configured")


@pytest.fixture
def hooks_configured() -> Any:
    with override_settings(
        POLLGUARD_PUBLIC_URL=PUBLIC,
        POLLGUARD_TWILIO_AUTH_TOKEN=TOKEN,
        POLLGUARD_RAPIDPRO_SECRET=SECRET,
        POLLGUARD_TELEGRAM_SECRET=TG_SECRET,
        POLLGUARD_TELEGRAM_BOT_TOKEN="",
    ):
        yield


@pytest.fixture
def phone(election: Election, personas: Personas) -> ReporterPhone:
    do_generate_expected_checkins(election, acting_user=None)
    return ReporterPhone.objects.create(
        user=personas.field, phone=PHONE, telegram_user=4242, language="ar"
    )


def twilio(
    text: str, *, sid: str = "SM1", sender: str = PHONE, signature: str | None = None
) -> Any:
    params = {"MessageSid": sid, "From": sender, "Body": text, "To": "+9647000000000"}
    sig = (
        signature
        if signature is not None
        else twilio_signature(f"{PUBLIC}/hooks/sms/twilio", params, TOKEN)
    )
    return Client().post(
        "/hooks/sms/twilio",
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=sig,
    )


def rapidpro(body: dict[str, Any], secret: str = SECRET) -> Any:
    return Client().post(
        "/hooks/sms/rapidpro",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_POLLGUARD_SECRET=secret,
    )


def telegram(update: dict[str, Any], secret: str = TG_SECRET) -> Any:
    return Client().post(
        "/hooks/telegram",
        json.dumps(update),
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=secret,
    )


def tg_update(update_id: int, text: str, *, user: int = 4242) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(timezone.now().timestamp()),
            "chat": {"id": user, "type": "private"},
            "from": {"id": user},
            "text": text,
        },
    }


# --- the grammar (pure) -------------------------------------------------------------------


def test_the_grammar_reads_arabic_keywords_and_arabic_indic_digits() -> None:
    assert station_code("c-٠٠٠٣-١") == "C-0003-01"
    closing = parse("C-٠٠٠٣-٠١ إغلاق ٤١٢ هادئ")
    assert isinstance(closing, Parsed)
    assert (closing.slot, closing.status, closing.voters, closing.comment) == (
        "closing",
        "closed",
        412,
        "هادئ",
    )
    incident = parse("C-0003-01 حادثة اطلاق ٣ قرب الباب")
    assert isinstance(incident, Parsed)
    assert (incident.kind, incident.incident_kind, incident.severity) == ("incident", "shooting", 3)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("hello", "station_format"),
        ("C-0003-01", "keyword_missing"),
        ("C-0003-01 dance", "keyword_unknown"),
        ("C-0003-01 اغلاق", "voters_missing"),
        ("C-0003-01 close 9999999", "voters_impossible"),
        ("C-0003-01 inc", "incident_kind_missing"),
        ("C-0003-01 inc fire", "incident_kind_unknown"),
        ("C-0003-01 inc crowd 7", "severity_range"),
    ],
)
def test_the_grammar_names_the_exact_problem(text: str, code: str) -> None:
    parsed = parse(text)
    assert isinstance(parsed, ParseError)
    assert parsed.code == code
    assert parsed.message_en
    assert parsed.message_ar


# --- Twilio -------------------------------------------------------------------------------


def test_a_twilio_sms_checks_in_and_its_retry_is_stored_once(phone: ReporterPhone) -> None:
    answer = twilio("C-0003-01 فتح")
    assert answer.status_code == 200
    assert "C-0003-01" in answer.content.decode()
    again = twilio("C-0003-01 فتح")
    assert again.status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Checkin.objects.count() == 1
    message = InboundMessage.objects.get()
    assert message.checkin is not None
    assert message.parse_result["slot"] == "opening"
    reply = OutboundReply.objects.get()
    assert reply.recipient == PHONE
    assert reply.text.startswith("استُلم: C-0003-01 الافتتاح")  # Arabic: the number's language


def test_a_wrong_twilio_signature_is_refused_and_nothing_is_stored(phone: ReporterPhone) -> None:
    assert twilio("C-0003-01 open", signature="bad").status_code == 403
    good = twilio_signature(f"{PUBLIC}/hooks/sms/twilio", {"Body": "x"}, TOKEN)
    assert twilio("C-0003-01 open", signature=good).status_code == 403
    assert InboundMessage.objects.count() == 0


def test_a_huge_body_is_refused_before_reading(phone: ReporterPhone) -> None:
    assert twilio("C-0003-01 open " + "x" * 70000).status_code == 413
    assert InboundMessage.objects.count() == 0


# --- RapidPro (shared secret), dedupe without provider id -----------------------------------


def test_rapidpro_needs_the_shared_secret(phone: ReporterPhone) -> None:
    assert (
        rapidpro({"id": "1", "from": PHONE, "text": "C-0003-01 open"}, secret="nope").status_code
        == 403
    )
    assert rapidpro({"id": "1", "from": PHONE}).status_code == 400
    answer = Client().post(
        "/hooks/sms/rapidpro",
        "{not json",
        content_type="application/json",
        HTTP_X_POLLGUARD_SECRET=SECRET,
    )
    assert answer.status_code == 400
    assert Client().post("/hooks/sms/nosuch", {}).status_code == 404
    assert InboundMessage.objects.count() == 0


def test_without_a_provider_id_the_same_sender_and_text_inside_the_window_is_one_message(
    phone: ReporterPhone,
) -> None:
    body = {"from": PHONE, "text": "C-0003-01 ok"}
    first = rapidpro(body).json()
    second = rapidpro(body).json()
    assert first["id"] == second["id"]
    assert second["duplicate"] is True
    assert InboundMessage.objects.count() == 1
    later = timezone.now() + timedelta(minutes=11)
    _, created = do_store_message(
        Channel.SMS,
        gateway="rapidpro",
        provider_id="",
        sender=PHONE,
        text="C-0003-01 ok",
        raw={},
        now=later,
    )
    assert created is True


def test_unknown_senders_and_unreadable_texts_go_to_triage_and_repeated_failures_lock(
    phone: ReporterPhone, client_for: Any
) -> None:
    answer = rapidpro({"id": "u1", "from": "+9640000000000", "text": "C-0003-01 open"}).json()
    assert "not registered" in answer["reply"]
    for n in range(5):
        reply = rapidpro({"id": f"bad{n}", "from": PHONE, "text": "C-0003-01 dance"}).json()[
            "reply"
        ]
        assert "dance" in reply
    phone.refresh_from_db()
    assert phone.locked_at is not None
    locked = rapidpro({"id": "after", "from": PHONE, "text": "C-0003-01 open"}).json()
    assert Checkin.objects.count() == 0
    assert locked["reply"]
    kinds = set(TriageItem.objects.values_list("kind", flat=True))
    assert {"unknown_sender", "unparseable", "locked"} <= kinds
    page = client_for("ops").get("/field/triage/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "C-0003-01 dance" in page
    assert client_for("field").get("/field/triage/").status_code == 404


def test_an_sms_for_another_center_or_with_impossible_voters_is_refused(
    phone: ReporterPhone,
) -> None:
    assert (
        "C-0001-01"
        in rapidpro({"id": "o1", "from": PHONE, "text": "C-0001-01 open"}).json()["reply"]
    )
    reply = rapidpro({"id": "o2", "from": PHONE, "text": "C-0003-01 close 90000"}).json()["reply"]
    assert "90000" in reply or "٩٠٠٠٠" in reply
    assert Checkin.objects.count() == 0
    assert TriageItem.objects.filter(kind="rejected").count() == 2


def test_an_incident_by_sms_is_filed_in_the_operations_rooms_queue_once(
    phone: ReporterPhone,
) -> None:
    body = {"id": "i1", "from": PHONE, "text": "C-0003-01 حادث تجمهر 3 امام المدرسة"}
    reply = rapidpro(body).json()["reply"]
    message = InboundMessage.objects.get(provider_id="i1")
    assert message.outcome == "incident"
    assert message.parse_result["incident_kind"] == "crowd"
    incident = Incident.objects.get()
    assert (incident.kind, incident.severity, incident.source) == ("crowd", 3, "sms")
    assert (incident.center.code, incident.state) == ("C-0003", "reported")
    assert "امام المدرسة" in incident.text
    assert incident.code in reply
    assert message.parse_result["incident"] == incident.code
    assert not TriageItem.objects.filter(kind="incident").exists()
    # The provider's retry is the same message: no second incident.
    rapidpro(body)
    assert Incident.objects.count() == 1


# --- Telegram -----------------------------------------------------------------------------


def test_telegram_checks_the_secret_in_constant_time_and_dedupes_update_ids(
    phone: ReporterPhone,
) -> None:
    assert telegram(tg_update(1, "C-0003-01 open"), secret="wrong").status_code == 403
    assert telegram(tg_update(1, "C-0003-01 open")).status_code == 200
    assert telegram(tg_update(1, "C-0003-01 open")).json()["duplicate"] is True
    assert Checkin.objects.count() == 1
    reply = OutboundReply.objects.get()
    assert reply.channel == "telegram"
    assert reply.recipient == "4242"
    assert (
        Client()
        .post(
            "/hooks/telegram",
            "[]",
            content_type="application/json",
            HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=TG_SECRET,
        )
        .status_code
        == 400
    )
    assert telegram({"update_id": 9, "edited_message": {}}).json()["ignored"] is True


def test_the_reply_job_records_what_it_would_send_without_a_bot_token(phone: ReporterPhone) -> None:
    from pollguard.fieldreports.tasks import send_reply

    telegram(tg_update(2, "C-0003-01 ok"))
    reply = OutboundReply.objects.get()
    send_reply(reply.pk)
    reply.refresh_from_db()
    assert reply.state == "recorded"


def test_a_processing_failure_still_answers_200_and_keeps_the_message(
    phone: ReporterPhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pollguard.fieldreports import channels

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(channels, "parse", broken)
    assert telegram(tg_update(3, "C-0003-01 ok")).status_code == 200
    assert InboundMessage.objects.get().outcome == "triage"
    assert TriageItem.objects.filter(kind="processing").count() == 1
    # The provider's retry is the same stored message, not a second one.
    assert telegram(tg_update(3, "C-0003-01 ok")).status_code == 200
    assert InboundMessage.objects.count() == 1


def test_telegram_dates_its_reports(phone: ReporterPhone) -> None:
    update = tg_update(4, "C-0003-01 ok")
    update["message"]["date"] = int((timezone.now() - timedelta(minutes=30)).timestamp())
    telegram(update)
    checkin = Checkin.objects.get()
    assert checkin.observed_at < checkin.received_at - timedelta(minutes=29)


def test_filing_one_messages_incident_again_files_nothing_new(phone: ReporterPhone) -> None:
    # Reprocessing a stored message (a retried job, a person pressing "process" again)
    # reaches the incidents app with the same message: its id is the idempotency key.
    rapidpro({"id": "i9", "from": PHONE, "text": "C-0003-01 حادث تجمهر 3"})
    message = InboundMessage.objects.get(provider_id="i9")
    parsed = parse(message.text)
    assert isinstance(parsed, Parsed)
    station = Station.objects.get(code="C-0003-01")
    again = file_incident(parsed, phone, message, station)
    assert Incident.objects.get() == again
