"""Creator services: validation with field names, normalisation, per-workspace uniqueness."""

import pytest
from django.core.exceptions import ValidationError

from inviteflow.creators import services
from inviteflow.creators.models import Creator
from tests.creators.factories import add_creator


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_create_normalises(workspace):
    creator = services.create_creator(workspace, name=" Ada ", email="ADA@X.IO", handle="@Ada.L")
    assert (creator.name, creator.email, creator.handle) == ("Ada", "ada@x.io", "ada.l")
    assert creator.workspace == workspace


def test_create_rejects_bad_fields_and_saves_nothing(workspace):
    with pytest.raises(ValidationError) as exc:
        services.create_creator(workspace, name="", email="nope", handle="bad handle")
    assert set(errors_of(exc)) == {"name", "email", "handle"}
    assert not Creator.objects.exists()


def test_handle_unique_per_workspace(actors):
    add_creator(actors.workspace, "ada")
    with pytest.raises(ValidationError) as exc:
        services.create_creator(actors.workspace, name="Other", handle="@ADA")
    assert errors_of(exc) == {"handle": ["@ada is already in this workspace"]}
    assert add_creator(actors.other_workspace, "ada").workspace == actors.other_workspace


def test_update_changes_only_given_fields(workspace):
    creator = add_creator(workspace, "ada", name="Ada", email="a@x.io", notes="keep")
    services.update_creator(creator, handle="@Ada_Two")
    creator.refresh_from_db()
    assert (creator.name, creator.email, creator.handle, creator.notes) == (
        "Ada",
        "a@x.io",
        "ada_two",
        "keep",
    )


def test_update_keeps_own_handle_but_refuses_anothers(workspace):
    ada, grace = add_creator(workspace, "ada"), add_creator(workspace, "grace")
    services.update_creator(ada, handle="ADA", name="Ada L")
    with pytest.raises(ValidationError) as exc:
        services.update_creator(grace, handle="ada")
    assert "handle" in errors_of(exc)
    grace.refresh_from_db()
    assert grace.handle == "grace"


def test_update_refuses_unknown_fields(workspace):
    creator = add_creator(workspace, "ada")
    with pytest.raises(ValidationError) as exc:
        services.update_creator(creator, workspace_id=99)
    assert errors_of(exc) == {"workspace_id": ["cannot be changed"]}


def test_update_invalid_leaves_row_unchanged(workspace):
    creator = add_creator(workspace, "ada", name="Ada")
    with pytest.raises(ValidationError):
        services.update_creator(creator, name="")
    creator.refresh_from_db()
    assert creator.name == "Ada"


def test_delete(workspace):
    services.delete_creator(add_creator(workspace, "ada"))
    assert not Creator.objects.exists()
