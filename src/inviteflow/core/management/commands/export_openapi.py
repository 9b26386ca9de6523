"""Print the REST API's OpenAPI document (committed as docs/openapi.json, checked for drift)."""

import json

from django.core.management.base import BaseCommand

from inviteflow.api.urls import api


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1 as JSON."

    def handle(self, *args, **options):
        schema = api.get_openapi_schema(path_prefix="/api/v1")
        self.stdout.write(json.dumps(schema, indent=2, sort_keys=True))
