from datetime import date

from django.db import migrations

# The book engine 2026.2 prices its options from: small, frontier and batch API
# tiers, a hosted open-weight model and LoRA, GPUs sized to the load, people,
# CPU instances and vendors' services, each with its source and date.
NAME = "default-2026-12"
PREVIOUS = "default-2026-11"


def seed(apps, schema_editor):
    from advisor.engine import DEFAULT_PRICES  # noqa: PLC0415 -- this book's figures

    price_book = apps.get_model("advisor", "PriceBook")
    if price_book.objects.filter(name=NAME).exists():
        return
    data = DEFAULT_PRICES.to_dict()
    # The new book takes over only from the untouched default; a book an
    # operator activated stays active.
    active = price_book.objects.filter(is_active=True).first()
    take_over = active is None or active.name == PREVIOUS
    if take_over:
        price_book.objects.filter(is_active=True).update(is_active=False)
    price_book.objects.create(
        name=NAME,
        as_of=date.fromisoformat(data["as_of"]),
        data=data,
        is_active=take_over,
        notes="Adds what engine 2026.2 prices options with (model tiers and speeds, "
        "context windows, hosted LoRA, GPUs sized to the load, people, vendors); "
        "each figure names its source.",
    )


def unseed(apps, schema_editor):
    price_book = apps.get_model("advisor", "PriceBook")
    was_active = price_book.objects.filter(name=NAME, is_active=True).exists()
    price_book.objects.filter(name=NAME).delete()
    if was_active:
        price_book.objects.filter(name=PREVIOUS).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [("advisor", "0003_assessment_staff_summary_pdf")]
    operations = [migrations.RunPython(seed, unseed)]
