"""The assessment summary PDF: a submitted assessment to build it for, and readers
for the PDFs it stores."""

import re

from django.core.files.storage import default_storage
from pypdf import PdfReader

from advisor import services
from advisor.models import Assessment
from tests.factories.advisor import AssessmentFactory, three_path_use_cases


def submitted(django_capture_on_commit_callbacks, **fields) -> Assessment:
    """A submitted assessment with three use cases, one per path; no PDF yet."""
    assessment = AssessmentFactory(**fields)
    three_path_use_cases(assessment)
    with django_capture_on_commit_callbacks(execute=False):
        services.assessment_submit(assessment=assessment)
    token = assessment.token
    assessment = Assessment.objects.get(pk=assessment.pk)
    assessment.token = token
    return assessment


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def links_of(reader: PdfReader) -> list[str]:
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
    ]


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def stored_summaries() -> list[str]:
    if not default_storage.exists("summaries"):
        return []
    return sorted(default_storage.listdir("summaries")[1])


SHARE_URL = re.compile(r"http://testserver/assess/shared/[A-Za-z0-9_-]{43}/")


def share_url_in(reader: PdfReader) -> str:
    """The read-only share link a client's PDF carries (its first link)."""
    [url] = [link for link in links_of(reader) if SHARE_URL.fullmatch(link)]
    return url
