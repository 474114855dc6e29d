"""The wizard's forms: plain-language questions that map onto the contract."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms

from advisor.engine.contract import LANGUAGE_TASKS, PREDICTIVE_TASKS
from advisor.enums import INDUSTRIES, REGULATION_LABELS, TASK_LABELS, USER_FACING_TASKS
from advisor.models import UseCase, latency_words
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

LANGUAGE = frozenset(LANGUAGE_TASKS)
PREDICTIVE = frozenset(PREDICTIVE_TASKS)


@dataclass(frozen=True)
class LatencyPreset:
    label: str
    ms: int | None
    # For the tasks of these kinds; the page shows it only for them.
    tasks: frozenset[str] = LANGUAGE | PREDICTIVE
    batch_ok: bool = False
    detail: str = ""


# One question for speed and batch work. Language and predictive tasks are
# offered different speeds: no language model answers within 0.1 seconds (one
# on your own GPU needs about that before its first word), hosted AI services
# take at least half a second to start answering, and batch prices are for
# language models. The budget is for the whole answer.
LATENCY_PRESETS = {
    "realtime": LatencyPreset(
        "Instantly: under 0.1 seconds (a prediction inside another system's request)",
        100,
        tasks=PREDICTIVE,
    ),
    "instant": LatencyPreset(
        "Instant: under 0.2 seconds",
        200,
        tasks=LANGUAGE,
        detail="Only a model on your own GPU is this fast, and only for a label "
        "or a few words.",
    ),
    "fast": LatencyPreset(
        "Very fast: under half a second",
        500,
        detail="For text, only a model on your own GPU is this fast: hosted AI "
        "services take half a second to start answering.",
    ),
    "interactive": LatencyPreset("Quick: under 2 seconds", 2_000),
    "seconds": LatencyPreset("Within a few seconds", 5_000, tasks=LANGUAGE),
    "patient": LatencyPreset("Within 10 seconds", 10_000, tasks=PREDICTIVE),
    "no_limit": LatencyPreset("No hard limit", None),
    "batch": LatencyPreset(
        "It can wait hours (an overnight job)",
        None,
        tasks=LANGUAGE,
        batch_ok=True,
        detail="Results within a day, at the AI providers' lower batch prices.",
    ),
}
# A stored budget that is no preset for its task (set before the presets
# changed, or outside the wizard) is offered back as it is.
KEPT_LATENCY = "kept"

REGULATION_HINTS = {
    "gdpr": "You handle personal data of people in the EU or the UK.",
    "hipaa": "You handle patients' health information as, or for, a US provider "
    "or health plan.",
    "pci_dss": "You store, process or pass on payment card numbers.",
    "eu_ai_act": "You offer or use AI systems in the EU.",
    "ccpa": "You handle personal data of California residents, as a business "
    "above its size thresholds.",
}


def latency_preset_key(task: str, ms: int | None, batch_ok: bool) -> str | None:
    """The preset offered for ``task`` that stores exactly these answers, if any."""
    return next(
        (
            key
            for key, preset in LATENCY_PRESETS.items()
            if task in preset.tasks and (preset.ms, preset.batch_ok) == (ms, batch_ok)
        ),
        None,
    )


class ChoiceExtrasMixin:
    """Per-option extras that ``includes/field.html`` writes: a line of detail under
    the label, and the tasks the option is shown for (``data-show-for-tasks``)."""

    def __init__(self, *args, details=None, show_for=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.details = details or {}
        self.show_for = show_for or {}

    def create_option(  # noqa: PLR0913, PLR0917 -- Django's signature
        self, name, value, label, selected, index, subindex=None, attrs=None
    ):
        option = super().create_option(
            name, value, label, selected, index, subindex=subindex, attrs=attrs
        )
        option["detail"] = self.details.get(value, "")
        option["show_for_tasks"] = self.show_for.get(value, "")
        return option


# Named so that their ``widget_type`` stays "radioselect" and
# "checkboxselectmultiple", which is how includes/field.html knows them.
class RadioSelectWidget(ChoiceExtrasMixin, forms.RadioSelect):
    pass


class CheckboxSelectMultipleWidget(ChoiceExtrasMixin, forms.CheckboxSelectMultiple):
    pass


def tasks_attr(tasks) -> str:
    """Tasks as ``data-show-for-tasks`` lists them, in the order of TASK_LABELS."""
    return " ".join(task for task in TASK_LABELS if task in tasks)


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

    regulations = forms.MultipleChoiceField(
        label="Which of these rules apply to you?",
        help_text="Tick every one that applies to your data or product, or none. "
        "As a guide: healthcare in the US usually means HIPAA, taking card payments "
        "PCI DSS, and customers or staff in Europe GDPR.",
        choices=list(REGULATION_LABELS.items()),
        widget=CheckboxSelectMultipleWidget(details=REGULATION_HINTS),
        required=False,
    )

    @classmethod
    def initial_for(cls, assessment) -> dict:
        return {
            "version": assessment.version,
            "industry": assessment.industry,
            "ml_engineers": assessment.ml_engineers,
            "data_can_leave": _boolean_choice(assessment.data_can_leave),
            "regulations": list(assessment.regulations),
        }

    def answers(self) -> dict:
        data = self.cleaned_data
        ticked = set(data["regulations"])
        return {
            "industry": data["industry"],
            "ml_engineers": data["ml_engineers"],
            "data_can_leave": data["data_can_leave"] == "yes",
            # Each code once, in the order the page lists them.
            "regulations": [code for code in REGULATION_LABELS if code in ticked],
        }


TASK_CHOICES = [
    ("", "Choose what the model must do"),
    (
        "Working with language",
        [(task, label) for task, label in TASK_LABELS.items() if task in LANGUAGE],
    ),
    (
        "Predicting and perceiving",
        [(task, label) for task, label in TASK_LABELS.items() if task in PREDICTIVE],
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
        help_text="Fields from text you already have, such as emails or digital "
        "files: “Pull fields out of documents”. From scans or photos of paper: "
        "“Read scanned documents”.",
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
    user_facing = forms.ChoiceField(
        label="Will people talk to it directly?",
        help_text="Yes for a chatbot or an assistant: people read its answers as "
        "they come, with nobody checking them first.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        # Asked only for some tasks: required for those in clean().
        required=False,
    )
    latency = forms.ChoiceField(
        label="How fast must each answer arrive?",
        help_text="From the moment it is asked until the whole answer is there.",
        error_messages={"required": "Choose how fast each answer must arrive."},
        choices=[(key, preset.label) for key, preset in LATENCY_PRESETS.items()],
        widget=RadioSelectWidget(
            details={key: preset.detail for key, preset in LATENCY_PRESETS.items()},
            show_for={
                key: tasks_attr(preset.tasks)
                for key, preset in LATENCY_PRESETS.items()
                if preset.tasks != LANGUAGE | PREDICTIVE
            },
        ),
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

    # The tasks the questions that do not concern every task are shown for.
    show_size_for = tasks_attr(LANGUAGE)
    show_user_facing_for = tasks_attr(USER_FACING_TASKS)

    def __init__(self, *args, use_case: UseCase | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_latency: tuple[int | None, bool] | None = None
        if use_case is not None and (
            latency_preset_key(
                use_case.task, use_case.latency_budget_ms, use_case.batch_ok
            )
            is None
        ):
            self.kept_latency = (use_case.latency_budget_ms, use_case.batch_ok)
            words = latency_words(*self.kept_latency)
            field = self.fields["latency"]
            field.choices = [
                (
                    KEPT_LATENCY,
                    f"As you answered before: {words[:1].lower()}{words[1:]}",
                ),
                *field.choices,
            ]

    @classmethod
    def initial_for(cls, use_case: UseCase | None) -> dict:
        if use_case is None:
            return {
                "size": "typical",
                "user_facing": "no",
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
        latency = (
            latency_preset_key(
                use_case.task, use_case.latency_budget_ms, use_case.batch_ok
            )
            or KEPT_LATENCY
        )
        return {
            "version": use_case.version,
            "name": use_case.name,
            "task": use_case.task,
            "monthly_requests": use_case.monthly_requests,
            "size": size,
            "input_tokens": use_case.input_tokens,
            "output_tokens": use_case.output_tokens,
            "user_facing": _boolean_choice(
                use_case.user_facing and use_case.may_be_user_facing
            ),
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
        if task in LANGUAGE and size == "custom":
            for field in ("input_tokens", "output_tokens"):
                if data.get(field) is None and field not in self.errors:
                    self.add_error(
                        field, "Enter a whole number of tokens, or pick a size above."
                    )
        if (
            task in USER_FACING_TASKS
            and not data.get("user_facing")
            and "user_facing" not in self.errors
        ):
            self.add_error("user_facing", "Choose whether people talk to it directly.")
        return data

    def _latency(self, task: str) -> tuple[int | None, bool]:
        key = self.cleaned_data["latency"]
        if key == KEPT_LATENCY and self.kept_latency is not None:
            ms, batch_ok = self.kept_latency
        else:
            preset = LATENCY_PRESETS[key]
            ms, batch_ok = preset.ms, preset.batch_ok
        if batch_ok and task not in LANGUAGE:
            # Batch prices are the language models'; without the script that hides
            # the choice, "overnight" for a prediction means no hard limit.
            batch_ok = False
        return ms, batch_ok

    def answers(self) -> dict:
        data = self.cleaned_data
        latency_ms, batch_ok = self._latency(data["task"])
        tokens_in = tokens_out = None
        if data["task"] in LANGUAGE:
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
            "latency_budget_ms": latency_ms,
            "batch_ok": batch_ok,
            # Asked only for some tasks; any other task's answer is not kept.
            "user_facing": data["task"] in USER_FACING_TASKS
            and data["user_facing"] == "yes",
            "value_per_request_usd": data["value_per_request_usd"],
            "proprietary_data": data["proprietary_data"],
            "format_consistency": data["format_consistency"],
            "sensitive_data": data["sensitive_data"] == "yes",
            "accuracy_lift_value": data["accuracy_lift_value"],
        }


class ForwardForm(HoneypotMixin, forms.Form):
    """ "Forward to a colleague": the address a read-only link of the result goes to."""

    email = forms.EmailField(
        label="Your colleague's email address",
        max_length=254,
        help_text=(
            "They get a read-only link to this result: they can see it, but not "
            "change it, delete it or book in your name."
        ),
        error_messages={
            "required": "Enter your colleague's email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
