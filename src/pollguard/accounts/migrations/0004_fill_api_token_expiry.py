"""Tokens created before expiry existed get one: 30 days from now (they were unlimited)."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=30)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_token_expiry_scope_last_use"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
