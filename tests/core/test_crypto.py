import pytest

from inviteflow.core.crypto import DecryptionError, decrypt, encrypt


def test_round_trip_and_ciphertext_hides_plain_text():
    token = encrypt("tt-access-token-123")
    assert "tt-access-token-123" not in token
    assert decrypt(token) == "tt-access-token-123"


def test_two_encryptions_differ():
    assert encrypt("same") != encrypt("same")


def test_other_secret_key_cannot_decrypt(settings):
    token = encrypt("secret")
    settings.SECRET_KEY = "x" * 60
    with pytest.raises(DecryptionError, match="SECRET_KEY"):
        decrypt(token)
