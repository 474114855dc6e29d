"""factory_boy factories for webhook endpoints."""

import factory

from webhooks.enums import WebhookEvent
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_secret_new


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """An enabled endpoint subscribed to every event."""

    class Meta:
        model = WebhookEndpoint

    url = "https://hooks.example.com/consult"
    description = factory.Sequence(lambda n: f"CRM {n}")
    events = factory.LazyFunction(lambda: list(WebhookEvent.values))
    secret = factory.LazyFunction(webhook_secret_new)
    enabled = True
