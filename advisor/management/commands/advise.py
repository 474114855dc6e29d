"""``manage.py advise --input FILE|-``: the engine on the command line.

One assessment object, or a JSON list of them, in; the engine's answer (an
object, or a list in the same order) out on standard output. Invalid input
prints messages naming each field on standard error, exits non-zero, and
prints nothing on standard output.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from advisor.engine import DEFAULT_PRICES, ContractError, decide, validate
from advisor.models import PriceBook
from advisor.selectors import price_book_active

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Recommend a path per use case and a stack for one assessment or a list of them."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--input",
            required=True,
            metavar="FILE",
            help="a JSON file, or - for standard input",
        )
        parser.add_argument(
            "--save",
            action="store_true",
            help="also store each assessment and its result (visible to consultants)",
        )

    def handle(self, *args, **options) -> None:
        raw = self._read(options["input"])
        try:
            payload = json.loads(raw)
        except json.JSONDecodeError as exc:
            self._fail(
                [
                    f"(input): not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                ]
            )
        many = isinstance(payload, list)
        items = payload if many else [payload]
        if many and not items:
            self._fail(["(input): the list is empty: give at least one assessment"])

        validated, errors = [], []
        for index, item in enumerate(items):
            prefix = f"[{index}]." if many else ""
            try:
                validated.append(validate(item))
            except ContractError as exc:
                errors += [f"{prefix}{error}" for error in exc.errors]
        if errors:
            self._fail(errors)

        book = self._active_book(save=options["save"])
        prices = DEFAULT_PRICES if book is None else book.prices()
        results = [decide(assessment, prices).to_dict() for assessment in validated]
        if options["save"]:
            self._save(items, results, book)
        out = results if many else results[0]
        self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))

    def _active_book(self, *, save: bool) -> PriceBook | None:
        """The price book consultants activated; the engine's own without a database.

        Answering needs no database: a fresh checkout that has not been migrated
        still advises, on the built-in book, and says so. Saving needs one.
        """
        try:
            return price_book_active()
        except (DatabaseError, PriceBook.DoesNotExist) as exc:
            if save:
                raise CommandError(f"cannot save: {exc}") from None
            self.stderr.write(
                f"No active price book in the database; using the built-in "
                f"{DEFAULT_PRICES.name}."
            )
            return None

    def _read(self, source: str) -> str:
        if source == "-":
            return sys.stdin.read()
        path = Path(source)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{source}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{source}: cannot be read ({exc})") from None

    def _fail(self, messages: list[str]) -> None:
        for message in messages:
            self.stderr.write(message)
        raise SystemExit(EXIT_INVALID)

    @transaction.atomic
    def _save(self, items: list, results: list[dict], book) -> None:
        from advisor.services import assessment_save_contract  # noqa: PLC0415 -- only with --save

        for item, result in zip(items, results, strict=True):
            assessment = assessment_save_contract(
                contract=item, result=result, price_book=book
            )
            self.stderr.write(f"saved as assessment {assessment.pk}")
