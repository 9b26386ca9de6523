"""One set of rules for a creator's fields, shared by the forms, the API and the CSV import,
so a row rejected in a CSV preview is rejected for the same reason everywhere else."""

from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from inviteflow.creators.handles import handle_problem, normalise_handle

NAME_MAX = 120
EMAIL_MAX = 254
NOTES_MAX = 5000


@dataclass(frozen=True)
class CreatorFields:
    """A creator's editable fields, normalised."""

    name: str
    email: str
    handle: str
    notes: str

    @classmethod
    def normalised(
        cls, name: str = "", email: str = "", handle: str = "", notes: str = ""
    ) -> "CreatorFields":
        return cls(
            name=" ".join((name or "").split()),
            email=(email or "").strip().lower(),
            handle=normalise_handle(handle or ""),
            notes=(notes or "").strip(),
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def field_problems(fields: CreatorFields) -> dict[str, str]:
    """Field name → reason, for every field that breaks a rule (uniqueness aside)."""
    problems = {
        "name": _name_problem(fields.name),
        "email": _email_problem(fields.email),
        "handle": handle_problem(fields.handle),
        "notes": _notes_problem(fields.notes),
    }
    return {field: reason for field, reason in problems.items() if reason}


def _name_problem(name: str) -> str | None:
    if not name:
        return "required"
    return f"must be at most {NAME_MAX} characters" if len(name) > NAME_MAX else None


def _email_problem(email: str) -> str | None:
    if not email:
        return None
    if len(email) > EMAIL_MAX:
        return f"must be at most {EMAIL_MAX} characters"
    try:
        validate_email(email)
    except ValidationError:
        return "is not a valid email address"
    return None


def _notes_problem(notes: str) -> str | None:
    return f"must be at most {NOTES_MAX} characters" if len(notes) > NOTES_MAX else None
