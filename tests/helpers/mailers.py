"""A mail backend for tests: delivers to locmem after raising the failures it is given.

In a module of its own (not a conftest) so Django can import it by its dotted path.
"""

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """Locmem delivery, after raising the queued failures one call at a time."""

    failures: list[Exception] = []

    def send_messages(self, email_messages):
        if FlakyBackend.failures:
            raise FlakyBackend.failures.pop(0)
        return super().send_messages(email_messages)
