"""WebhookEvent.digest: from the sha256 of the raw body to the sha256 of the events'
identity. Stored rows get their identity too, so a redelivery of an event received
before the change is still seen as a duplicate; of rows that turn out to be one event
(the escaped and raw forms), the first keeps the identity and the others their old digest."""

from django.db import migrations, models

from inviteflow.posts import webhooks


def digest_by_identity(apps, schema_editor):
    WebhookEvent = apps.get_model("posts", "WebhookEvent")
    taken: set[tuple[int, str]] = set()
    for event in WebhookEvent.objects.order_by("id").iterator():
        try:
            digest = webhooks.identity(webhooks.read(event.body.encode()))
        except webhooks.Unreadable:
            continue
        if (event.workspace_id, digest) in taken:
            continue
        taken.add((event.workspace_id, digest))
        WebhookEvent.objects.filter(pk=event.pk).update(digest=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookevent",
            name="digest",
            field=models.CharField(
                help_text="sha256 of the events' identity (webhooks.identity)", max_length=64
            ),
        ),
        migrations.RunPython(digest_by_identity, migrations.RunPython.noop),
    ]
