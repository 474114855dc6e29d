from datetime import date

from django.db import migrations

# The first price book: the engine's default figures, each with its source.
# Later books are added in the admin, so old results keep the prices they used.
NAME = "default-2026-11"


def seed(apps, schema_editor):
    from advisor.engine import DEFAULT_PRICES  # noqa: PLC0415 -- the first book's figures

    price_book = apps.get_model("advisor", "PriceBook")
    if price_book.objects.filter(name=NAME).exists():
        return
    # The figures of November 2026 only: the offers that engine 2026.2 prices
    # joined in the next book (0004), and a book without them reads them as defaults.
    data = DEFAULT_PRICES.to_dict()
    data.pop("offers", None)
    data["name"] = NAME
    data["as_of"] = "2026-11-26"
    price_book.objects.create(
        name=NAME,
        as_of=date.fromisoformat(data["as_of"]),
        data=data,
        is_active=not price_book.objects.filter(is_active=True).exists(),
        notes="Public list prices checked in November 2026; each figure names its source.",
    )


def unseed(apps, schema_editor):
    apps.get_model("advisor", "PriceBook").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("advisor", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
