"""The wizard's forms: plain-language questions that map onto the contract."""

from decimal import Decimal

from django import forms

from advisor.engine.contract import LANGUAGE_TASKS, PREDICTIVE_TASKS
from advisor.enums import INDUSTRIES, TASK_LABELS
from advisor.models import UseCase
from consult.forms import HoneypotMixin

YES_NO = [("yes", "Yes"), ("no", "No")]

# Prompt and answer sizes people can picture, in tokens (about 3/4 of a word).
SIZE_PRESETS = {
    "typical": ("Typical for this kind of task", None, None),
    "short": ("Short: a message in, a sentence or a label out", 300, 50),
    "medium": ("Medium: a page in, a paragraph out", 1_500, 250),
    "long": ("Long: a long document in, a page out", 8_000, 800),
    "very_long": (
        "Very long: a report or contract in, several pages out",
        30_000,
        2_000,
    ),
    "custom": ("I know my token counts", None, None),
}

LATENCY_PRESETS = {
    "realtime": ("Instantly: under 0.1 seconds (inside another system's request)", 100),
    "fast": ("Very fast: under half a second (as someone types)", 500),
    "interactive": ("Quickly: within 2 seconds (someone is waiting)", 2_000),
    "patient": ("Within 10 seconds", 10_000),
    "batch": ("No rush: minutes or overnight (batch work)", None),
}


def _boolean_choice(value: bool | None) -> str:
    if value is None:
        return ""
    return "yes" if value else "no"


class VersionedForm(forms.Form):
    # The version of the answers the page was built from (see StaleAnswers).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AboutForm(HoneypotMixin, VersionedForm):
    contact_name = forms.CharField(
        label="Your name",
        error_messages={"required": "Enter your name."},
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label="Work email",
        # The column holds 254 characters: the form field's own default (320)
        # would let a longer address through to a database error.
        max_length=254,
        error_messages={"required": "Enter your work email address."},
        help_text="We send your results and your private link here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    company = forms.CharField(
        label="Company",
        error_messages={"required": "Enter your company name."},
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.CharField(
        label="Your role (optional)",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    consent_contact = forms.BooleanField(
        label="A consultant may contact me about this assessment",
        required=False,
        help_text="Optional. Without it we only send what you ask for.",
    )

    @classmethod
    def initial_for(cls, assessment) -> dict:
        return {
            "version": assessment.version,
            "contact_name": assessment.contact_name,
            "contact_email": assessment.contact_email,
            "company": assessment.company,
            "role": assessment.role,
            "consent_contact": assessment.consent_contact,
        }

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            "contact_name": data["contact_name"].strip(),
            "contact_email": data["contact_email"].strip().lower(),
            "company": data["company"].strip(),
            "role": data["role"].strip(),
            "consent_contact": data["consent_contact"],
        }


class OrganisationForm(VersionedForm):
    industry = forms.ChoiceField(
        label="Industry",
        error_messages={"required": "Choose your industry."},
        choices=INDUSTRIES,
    )
    ml_engineers = forms.IntegerField(
        label="How many people can train and run ML models today?",
        error_messages={
            "required": "Enter how many people can train and run models: 0 is fine."
        },
        help_text="Data scientists or ML engineers on your staff. 0 is a common answer.",
        min_value=0,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    data_can_leave = forms.ChoiceField(
        label="May your data be sent to a third-party AI provider's API?",
        error_messages={
            "required": "Choose whether your data may be sent to a third-party API."
        },
        help_text="For example OpenAI, Anthropic or Google, under their business terms.",
        choices=[
            ("yes", "Yes, under a business agreement"),
            ("no", "No, it must stay on infrastructure we control"),
        ],
        widget=forms.RadioSelect,
    )

    @classmethod
    def initial_for(cls, assessment) -> dict:
        return {
            "version": assessment.version,
            "industry": assessment.industry,
            "ml_engineers": assessment.ml_engineers,
            "data_can_leave": _boolean_choice(assessment.data_can_leave),
        }

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            "industry": data["industry"],
            "ml_engineers": data["ml_engineers"],
            "data_can_leave": data["data_can_leave"] == "yes",
        }


TASK_CHOICES = [
    ("", "Choose what the model must do"),
    ("Working with language", [(task, TASK_LABELS[task]) for task in LANGUAGE_TASKS]),
    (
        "Predicting and perceiving",
        [(task, TASK_LABELS[task]) for task in PREDICTIVE_TASKS],
    ),
]


class UseCaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    name = forms.CharField(
        label="Give this use case a short name",
        error_messages={"required": "Give this use case a name."},
        help_text="For example “Support ticket triage” or “Card fraud scoring”.",
        max_length=120,
    )
    task = forms.ChoiceField(
        label="What must the model do?",
        error_messages={"required": "Choose what the model must do."},
        choices=TASK_CHOICES,
    )
    monthly_requests = forms.IntegerField(
        label="How many requests or predictions a month?",
        error_messages={
            "required": "Enter how many requests a month, as a whole number."
        },
        help_text="Your best estimate at full use. 50,000 a month is about one a minute, around the clock.",
        min_value=0,
        max_value=10_000_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    size = forms.ChoiceField(
        label="How much text goes in and comes out each time?",
        help_text="Only for language tasks.",
        choices=[(key, label) for key, (label, _, _) in SIZE_PRESETS.items()],
        initial="typical",
        widget=forms.RadioSelect,
        required=False,
    )
    input_tokens = forms.IntegerField(
        label="Tokens in, on average",
        min_value=1,
        max_value=2_000_000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    output_tokens = forms.IntegerField(
        label="Tokens out, on average",
        min_value=1,
        max_value=200_000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    latency = forms.ChoiceField(
        label="How fast must each answer arrive?",
        error_messages={"required": "Choose how fast each answer must arrive."},
        choices=[(key, label) for key, (label, _) in LATENCY_PRESETS.items()],
        widget=forms.RadioSelect,
    )
    value_per_request_usd = forms.DecimalField(
        label="What is one request worth to your business, in US dollars? (optional)",
        help_text="The margin it earns or the cost it saves. Leave blank if you don't know.",
        min_value=Decimal(0),
        max_value=Decimal(1000000000),
        max_digits=14,
        decimal_places=4,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    proprietary_data = forms.ChoiceField(
        label="Do you have your own labelled data for this?",
        error_messages={"required": "Choose how much labelled data you have."},
        choices=UseCase.ProprietaryData.choices,
        widget=forms.RadioSelect,
    )
    format_consistency = forms.ChoiceField(
        label="How strict is the output format?",
        error_messages={"required": "Choose how strict the output format is."},
        choices=UseCase.FormatConsistency.choices,
        widget=forms.RadioSelect,
    )
    sensitive_data = forms.ChoiceField(
        label="Must this use case's data stay on your own infrastructure?",
        error_messages={"required": "Choose whether this data must stay in-house."},
        help_text="For example health records, card data or anything under a residency rule.",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    accuracy_lift_value = forms.ChoiceField(
        label="How much is a small gain in quality worth?",
        error_messages={"required": "Choose what a small gain in quality is worth."},
        choices=UseCase.AccuracyLift.choices,
        widget=forms.RadioSelect,
    )

    @classmethod
    def initial_for(cls, use_case: UseCase | None) -> dict:
        if use_case is None:
            return {
                "size": "typical",
                "proprietary_data": "none",
                "format_consistency": "flexible",
                "sensitive_data": "no",
                "accuracy_lift_value": "low",
            }
        size = "typical"
        if use_case.input_tokens is not None or use_case.output_tokens is not None:
            size = next(
                (
                    key
                    for key, (_, tokens_in, tokens_out) in SIZE_PRESETS.items()
                    if tokens_in is not None
                    and (tokens_in, tokens_out)
                    == (use_case.input_tokens, use_case.output_tokens)
                ),
                "custom",
            )
        latency = next(
            (
                key
                for key, (_, ms) in LATENCY_PRESETS.items()
                if ms == use_case.latency_budget_ms
            ),
            "batch",
        )
        return {
            "version": use_case.version,
            "name": use_case.name,
            "task": use_case.task,
            "monthly_requests": use_case.monthly_requests,
            "size": size,
            "input_tokens": use_case.input_tokens,
            "output_tokens": use_case.output_tokens,
            "latency": latency,
            "value_per_request_usd": use_case.value_per_request_usd,
            "proprietary_data": use_case.proprietary_data,
            "format_consistency": use_case.format_consistency,
            "sensitive_data": _boolean_choice(use_case.sensitive_data),
            "accuracy_lift_value": use_case.accuracy_lift_value,
        }

    def clean(self) -> dict:
        data = super().clean()
        task = data.get("task")
        size = data.get("size") or "typical"
        data["size"] = size
        if task in LANGUAGE_TASKS and size == "custom":
            for field in ("input_tokens", "output_tokens"):
                if data.get(field) is None and field not in self.errors:
                    self.add_error(
                        field, "Enter a whole number of tokens, or pick a size above."
                    )
        return data

    def answers(self) -> dict:
        data = self.cleaned_data
        tokens_in = tokens_out = None
        if data["task"] in LANGUAGE_TASKS:
            if data["size"] == "custom":
                tokens_in, tokens_out = data["input_tokens"], data["output_tokens"]
            else:
                _, tokens_in, tokens_out = SIZE_PRESETS[data["size"]]
        return {
            "name": data["name"].strip(),
            "task": data["task"],
            "monthly_requests": data["monthly_requests"],
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "latency_budget_ms": LATENCY_PRESETS[data["latency"]][1],
            "value_per_request_usd": data["value_per_request_usd"],
            "proprietary_data": data["proprietary_data"],
            "format_consistency": data["format_consistency"],
            "sensitive_data": data["sensitive_data"] == "yes",
            "accuracy_lift_value": data["accuracy_lift_value"],
        }
